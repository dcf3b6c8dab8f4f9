//! Differential tests against CppNix.
//!
//! Every `*.nix` file directly inside `tests/differential/` (at the workspace
//! root) is evaluated twice, in that directory: by `neve eval --strict FILE`
//! and by `nix-instantiate --eval --strict FILE`. The two agree when both
//! succeed and print the same bytes on stdout, or when both fail (only the
//! exit status is compared for failures; messages differ by design between
//! versions). neve must also never crash: any exit status other than 0 or 1
//! (a panic, a signal, a timeout) is a divergence whatever CppNix does.
//!
//! `tests/differential/known-divergences.txt` lists the programs known to
//! diverge, one `FILE REASON` per line: neve bugs not yet fixed, and places
//! where CppNix 2.8 (installed for these tests) and current Nix (whose
//! upstream language suite is the reference) disagree. The test fails on a
//! divergence that is not listed, and on a listed program that no longer
//! diverges, so the table stays exact.
//!
//! Without `nix-instantiate` the test is skipped with a note, unless `CI` is
//! set, in which case it fails. `NEVE_DIFF_FILTER=SUBSTRING` runs only the
//! programs whose file name contains SUBSTRING.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Each program gets this long per evaluator before it counts as hung.
const TIMEOUT: Duration = Duration::from_secs(30);
const THREADS: usize = 4;
const KNOWN: &str = "known-divergences.txt";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/differential")
        .canonicalize()
        .expect("tests/differential exists")
}

/// What one evaluator did with one program.
struct Run {
    /// The exit code; `None` when killed by a signal or by the timeout.
    code: Option<i32>,
    timed_out: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    fn ok(&self) -> bool {
        self.code == Some(0)
    }

    fn describe(&self) -> String {
        let status = match (self.timed_out, self.code) {
            (true, _) => "timed out".to_string(),
            (false, Some(c)) => format!("exit {c}"),
            (false, None) => "killed by a signal".to_string(),
        };
        if self.ok() {
            format!("{status}, stdout {}", excerpt(&self.stdout))
        } else {
            let err = String::from_utf8_lossy(&self.stderr);
            let last = err.lines().rev().find(|l| l.trim_start().starts_with("error:")).unwrap_or("");
            format!("{status}, {}", last.trim())
        }
    }
}

fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end_matches('\n');
    if text.chars().count() > 400 {
        format!("{:?}...", text.chars().take(400).collect::<String>())
    } else {
        format!("{text:?}")
    }
}

fn run(mut cmd: Command) -> Run {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    // Drain both pipes on their own threads so a chatty program cannot block.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        out.read_to_end(&mut buf).ok();
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        err.read_to_end(&mut buf).ok();
        buf
    });
    let start = Instant::now();
    let mut timed_out = false;
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait for the evaluator") {
            break status.code();
        }
        if start.elapsed() > TIMEOUT {
            timed_out = true;
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Run { code, timed_out, stdout: out_reader.join().unwrap(), stderr: err_reader.join().unwrap() }
}

/// A command with a clean environment: only PATH survives, HOME is the given
/// scratch directory, so user configuration cannot leak into a result.
fn base_command(program: &OsStr, dir: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir).env_clear().env("HOME", home).env("NIX_PATH", "");
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd
}

fn neve(dir: &Path, home: &Path, file: &str) -> Run {
    let mut cmd = base_command(env!("CARGO_BIN_EXE_neve").as_ref(), dir, home);
    cmd.args(["eval", "--strict", file]);
    run(cmd)
}

fn cppnix(dir: &Path, home: &Path, file: &str) -> Run {
    let mut cmd = base_command("nix-instantiate".as_ref(), dir, home);
    cmd.env("NIX_REMOTE", "dummy://").args(["--eval", "--strict", file]);
    run(cmd)
}

