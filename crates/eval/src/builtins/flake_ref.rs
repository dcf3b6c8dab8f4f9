//! `builtins.parseFlakeRef` and `builtins.flakeRefToString` (behind the
//! `flakes` experimental feature). `getFlake` is in `flake.rs`,
//! `fetchClosure` in `fetch_closure.rs`, `outputOf` in `output_of.rs`.
//!
//! Flake references follow CppNix's `parseFlakeRef` without a base
//! directory (what the builtin passes): a flake id (`nixpkgs/branch`), a URL
//! whose scheme names an input type (`github:`, `gitlab:`, `sourcehut:`,
//! `flake:`, `path:`, `git+...:`, `tarball+...:`, `file+...:`, and plain
//! `http(s)`/`file` URLs of archives), or an absolute path. The exploded
//! form is the input's attributes plus `dir`.

use std::collections::BTreeMap;

use super::args::{err, force_attrs};
use super::json::string_no_context;
use super::{native, PrimOp};
use crate::state::EvalState;
use crate::value::{AttrsBuilder, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] =
    &[native("parseFlakeRef", 1, parse_flake_ref), native("flakeRefToString", 1, flake_ref_to_string)];

/// One attribute of a fetcher input (CppNix's `fetchers::Attr`).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Attr {
    Str(String),
    Int(u64),
    Bool(bool),
}

pub(super) type Attrs = BTreeMap<String, Attr>;

fn parse_flake_ref(co: Co, args: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let v = co.force(args[0].clone()).await?;
        let s = string_no_context(&co.state, &v, "while evaluating the argument passed to builtins.parseFlakeRef")?;
        let attrs = parse(&s.to_str_lossy()).map_err(err)?;
        Ok(to_value(&co.state, &attrs))
    })
}

fn to_value(state: &EvalState, attrs: &Attrs) -> Value {
    let mut b = AttrsBuilder::with_capacity(attrs.len());
    for (k, v) in attrs {
        let v = match v {
            Attr::Str(s) => Value::string(s.as_str()),
            Attr::Int(i) => Value::Int(*i as i64),
            Attr::Bool(b) => Value::Bool(*b),
        };
        b.insert(state.intern(k.as_str()), v, None);
    }
    Value::attrs(b.build())
}

fn flake_ref_to_string(co: Co, args: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let set =
            force_attrs(&co, &args[0], "while evaluating the argument passed to builtins.flakeRefToString").await?;
        let mut attrs = Attrs::new();
        for attr in set.iter() {
            let v = co.force(attr.value.clone()).await?;
            let name = co.state.name(attr.name);
            let a = match &v {
                Value::Int(i) if *i < 0 => {
                    return Err(err(format!("negative value given for flake ref attr {name}: {i}")));
                }
                Value::Int(i) => Attr::Int(*i as u64),
                Value::Bool(b) => Attr::Bool(*b),
                Value::String(s) => Attr::Str(s.to_str_lossy().into_owned()),
                other => {
                    return Err(err(format!(
                        "flake reference attribute sets may only contain integers, Booleans, and strings, but attribute '{name}' is {}",
                        other.type_description()
                    )));
                }
            };
            attrs.insert(name, a);
        }
        Ok(Value::string(to_string(&attrs).map_err(err)?))
    })
}

// ---------------------------------------------------------------------------
// Parsing.

pub(super) fn is_flake_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_rev(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// CppNix's `refRegex` (`[a-zA-Z0-9@][a-zA-Z0-9_.\/@+-]*`).
fn is_ref(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '@')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_./@+-".contains(c))
}

/// git's rules for branch and tag names, as CppNix's `isLegalRefName`
/// checks them.
fn is_legal_ref_name(s: &str) -> bool {
    !s.is_empty()
        && s != "@"
        && !s.starts_with('/')
        && !s.ends_with('/')
        && !s.ends_with(".lock")
        && !s.ends_with('.')
        && !s.contains("..")
        && !s.contains("//")
        && !s.contains("@{")
        && !s.split('/').any(|c| c.starts_with('.'))
        && !s.chars().any(|c| c.is_ascii_control() || " ~^:?*[\\".contains(c))
}

pub(super) fn parse(url: &str) -> Result<Attrs, String> {
    parse_ref(url, false)
}

