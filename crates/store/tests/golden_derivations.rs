//! `.drv` files written by CppNix 2.8 (`nix-instantiate`, local store) from
//! `tests/fixtures/drv/drvs.nix.txt`: parsing, printing, `.drv` paths,
//! `hashDerivationModulo` and output paths must reproduce them byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use neve_store::derivation::{Derivation, DerivationError, DerivationOutput, DrvHashCache, DrvHashKind, OutputsSpec};
use neve_store::hash::{Hash, HashAlgo};
use neve_store::{FileIngestionMethod, StoreDir, StorePath};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// All `.drv` files in a fixture directory, by store path.
fn load_drvs(subdir: &str) -> BTreeMap<StorePath, Vec<u8>> {
    let dir = StoreDir::default();
    let mut map = BTreeMap::new();
    for entry in fs::read_dir(fixtures_dir().join(subdir)).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if name.ends_with(".drv") {
            let path = dir.parse_path(&format!("/nix/store/{name}")).unwrap();
            map.insert(path, fs::read(entry.path()).unwrap());
        }
    }
    map
}

/// The hand-written fixtures (`drv/drvs.nix.txt`).
fn fixtures() -> BTreeMap<StorePath, Vec<u8>> {
    let map = load_drvs("drv");
    assert_eq!(map.len(), 13, "fixture count");
    map
}

/// The generated corpus (`drv-random/corpus.nix.txt`, made by `gen.py.txt`):
/// 45 derivations with random names, outputs, escapes, raw bytes, fixed outputs in
/// every algorithm and encoding, floating content-addressed ones and derivations
/// deferred because they depend on those, sources, `drvPath` dependencies.
fn random_corpus() -> BTreeMap<StorePath, Vec<u8>> {
    let map = load_drvs("drv-random");
    assert_eq!(map.len(), 45, "corpus count");
    map
}

fn by_name(files: &BTreeMap<StorePath, Vec<u8>>, name: &str) -> (StorePath, Derivation) {
    let dir = StoreDir::default();
    let (path, bytes) =
        files.iter().find(|(p, _)| p.name() == format!("{name}.drv")).unwrap_or_else(|| panic!("no fixture {name}"));
    (path.clone(), Derivation::parse_drv_file(bytes, path, &dir).unwrap())
}

fn reader(files: &BTreeMap<StorePath, Vec<u8>>) -> impl FnMut(&StorePath) -> Result<Derivation, DerivationError> + '_ {
    move |p| {
        let bytes = files.get(p).ok_or_else(|| DerivationError::UnknownDerivation(p.to_string()))?;
        Ok(Derivation::parse_drv_file(bytes, p, &StoreDir::default())?)
    }
}

fn check_round_trip_and_drv_paths(files: &BTreeMap<StorePath, Vec<u8>>) {
    let dir = StoreDir::default();
    for (path, bytes) in files {
        let drv = Derivation::parse_drv_file(bytes, path, &dir).unwrap();
        assert_eq!(&drv.to_aterm(&dir).unwrap(), bytes, "{path} does not print back identically");
        assert_eq!(&drv.drv_path(&dir).unwrap(), path, "drv path of {path}");
    }
}

