//! Parse throughput of neve against rnix, in the same run.
//!
//! - `generated`: a file of more than 1 MiB built from the upstream suite's
//!   `eval-okay-*.nix` programs (see `common/inputs.rs`).
//! - `package-set`: a generated stand-in for nixpkgs' `all-packages.nix`
//!   (more than 1 MiB of `callPackage` bindings).
//! - `all-packages`: nixpkgs' `pkgs/top-level/all-packages.nix`, when
//!   `NEVE_BENCH_NIXPKGS` names a nixpkgs checkout.
//!
//! `cargo bench -p neve-syntax --bench parse`. Both parsers run with the same
//! allocator (mimalloc, as the examples use); each iteration includes
//! dropping the tree. `cargo run --release -p neve-syntax --example
//! bench_inputs DIR` writes the generated inputs to files.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

#[allow(dead_code)]
mod common {
    pub mod inputs;
}

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_input(c: &mut Criterion, group_name: &str, src: &str) {
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.bench_with_input(BenchmarkId::new("neve", src.len()), src, |b, src| b.iter(|| neve_syntax::parse(src)));
    group.bench_with_input(BenchmarkId::new("rnix", src.len()), src, |b, src| b.iter(|| rnix::Root::parse(src)));
    group.finish();
}

fn parse(c: &mut Criterion) {
    match common::inputs::generated() {
        Some(src) => bench_input(c, "generated", &src),
        None => eprintln!("note: the language suite is missing (set NEVE_LANG_TESTS); no generated input"),
    }
    bench_input(c, "package-set", &common::inputs::package_set());
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
