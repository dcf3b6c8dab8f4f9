//! Version strings as `nix-env` compares them: `splitVersion`,
//! `compareVersions`, `parseDrvName` (CppNix's `names.cc`).

use std::cmp::Ordering;

use super::json::string_no_context;
use super::{strict, PrimOp};
use crate::value::{AttrsBuilder, Value};

pub(super) static PRIMOPS: &[PrimOp] = &[
    strict("splitVersion", 1, |s, a| {
        let v = string_no_context(s, &a[0], "while evaluating the first argument passed to builtins.splitVersion")?;
        Ok(Value::list(split_version(v.as_bytes()).into_iter().map(Value::string).collect()))
    }),
    strict("compareVersions", 2, |s, a| {
        let v1 = string_no_context(s, &a[0], "while evaluating the first argument passed to builtins.compareVersions")?;
        let v2 =
            string_no_context(s, &a[1], "while evaluating the second argument passed to builtins.compareVersions")?;
        Ok(Value::Int(match compare_versions(v1.as_bytes(), v2.as_bytes()) {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        }))
    }),
    strict("parseDrvName", 1, |s, a| {
        let full = string_no_context(s, &a[0], "while evaluating the first argument passed to builtins.parseDrvName")?;
        let (name, version) = parse_drv_name(full.as_bytes());
        let mut b = AttrsBuilder::with_capacity(2);
        b.insert(s.sym.name, Value::string(name), None);
        b.insert(s.intern("version"), Value::string(version), None);
        Ok(Value::attrs(b.build()))
    }),
];

/// `name-version`: the name is everything before the first dash that is
/// not followed by a letter.
pub fn parse_drv_name(s: &[u8]) -> (&[u8], &[u8]) {
    for i in 0..s.len() {
        if s[i] == b'-' && i + 1 < s.len() && !s[i + 1].is_ascii_alphabetic() {
            return (&s[..i], &s[i + 1..]);
        }
    }
    (s, b"")
}

/// The next component from `pos` on: separators (`.`, `-`) are skipped,
/// then the longest run of digits, or of other non-separator bytes.
fn next_component<'a>(s: &'a [u8], pos: &mut usize) -> &'a [u8] {
    while *pos < s.len() && matches!(s[*pos], b'.' | b'-') {
        *pos += 1;
    }
    let start = *pos;
    if start == s.len() {
        return b"";
    }
    if s[start].is_ascii_digit() {
        while *pos < s.len() && s[*pos].is_ascii_digit() {
            *pos += 1;
        }
    } else {
        while *pos < s.len() && !s[*pos].is_ascii_digit() && !matches!(s[*pos], b'.' | b'-') {
            *pos += 1;
        }
    }
    &s[start..*pos]
}

/// The components of a version, as `builtins.splitVersion` gives them.
pub fn split_version(s: &[u8]) -> Vec<&[u8]> {
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        let c = next_component(s, &mut pos);
        if c.is_empty() {
            return out;
        }
        out.push(c);
    }
}

/// A component as a number, as CppNix's `string2Int<int>`: only when the
/// whole component is digits that fit an `int`.
fn as_number(c: &[u8]) -> Option<i32> {
    if c.is_empty() || !c.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(c).ok()?.parse().ok()
}

fn component_less(c1: &[u8], c2: &[u8]) -> bool {
    let (n1, n2) = (as_number(c1), as_number(c2));
    match (n1, n2) {
        (Some(a), Some(b)) => a < b,
        _ if c1.is_empty() && n2.is_some() => true,
        _ if c1 == b"pre" && c2 != b"pre" => true,
        _ if c2 == b"pre" => false,
        // `2.3a` < `2.3.1`.
        (_, Some(_)) => true,
        (Some(_), _) => false,
        _ => c1 < c2,
    }
}

/// `nix-env`'s version order.
pub fn compare_versions(v1: &[u8], v2: &[u8]) -> Ordering {
    let (mut p1, mut p2) = (0, 0);
    while p1 < v1.len() || p2 < v2.len() {
        let c1 = next_component(v1, &mut p1);
        let c2 = next_component(v2, &mut p2);
        if component_less(c1, c2) {
            return Ordering::Less;
        }
        if component_less(c2, c1) {
            return Ordering::Greater;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare_versions(a.as_bytes(), b.as_bytes())
    }

    #[test]
    fn splits_like_nix() {
        let split = |s: &str| -> Vec<String> {
            split_version(s.as_bytes()).into_iter().map(|c| String::from_utf8(c.to_vec()).unwrap()).collect()
        };
        assert_eq!(split("1.2.3"), ["1", "2", "3"]);
        assert_eq!(split("2.3a-pre.1"), ["2", "3", "a", "pre", "1"]);
        assert_eq!(split("..-"), Vec::<String>::new());
        assert_eq!(split("1.2pre"), ["1", "2", "pre"]);
    }

    #[test]
    fn orders_like_nix_env() {
        use Ordering::*;
        // The pairs of the upstream eval-okay-versions case and more.
        for (a, b, want) in [
            ("1.0", "2.3", Less),
            ("2.1", "2.3", Less),
            ("2.3", "2.3", Equal),
            ("2.5", "2.3", Greater),
            ("3.1", "2.3", Greater),
            ("2.3.1", "2.3", Greater),
            ("2.3.1", "2.3a", Greater),
            ("2.3pre1", "2.3", Less),
            ("2.3pre3", "2.3pre12", Less),
            ("2.3a", "2.3c", Less),
            ("2.3pre1", "2.3c", Less),
            ("2.3pre1", "2.3q", Less),
            ("1.0", "1.0.0", Less),
            ("", "1", Less),
            ("1.0-pre", "1.0", Less),
            ("a", "b", Less),
            // Components beyond `int` are not numbers (CppNix's string2Int).
            ("99999999999", "1", Less),
        ] {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn parses_drv_names() {
        assert_eq!(parse_drv_name(b"nix-0.12pre12876"), (&b"nix"[..], &b"0.12pre12876"[..]));
        assert_eq!(parse_drv_name(b"apache-httpd-2.0.48"), (&b"apache-httpd"[..], &b"2.0.48"[..]));
        assert_eq!(parse_drv_name(b"foo"), (&b"foo"[..], &b""[..]));
        assert_eq!(parse_drv_name(b"foo-"), (&b"foo-"[..], &b""[..]));
    }
}