/// Strips the outputs of each derivation and recomputes them as
/// `derivationStrict` does; the result must be the original again.
fn check_recomputed_outputs(files: &BTreeMap<StorePath, Vec<u8>>) -> BTreeMap<&'static str, usize> {
    let dir = StoreDir::default();
    let mut cache = DrvHashCache::new();
    let mut read = reader(files);
    let mut kinds = BTreeMap::new();
    for (path, bytes) in files {
        let original = Derivation::parse_drv_file(bytes, path, &dir).unwrap();
        let mut drv = original.clone();
        let first = drv.outputs.values().next().unwrap().clone();
        let (kind, spec) = match first {
            DerivationOutput::Fixed { method, hash } => ("fixed", OutputsSpec::Fixed { method, hash }),
            DerivationOutput::Floating { method, algo } => {
                ("floating", OutputsSpec::Floating { outputs: drv.outputs.keys().cloned().collect(), method, algo })
            }
            DerivationOutput::Deferred => {
                ("deferred", OutputsSpec::InputAddressed(drv.outputs.keys().cloned().collect()))
            }
            _ => ("input-addressed", OutputsSpec::InputAddressed(drv.outputs.keys().cloned().collect())),
        };
        *kinds.entry(kind).or_default() += 1;
        for name in drv.outputs.keys() {
            drv.env.remove(name.as_bytes());
        }
        drv.outputs.clear();
        let mut at_once = drv.clone();
        drv.fill_outputs(&dir, &spec, &mut |p| cache.hash_of(&dir, p, &mut read)).unwrap();
        assert_eq!(drv, original, "{path}");
        assert_eq!(&drv.to_aterm(&dir).unwrap(), bytes);
        assert_eq!(&drv.drv_path(&dir).unwrap(), path);
        // Printing, path and hash modulo in one go agree with each alone.
        let written = drv.write(&dir, &mut |p| cache.hash_of(&dir, p, &mut read)).unwrap();
        assert_eq!(&written.aterm, bytes);
        assert_eq!(&written.path, path);
        let alone = drv.hash_modulo(&dir, false, &mut |p| cache.hash_of(&dir, p, &mut read)).unwrap();
        assert_eq!(written.hash_modulo, alone, "{path}");
        // Filling the outputs and printing together give the same.
        let together = at_once.fill_outputs_and_write(&dir, &spec, &mut |p| cache.hash_of(&dir, p, &mut read)).unwrap();
        assert_eq!(at_once, original, "{path}");
        assert_eq!(&together.aterm, bytes, "{path}");
        assert_eq!(&together.path, path);
        assert_eq!(together.hash_modulo, alone, "{path}");
    }
    kinds
}

#[test]
fn parse_print_round_trip_and_drv_paths() {
    check_round_trip_and_drv_paths(&fixtures());
    check_round_trip_and_drv_paths(&random_corpus());
}

#[test]
fn recompute_outputs_of_every_fixture() {
    let kinds = check_recomputed_outputs(&fixtures());
    assert_eq!(kinds["fixed"], 5);
}

#[test]
fn recompute_outputs_of_random_corpus() {
    let kinds = check_recomputed_outputs(&random_corpus());
    // Every kind of derivation is represented.
    for k in ["fixed", "floating", "deferred", "input-addressed"] {
        assert!(kinds.get(k).copied().unwrap_or(0) > 0, "no {k} derivation in the corpus: {kinds:?}");
    }
}

#[test]
fn random_corpus_keeps_raw_bytes() {
    // Some derivations carry `builtins.readFile` of the bytes 1..=255.
    let dir = StoreDir::default();
    let all: Vec<u8> = (1..=255).collect();
    let with_raw = random_corpus()
        .iter()
        .map(|(p, b)| Derivation::parse_drv_file(b, p, &dir).unwrap())
        .filter(|d| d.env.get(b"rawBytes".as_slice()) == Some(&all))
        .count();
    assert!(with_raw > 0);
}

#[test]
fn multiple_outputs_from_scratch() {
    // derivation { name = "multi"; system = "x86_64-linux"; builder = "/bin/sh";
    //              outputs = [ "out" "dev" "lib" ]; args = [ "-c" "echo" ]; }
    let dir = StoreDir::default();
    let mut drv = Derivation::new("multi");
    drv.platform = b"x86_64-linux".to_vec();
    drv.builder = b"/bin/sh".to_vec();
    drv.args = vec![b"-c".to_vec(), b"echo".to_vec()];
    for (k, v) in [("builder", "/bin/sh"), ("name", "multi"), ("outputs", "out dev lib"), ("system", "x86_64-linux")] {
        drv.env.insert(k.into(), v.into());
    }
    let outputs = vec!["out".to_owned(), "dev".to_owned(), "lib".to_owned()];
    drv.fill_outputs(&dir, &OutputsSpec::InputAddressed(outputs), &mut |_| unreachable!("no inputs")).unwrap();
    assert_eq!(dir.print_path(&drv.drv_path(&dir).unwrap()), "/nix/store/bzwni0bjkvcrqd6wvninfr514cg2l7vl-multi.drv");
    let paths = drv.output_paths(&dir).unwrap();
    assert_eq!(dir.print_path(paths["lib"].as_ref().unwrap()), "/nix/store/ql7rq75wwx5j9lmnyskcjhd3f5gyngar-multi-lib");
    assert_eq!(drv.env[&b"dev".to_vec()], dir.print_path(paths["dev"].as_ref().unwrap()).into_bytes());
}

