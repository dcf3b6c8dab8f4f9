//! Helpers the CLI tests share: finding programs, fresh names, a clean
//! environment, CppNix's presence, and a nix-daemon on a private socket. Each test file uses
//! some of them.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file())
}

/// Something different on every run, so the store has not seen the paths.
pub fn unique() -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("{}-{}", t.as_nanos(), std::process::id())
}

/// `cmd` with an environment of its own: only `PATH`, `HOME` and an empty
/// `NIX_PATH`.
pub fn clean_env(mut cmd: Command, home: &Path) -> Command {
    cmd.env_clear().env("HOME", home).env("NIX_PATH", "");
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd
}

/// Whether `nix-instantiate` runs; when it does not, the comparison with
/// CppNix is skipped with a note, except under `CI`, which must have it.
pub fn nix_instantiate_present() -> bool {
    let present = Command::new("nix-instantiate")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "nix-instantiate is missing; CI must install it (apt-get install nix-bin)"
        );
        eprintln!("note: nix-instantiate is missing; the comparison with CppNix is skipped");
    }
    present
}

/// A nix-daemon listening on a socket in a temporary directory; killed on
/// drop.
pub struct Daemon {
    child: Child,
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `nix_daemon` and waits for its socket.
pub fn spawn_daemon(nix_daemon: &Path) -> Daemon {
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
    daemon
}
