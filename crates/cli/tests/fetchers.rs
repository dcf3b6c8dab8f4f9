//! `fetchTarball` and `fetchGit` of local sources. The fixtures (a tree
//! packed as .tar, .tar.gz, .tar.xz and .tar.bz2, a Git repository with two
//! branches) are made at test time in a temporary directory with the `tar`
//! and `git` commands. neve's results (store paths, NAR hashes, revisions,
//! error messages) are compared with CppNix's (`nix-instantiate --eval`,
//! which fetches into the local store, so it runs as root); without
//! `nix-instantiate` that comparison is skipped with a note, unless `CI` is
//! set, in which case it fails. `neve instantiate` of a derivation whose
//! source is a fetched tarball is checked in a directory store.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use support::{clean_env, nix_instantiate_present};

/// `neve eval --strict -E expr`: (success, stdout, last line of stderr).
fn neve_eval(expr: &str, home: &Path) -> (bool, String, String) {
    let mut cmd = clean_env(Command::new(env!("CARGO_BIN_EXE_neve")), home);
    // neve has `fetchTree` behind the newer feature name, CppNix 2.8 behind
    // "flakes".
    cmd.args(["eval", "--strict", "--extra-experimental-features", "fetch-tree", "-E", expr]);
    summary(cmd.output().expect("neve runs"))
}

fn nix_eval(expr: &str, home: &Path) -> (bool, String, String) {
    let mut cmd = clean_env(Command::new("nix-instantiate"), home);
    cmd.args(["--eval", "--strict", "--extra-experimental-features", "flakes", "-E", expr]);
    summary(cmd.output().expect("nix-instantiate runs"))
}

