//! Parse throughput of neve against rnix, in the same run.
//!
//! - `generated`: a file of more than 1 MiB built from the upstream suite's
//!   `eval-okay-*.nix` programs (those both parsers accept), each wrapped as
//!   a list element, `[ (<program>) ... ]`, the list repeated until the input
//!   is large enough. Both parsers must accept the result.
//! - `all-packages`: nixpkgs' `pkgs/top-level/all-packages.nix`, when
//!   `NEVE_BENCH_NIXPKGS` names a nixpkgs checkout.
//!
//! `cargo bench -p neve-syntax --bench parse`. Both parsers run with the same
//! allocator (mimalloc, as the examples use); each iteration includes
//! dropping the tree.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MIN_SIZE: usize = 1 << 20;

fn suite_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("NEVE_LANG_TESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nix-lang-tests"));
    dir.join("lang").is_dir().then_some(dir)
}

fn accepted_by_both(src: &str) -> bool {
    neve_syntax::parse(src).ok() && rnix::Root::parse(src).errors().is_empty()
}

/// The generated input, or `None` without the suite.
fn generated_input() -> Option<String> {
    let lang = suite_dir()?.join("lang");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&lang)
        .ok()?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("eval-okay-") && n.ends_with(".nix"))
        })
        .collect();
    names.sort();
    let mut list = String::from("[\n");
    let mut used = 0;
    for path in names {
        let Ok(program) = std::fs::read_to_string(&path) else { continue };
        // Newlines keep a final `#` comment from swallowing the `)`.
        let element = format!("(\n{program}\n)\n");
        // rnix rejects some programs only once in parentheses (the legacy
        // `let { ... }`, which CppNix accepts anywhere): check them wrapped.
        if !accepted_by_both(&program) || !accepted_by_both(&format!("[\n{element}]\n")) {
            continue;
        }
        list.push_str(&element);
        used += 1;
    }
    list.push_str("]\n");
    let copies = MIN_SIZE / list.len() + 1;
    let mut out = String::with_capacity(copies * (list.len() + 8) + 8);
    out.push_str("[\n");
    for _ in 0..copies {
        out.push_str(&list);
    }
    out.push_str("]\n");
    let neve = neve_syntax::parse(&out);
    assert!(neve.ok(), "the generated input has neve errors: {:?}", &neve.errors()[..neve.errors().len().min(3)]);
    let rnix = rnix::Root::parse(&out);
    assert!(rnix.errors().is_empty(), "the generated input has rnix errors: {:?}", &rnix.errors()[..1]);
    eprintln!("generated input: {} bytes from {used} programs, {copies} copies", out.len());
    Some(out)
}

fn bench_input(c: &mut Criterion, group_name: &str, src: &str) {
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.bench_with_input(BenchmarkId::new("neve", src.len()), src, |b, src| b.iter(|| neve_syntax::parse(src)));
    group.bench_with_input(BenchmarkId::new("rnix", src.len()), src, |b, src| b.iter(|| rnix::Root::parse(src)));
    group.finish();
}

fn parse(c: &mut Criterion) {
    match generated_input() {
        Some(src) => bench_input(c, "generated", &src),
        None => eprintln!("note: the language suite is missing (set NEVE_LANG_TESTS); no generated input"),
    }
    if let Some(nixpkgs) = std::env::var_os("NEVE_BENCH_NIXPKGS") {
        let path = Path::new(&nixpkgs).join("pkgs/top-level/all-packages.nix");
        let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        bench_input(c, "all-packages", &src);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = parse
}
criterion_main!(benches);
