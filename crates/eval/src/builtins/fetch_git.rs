//! `builtins.fetchGit` of local repositories (CppNix 2.8's `fetchTree` with
//! type "git" and the `GitInputScheme`), using the `git` command. A clean
//! repository (or an explicit `ref`/`rev`) is exported with `git archive`
//! into a temporary directory; a dirty working tree without `ref`/`rev`
//! gives its tracked files, with the all-zero revision. Remote URLs and
//! `submodules = true` are not supported.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use neve_store::{Hash, HashAlgo};

use super::args::err;
use super::fetchers::record_tree;
use crate::coerce::{coerce_to_string, CoerceMode};
use crate::error::EvalResult;
use crate::value::{AttrsBuilder, Value};
use crate::vm::{Co, NativeFuture};

/// The output of a `git` command: exit code, standard output and error.
fn git(args: &[&str]) -> EvalResult<(i32, Vec<u8>, String)> {
    let out =
        Command::new("git").args(args).env("LC_ALL", "C").output().map_err(|e| err(format!("running 'git': {e}")))?;
    Ok((out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned()))
}

/// The trimmed standard output of a `git` command that must succeed.
fn git_ok(args: &[&str]) -> EvalResult<String> {
    let (code, out, _) = git(args)?;
    if code != 0 {
        return Err(failed(code));
    }
    Ok(String::from_utf8_lossy(&out).trim_end_matches('\n').to_owned())
}

/// CppNix's `ExecError` for a failed `git`.
fn failed(code: i32) -> crate::error::EvalError {
    err(format!("program 'git' failed with exit code {code}"))
}

/// An argument of `fetchGit`, as CppNix's `fetchers::Attrs` holds it.
pub(super) enum Arg {
    Str(String),
    Bool(bool),
    Int(i64),
}

/// CppNix's `fixURIForGit` for local paths: anything without a scheme is a
/// `file://` URL (scp-style `user@host:path` is not supported here).
pub(super) fn fix_uri(s: String) -> String {
    if s.contains("://") {
        s
    } else {
        format!("file://{s}")
    }
}

/// The time `secs` (seconds since the epoch, UTC) as `%Y%m%d%H%M%S`.
pub(crate) fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Reads `fetchGit`'s argument into attributes (CppNix's `fetchTree`).
async fn read_args(co: &Co, arg: Value) -> EvalResult<Vec<(String, Arg)>> {
    let arg = co.force(arg).await?;
    let Value::Attrs(set) = &arg else {
        let url = coerce_to_string(co, arg.clone(), CoerceMode::PathSegment).await?;
        return Ok(vec![("url".to_owned(), Arg::Str(fix_uri(url.to_str_lossy().into_owned())))]);
    };
    if set.get(co.state.sym.type_).is_some() {
        return Err(err("unexpected attribute 'type'"));
    }
    let mut out = set_args(co, set).await?;
    for (name, a) in &mut out {
        if let (true, Arg::Str(s)) = (name == "url", &mut *a) {
            *s = fix_uri(std::mem::take(s));
        }
    }
    Ok(out)
}

/// The attributes of a fetcher's argument set but `type`, as CppNix's
/// `fetchTree` reads them (strings and paths coerced, without copying).
pub(super) async fn set_args(co: &Co, set: &crate::value::Attrs) -> EvalResult<Vec<(String, Arg)>> {
    let state = &co.state;
    let mut out = Vec::new();
    for attr in set.iter() {
        if attr.name == state.sym.type_ {
            continue;
        }
        let name = state.name(attr.name).to_string();
        let v = co.force(attr.value.clone()).await?;
        let a = match &v {
            Value::String(_) | Value::Path(_) => {
                let s = coerce_to_string(co, v.clone(), CoerceMode::PathSegment).await?;
                Arg::Str(s.to_str_lossy().into_owned())
            }
            Value::Bool(b) => Arg::Bool(*b),
            Value::Int(i) => Arg::Int(*i),
            other => {
                return Err(err(format!(
                    "fetchTree argument '{name}' is {} while a string, Boolean or integer is expected",
                    other.type_description()
                )))
            }
        };
        out.push((name, a));
    }
    Ok(out)
}