/// `parse`; `allow_relative` takes a relative path for a `path:` reference
/// (CppNix's `preserveRelativePaths`, for the inputs of a flake).
pub(super) fn parse_ref(url: &str, allow_relative: bool) -> Result<Attrs, String> {
    let (body, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, percent_decode(f)),
        None => (url, String::new()),
    };
    if !fragment.is_empty() {
        return Err(format!("unexpected fragment '{fragment}' in flake reference '{url}'"));
    }
    // A flake id with an optional ref and/or rev: `nixpkgs`, `nixpkgs/branch`,
    // `nixpkgs/branch/<rev>`, `nixpkgs/<rev>`.
    let segments: Vec<&str> = body.split('/').collect();
    if is_flake_id(segments[0]) {
        let rest = &segments[1..];
        let joined = rest.join("/");
        let ok = match rest.len() {
            0 => true,
            _ if is_rev(&joined) => true,
            _ if is_rev(rest[rest.len() - 1]) && rest.len() > 1 => is_ref(&rest[..rest.len() - 1].join("/")),
            _ => is_ref(&joined),
        };
        if ok && !body.contains('?') && !body.contains(':') {
            return indirect_from_segments(body, &segments);
        }
    }
    if let Some(parsed) = ParsedUrl::parse(body) {
        return from_url(url, parsed);
    }
    // A path.
    let (path, query) = match body.split_once('?') {
        Some((p, q)) => (p, q),
        None => (body, ""),
    };
    if !path.starts_with('/') && !allow_relative {
        return Err(format!("flake reference '{url}' is not an absolute path"));
    }
    let parsed = ParsedUrl {
        scheme: "path".into(),
        authority: path.starts_with('/').then(String::new),
        path: path.to_string(),
        query: decode_query(query),
    };
    from_url(url, parsed)
}

fn indirect_from_segments(url: &str, segments: &[&str]) -> Result<Attrs, String> {
    let mut attrs = Attrs::new();
    attrs.insert("type".into(), Attr::Str("indirect".into()));
    attrs.insert("id".into(), Attr::Str(segments[0].to_string()));
    let rest = &segments[1..];
    if rest.is_empty() {
        return Ok(attrs);
    }
    let joined = rest.join("/");
    if is_rev(&joined) {
        attrs.insert("rev".into(), Attr::Str(joined));
    } else if rest.len() > 1 && is_rev(rest[rest.len() - 1]) {
        attrs.insert("ref".into(), Attr::Str(rest[..rest.len() - 1].join("/")));
        attrs.insert("rev".into(), Attr::Str(rest[rest.len() - 1].to_string()));
    } else {
        attrs.insert("ref".into(), Attr::Str(joined));
    }
    if let Some(Attr::Str(r)) = attrs.get("ref") {
        if !is_legal_ref_name(r) {
            return Err(format!("'{url}' is not a valid flake reference: invalid Git branch/tag name '{r}'"));
        }
    }
    Ok(attrs)
}

struct ParsedUrl {
    scheme: String,
    authority: Option<String>,
    path: String,
    query: Vec<(String, String)>,
}

impl ParsedUrl {
    /// `scheme:[//authority]path[?query]`, or `None` when `s` has no
    /// scheme.
    fn parse(s: &str) -> Option<ParsedUrl> {
        let (scheme, rest) = s.split_once(':')?;
        let mut chars = scheme.chars();
        if !matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
            || !chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        {
            return None;
        }
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(r) => {
                let end = r.find('/').unwrap_or(r.len());
                (Some(r[..end].to_string()), r[end..].to_string())
            }
            None => (None, rest.to_string()),
        };
        Some(ParsedUrl { scheme: scheme.to_ascii_lowercase(), authority, path, query: decode_query(query) })
    }

    fn to_url_string(&self) -> String {
        let mut out = format!("{}:", self.scheme);
        if let Some(a) = &self.authority {
            out.push_str("//");
            out.push_str(a);
        }
        out.push_str(&self.path);
        out
    }
}

fn decode_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(n) = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str, keep: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.as_bytes().contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const ARCHIVE_EXTENSIONS: &[&str] = &[".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"];

fn has_archive_extension(path: &str) -> bool {
    ARCHIVE_EXTENSIONS.iter().any(|e| path.ends_with(e))
}

fn from_url(original: &str, mut url: ParsedUrl) -> Result<Attrs, String> {
    let dir = url.query.iter().rev().find(|(k, _)| k == "dir").map(|(_, v)| v.clone());
    url.query.retain(|(k, _)| k != "dir");
    let mut attrs = input_from_url(original, &url)?;
    if let Some(dir) = dir.filter(|d| !d.is_empty()) {
        attrs.insert("dir".into(), Attr::Str(dir));
    }
    Ok(attrs)
}