#[test]
fn fixed_outputs_from_scratch() {
    let dir = StoreDir::default();
    // (attribute name, drv name, mode, hash as written in the expression, drv path)
    let cases = [
        (
            "flat sha256",
            "fixed-flat",
            None,
            "sha256:0ix4jahrkll5zg01wandq78jw3ab30q4nscph67rniqg5x7r0j59",
            "mqggfac83yidb0x0xmz6kv7hlq7zwh05",
        ),
        (
            "recursive sha256",
            "fixed-rec",
            Some("recursive"),
            "sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil",
            "c810mqdmjhw06fz8aavq3fzqcksalw2l",
        ),
        ("flat sha1", "fixed-sha1", None, "sha1:27ahx31f6615vf0zk1pv0h6yndin6n92", "fwdczb6x1136qwjcmiiilwn4x280dlyc"),
        (
            "recursive sha512 SRI",
            "fixed-sri512",
            Some("recursive"),
            "sha512-2zl0qX8kB7fK4a5jfAAwaHoRkTJ01XhJJVjjnBbAF96E6s3Ixi/jTuThK0sUKIF/Cbaidgw/imZM6ulNJDSlkw==",
            "f7laa1hsgdn7w3fi3bqdqvv3azk4i1jl",
        ),
        ("flat md5", "fixed-md5", None, "md5:647l397jvnq78bs93h4fn04nbg", "7ak80qbyql5vxnf97497v7ir61hjgmqd"),
    ];
    for (what, name, mode, hash_str, expected) in cases {
        let mut drv = Derivation::new(name);
        drv.platform = b"x86_64-linux".to_vec();
        drv.builder = b"/bin/sh".to_vec();
        let hash = Hash::parse_any_prefixed(hash_str).unwrap();
        let mut env =
            vec![("builder", "/bin/sh".to_owned()), ("name", name.to_owned()), ("system", "x86_64-linux".to_owned())];
        // The expression's attributes end up in env as written.
        let (algo_attr, hash_attr) = match hash_str.split_once(':') {
            Some((a, h)) => (Some(a), h),
            None => (None, hash_str),
        };
        env.push(("outputHash", hash_attr.to_owned()));
        if let Some(a) = algo_attr {
            env.push(("outputHashAlgo", a.to_owned()));
        }
        if let Some(m) = mode {
            env.push(("outputHashMode", m.to_owned()));
        }
        for (k, v) in env {
            drv.env.insert(k.into(), v.into_bytes());
        }
        let method = if mode.is_some() { FileIngestionMethod::Recursive } else { FileIngestionMethod::Flat };
        drv.fill_outputs(&dir, &OutputsSpec::Fixed { method, hash }, &mut |_| unreachable!()).unwrap();
        assert_eq!(drv.drv_path(&dir).unwrap().hash_part(), expected, "{what}");
    }
}

#[test]
fn non_utf8_env_values_survive() {
    let dir = StoreDir::default();
    let files = fixtures();
    let (path, drv) = by_name(&files, "bytes");
    let raw = drv.env.get(b"raw".as_slice()).unwrap();
    assert_eq!(raw, b"caf\xe9 \xff\xfe bytes");
    assert_eq!(drv.to_aterm(&dir).unwrap(), files[&path]);

    // Built from scratch, the same bytes give the same .drv path.
    let mut fresh = Derivation::new("bytes");
    fresh.platform = b"x86_64-linux".to_vec();
    fresh.builder = b"/bin/sh".to_vec();
    for (k, v) in [
        (&b"builder"[..], &b"/bin/sh"[..]),
        (b"name", b"bytes"),
        (b"raw", b"caf\xe9 \xff\xfe bytes"),
        (b"system", b"x86_64-linux"),
    ] {
        fresh.env.insert(k.to_vec(), v.to_vec());
    }
    fresh.fill_outputs(&dir, &OutputsSpec::InputAddressed(vec!["out".into()]), &mut |_| unreachable!()).unwrap();
    assert_eq!(fresh.drv_path(&dir).unwrap(), path);
}

