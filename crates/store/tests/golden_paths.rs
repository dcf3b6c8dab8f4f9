//! Golden values produced with CppNix 2.8 (`nix-hash`, `nix-store --add`,
//! `nix-store --add-fixed`, `nix-store --dump`, `nix-instantiate --eval`).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use neve_store::hash::{hash_bytes, hash_file, Hash, HashAlgo, HashEncoding};
use neve_store::nar::{keep_all, nar_hash_path, nar_hash_path_with, nar_of_path, EntryKind};
use neve_store::{FileIngestionMethod, StoreDir, StorePath};

const HELLO: &[u8] = b"hello world\n";

fn store() -> StoreDir {
    StoreDir::default()
}

fn path(s: &str) -> StorePath {
    store().parse_path(s).unwrap()
}

#[test]
fn flat_hashes_of_hello() {
    // nix-hash --type ALGO [--base32] --flat hello.txt
    let h = hash_bytes(HashAlgo::Sha256, HELLO);
    assert_eq!(h.to_base16(), "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447");
    assert_eq!(h.to_base32(), "0ix4jahrkll5zg01wandq78jw3ab30q4nscph67rniqg5x7r0j59");
    assert_eq!(hash_bytes(HashAlgo::Sha1, HELLO).to_base32(), "27ahx31f6615vf0zk1pv0h6yndin6n92");
    assert_eq!(hash_bytes(HashAlgo::Md5, HELLO).to_base32(), "647l397jvnq78bs93h4fn04nbg");
    let sha512 = hash_bytes(HashAlgo::Sha512, HELLO);
    assert_eq!(
        sha512.to_base32(),
        "29sad149plylk36i8zhqxm2nq4pz0982i5jpqg49vijzin8rpm89phpq0b9rqsq4m4pimbl6a8i2yk86007qqxfw75bf1r4gylp8ffv"
    );
    // nix hash to-sri sha512:...
    assert_eq!(
        sha512.to_sri(),
        "sha512-2zl0qX8kB7fK4a5jfAAwaHoRkTJ01XhJJVjjnBbAF96E6s3Ixi/jTuThK0sUKIF/Cbaidgw/imZM6ulNJDSlkw=="
    );
    // nix hash to-base64 --type sha1
    assert_eq!(
        hash_bytes(HashAlgo::Sha1, HELLO).to_string_as(HashEncoding::Base64, false),
        "IlljY7PeQLBvmB+4XYIxLowO1RE="
    );
    // Parsing each printed form gives the same hash back.
    assert_eq!(Hash::parse_any("sha256:0ix4jahrkll5zg01wandq78jw3ab30q4nscph67rniqg5x7r0j59", None).unwrap(), h);
    assert_eq!(Hash::parse_sri(&sha512.to_sri()).unwrap(), sha512);
}

#[test]
fn add_and_add_fixed_paths() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.txt");
    fs::write(&file, HELLO).unwrap();
    let none = BTreeSet::new();
    let s = store();

    // nix-store --add hello.txt (NAR sha256, "source" type)
    let (nar_hash, nar_size) = nar_hash_path(&file, &mut keep_all).unwrap();
    assert_eq!(nar_hash.to_base32(), "00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil");
    assert_eq!(nar_size, nar_of_path(&file, &mut keep_all).unwrap().len() as u64);
    let added = s.make_fixed_output_path(FileIngestionMethod::Recursive, &nar_hash, "hello.txt", &none, false).unwrap();
    assert_eq!(s.print_path(&added), "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt");

    // nix-store --add-fixed [--recursive] ALGO hello.txt
    let cases = [
        (FileIngestionMethod::Flat, HashAlgo::Sha256, "d5n8kjrd1ilw3mxdk83c446nyigj8pci"),
        (FileIngestionMethod::Flat, HashAlgo::Sha1, "j4rk8wvjv6pahw11xccxzk137srrb9wa"),
        (FileIngestionMethod::Flat, HashAlgo::Md5, "sfzk1p60dr23kz8rc4xlps9qv073gjy5"),
        (FileIngestionMethod::Recursive, HashAlgo::Sha1, "1cb47rqj1283fvpk0zrm4sy0gjqh4dds"),
        (FileIngestionMethod::Recursive, HashAlgo::Sha512, "09d8b95gsqqjr3ir1byr0acldpd5y16s"),
    ];
    for (method, algo, expected) in cases {
        let h = match method {
            FileIngestionMethod::Flat => hash_file(algo, &file).unwrap(),
            FileIngestionMethod::Recursive => nar_hash_path_with(algo, &file, &mut keep_all).unwrap().0,
        };
        let p = s.make_fixed_output_path(method, &h, "hello.txt", &none, false).unwrap();
        assert_eq!(p.hash_part(), expected, "{method:?} {algo}");
    }
}