fn input_from_url(original: &str, url: &ParsedUrl) -> Result<Attrs, String> {
    let mut attrs = Attrs::new();
    match url.scheme.as_str() {
        "github" | "gitlab" | "sourcehut" => {
            let path: Vec<String> = url.path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
            if path.len() < 2 {
                return Err(format!("URL '{original}' is invalid"));
            }
            if path.len() == 3 {
                let key = if is_rev(&path[2]) { "rev" } else { "ref" };
                attrs.insert(key.into(), Attr::Str(path[2].clone()));
            } else if path.len() > 3 {
                attrs.insert("ref".into(), Attr::Str(path[2..].join("/")));
            }
            for (k, v) in &url.query {
                match k.as_str() {
                    "rev" | "ref" if attrs.contains_key(k) => {
                        let what = if k == "rev" { "commit hashes" } else { "branch/tag names" };
                        return Err(format!("URL '{original}' contains multiple {what}"));
                    }
                    "rev" | "ref" | "host" | "narHash" => {
                        attrs.insert(k.clone(), Attr::Str(v.clone()));
                    }
                    _ => return Err(format!("URL '{original}' contains unknown parameter '{k}'")),
                }
            }
            attrs.insert("type".into(), Attr::Str(url.scheme.clone()));
            attrs.insert("owner".into(), Attr::Str(path[0].clone()));
            attrs.insert("repo".into(), Attr::Str(path[1].clone()));
            check_git_archive(&attrs)?;
        }
        "flake" => {
            let segments: Vec<&str> = url.path.split('/').collect();
            if url.authority.is_some() || !is_flake_id(segments[0]) {
                return Err(format!("'{original}' is not a valid flake reference"));
            }
            attrs = indirect_from_segments(original, &segments)?;
            for (k, v) in &url.query {
                match k.as_str() {
                    "ref" | "rev" => {
                        attrs.insert(k.clone(), Attr::Str(v.clone()));
                    }
                    _ => return Err(format!("URL '{original}' contains unknown parameter '{k}'")),
                }
            }
        }
        "path" => {
            attrs.insert("type".into(), Attr::Str("path".into()));
            attrs.insert("path".into(), Attr::Str(percent_decode(&url.path)));
            for (k, v) in &url.query {
                let a = match k.as_str() {
                    "lastModified" | "revCount" => {
                        Attr::Int(v.parse().map_err(|_| format!("path URL '{original}' has invalid parameter '{k}'"))?)
                    }
                    "rev" | "narHash" => Attr::Str(v.clone()),
                    _ => return Err(format!("path URL '{original}' has unsupported parameter '{k}'")),
                };
                attrs.insert(k.clone(), a);
            }
        }
        s if s.starts_with("git+") => {
            let transport = ParsedUrl {
                scheme: s["git+".len()..].to_string(),
                authority: url.authority.clone(),
                path: url.path.clone(),
                query: Vec::new(),
            };
            attrs.insert("type".into(), Attr::Str("git".into()));
            attrs.insert("url".into(), Attr::Str(transport.to_url_string()));
            for (k, v) in &url.query {
                let a = match k.as_str() {
                    "shallow" | "submodules" | "lfs" | "exportIgnore" | "allRefs" | "verifyCommit" => {
                        Attr::Bool(v == "1")
                    }
                    "lastModified" | "revCount" => {
                        Attr::Int(v.parse().map_err(|_| format!("invalid Git URL '{original}'"))?)
                    }
                    _ => Attr::Str(v.clone()),
                };
                attrs.insert(k.clone(), a);
            }
        }
        s => {
            let (ty, transport) = if let Some(t) = s.strip_prefix("tarball+") {
                ("tarball", t)
            } else if let Some(t) = s.strip_prefix("file+") {
                ("file", t)
            } else if matches!(s, "http" | "https" | "file") && has_archive_extension(&url.path) {
                ("tarball", s)
            } else {
                return Err(format!("input '{original}' is unsupported"));
            };
            if !matches!(transport, "http" | "https" | "file") {
                return Err(format!("input '{original}' is unsupported"));
            }
            let mut plain = ParsedUrl {
                scheme: transport.to_string(),
                authority: url.authority.clone(),
                path: url.path.clone(),
                query: Vec::new(),
            };
            let mut rest = Vec::new();
            for (k, v) in &url.query {
                match k.as_str() {
                    "narHash" | "rev" => {
                        attrs.insert(k.clone(), Attr::Str(v.clone()));
                    }
                    "lastModified" | "revCount" => {
                        attrs.insert(k.clone(), Attr::Int(v.parse().map_err(|_| format!("invalid URL '{original}'"))?));
                    }
                    "unpack" => {}
                    _ => rest.push((k.clone(), v.clone())),
                }
            }
            plain.query = rest;
            let mut text = plain.to_url_string();
            if !plain.query.is_empty() {
                text.push('?');
                text.push_str(&encode_query(&plain.query));
            }
            attrs.insert("type".into(), Attr::Str(ty.into()));
            attrs.insert("url".into(), Attr::Str(text));
        }
    }
    Ok(attrs)
}