#[test]
fn structured_attrs_and_escapes() {
    let dir = StoreDir::default();
    let files = fixtures();
    let (_, structured) = by_name(&files, "structured");
    let json = String::from_utf8(structured.env[&b"__json".to_vec()].clone()).unwrap();
    assert!(json.starts_with("{\"builder\":\"/bin/sh\",\"list\":[1,2,\"three\"]"));
    assert_eq!(structured.env.len(), 3, "only __json and the outputs");
    let (_, escapes) = by_name(&files, "escapes");
    assert_eq!(escapes.env[&b"weird".to_vec()], b"quote \" backslash \\ newline \n tab \t cr \r dollar ${x}".to_vec());
    assert_eq!(escapes.args[2], b"line\nbreak".to_vec());
    let _ = dir;
}

#[test]
fn input_derivation_chain() {
    let dir = StoreDir::default();
    let files = fixtures();
    let (top_path, top) = by_name(&files, "top");
    let (dep2_path, dep2) = by_name(&files, "dep2");
    let (multi_path, _) = by_name(&files, "multi");
    // top uses multi's out; dep2 uses multi's dev and lib.
    assert_eq!(top.input_drvs[&multi_path].iter().collect::<Vec<_>>(), vec!["out"]);
    assert_eq!(dep2.input_drvs[&multi_path].iter().collect::<Vec<_>>(), vec!["dev", "lib"]);
    assert!(top.input_drvs.contains_key(&dep2_path));

    // Hashing top from nothing reads the whole chain through the reader.
    let mut cache = DrvHashCache::new();
    let mut reads = Vec::new();
    let mut read = |p: &StorePath| {
        reads.push(p.clone());
        reader(&files)(p)
    };
    let h = cache.hash_of(&dir, &top_path, &mut read).unwrap();
    assert_eq!(h.kind, DrvHashKind::Regular);
    assert_eq!(h.len(), 2);
    // Each derivation is read once: top, dep2, dep1, fixed-flat, fixed-rec, multi, with-src.
    assert_eq!(reads.len(), 7);
    let mut unique = reads.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), reads.len());

    // A fixed-output input hashes to its fixed fingerprint, so changing how it is
    // built (its builder) changes its .drv path but not its dependants' outputs.
    let (fixed_path, mut fixed) = by_name(&files, "fixed-flat");
    let original_hash = cache.get(&fixed_path).unwrap().clone();
    fixed.builder = b"/bin/bash".to_vec();
    let changed = fixed.hash_modulo(&dir, false, &mut |_| unreachable!()).unwrap();
    assert_eq!(changed, original_hash);
    assert_ne!(fixed.drv_path(&dir).unwrap(), fixed_path);

    // An input-addressed input's hash changes with its builder.
    let (multi_path2, mut multi) = by_name(&files, "multi");
    let before = cache.get(&multi_path2).unwrap().clone();
    multi.builder = b"/bin/bash".to_vec();
    assert_ne!(multi.hash_modulo(&dir, false, &mut |_| unreachable!()).unwrap(), before);
    let _ = HashAlgo::Sha256;
}

