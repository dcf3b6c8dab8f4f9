//! Writes the `parse` bench's generated inputs to files, for callgrind
//! (`parse_once`) and `parse_timing`:
//! `cargo run --release -p neve-syntax --example bench_inputs DIR`
//! writes `DIR/generated.nix` (when the suite is there) and `DIR/package-set.nix`.
#[path = "../benches/common/inputs.rs"]
mod inputs;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: bench_inputs DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(src) = inputs::generated() {
        std::fs::write(dir.join("generated.nix"), src).unwrap();
    }
    std::fs::write(dir.join("package-set.nix"), inputs::package_set()).unwrap();
}
