//! The `eval` bench: each program of `../shared/bench` (override with
//! `NEVE_BENCH_DIR`) evaluated through the library API, from a fresh
//! evaluator to the printed value, as `neve eval --strict` does.
//!
//! Before timing a program, one run checks that it prints its `.exp`; a
//! program that fails (for instance one that needs `derivation`, not yet
//! implemented) or prints something else is skipped with a note.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use neve_eval::Evaluator;

fn bench_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("NEVE_BENCH_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench"),
    };
    dir.is_dir().then_some(dir)
}

/// Evaluates `file` from scratch and prints the result, or describes the error.
fn eval_and_print(file: &Path) -> Result<String, String> {
    let mut eval = Evaluator::new(Default::default());
    let result = eval.eval_file(file).and_then(|v| eval.print_deep(v));
    result.map_err(|e| {
        let text = eval.render_error(&e);
        text.lines().find(|l| l.starts_with("error:")).unwrap_or(&text).to_string()
    })
}

fn programs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "nix"));
    files.sort();
    files
}

fn eval_bench(c: &mut Criterion) {
    let Some(dir) = bench_dir() else {
        eprintln!("note: no benchmark programs found (set NEVE_BENCH_DIR); nothing to measure");
        return;
    };
    let mut group = c.benchmark_group("eval");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    for file in programs(&dir) {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = match std::fs::read_to_string(file.with_extension("exp")) {
            Ok(text) => text.trim_end_matches('\n').to_string(),
            Err(_) => {
                eprintln!("note: skipping {name}: no {name}.exp beside it");
                continue;
            }
        };
        match eval_and_print(&file) {
            Ok(printed) if printed == expected => {}
            Ok(printed) => {
                eprintln!("note: skipping {name}: printed {printed:?}, expected {expected:?}");
                continue;
            }
            Err(error) => {
                eprintln!("note: skipping {name}: {error}");
                continue;
            }
        }
        group.bench_function(name.as_str(), |b| b.iter(|| eval_and_print(&file)));
    }
    group.finish();
}

criterion_group!(benches, eval_bench);
criterion_main!(benches);
