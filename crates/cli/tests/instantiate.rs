//! `neve instantiate` end to end: into a directory store, and through a real
//! `nix-daemon` (started on a socket in a temporary directory), after which
//! CppNix builds what neve wrote (`nix-store --realise`).
//!
//! The daemon test needs nix-daemon and nix-store (Debian's nix-bin, as
//! root, whose configuration has `sandbox = false`); without them it is
//! skipped with a note, unless `CI` is set, in which case it fails.

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use support::{find_in_path, spawn_daemon, unique, Daemon};

fn neve(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_neve")).args(args).current_dir(dir).output().expect("neve runs")
}

/// A small graph: `b` uses an output of `a` and a source file, and a text
/// made by `toFile` that refers to the source.
fn write_graph(dir: &Path, tag: &str) {
    fs::write(dir.join("src.txt"), format!("source {tag}\n")).unwrap();
    let program = format!(
        r#"let
  src = ./src.txt;
  a = derivation {{
    name = "neve-e2e-a";
    builder = "/bin/sh";
    system = builtins.currentSystem;
    outputs = [ "out" "dev" ];
    tag = "{tag}";
    args = [ "-c" "echo a-out > $out; echo a-dev > $dev" ];
  }};
  b = derivation {{
    name = "neve-e2e-b";
    builder = "/bin/sh";
    system = builtins.currentSystem;
    note = builtins.toFile "note" "from ${{src}}";
    args = [ "-c" "read x < ${{a.dev}}; read y < ${{src}}; echo \"$x $y\" > $out" ];
  }};
in
{{ inherit a b; }}
"#
    );
    fs::write(dir.join("graph.nix"), program).unwrap();
}

#[test]
fn instantiate_into_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    write_graph(dir.path(), "dir");
    let root = dir.path().join("root");
    let out = neve(&["instantiate", "--store-dir", root.to_str().unwrap(), "graph.nix"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 2, "{printed}");
    for drv in &lines {
        assert!(drv.starts_with("/nix/store/") && drv.ends_with(".drv"), "{drv}");
        let file = root.join(drv.trim_start_matches('/'));
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(text.starts_with("Derive(["), "{text}");
    }
    // The closure: both derivations, the source and the text.
    let names: Vec<String> = fs::read_dir(root.join("nix/store"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    for suffix in ["-neve-e2e-a.drv", "-neve-e2e-b.drv", "-src.txt", "-note"] {
        assert!(names.iter().any(|n| n.ends_with(suffix)), "{suffix} missing from {names:?}");
    }
    // `-A` on an output that is not `out` prints `!output`, as nix-instantiate.
    let out =
        neve(&["instantiate", "--store-dir", root.to_str().unwrap(), "-E", "(import ./graph.nix).a.dev"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8(out.stdout).unwrap().trim_end().ends_with("-neve-e2e-a.drv!dev"));
    // `--json`.
    let out =
        neve(&["instantiate", "--store-dir", root.to_str().unwrap(), "--json", "-A", "b", "graph.nix"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(json.starts_with(r#"{"derivations":{""#) && json.contains(r#""version":4"#), "{json}");
}

#[test]
fn instantiate_without_a_daemon_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write_graph(dir.path(), "nodaemon");
    let socket = dir.path().join("no-such-socket");
    let out = neve(&["instantiate", "--daemon", socket.to_str().unwrap(), "graph.nix"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot connect to the Nix daemon"), "{err}");
}

fn start_daemon() -> Option<Daemon> {
    let (Some(nix_daemon), Some(_)) = (find_in_path("nix-daemon"), find_in_path("nix-store")) else {
        assert!(std::env::var_os("CI").is_none(), "nix-daemon is not installed, and CI is set: install nix-bin");
        eprintln!("note: nix-daemon not installed; skipping the daemon end-to-end test");
        return None;
    };
    Some(spawn_daemon(&nix_daemon))
}

#[test]
fn instantiate_through_the_daemon_and_build() {
    let Some(daemon) = start_daemon() else { return };
    let dir = tempfile::tempdir().unwrap();
    let tag = unique();
    write_graph(dir.path(), &tag);
    let socket = daemon.socket.to_str().unwrap();
    let out = neve(&["instantiate", "--daemon", socket, "-A", "b", "graph.nix"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let drv = String::from_utf8(out.stdout).unwrap().trim_end().to_owned();
    assert!(drv.ends_with("-neve-e2e-b.drv"), "{drv}");
    let built = Command::new("nix-store")
        .args(["--realise", &drv])
        .env("NIX_REMOTE", format!("unix://{socket}"))
        .output()
        .expect("nix-store runs");
    assert!(built.status.success(), "nix-store --realise failed: {}", String::from_utf8_lossy(&built.stderr));
    let out_path = String::from_utf8(built.stdout).unwrap().trim_end().to_owned();
    assert_eq!(fs::read_to_string(&out_path).unwrap(), format!("a-dev source {tag}\n"));
}