pub(super) struct GitInput {
    url: String,
    name: String,
    git_ref: Option<String>,
    rev: Option<String>,
    shallow: bool,
    submodules: bool,
    /// The tree's NAR hash, when the caller pins it.
    nar_hash: Option<Hash>,
}

impl GitInput {
    /// The input as CppNix names it in errors: `git+URL?ref=...&rev=...`.
    fn describe(&self) -> String {
        let params: Vec<String> = [("ref", &self.git_ref), ("rev", &self.rev)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .collect();
        let query = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
        format!("git+{}{query}", self.url)
    }
}

pub(super) fn parse_input(args: Vec<(String, Arg)>) -> EvalResult<GitInput> {
    let mut input = GitInput {
        url: String::new(),
        name: "source".into(),
        git_ref: None,
        rev: None,
        shallow: false,
        submodules: false,
        nar_hash: None,
    };
    let mut url = None;
    for (name, a) in args {
        let want_str = |a: Arg| match a {
            Arg::Str(s) => Ok(s),
            _ => Err(err(format!("attribute '{name}' should be a string"))),
        };
        let want_bool = |a: Arg| match a {
            Arg::Bool(b) => Ok(b),
            _ => Err(err(format!("attribute '{name}' should be a Boolean"))),
        };
        match name.as_str() {
            "url" => url = Some(want_str(a)?),
            "name" => input.name = want_str(a)?,
            "ref" => input.git_ref = Some(want_str(a)?),
            "rev" => {
                let s = want_str(a)?;
                let h = Hash::parse_any(&s, Some(HashAlgo::Sha1)).map_err(|e| err(e.to_string()))?;
                input.rev = Some(h.to_base16());
            }
            "shallow" => input.shallow = want_bool(a)?,
            "submodules" => input.submodules = want_bool(a)?,
            "allRefs" => {
                want_bool(a)?;
            }
            "lastModified" | "revCount" if matches!(a, Arg::Int(_)) => {}
            "narHash" => {
                let s = want_str(a)?;
                input.nar_hash = Some(Hash::parse_any(&s, Some(HashAlgo::Sha256)).map_err(|e| err(e.to_string()))?);
            }
            _ => return Err(err(format!("unsupported Git input attribute '{name}'"))),
        }
    }
    input.url = url.ok_or_else(|| err("attribute 'url' is missing"))?;
    if let Some(r) = &input.git_ref {
        if bad_ref(r) {
            return Err(err(format!("invalid Git branch/tag name '{r}'")));
        }
    }
    Ok(input)
}

/// CppNix's `badGitRefRegex`, the names `git check-ref-format` rejects.
fn bad_ref(r: &str) -> bool {
    r.is_empty()
        || r.starts_with('/')
        || r.ends_with('/')
        || r.ends_with('.')
        || r.ends_with(".lock")
        || r.contains("//")
        || r.contains("..")
        || r.contains("@{")
        || r.contains("/.")
        || r.starts_with('.')
        || r == "@"
        || r.contains(".lock/")
        || r.bytes().any(|b| b <= b' ' || b == 0x7f || b"~^:?*[\\".contains(&b))
}

pub(super) fn fetch_git(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let args = read_args(&co, a[0].clone()).await?;
        let input = parse_input(args)?;
        fetch(&co, input, true)
    })
}