fn check_git_archive(attrs: &Attrs) -> Result<(), String> {
    let get = |k: &str| match attrs.get(k) {
        Some(Attr::Str(s)) => Some(s.clone()),
        _ => None,
    };
    if let (Some(r), Some(v)) = (get("ref"), get("rev")) {
        return Err(format!(
            "input {} contains both a commit hash ('{v}') and a branch/tag name ('{r}')",
            attrs_to_json(attrs)
        ));
    }
    if let Some(rev) = get("rev") {
        if !is_rev(&rev) {
            return Err(format!("invalid SHA1 hash '{rev}'"));
        }
    }
    if let Some(r) = get("ref") {
        if !is_legal_ref_name(&r) {
            return Err(format!("input {} contains an invalid branch/tag name", attrs_to_json(attrs)));
        }
    }
    Ok(())
}

pub(super) fn attrs_to_json(attrs: &Attrs) -> String {
    let items: Vec<String> = attrs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Attr::Str(s) => format!("{s:?}"),
                Attr::Int(i) => i.to_string(),
                Attr::Bool(b) => b.to_string(),
            };
            format!("{k:?}:{v}")
        })
        .collect();
    format!("{{{}}}", items.join(","))
}

// ---------------------------------------------------------------------------
// Printing.

fn encode_query(query: &[(String, String)]) -> String {
    const KEEP: &str = "!$'()*+,;:@/?";
    query
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, KEEP), percent_encode(v, KEEP)))
        .collect::<Vec<_>>()
        .join("&")
}

fn attr_text(a: &Attr) -> String {
    match a {
        Attr::Str(s) => s.clone(),
        Attr::Int(i) => i.to_string(),
        Attr::Bool(b) => (if *b { "1" } else { "0" }).to_string(),
    }
}