fn nix_instantiate_present() -> bool {
    Command::new("nix-instantiate")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Why two runs of one program disagree, or `None` when they agree.
fn divergence(neve: &Run, nix: &Run) -> Option<String> {
    if !matches!(neve.code, Some(0) | Some(1)) {
        return Some(format!("neve did not exit cleanly ({})", neve.describe()));
    }
    if nix.timed_out {
        return Some("nix-instantiate timed out".into());
    }
    match (neve.ok(), nix.ok()) {
        (true, true) if neve.stdout == nix.stdout => None,
        (false, false) => None,
        _ => Some(format!("neve: {}\n      cppnix: {}", neve.describe(), nix.describe())),
    }
}

/// The table of known divergences: file name to reason.
fn read_known(dir: &Path) -> BTreeMap<String, String> {
    let path = dir.join(KNOWN);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut known = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (file, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        assert!(!reason.trim().is_empty(), "{KNOWN}:{}: `{file}` needs a reason", n + 1);
        assert!(dir.join(file).is_file(), "{KNOWN}:{}: `{file}` is not a program of the corpus", n + 1);
        let previous = known.insert(file.to_string(), reason.trim().to_string());
        assert!(previous.is_none(), "{KNOWN}:{}: `{file}` is listed twice", n + 1);
    }
    known
}

fn programs(dir: &Path) -> Vec<String> {
    let filter = std::env::var("NEVE_DIFF_FILTER").unwrap_or_default();
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("read tests/differential")
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".nix") && name.contains(filter.as_str()))
        .collect();
    files.sort();
    files
}

/// A scratch HOME for nix-instantiate, removed when dropped.
struct ScratchHome(PathBuf);

impl ScratchHome {
    fn new() -> ScratchHome {
        let dir = std::env::temp_dir().join(format!("neve-differential-home-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a scratch HOME");
        ScratchHome(dir)
    }
}

impl Drop for ScratchHome {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

#[test]
fn differential_against_cppnix() {
    if !nix_instantiate_present() {
        assert!(
            std::env::var_os("CI").is_none(),
            "nix-instantiate is missing; CI must install it (apt-get install nix-bin)"
        );
        eprintln!("note: nix-instantiate not found; skipping the differential tests against CppNix");
        return;
    }
    let dir = corpus_dir();
    let known = read_known(&dir);
    let files = programs(&dir);
    assert!(!files.is_empty(), "no programs in {}", dir.display());
    let home = ScratchHome::new();

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, Option<String>)>> = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let ours = neve(&dir, &home.0, file);
                let theirs = cppnix(&dir, &home.0, file);
                let verdict = divergence(&ours, &theirs);
                results.lock().unwrap().push((file.clone(), verdict));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort();

    let mut unexpected = Vec::new();
    let mut listed = 0;
    let mut fixed = Vec::new();
    for (file, verdict) in &results {
        match (verdict, known.get(file)) {
            (None, None) => {}
            (None, Some(reason)) => fixed.push(format!("{file} (listed: {reason})")),
            (Some(_), Some(_)) => listed += 1,
            (Some(why), None) => unexpected.push(format!("{file}\n      {why}")),
        }
    }
    let agree = results.iter().filter(|(_, v)| v.is_none()).count();
    eprintln!(
        "differential: {} programs, {agree} agree, {listed} known divergences, {} new divergences, {} listed but agreeing ({:.1}s)",
        results.len(),
        unexpected.len(),
        fixed.len(),
        started.elapsed().as_secs_f64()
    );
    let mut report = String::new();
    if !unexpected.is_empty() {
        report += &format!(
            "\n{} programs diverge from CppNix and are not in {KNOWN}:\n  {}\n",
            unexpected.len(),
            unexpected.join("\n  ")
        );
    }
    if !fixed.is_empty() {
        report += &format!(
            "\n{} programs listed in {KNOWN} agree with CppNix now; remove them from the list:\n  {}\n",
            fixed.len(),
            fixed.join("\n  ")
        );
    }
    assert!(report.is_empty(), "{report}");
}
