//! End-to-end tests of the daemon client against a real `nix-daemon` started on a
//! socket in a temporary directory. Skipped (with a note) when nix-daemon is not
//! installed, unless `CI` is set, in which case its absence is a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use neve_store::daemon::{DaemonClient, DaemonError};
use neve_store::derivation::{Derivation, OutputsSpec};
use neve_store::hash::{hash_bytes, HashAlgo};
use neve_store::nar::{keep_all, nar_hash_path, EntryKind, NarNode};
use neve_store::writable::WritableStore;
use neve_store::FileIngestionMethod;
use neve_store::{StoreDir, StorePath};

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file())
}

/// A nix-daemon child process listening on `socket`; killed on drop.
struct Daemon {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_daemon() -> Option<Daemon> {
    let Some(nix_daemon) = find_in_path("nix-daemon") else {
        if std::env::var_os("CI").is_some() {
            panic!("nix-daemon is not installed, and CI is set: install nix-bin");
        }
        eprintln!("note: nix-daemon not installed; skipping the daemon tests");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("socket");
    let log = fs::File::create(dir.path().join("daemon.log")).unwrap();
    let child = Command::new(nix_daemon)
        .env("NIX_DAEMON_SOCKET_PATH", &socket)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start nix-daemon");
    let daemon = Daemon { child, socket, _dir: dir };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !daemon.socket.exists() {
        assert!(Instant::now() < deadline, "nix-daemon did not create its socket");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(daemon)
}

/// Something different on every run, so the daemon has not seen the paths yet.
fn unique() -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("{}-{}", t.as_nanos(), std::process::id())
}

#[test]
fn daemon_end_to_end() {
    let Some(daemon) = start_daemon() else {
        return;
    };
    let store = StoreDir::default();
    let mut client = DaemonClient::connect(&daemon.socket).unwrap();
    assert_eq!(client.daemon_protocol_version() >> 8, 1);
    assert!(client.minor() >= 23, "minor {}", client.minor());
    if client.minor() >= 33 {
        assert!(client.daemon_nix_version().is_some());
    }
    let run = unique();
    let none = BTreeSet::new();

    // Validity of a path that cannot exist.
    let bogus = store.text_path_of("neve-never-added", run.as_bytes(), &none).unwrap();
    assert!(!client.is_valid_path(&bogus).unwrap());
    assert_eq!(client.query_path_info(&bogus).unwrap(), None);

    // A text file, then a second one that refers to it (toFile with context).
    let dep_text = format!("dependency {run}\n");
    let dep = client.add_text_to_store("neve-dep", dep_text.as_bytes(), &none).unwrap();
    assert_eq!(dep, store.text_path_of("neve-dep", dep_text.as_bytes(), &none).unwrap());
    assert!(client.is_valid_path(&dep).unwrap());
    assert_eq!(fs::read(store.print_path(&dep)).unwrap(), dep_text.as_bytes());

    let refs: BTreeSet<StorePath> = [dep.clone()].into_iter().collect();
    let top_text = format!("uses {}\n", store.print_path(&dep));
    let top = client.add_text_to_store("neve-top", top_text.as_bytes(), &refs).unwrap();
    assert_eq!(top, store.text_path_of("neve-top", top_text.as_bytes(), &refs).unwrap());
    let info = client.query_path_info(&top).unwrap().expect("top is valid");
    assert_eq!(info.references, refs);
    assert_eq!(
        info.content_address.as_deref(),
        Some(format!("text:sha256:{}", hash_bytes(HashAlgo::Sha256, top_text.as_bytes()).to_base32()).as_str())
    );

    // A directory tree through addToStoreNar, filtered like filterSource.
    let src = tempfile::tempdir().unwrap();
    let root = src.path().join("tree");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("run.sh"), format!("#!/bin/sh\necho {run}\n")).unwrap();
    fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(root.join("sub/data"), vec![0u8; 100_000]).unwrap();
    fs::write(root.join("skip.me"), "filtered out").unwrap();
    std::os::unix::fs::symlink("run.sh", root.join("link")).unwrap();
    let mut filter = |p: &Path, _: EntryKind| !p.ends_with("skip.me");
    let added = client.add_path("neve-tree", &root, &mut filter).unwrap();
    let (nar_hash, nar_size) = nar_hash_path(&root, &mut filter).unwrap();
    assert_eq!(added, store.make_source_path("neve-tree", &nar_hash, &none, false).unwrap());
    let on_disk = PathBuf::from(store.print_path(&added));
    assert!(on_disk.join("run.sh").metadata().unwrap().permissions().mode() & 0o100 != 0);
    assert_eq!(fs::read(on_disk.join("sub/data")).unwrap().len(), 100_000);
    assert_eq!(fs::read_link(on_disk.join("link")).unwrap(), Path::new("run.sh"));
    assert!(!on_disk.join("skip.me").exists());
    let info = client.query_path_info(&added).unwrap().unwrap();
    assert_eq!(info.nar_hash, nar_hash);
    assert_eq!(info.nar_size, nar_size);