/// Fetches `input`; `empty_rev_fallback` (for `fetchGit`, not `fetchTree`)
/// gives a dirty tree the all-zero revision and a zero `revCount`.
pub(super) fn fetch(co: &Co, input: GitInput, empty_rev_fallback: bool) -> EvalResult<Value> {
    let state = co.state.clone();
    let Some(repo) = input.url.strip_prefix("file://").map(str::to_owned) else {
        return Err(err(format!(
            "cannot fetch Git repository '{}': neve has no network and fetches only local repositories",
            input.url
        )));
    };
    if input.submodules {
        return Err(err("'builtins.fetchGit' with 'submodules = true' is not yet supported by neve"));
    }
    if state.settings.globals.pure_eval && input.rev.is_none() {
        return Err(err("in pure evaluation mode, 'fetchTree' requires a locked input"));
    }
    // CppNix takes a directory without `.git` for a bare repository, which
    // it fetches like a remote one: its ref defaults to "master".
    let is_local = Path::new(&repo).join(".git").exists();
    if is_local && input.git_ref.is_none() && input.rev.is_none() {
        let (code, _, stderr) =
            git(&["-C", &repo, "--git-dir=.git", "rev-parse", "--verify", "--no-revs", "HEAD^{commit}"])?;
        if stderr.contains("fatal: not a git repository") {
            return Err(err(format!("'{repo}' is not a Git repository")));
        }
        let has_head = code == 0;
        if !has_head && !stderr.contains("fatal: Needed a single revision") {
            return Err(err(format!(
                "getting the HEAD of the Git tree '{repo}' failed with exit code {code}:\n{stderr}"
            )));
        }
        let clean = has_head && {
            let (code, _, _) = git(&["-C", &repo, "diff", "HEAD", "--quiet", "--ignore-submodules", "--"])?;
            match code {
                0 => true,
                1 => false,
                _ => return Err(failed(code)),
            }
        };
        if !clean {
            return fetch_dirty(co, &input, &repo, has_head, empty_rev_fallback);
        }
    }
    let rev = match &input.rev {
        Some(r) => r.clone(),
        None => {
            let out = match (&input.git_ref, is_local) {
                (Some(r), true) => git_ok(&["-C", &repo, "rev-parse", r])?,
                (None, true) => {
                    let head = git_ok(&["-C", &repo, "rev-parse", "--abbrev-ref", "HEAD"])?;
                    git_ok(&["-C", &repo, "rev-parse", &head])?
                }
                (r, false) => {
                    let r = r.as_deref().unwrap_or("master");
                    let full =
                        if r.starts_with("refs/") || r == "HEAD" { r.to_owned() } else { format!("refs/heads/{r}") };
                    git_ok(&["-C", &repo, "rev-parse", "--verify", &full])?
                }
            };
            Hash::parse_any(&out, Some(HashAlgo::Sha1)).map_err(|e| err(e.to_string()))?.to_base16()
        }
    };
    if git_ok(&["-C", &repo, "rev-parse", "--is-shallow-repository"])? == "true" && !input.shallow {
        return Err(err(format!(
            "'{}' is a shallow Git repository, but a non-shallow repository is needed",
            input.url
        )));
    }
    let (code, _, stderr) = git(&["-C", &repo, "cat-file", "commit", &rev])?;
    if code != 0 {
        if code == 128 && stderr.contains("bad file") {
            let r = match &input.git_ref {
                Some(r) => r.clone(),
                None if is_local => git_ok(&["-C", &repo, "rev-parse", "--abbrev-ref", "HEAD"])?,
                None => "master".to_owned(),
            };
            return Err(err(format!(
                "Cannot find Git revision '{rev}' in ref '{r}' of repository '{repo}'! Please make sure that the \
                 \x1b[1mrev\x1b[0m exists on the \x1b[1mref\x1b[0m you've specified or add \x1b[1mallRefs = true;\x1b[0m \
                 to \x1b[1mfetchGit\x1b[0m."
            )));
        }
        return Err(failed(code));
    }
    let (code, tar, _) = git(&["-C", &repo, "archive", &rev])?;
    if code != 0 {
        return Err(failed(code));
    }
    let tmp = super::archive::temp_dir().map_err(|e| err(format!("creating a temporary directory: {e}")))?;
    super::archive::unpack_tar(&tar, tmp.path())
        .map_err(|e| err(format!("unpacking the export of Git revision '{rev}': {e}")))?;
    let root = tmp.path().to_owned();
    let (out_path, nar_hash) = record_tree(&state, &input.name, Some(tmp), root, None)?;
    super::fetchers::check_nar_hash(&input.describe(), &out_path, &nar_hash, input.nar_hash.clone())?;
    let last_modified = parse_int(&git_ok(&["-C", &repo, "log", "-1", "--format=%ct", "--no-show-signature", &rev])?)?;
    let rev_count =
        if input.shallow { None } else { Some(parse_int(&git_ok(&["-C", &repo, "rev-list", "--count", &rev])?)?) };
    Ok(tree_attrs(co, out_path, &nar_hash, Some(input.submodules), Some(&rev), rev_count, Some(last_modified)))
}

