//! Unit tests of the engine's semantics; the CppNix corpus lives in
//! `crates/eval/tests/regex_corpus.rs`.

use super::*;

fn m(p: &str, s: &str) -> Option<Vec<Option<String>>> {
    let re = Regex::new(p.as_bytes()).unwrap();
    re.full_match(s.as_bytes()).map(|caps| caps.into_iter().map(|c| c.map(|r| s[r].to_string())).collect())
}

fn caps(v: &[Option<&str>]) -> Option<Vec<Option<String>>> {
    Some(v.iter().map(|c| c.map(str::to_string)).collect())
}

#[test]
fn backtracking_order_for_match() {
    assert_eq!(m("(a|ab)(c|bcd)(d*)", "abcd"), caps(&[Some("a"), Some("bcd"), Some("")]));
    assert_eq!(m("fo*", "foo"), caps(&[]));
    assert_eq!(m("fo{1,2}", "fooo"), None);
    assert_eq!(m("((a)|b)*", "ab"), caps(&[Some("b"), Some("a")]));
    assert_eq!(m("(a*)*", "b"), None);
    assert_eq!(m("(a*)*", ""), caps(&[Some("")]));
}

#[test]
fn errors() {
    for p in ["\\d", "a\\]", "[", "(", ")", "*a", "a{", "a{,2}", "[z-a]", "[a-z-9]", "a{2,1}", "[[:foo:]]", "\\"] {
        let e = Regex::new(p.as_bytes()).unwrap_err();
        assert_eq!(e.kind, RegexErrorKind::Invalid, "{p}");
        assert_eq!(e.to_string(), format!("invalid regular expression '{p}'"));
    }
    let e = Regex::new(b"a{100000}").unwrap_err();
    assert_eq!(e.kind, RegexErrorKind::TooLarge);
    assert!(Regex::new(b"a{99990}").is_ok());
}

#[test]
fn search_longest() {
    let re = Regex::new(b"a*(ab)?b").unwrap();
    let c = re.find_at(b"xaab", 0).unwrap();
    assert_eq!(c, vec![Some(1..4), None]);
}

#[test]
fn long_subjects_do_not_overflow() {
    let hay = vec![b'a'; 200_000];
    let re = Regex::new(b"(.*)").unwrap();
    assert_eq!(re.full_match(&hay), Some(vec![Some(0..hay.len())]));
    let re = Regex::new(b"(a|a)*b").unwrap();
    assert_eq!(re.full_match(&hay[..2000]), None);
}

#[test]
fn tmp_boundary() {
    for tpl in [
        "(a|b){N}",
        "((a|b)c?){N}",
        "(a{2,3}){N}",
        "(a*b+){N}",
        "([ab]|(c)){1,N}",
        "(a?){N,}",
        "(^|$){N}",
        "(()|a){N}x",
    ] {
        let ok = |n: usize| Regex::new(tpl.replace('N', &n.to_string()).as_bytes()).is_ok();
        let (mut lo, mut hi) = (1usize, 200_000usize);
        while lo + 1 < hi {
            let mid = (lo + hi) / 2;
            if ok(mid) {
                lo = mid
            } else {
                hi = mid
            }
        }
        eprintln!("BOUND {tpl} {lo}");
    }
}