    // Fixed-output ingestion through the daemon: flat sha256 and recursive sha1.
    let flat_file = src.path().join("flat.txt");
    fs::write(&flat_file, format!("flat {run}\n")).unwrap();
    let flat = client
        .add_to_store("neve-flat", &flat_file, FileIngestionMethod::Flat, HashAlgo::Sha256, &mut keep_all)
        .unwrap();
    let flat_hash = hash_bytes(HashAlgo::Sha256, format!("flat {run}\n").as_bytes());
    assert_eq!(
        flat,
        store.make_fixed_output_path(FileIngestionMethod::Flat, &flat_hash, "neve-flat", &none, false).unwrap()
    );
    assert_eq!(fs::read(store.print_path(&flat)).unwrap(), format!("flat {run}\n").as_bytes());
    let info = client.query_path_info(&flat).unwrap().unwrap();
    assert_eq!(info.content_address, Some(format!("fixed:sha256:{}", flat_hash.to_base32())));
    let rec_sha1 = client
        .add_to_store("neve-rec-sha1", &root, FileIngestionMethod::Recursive, HashAlgo::Sha1, &mut keep_all)
        .unwrap();
    let sha1 = neve_store::nar::nar_hash_path_with(HashAlgo::Sha1, &root, &mut keep_all).unwrap().0;
    assert_eq!(
        rec_sha1,
        store.make_fixed_output_path(FileIngestionMethod::Recursive, &sha1, "neve-rec-sha1", &none, false).unwrap()
    );
    assert!(PathBuf::from(store.print_path(&rec_sha1)).join("skip.me").exists());

    // The same through the WritableStore interface.
    let via_trait = WritableStore::add_text(&mut client, "neve-trait", run.as_bytes(), &none).unwrap();
    assert!(WritableStore::is_valid_path(&mut client, &via_trait).unwrap());

    // The daemon computes a source path with references itself (wopAddToStore);
    // it must be the one make_source_path gives.
    if client.minor() >= 25 {
        let refs2: BTreeSet<StorePath> = [dep.clone(), top.clone()].into_iter().collect();
        let info = client
            .add_ca_to_store("neve-src-refs", FileIngestionMethod::Recursive, HashAlgo::Sha256, &refs2, &mut |w| {
                neve_store::nar::NarWriter::new(w).write_path(&root, &mut keep_all)
            })
            .unwrap();
        let full_hash = nar_hash_path(&root, &mut keep_all).unwrap().0;
        assert_eq!(info.path, store.make_source_path("neve-src-refs", &full_hash, &refs2, false).unwrap());
        assert_ne!(info.path, store.make_source_path("neve-src-refs", &full_hash, &none, false).unwrap());
        assert_eq!(info.references, refs2);
        // Flat sha512 through the same operation.
        let content = format!("flat512 {run}");
        let info = client
            .add_ca_to_store("neve-flat512", FileIngestionMethod::Flat, HashAlgo::Sha512, &none, &mut |w| {
                w.write_all(content.as_bytes())
            })
            .unwrap();
        let h = hash_bytes(HashAlgo::Sha512, content.as_bytes());
        assert_eq!(
            info.path,
            store.make_fixed_output_path(FileIngestionMethod::Flat, &h, "neve-flat512", &none, false).unwrap()
        );
    }