#[test]
fn to_file_text_paths_with_references() {
    let s = store();
    let none = BTreeSet::new();
    // builtins.toFile "plain" "hello world\n"
    let plain = s.text_path_of("plain", HELLO, &none).unwrap();
    assert_eq!(s.print_path(&plain), "/nix/store/lid6qayd97dadx6vygq0rwcp7l2vpsy1-plain");
    // let dep = builtins.toFile "dep" "dep contents";
    // in builtins.toFile "top" "uses ${dep} and ${builtins.toFile "other" "x"}"
    let dep = s.text_path_of("dep", b"dep contents", &none).unwrap();
    assert_eq!(s.print_path(&dep), "/nix/store/rq5zwz2xa0qvazipxxfd8j7np5w8qd2y-dep");
    let other = s.text_path_of("other", b"x", &none).unwrap();
    let contents = format!("uses {} and {}", s.print_path(&dep), s.print_path(&other));
    let refs: BTreeSet<StorePath> = [dep, other].into_iter().collect();
    let top = s.text_path_of("top", contents.as_bytes(), &refs).unwrap();
    assert_eq!(s.print_path(&top), "/nix/store/6m36nzrh5dz3zrrbg6fnx3kb6a0y45ci-top");
    // Without references the path differs: references are part of the type.
    assert_ne!(s.text_path_of("top", contents.as_bytes(), &none).unwrap(), top);
}

/// The tree used for the NAR goldens:
/// tree/run.sh (executable), tree/sub/b, tree/sub/empty, tree/sub/link -> ../run.sh,
/// tree/.dot -> run.sh
fn make_tree(root: &Path) {
    use std::os::unix::fs::{symlink, PermissionsExt};
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("run.sh"), "#!/bin/sh\necho hi\n").unwrap();
    fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(root.join("sub/b"), "data").unwrap();
    fs::write(root.join("sub/empty"), "").unwrap();
    symlink("../run.sh", root.join("sub/link")).unwrap();
    symlink("run.sh", root.join(".dot")).unwrap();
}

#[test]
fn nar_of_directory_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    make_tree(&root);
    // nix-store --dump tree | sha256sum ; | wc -c
    let nar = nar_of_path(&root, &mut keep_all).unwrap();
    assert_eq!(nar.len(), 1272);
    assert_eq!(
        hash_bytes(HashAlgo::Sha256, &nar).to_base16(),
        "c22a7cbb5147b601d53df731f9eac756ef0c90fa21b429c2fc4de333ea894944"
    );
    let (h, size) = nar_hash_path(&root, &mut keep_all).unwrap();
    assert_eq!(size, 1272);
    // nix-hash --type sha256 --base32 tree
    assert_eq!(h.to_base32(), "0i29i7m37qsdzk12kd11za80rvsnqzmgjcgp7pah3dj7a6xpqan2");
    // nix-store --add tree
    let p = store().make_source_path("tree", &h, &BTreeSet::new(), false).unwrap();
    assert_eq!(store().print_path(&p), "/nix/store/va2mppjrw4v67ds9p3jdi8jnzwmic4gx-tree");
    // nix-store --dump tree/sub/link | sha256sum
    let link = nar_of_path(&root.join("sub/link"), &mut keep_all).unwrap();
    assert_eq!(
        hash_bytes(HashAlgo::Sha256, &link).to_base16(),
        "d61e876c97f28eb394fcc055f72fd4e7803a6649ab4e9b3ae33908aaf024d4d7"
    );
}

#[test]
fn filtered_source() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    make_tree(&root);
    // builtins.filterSource (p: t: baseNameOf p != "b" && t != "symlink") ./tree
    let mut seen = Vec::new();
    let mut filter = |p: &Path, kind: EntryKind| {
        seen.push(p.to_path_buf());
        p.file_name().unwrap() != "b" && kind != EntryKind::Symlink
    };
    let (h, _) = nar_hash_path(&root, &mut filter).unwrap();
    let p = store().make_source_path("tree", &h, &BTreeSet::new(), false).unwrap();
    assert_eq!(store().print_path(&p), "/nix/store/1fa3ai8qa03pri88dw1294g7qnp0v9mz-tree");
    // The filter saw every entry below the root (not the root itself), with full paths.
    assert!(seen.contains(&root.join("sub/b")));
    assert!(seen.contains(&root.join(".dot")));
    assert!(!seen.contains(&root));
}

#[test]
fn builtins_path_with_name() {
    // "${builtins.path { path = ./hello.txt; name = "renamed"; }}"
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.txt");
    fs::write(&file, HELLO).unwrap();
    let (h, _) = nar_hash_path(&file, &mut keep_all).unwrap();
    let p = store().make_source_path("renamed", &h, &BTreeSet::new(), false).unwrap();
    assert_eq!(p, path("/nix/store/1r5f5qd3x73cx49yyfi7bh8ybgd9z7ih-renamed"));
}

#[test]
fn leading_dot_names() {
    // builtins.toFile ".hidden" "x": CppNix 2.8 and current Nix both accept it.
    let none = BTreeSet::new();
    let p = store().text_path_of(".hidden", b"x", &none).unwrap();
    assert_eq!(store().print_path(&p), "/nix/store/10d3jkw88mfhh2nhls90r05szdgxckyp-.hidden");
    // 2.8 also accepted "." and ".-x" (giving .../1ka9gw6ddkrf0b8k65q7p46xbgb9wdr8-.); current
    // Nix rejects them, and so does neve.
    assert!(store().text_path_of(".", b"x", &none).is_err());
    assert!(store().text_path_of(".-x", b"x", &none).is_err());
}