#[test]
fn sources_are_input_srcs_and_references() {
    let dir = StoreDir::default();
    let files = fixtures();
    let (path, drv) = by_name(&files, "with-src");
    let none = std::collections::BTreeSet::new();
    // text = builtins.toFile "script.sh" "echo hello > $out"
    let script = dir.text_path_of("script.sh", b"echo hello > $out", &none).unwrap();
    // src = ./src.txt (copied to the store as a NAR-hashed source)
    let nar = neve_store::nar::nar_of_node(&neve_store::nar::NarNode::Regular {
        executable: false,
        contents: b"source file\n".to_vec(),
    });
    let src =
        dir.make_source_path("src.txt", &neve_store::hash::hash_bytes(HashAlgo::Sha256, &nar), &none, false).unwrap();
    let expected: std::collections::BTreeSet<StorePath> = [script, src].into_iter().collect();
    assert_eq!(drv.input_srcs, expected);
    assert_eq!(drv.references(), drv.input_srcs);
    assert!(drv.input_drvs.is_empty());
    assert_eq!(drv.drv_path(&dir).unwrap(), path);
}

/// The flow an evaluator follows: build each derivation, fill its outputs from
/// the cache, compute its path, record it; no `.drv` is ever read back.
#[test]
fn evaluator_flow_without_reading_drvs() {
    let dir = StoreDir::default();
    let mut cache = DrvHashCache::new();
    let base = |name: &str| {
        let mut d = Derivation::new(name);
        d.platform = b"x86_64-linux".to_vec();
        d.builder = b"/bin/sh".to_vec();
        for (k, v) in [("builder", "/bin/sh"), ("name", name), ("system", "x86_64-linux")] {
            d.env.insert(k.into(), v.into());
        }
        d
    };
    let mut fixed = base("fixed-flat");
    fixed.env.insert(b"outputHash".to_vec(), b"0ix4jahrkll5zg01wandq78jw3ab30q4nscph67rniqg5x7r0j59".to_vec());
    fixed.env.insert(b"outputHashAlgo".to_vec(), b"sha256".to_vec());
    let hash = Hash::parse_any("0ix4jahrkll5zg01wandq78jw3ab30q4nscph67rniqg5x7r0j59", Some(HashAlgo::Sha256)).unwrap();
    fixed
        .fill_outputs(&dir, &OutputsSpec::Fixed { method: FileIngestionMethod::Flat, hash }, &mut cache.lookup())
        .unwrap();
    let fixed_drv = fixed.drv_path(&dir).unwrap();
    assert_eq!(fixed_drv.to_string(), "mqggfac83yidb0x0xmz6kv7hlq7zwh05-fixed-flat.drv");
    cache.record(&dir, &fixed_drv, &fixed).unwrap();
    let fixed_out = fixed.output_paths(&dir).unwrap()["out"].clone().unwrap();
    assert_eq!(dir.print_path(&fixed_out), "/nix/store/7wi0bgnsiz0a5y0b1dx2g273i02nm9r9-fixed-flat");

    // dep1 = mk { name = "dep1"; inputs = fixedFlat; }
    let mut dep1 = base("dep1");
    dep1.env.insert(b"inputs".to_vec(), dir.print_path(&fixed_out).into_bytes());
    dep1.input_drvs.insert(fixed_drv.clone(), ["out".to_owned()].into_iter().collect());
    dep1.fill_outputs(&dir, &OutputsSpec::InputAddressed(vec!["out".into()]), &mut cache.lookup()).unwrap();
    let dep1_drv = dep1.drv_path(&dir).unwrap();
    assert_eq!(dep1_drv.to_string(), "4pwwa5n23hi7d286axzaf1c0nskcny1b-dep1.drv");
    cache.record(&dir, &dep1_drv, &dep1).unwrap();
    assert_eq!(dep1.to_aterm(&dir).unwrap(), fixtures()[&dep1_drv]);

    // An input the cache does not know is an error, not a panic.
    let mut orphan = base("orphan");
    orphan.input_drvs.insert(
        dir.parse_path("/nix/store/7h7qgvs4kgzsn8a6rb273saxyqh4jxlz-missing.drv").unwrap(),
        ["out".to_owned()].into_iter().collect(),
    );
    assert!(matches!(
        orphan.fill_outputs(&dir, &OutputsSpec::InputAddressed(vec!["out".into()]), &mut cache.lookup()),
        Err(DerivationError::UnknownDerivation(_))
    ));
}