    // An in-memory tree.
    let mut entries = BTreeMap::new();
    entries.insert(b"file".to_vec(), NarNode::Regular { executable: false, contents: run.clone().into_bytes() });
    let mem = client.add_nar_node("neve-mem", &NarNode::Directory(entries)).unwrap();
    assert_eq!(fs::read_to_string(PathBuf::from(store.print_path(&mem)).join("file")).unwrap(), run);

    // GC roots.
    client.add_temp_root(&top).unwrap();
    let roots = tempfile::tempdir().unwrap();
    let link = roots.path().join("result");
    let made = client.add_perm_root(&top, &link).unwrap();
    assert_eq!(made, link);
    assert_eq!(fs::read_link(&link).unwrap(), PathBuf::from(store.print_path(&top)));
    // The daemon registered it under gcroots/auto/<base-32 sha1 of the link path>.
    let auto = Path::new("/nix/var/nix/gcroots/auto")
        .join(hash_bytes(HashAlgo::Sha1, link.as_os_str().as_encoded_bytes()).to_base32());
    assert_eq!(fs::read_link(&auto).unwrap(), link);
    // Replacing a root that already points into the store is fine...
    client.add_perm_root(&dep, &link).unwrap();
    assert_eq!(fs::read_link(&link).unwrap(), PathBuf::from(store.print_path(&dep)));
    // ...but a regular file is not replaced.
    let file = roots.path().join("file");
    fs::write(&file, "x").unwrap();
    assert!(matches!(client.add_perm_root(&top, &file), Err(DaemonError::Other(_))));

    // A daemon-side error is reported and the connection stays usable.
    let err = client.add_text_to_store("neve-bad-ref", b"x", &[bogus.clone()].into_iter().collect()).unwrap_err();
    assert!(matches!(err, DaemonError::Remote { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("is not valid") && !message.contains('\x1b'), "{message}");
    assert!(client.is_valid_path(&dep).unwrap());

    // A derivation written through the daemon, then built by it.
    let mut drv = Derivation::new("neve-build");
    drv.platform = b"x86_64-linux".to_vec();
    drv.builder = b"/bin/sh".to_vec();
    drv.args = vec![b"-c".to_vec(), b"read line < $dep; echo \"built $line\" > $out".to_vec()];
    drv.input_srcs.insert(dep.clone());
    for (k, v) in [
        ("builder", "/bin/sh".to_owned()),
        ("name", "neve-build".to_owned()),
        ("system", "x86_64-linux".to_owned()),
        ("dep", store.print_path(&dep)),
    ] {
        drv.env.insert(k.into(), v.into_bytes());
    }
    drv.fill_outputs(&store, &OutputsSpec::InputAddressed(vec!["out".into()]), &mut |_| unreachable!()).unwrap();
    let drv_path =
        client.add_text_to_store("neve-build.drv", &drv.to_aterm(&store).unwrap(), &drv.references()).unwrap();
    assert_eq!(drv_path, drv.drv_path(&store).unwrap());
    if std::env::consts::ARCH == "x86_64" && find_in_path("nix-store").is_some() {
        let out = Command::new("nix-store")
            .arg("--realise")
            .arg(store.print_path(&drv_path))
            .env("NIX_REMOTE", format!("unix://{}", daemon.socket.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "nix-store --realise failed: {}", String::from_utf8_lossy(&out.stderr));
        let out_path = drv.output_paths(&store).unwrap()["out"].clone().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), store.print_path(&out_path));
        assert_eq!(fs::read_to_string(store.print_path(&out_path)).unwrap(), format!("built dependency {run}\n"));
    }
}