/// CppNix's `FlakeRef::fromAttrs(...).to_string()`.
pub(super) fn to_string(attrs: &Attrs) -> Result<String, String> {
    let mut attrs = attrs.clone();
    let dir = match attrs.remove("dir") {
        Some(Attr::Str(s)) => s,
        Some(_) => return Err("attribute 'dir' must be a string".into()),
        None => String::new(),
    };
    let ty = match attrs.get("type") {
        Some(Attr::Str(s)) => s.clone(),
        Some(_) => return Err("attribute 'type' must be a string".into()),
        None => return Err(format!("input {} has no 'type' attribute", attrs_to_json(&attrs))),
    };
    let string = |k: &str| -> Result<String, String> {
        match attrs.get(k) {
            Some(Attr::Str(s)) => Ok(s.clone()),
            Some(_) => Err(format!("attribute '{k}' must be a string")),
            None => Err(format!("attribute '{k}' missing")),
        }
    };
    const PATH_KEEP: &str = "!$&'()*+,;=:@/";
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    let mut text = match ty.as_str() {
        "github" | "gitlab" | "sourcehut" => {
            for k in attrs.keys() {
                if !matches!(
                    k.as_str(),
                    "type" | "owner" | "repo" | "ref" | "rev" | "narHash" | "lastModified" | "host" | "treeHash"
                ) {
                    return Err(format!("unsupported {ty} input attribute '{k}'"));
                }
            }
            check_git_archive(&attrs)?;
            let mut path = vec![string("owner")?, string("repo")?];
            if let Some(Attr::Str(r)) = attrs.get("ref") {
                path.push(r.clone());
            }
            if let Some(Attr::Str(r)) = attrs.get("rev") {
                path.push(r.clone());
            }
            for k in ["narHash", "host"] {
                if let Some(Attr::Str(v)) = attrs.get(k) {
                    query.insert(k.into(), v.clone());
                }
            }
            let path: Vec<String> = path.iter().map(|s| percent_encode(s, "!$&'()*+,;=:@")).collect();
            format!("{ty}:{}", path.join("/"))
        }
        "indirect" => {
            for k in attrs.keys() {
                if !matches!(k.as_str(), "type" | "id" | "ref" | "rev" | "narHash") {
                    return Err(format!("unsupported indirect input attribute '{k}'"));
                }
            }
            let id = string("id")?;
            if !is_flake_id(&id) {
                return Err(format!("'{id}' is not a valid flake ID"));
            }
            let mut path = vec![id];
            if let Some(Attr::Str(r)) = attrs.get("ref") {
                path.push(r.clone());
            }
            if let Some(Attr::Str(r)) = attrs.get("rev") {
                path.push(r.clone());
            }
            format!("flake:{}", path.join("/"))
        }
        "path" => {
            let path = string("path")?;
            for (k, v) in &attrs {
                match k.as_str() {
                    "type" | "path" => {}
                    "rev" | "narHash" | "lastModified" | "revCount" => {
                        query.insert(k.clone(), attr_text(v));
                    }
                    _ => return Err(format!("unsupported path input attribute '{k}'")),
                }
            }
            format!("path:{}", percent_encode(&path, PATH_KEEP))
        }
        "git" => {
            let url = string("url")?;
            for (k, v) in &attrs {
                if !matches!(k.as_str(), "type" | "url") {
                    query.insert(k.clone(), attr_text(v));
                }
            }
            if url.starts_with("git+") || url.starts_with("git:") {
                url
            } else {
                format!("git+{url}")
            }
        }
        "tarball" | "file" => {
            let url = string("url")?;
            for (k, v) in &attrs {
                if !matches!(k.as_str(), "type" | "url") {
                    query.insert(k.clone(), attr_text(v));
                }
            }
            if ty == "tarball" && has_archive_extension(url.split('?').next().unwrap_or("")) {
                url
            } else {
                format!("{ty}+{url}")
            }
        }
        other => return Err(format!("input type '{other}' is unsupported")),
    };
    if !dir.is_empty() {
        query.insert("dir".into(), dir);
    }
    if !query.is_empty() {
        let q: Vec<(String, String)> = query.into_iter().collect();
        text.push(if text.contains('?') { '&' } else { '?' });
        text.push_str(&encode_query(&q));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::{parse, to_string, Attr, Attrs};

    fn attrs(pairs: &[(&str, Attr)]) -> Attrs {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    fn s(v: &str) -> Attr {
        Attr::Str(v.to_string())
    }

    #[test]
    fn parses_the_kinds_of_flake_refs() {
        assert_eq!(
            parse("github:NixOS/nixpkgs/23.05?dir=lib").unwrap(),
            attrs(&[
                ("dir", s("lib")),
                ("owner", s("NixOS")),
                ("ref", s("23.05")),
                ("repo", s("nixpkgs")),
                ("type", s("github"))
            ])
        );
        let rev = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(parse(&format!("gitlab:o/r/{rev}")).unwrap().get("rev"), Some(&s(rev)));
        assert_eq!(parse("nixpkgs").unwrap(), attrs(&[("id", s("nixpkgs")), ("type", s("indirect"))]));
        assert_eq!(
            parse("nixpkgs/nixos-23.05").unwrap(),
            attrs(&[("id", s("nixpkgs")), ("ref", s("nixos-23.05")), ("type", s("indirect"))])
        );
        assert_eq!(parse("path:/a/b").unwrap(), attrs(&[("path", s("/a/b")), ("type", s("path"))]));
        assert_eq!(parse("/a/b").unwrap(), attrs(&[("path", s("/a/b")), ("type", s("path"))]));
        assert_eq!(
            parse("git+https://example.org/a/b?ref=main&shallow=1").unwrap(),
            attrs(&[
                ("ref", s("main")),
                ("shallow", Attr::Bool(true)),
                ("type", s("git")),
                ("url", s("https://example.org/a/b"))
            ])
        );
        assert_eq!(
            parse("https://example.org/x.tar.gz").unwrap(),
            attrs(&[("type", s("tarball")), ("url", s("https://example.org/x.tar.gz"))])
        );
    }

    #[test]
    fn rejects_what_cppnix_rejects() {
        assert!(parse("github:NixOS/nixpkgs#x").unwrap_err().contains("unexpected fragment 'x'"));
        assert!(parse("./a").unwrap_err().contains("is not an absolute path"));
        assert!(parse("github:NixOS").is_err());
        assert!(parse("github:a/b?foo=1").unwrap_err().contains("unknown parameter 'foo'"));
        assert!(parse("github:a/b/c?ref=d").unwrap_err().contains("multiple branch/tag names"));
    }

    #[test]
    fn prints_what_it_parses() {
        for url in [
            "github:NixOS/nixpkgs/23.05?dir=lib",
            "github:a/b?host=example.org",
            "flake:nixpkgs/nixos-23.05",
            "path:/a/b?lastModified=12",
            "git+https://example.org/a/b?ref=main&shallow=1",
            "https://example.org/x.tar.gz",
        ] {
            assert_eq!(to_string(&parse(url).unwrap()).unwrap(), url);
        }
        assert_eq!(to_string(&parse("nixpkgs").unwrap()).unwrap(), "flake:nixpkgs");
    }
}
