//! Values nested far deeper than a thread's stack could recurse are freed
//! and printed without overflowing it (embedders run neve on ordinary threads; the
//! `neve` command gives itself a large stack, a library cannot).

use std::path::Path;

use neve_eval::state::Settings;
use neve_eval::Evaluator;

/// Runs `f` on a thread with a small stack, as an embedder might.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(256 * 1024).spawn(f).expect("thread").join().expect("no panic");
}

#[test]
fn a_deeply_nested_value_is_freed_without_deep_recursion() {
    on_small_stack(|| {
        let mut ev = Evaluator::new(Settings::default());
        let source =
            "let l = builtins.foldl' (tail: head: { inherit head tail; }) null (builtins.genList (x: x) 300000); in l";
        let v = ev.eval_string(source, Path::new("/")).expect("evaluates");
        let head = ev.select(v.clone(), "head").expect("head");
        assert_eq!(ev.print(&head), b"299999");
        // Printing walks the whole depth too.
        let printed = ev.print(&v);
        assert!(printed.starts_with(b"{ head = 299999; tail = { head = "), "{:?}", &printed[..40]);
        assert!(printed.windows(14).any(|w| w == b"tail = null; }"));
        assert!(printed.ends_with(b"; }; }"));
        assert_eq!(printed.iter().filter(|&&b| b == b'{').count(), 300000);
        drop(v);
        drop(ev);
    });
}

#[test]
fn deeply_nested_lists_and_thunks_are_freed_without_deep_recursion() {
    on_small_stack(|| {
        let mut ev = Evaluator::new(Settings::default());
        // Each element a list holding the previous one, behind evaluated
        // thunks (`map` makes applications, forced by `foldl'`).
        let source =
            "builtins.foldl' (acc: x: builtins.head (map (y: [ y acc ]) [ x ])) [ ] (builtins.genList (x: x) 200000)";
        let v = ev.eval_string(source, Path::new("/")).expect("evaluates");
        drop(v);
        drop(ev);
    });
}

#[test]
fn a_long_chain_of_unevaluated_applications_is_freed_without_deep_recursion() {
    on_small_stack(|| {
        let mut ev = Evaluator::new(Settings::default());
        // The one element is `(y: y)` applied to the previous element, and
        // so on 300000 times, none of it evaluated.
        let source = "builtins.foldl' (acc: x: map (y: y) acc) [ 1 ] (builtins.genList (x: x) 300000)";
        let v = ev.eval_string(source, Path::new("/")).expect("evaluates");
        let v = ev.force(v).expect("a list");
        assert_eq!(ev.print(&v), b"[ \xc2\xabthunk\xc2\xbb ]");
        drop(v);
        drop(ev);
    });
}
