//! `DirStore`: objects written under a root directory, at the paths CppNix 2.8
//! computes (`nix-store --add`, `--add-fixed`, `filterSource`, `toFile`).

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use neve_store::hash::HashAlgo;
use neve_store::nar::{keep_all, nar_hash_path, EntryKind};
use neve_store::writable::{DirStore, WritableStore};
use neve_store::{FileIngestionMethod, StorePath};

fn make_tree(root: &Path) {
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("run.sh"), "#!/bin/sh\necho hi\n").unwrap();
    fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(root.join("sub/b"), "data").unwrap();
    fs::write(root.join("sub/empty"), "").unwrap();
    symlink("../run.sh", root.join("sub/link")).unwrap();
    symlink("run.sh", root.join(".dot")).unwrap();
}

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn text_files_with_references() {
    let root = tempfile::tempdir().unwrap();
    let mut store = DirStore::new(root.path());
    let none = BTreeSet::new();
    let dep = store.add_text("dep", b"dep contents", &none).unwrap();
    assert_eq!(dep.to_string(), "rq5zwz2xa0qvazipxxfd8j7np5w8qd2y-dep");
    let on_disk = root.path().join("nix/store/rq5zwz2xa0qvazipxxfd8j7np5w8qd2y-dep");
    assert_eq!(store.real_path(&dep), on_disk);
    assert_eq!(fs::read(&on_disk).unwrap(), b"dep contents");
    assert_eq!(mode(&on_disk), 0o444);
    assert!(store.is_valid_path(&dep).unwrap());
    // Adding again is a no-op.
    assert_eq!(store.add_text("dep", b"dep contents", &none).unwrap(), dep);
    let refs: BTreeSet<StorePath> = [dep].into_iter().collect();
    let other = store.add_text("other", b"x", &none).unwrap();
    assert_eq!(other.to_string(), "08g3c9zd7qsw0216x1bdlk7qrykjny7s-other");
    let mut refs2 = refs.clone();
    refs2.insert(other);
    let text =
        "uses /nix/store/rq5zwz2xa0qvazipxxfd8j7np5w8qd2y-dep and /nix/store/08g3c9zd7qsw0216x1bdlk7qrykjny7s-other";
    let top = store.add_text("top", text.as_bytes(), &refs2).unwrap();
    assert_eq!(top.to_string(), "6m36nzrh5dz3zrrbg6fnx3kb6a0y45ci-top");
}

#[test]
fn trees_flat_files_and_filters() {
    let src = tempfile::tempdir().unwrap();
    let tree = src.path().join("tree");
    make_tree(&tree);
    let hello = src.path().join("hello.txt");
    fs::write(&hello, "hello world\n").unwrap();

    let root = tempfile::tempdir().unwrap();
    let mut store = DirStore::new(root.path());
    let recursive = FileIngestionMethod::Recursive;

    // nix-store --add tree
    let p = store.add_path("tree", &tree, recursive, HashAlgo::Sha256, &mut keep_all).unwrap();
    assert_eq!(p.to_string(), "va2mppjrw4v67ds9p3jdi8jnzwmic4gx-tree");
    let copied = store.real_path(&p);
    // The copy serialises to the same NAR as the source.
    assert_eq!(nar_hash_path(&copied, &mut keep_all).unwrap(), nar_hash_path(&tree, &mut keep_all).unwrap());
    assert_eq!(mode(&copied.join("run.sh")), 0o555);
    assert_eq!(mode(&copied.join("sub/b")), 0o444);
    assert_eq!(fs::read_link(copied.join("sub/link")).unwrap(), Path::new("../run.sh"));

    // builtins.filterSource (p: t: baseNameOf p != "b" && t != "symlink") ./tree
    let mut filter = |p: &Path, t: EntryKind| p.file_name().unwrap() != "b" && t != EntryKind::Symlink;
    let filtered = store.add_path("tree", &tree, recursive, HashAlgo::Sha256, &mut filter).unwrap();
    assert_eq!(filtered.to_string(), "1fa3ai8qa03pri88dw1294g7qnp0v9mz-tree");
    assert!(!store.real_path(&filtered).join("sub/b").exists());
    assert!(store.real_path(&filtered).join("sub/empty").exists());

    // nix-store --add-fixed sha256 hello.txt ; --add-fixed --recursive sha1 hello.txt
    let flat = store.add_path("hello.txt", &hello, FileIngestionMethod::Flat, HashAlgo::Sha256, &mut keep_all).unwrap();
    assert_eq!(flat.to_string(), "d5n8kjrd1ilw3mxdk83c446nyigj8pci-hello.txt");
    assert_eq!(fs::read(store.real_path(&flat)).unwrap(), b"hello world\n");
    let rec_sha1 = store.add_path("hello.txt", &hello, recursive, HashAlgo::Sha1, &mut keep_all).unwrap();
    assert_eq!(rec_sha1.to_string(), "1cb47rqj1283fvpk0zrm4sy0gjqh4dds-hello.txt");

    // Flat ingestion of a directory is refused.
    assert!(store.add_path("tree", &tree, FileIngestionMethod::Flat, HashAlgo::Sha256, &mut keep_all).is_err());
    // No temporary files are left behind.
    let leftovers: Vec<_> = fs::read_dir(root.path().join("nix/store"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