/// The result, or the error message without CppNix's or neve's framing
/// (traces, positions): the text after the last `error: `, whitespace
/// normalised.
fn summary(out: Output) -> (bool, String, String) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = stderr.rsplit("error: ").next().unwrap_or_default();
    let error = error.replace("(use '--show-trace' to show detailed location information)", "");
    let error = error.split_whitespace().collect::<Vec<_>>().join(" ");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        if out.status.success() { String::new() } else { error },
    )
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `top/` with a file, an executable in a subdirectory and a symlink, packed
/// in `dir` as t.tar, t.tar.gz, t.tar.xz, t.tar.bz2; `two.tar.gz` has two
/// top-level files.
fn make_tarballs(dir: &Path) {
    let src = dir.join("src");
    fs::create_dir_all(src.join("top/sub")).unwrap();
    fs::write(src.join("top/a.txt"), "hello\n").unwrap();
    fs::write(src.join("top/sub/run.sh"), "#!/bin/sh\necho run\n").unwrap();
    fs::set_permissions(src.join("top/sub/run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("a.txt", src.join("top/link")).unwrap();
    fs::write(src.join("x"), "x\n").unwrap();
    for (file, flag) in [("t.tar", "-cf"), ("t.tar.gz", "-czf"), ("t.tar.xz", "-cJf"), ("t.tar.bz2", "-cjf")] {
        run(Command::new("tar").current_dir(&src).arg(flag).arg(dir.join(file)).arg("top"));
    }
    run(Command::new("tar").current_dir(&src).arg("-czf").arg(dir.join("two.tar.gz")).args(["top", "x"]));
}

fn git(repo: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .current_dir(repo)
        .args(["-c", "user.name=neve", "-c", "user.email=neve@example.invalid", "-c", "init.defaultBranch=main"])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A repository with two commits on `main` and a third on `other`.
fn make_repo(repo: &Path) {
    fs::create_dir_all(repo.join("d")).unwrap();
    git(repo, &["init", "-q", "."], "");
    fs::write(repo.join("f"), "one\n").unwrap();
    fs::write(repo.join("d/g"), "two\n").unwrap();
    fs::set_permissions(repo.join("d/g"), fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("f", repo.join("l")).unwrap();
    git(repo, &["add", "."], "");
    git(repo, &["commit", "-qm", "one"], "2020-01-02T03:04:05Z");
    fs::write(repo.join("f"), "one\nthree\n").unwrap();
    git(repo, &["commit", "-qam", "two"], "2021-06-07T08:09:10Z");
    git(repo, &["checkout", "-qb", "other"], "");
    fs::write(repo.join("o"), "o\n").unwrap();
    git(repo, &["add", "o"], "");
    git(repo, &["commit", "-qm", "three"], "2022-12-31T23:59:59Z");
    git(repo, &["checkout", "-q", "main"], "");
}

/// Every expression evaluated by neve and, when present, by CppNix.
fn compare(exprs: &[String], home: &Path) -> Vec<(bool, String, String)> {
    let nix = nix_instantiate_present();
    let mut results = Vec::new();
    for expr in exprs {
        let ours = neve_eval(expr, home);
        if nix {
            let theirs = nix_eval(expr, home);
            assert_eq!(ours, theirs, "neve and CppNix disagree on {expr}");
        }
        results.push(ours);
    }
    results
}

#[test]
fn fetch_tarball_matches_cppnix() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    make_tarballs(dir.path());
    let d = dir.path().display();
    let exprs: Vec<String> = vec![
        format!("builtins.fetchTarball file://{d}/t.tar"),
        format!("builtins.fetchTarball file://{d}/t.tar.gz"),
        format!("builtins.fetchTarball \"file://{d}/t.tar.xz\""),
        format!("builtins.fetchTarball {{ url = \"file://{d}/t.tar.bz2\"; }}"),
        format!("builtins.fetchTarball {{ url = \"file://{d}/t.tar.gz\"; name = \"named\"; }}"),
        format!("builtins.fetchTarball {{ url = \"file://{d}/t.tar.gz\"; sha256 = \"0000000000000000000000000000000000000000000000000000\"; }}"),
        format!("builtins.fetchTarball file://{d}/two.tar.gz"),
        format!("builtins.fetchTarball file://{d}/missing.tar.gz"),
        format!("builtins.fetchTarball \"{d}/t.tar.gz\""),
    ];
    let r = compare(&exprs, home.path());
    for i in 0..4 {
        assert!(r[i].0, "{}: {}", exprs[i], r[i].2);
        assert_eq!(r[i].1, r[0].1, "every compression gives the same tree");
        assert!(r[i].1.ends_with("-source\"\n"), "{}", r[i].1);
    }
    assert!(r[4].1.ends_with("-named\"\n"), "{}", r[4].1);
    assert!(r[5].2.starts_with(&format!("hash mismatch in file downloaded from 'file://{d}/t.tar.gz'")), "{}", r[5].2);
    // The hash the mismatch reports is the one that, given, is accepted.
    let got = r[5].2.rsplit(' ').next().unwrap().to_owned();
    let pinned = format!("builtins.fetchTarball {{ url = \"file://{d}/t.tar.gz\"; sha256 = \"{got}\"; }}");
    assert_eq!(compare(&[pinned], home.path())[0].1, r[1].1);
    assert!(r[6].2.contains("contains an unexpected number of top-level files"), "{}", r[6].2);
    assert!(r[7].2.starts_with("unable to download"), "{}", r[7].2);
    assert!(r[8].2.starts_with("unable to download"), "{}", r[8].2);
}

#[test]
fn fetch_git_matches_cppnix() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    make_repo(&repo);
    let head = git(&repo, &["rev-parse", "main"], "");
    let first = git(&repo, &["rev-parse", "main~1"], "");
    let other = git(&repo, &["rev-parse", "other"], "");
    let r = repo.display();
    let exprs: Vec<String> = vec![
        format!("builtins.fetchGit {r}"),
        format!("builtins.fetchGit \"file://{r}\""),
        format!("builtins.fetchGit {{ url = {r}; ref = \"other\"; }}"),
        format!("builtins.fetchGit {{ url = {r}; rev = \"{first}\"; }}"),
        format!("builtins.fetchGit {{ url = {r}; name = \"named\"; }}"),
        format!("(builtins.fetchGit {r}).outPath"),
        format!("builtins.fetchGit {{ url = {r}; ref = \"no/such..ref\"; }}"),
        format!("builtins.fetchGit {{ url = {r}; colour = \"blue\"; }}"),
        format!("builtins.fetchGit {}", dir.path().display()),
    ];
    let res = compare(&exprs, home.path());
    for (i, rev, count, date) in
        [(0, &head, 2, "20210607080910"), (2, &other, 3, "20221231235959"), (3, &first, 1, "20200102030405")]
    {
        let out = &res[i].1;
        assert!(res[i].0, "{}: {}", exprs[i], res[i].2);
        assert!(out.contains(&format!("rev = \"{rev}\"; revCount = {count}; shortRev = \"{}\"", &rev[..7])), "{out}");
        assert!(out.contains(&format!("lastModifiedDate = \"{date}\"")), "{out}");
        assert!(out.contains("narHash = \"sha256-") && out.contains("submodules = false;"), "{out}");
    }
    assert_eq!(res[0].1, res[1].1);
    assert!(res[4].1.contains("-named\";"), "{}", res[4].1);
    assert!(res[6].2.contains("invalid Git branch/tag name"), "{}", res[6].2);
    assert!(res[7].2.contains("unsupported Git input attribute 'colour'"), "{}", res[7].2);
    assert!(res[8].2.contains("program 'git' failed"), "{}", res[8].2);

    // A pinned NAR hash is checked: the right one passes, a wrong one fails
    // naming the input as CppNix does.
    let nar = res[0].1.split("narHash = \"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let zero = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let pinned = compare(
        &[
            format!("(builtins.fetchGit {{ url = {r}; narHash = \"{nar}\"; }}).rev"),
            format!("builtins.fetchGit {{ url = {r}; ref = \"other\"; narHash = \"{zero}\"; }}"),
        ],
        home.path(),
    );
    assert_eq!(pinned[0].1.trim(), format!("\"{head}\""));
    assert!(!pinned[1].0);
    assert!(pinned[1].2.contains(&format!("NAR hash mismatch in input 'git+file://{r}?ref=other'")), "{}", pinned[1].2);

    // A bare repository (no `.git`): CppNix fetches it as a remote one,
    // with the ref "master" unless told otherwise.
    git(dir.path(), &["clone", "-q", "--bare", "repo", "bare"], "");
    git(&dir.path().join("bare"), &["branch", "master", "other"], "");
    let b = dir.path().join("bare");
    let bare = compare(
        &[
            format!("builtins.fetchGit {}", b.display()),
            format!("builtins.fetchGit {{ url = {}; ref = \"main\"; }}", b.display()),
        ],
        home.path(),
    );
    assert!(bare[0].1.contains(&format!("rev = \"{other}\"")), "{}", bare[0].1);
    assert_eq!(bare[1].1, res[0].1);

    // A dirty working tree: its tracked files, with the all-zero revision.
    fs::write(repo.join("f"), "changed\n").unwrap();
    fs::write(repo.join("untracked"), "u\n").unwrap();
    let dirty = compare(&[format!("builtins.fetchGit {r}")], home.path());
    assert!(dirty[0].1.contains(&format!("rev = \"{}\"; revCount = 0;", "0".repeat(40))), "{}", dirty[0].1);
    assert_ne!(dirty[0].1, res[0].1);
}

#[test]
fn fetch_tree_matches_cppnix() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    make_tarballs(dir.path());
    let repo = dir.path().join("repo");
    make_repo(&repo);
    let (d, r) = (dir.path().display(), repo.display());
    let exprs: Vec<String> = vec![
        format!("builtins.fetchTree {{ type = \"tarball\"; url = \"file://{d}/t.tar.bz2\"; }}"),
        format!("builtins.fetchTree \"file://{d}/t.tar.gz\""),
        format!("builtins.fetchTree {{ type = \"path\"; path = \"{d}/src/top\"; }}"),
        format!("builtins.fetchTree {{ type = \"git\"; url = \"{r}\"; ref = \"other\"; }}"),
        format!("builtins.fetchTree \"git+file://{r}\""),
        format!("builtins.fetchTree \"{r}\""),
        format!("builtins.fetchTree {{ type = \"file\"; url = \"file://{d}/t.tar\"; }}"),
        format!("builtins.fetchTree {{ type = \"tarball\"; url = \"file://{d}/t.tar\"; colour = 1; }}"),
        format!(
            "builtins.fetchTree {{ type = \"tarball\"; url = \"file://{d}/t.tar\"; narHash = \"sha256-{}=\"; }}",
            "A".repeat(43)
        ),
    ];
    let res = compare(&exprs, home.path());
    for (i, r) in res.iter().enumerate().take(5) {
        assert!(r.0, "{}: {}", exprs[i], r.2);
        assert!(r.1.contains("narHash = \"sha256-"), "{}", r.1);
    }
    assert_eq!(res[0].1, res[1].1);
    assert!(res[2].1.contains("lastModified = "), "{}", res[2].1);
    assert!(res[3].1.contains("revCount = 3;"), "{}", res[3].1);
    assert!(res[5].2.contains("is unsupported"), "{}", res[5].2);
    assert!(res[6].2.contains("cannot fetch unsupported input"), "{}", res[6].2);
    assert!(res[7].2.contains("unsupported tarball input attribute 'colour'"), "{}", res[7].2);
    assert!(res[8].2.contains("NAR hash mismatch in input"), "{}", res[8].2);
}

#[test]
fn instantiate_writes_a_fetched_tarball() {
    let dir = tempfile::tempdir().unwrap();
    make_tarballs(dir.path());
    let program = format!(
        r#"derivation {{
  name = "uses-tarball";
  builder = "/bin/sh";
  system = "x86_64-linux";
  src = builtins.fetchTarball "file://{}/t.tar.xz";
  args = [ "-c" "cp -r $src $out" ];
}}
"#,
        dir.path().display()
    );
    fs::write(dir.path().join("drv.nix"), program).unwrap();
    let root = dir.path().join("root");
    let out = Command::new(env!("CARGO_BIN_EXE_neve"))
        .args(["instantiate", "--store-dir", root.to_str().unwrap(), "drv.nix"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let drv = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let text = fs::read_to_string(root.join(drv.trim_start_matches('/'))).unwrap();
    let sources: Vec<_> = fs::read_dir(root.join("nix/store"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-source"))
        .collect();
    assert_eq!(sources.len(), 1, "{sources:?}");
    let src = &sources[0];
    let printed = format!("/nix/store/{}", src.file_name().unwrap().to_string_lossy());
    assert!(text.contains(&format!("[\"{printed}\"]")), "the source is an input of the derivation: {text}");
    assert_eq!(fs::read_to_string(src.join("a.txt")).unwrap(), "hello\n");
    assert_eq!(fs::read_to_string(src.join("sub/run.sh")).unwrap(), "#!/bin/sh\necho run\n");
    assert_ne!(fs::metadata(src.join("sub/run.sh")).unwrap().permissions().mode() & 0o100, 0);
    assert_eq!(fs::read_link(src.join("link")).unwrap(), Path::new("a.txt"));
    // The path neve evaluates to is the one it wrote.
    let home = tempfile::tempdir().unwrap();
    let eval = neve_eval(&format!("builtins.fetchTarball \"file://{}/t.tar.xz\"", dir.path().display()), home.path());
    assert_eq!(eval.1, format!("\"{printed}\"\n"));
}
