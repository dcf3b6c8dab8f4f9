//! Properties of `neve_eval::regex` on random patterns and subjects: no
//! panics, prompt answers, and well-formed results.

use std::time::{Duration, Instant};

use neve_eval::regex::{Captures, Regex};
use proptest::prelude::*;

/// Generous: debug builds on a loaded machine.
const TOO_SLOW: Duration = Duration::from_secs(5);

/// Bytes that matter to the pattern syntax, plus a few ordinary ones.
fn pattern_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b"ab()*+?{}[]^$|\\.-:=,0129^ \n\xc3\xa9".to_vec();
    proptest::collection::vec(proptest::sample::select(alphabet), 0..24)
}

/// Syntactically plausible patterns, built from a small grammar.
fn structured_pattern() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just(".".to_string()),
        Just("[ab]".to_string()),
        Just("[^a]".to_string()),
        Just("[[:alpha:]]".to_string()),
        Just("^".to_string()),
        Just("$".to_string()),
        Just("".to_string()),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}|{b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            (
                inner,
                prop_oneof![Just("*"), Just("+"), Just("?"), Just("{2}"), Just("{0,3}"), Just("{1,}"), Just("**"),]
            )
                .prop_map(|(a, q)| format!("({a}){q}")),
        ]
    })
}

fn subject() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(proptest::sample::select(b"aab-\n\xc3\xa9".to_vec()), 0..40)
}

fn check_captures(hay: &[u8], caps: &Captures) {
    for r in caps.iter().flatten() {
        assert!(r.start <= r.end && r.end <= hay.len(), "{r:?} out of {}", hay.len());
    }
}

/// Runs every entry point and checks the shape of the results.
fn exercise(pattern: &[u8], hay: &[u8]) {
    let started = Instant::now();
    let Ok(re) = Regex::new(pattern) else {
        return;
    };
    let groups = re.group_count();
    if let Some(caps) = re.full_match(hay) {
        assert_eq!(caps.len(), groups);
        check_captures(hay, &caps);
        // A whole-subject match is also found by a search from 0.
        assert!(re.find_at(hay, 0).is_some());
    }
    let mut prev_end = 0;
    for caps in re.matches(hay) {
        assert_eq!(caps.len(), groups + 1);
        check_captures(hay, &caps);
        let whole = caps[0].clone().expect("group 0 participates");
        assert!(whole.start >= prev_end, "matches overlap or go back");
        prev_end = whole.end;
    }
    for start in [0, hay.len() / 2, hay.len()] {
        if let Some(caps) = re.find_at(hay, start) {
            check_captures(hay, &caps);
            assert!(caps[0].as_ref().expect("group 0").start >= start);
        }
    }
    let elapsed = started.elapsed();
    assert!(elapsed < TOO_SLOW, "took {elapsed:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_bytes_never_panic(pattern in pattern_bytes(), hay in subject()) {
        exercise(&pattern, &hay);
    }

    #[test]
    fn structured_patterns_behave(pattern in structured_pattern(), hay in subject()) {
        exercise(pattern.as_bytes(), &hay);
    }
}

/// Patterns on which a plain backtracker takes exponential time or
/// exhausts its stack, on long subjects.
#[test]
fn pathological_inputs_finish() {
    let long_a = vec![b'a'; 10_000];
    let cases: &[&[u8]] = &[
        b"(a|a)*b",
        b"(a*)*b",
        b"(a|aa)*b",
        b"((a*)*|b)*c",
        b"(.*)(.*)(.*)x",
        b"(a?){30}a{30}",
        b"([[:alpha:]]+)*$",
        b"x*|.*y",
        // CppNix 2.8 did not finish these within minutes on six bytes.
        b"((.*(a[^a])*)?((^|)(aa)*)a|(($b))?|(b*(a*)*?)*.+|baa)*a",
        b"((([ab]*||[[:alpha:]].*)?)+b{0,})?^",
    ];
    for pattern in cases {
        let started = Instant::now();
        let re = Regex::new(pattern).expect("valid");
        let _ = re.full_match(&long_a);
        let _ = re.matches(&long_a);
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(30), "{} took {elapsed:?}", String::from_utf8_lossy(pattern));
    }
}