fn parse_int(s: &str) -> EvalResult<i64> {
    s.trim().parse().map_err(|_| err(format!("'{s}' is not an integer")))
}

/// A dirty working tree: its tracked files (CppNix copies them from the
/// working tree, with a warning).
fn fetch_dirty(co: &Co, input: &GitInput, repo: &str, has_head: bool, empty_rev_fallback: bool) -> EvalResult<Value> {
    let state = co.state.clone();
    state.io.warn(&format!("warning: Git tree '{repo}' is dirty\n"));
    let (code, out, _) = git(&["-C", repo, "ls-files", "-z"])?;
    if code != 0 {
        return Err(failed(code));
    }
    let root = std::fs::canonicalize(repo).map_err(|e| err(format!("reading '{repo}': {e}")))?;
    let mut kept = BTreeSet::new();
    for file in out.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let rel = PathBuf::from(String::from_utf8_lossy(file).into_owned());
        let mut p: &Path = &rel;
        kept.insert(root.join(p));
        while let Some(parent) = p.parent().filter(|p| !p.as_os_str().is_empty()) {
            kept.insert(root.join(parent));
            p = parent;
        }
    }
    let (out_path, nar_hash) = record_tree(&state, &input.name, None, root, Some(kept))?;
    super::fetchers::check_nar_hash(&input.describe(), &out_path, &nar_hash, input.nar_hash.clone())?;
    let last_modified = if has_head {
        parse_int(&git_ok(&["-C", repo, "log", "-1", "--format=%ct", "--no-show-signature", "HEAD"])?)?
    } else {
        0
    };
    let zero = "0".repeat(40);
    let (rev, rev_count) = if empty_rev_fallback { (Some(&zero[..]), Some(0)) } else { (None, None) };
    Ok(tree_attrs(co, out_path, &nar_hash, Some(input.submodules), rev, rev_count, Some(last_modified)))
}

/// CppNix's `emitTreeAttrs`; `submodules` for Git inputs.
pub(super) fn tree_attrs(
    co: &Co,
    out_path: Vec<u8>,
    nar_hash: &Hash,
    submodules: Option<bool>,
    rev: Option<&str>,
    rev_count: Option<i64>,
    last_modified: Option<i64>,
) -> Value {
    let state = &co.state;
    let mut b = AttrsBuilder::with_capacity(8);
    b.insert(state.intern("outPath"), Value::string(crate::store::store_path_string(out_path)), None);
    b.insert(state.intern("narHash"), Value::string(nar_hash.to_sri()), None);
    if let Some(s) = submodules {
        b.insert(state.intern("submodules"), Value::Bool(s), None);
    }
    if let Some(rev) = rev {
        b.insert(state.intern("rev"), Value::string(rev.to_owned()), None);
        b.insert(state.intern("shortRev"), Value::string(rev[..7].to_owned()), None);
    }
    if let Some(n) = rev_count {
        b.insert(state.intern("revCount"), Value::Int(n), None);
    }
    if let Some(t) = last_modified {
        b.insert(state.intern("lastModified"), Value::Int(t), None);
        b.insert(state.intern("lastModifiedDate"), Value::string(format_utc(t)), None);
    }
    Value::attrs(b.build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::format_utc(0), "19700101000000");
        assert_eq!(super::format_utc(1577934245), "20200102030405");
        assert_eq!(super::format_utc(1795386436), "20261122222716");
        assert_eq!(super::format_utc(951782400), "20000229000000");
    }
}
