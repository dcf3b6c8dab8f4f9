//! Source as deep as the parser accepts (chains of 100 000 operators or
//! applications, constructs nested to the parser's limit) is lowered,
//! compiled and evaluated on a thread with a small stack, as an embedder
//! might run neve: the recursive passes continue on the heap instead of
//! overflowing the stack (the `neve` command has a large stack, a library
//! cannot count on one).

use std::path::Path;

use neve_eval::state::Settings;
use neve_eval::Evaluator;

/// Operators or applications in a chain: the parser's limit.
const CHAIN: usize = 100_000;

/// Nesting of constructs that recurse in the parser, under its limit.
const NESTING: usize = 3000;

/// Evaluates `source` completely on a thread with a 256 KiB stack and
/// returns the printed value or the error message.
fn eval_on_small_stack(source: String) -> Result<String, String> {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut ev = Evaluator::new(Settings::default());
            let v = ev.parse_string(&source, Path::new("/")).map_err(|e| e.message.clone())?;
            ev.print_deep(v).map_err(|e| e.message.clone())
        })
        .expect("thread")
        .join()
        .expect("no panic")
}

fn chain(item: &str, op: &str, n: usize) -> String {
    vec![item; n].join(op)
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

#[test]
fn long_operator_chains_evaluate() {
    assert_eq!(eval_on_small_stack(chain("1", " + ", CHAIN)), Ok(CHAIN.to_string()));
    assert_eq!(eval_on_small_stack(chain("2", " - ", CHAIN)), Ok((2 - 2 * (CHAIN as i64 - 1)).to_string()));
    assert_eq!(eval_on_small_stack(chain("1", " * ", CHAIN)), Ok("1".into()));
    assert_eq!(eval_on_small_stack(chain("true", " && ", CHAIN)), Ok("true".into()));
    assert_eq!(eval_on_small_stack(format!("{} || true", chain("false", " || ", CHAIN - 1))), Ok("true".into()));
    let s = eval_on_small_stack(chain("\"a\"", " + ", CHAIN)).expect("a string");
    assert_eq!(s.len(), CHAIN + 2);
}

#[test]
fn a_long_application_chain_evaluates() {
    let source = format!("let f = x: f; in f {}", chain("1", " ", CHAIN));
    assert_eq!(eval_on_small_stack(source), Ok("<LAMBDA>".into()));
}

#[test]
fn long_attribute_paths_compile() {
    let set = format!("builtins.foldl' (acc: _: {{ a = acc; }}) 1 (builtins.genList (x: x) {CHAIN})");
    let path = chain("a", ".", CHAIN);
    assert_eq!(eval_on_small_stack(format!("let x = {set}; in x.{path}")), Ok("1".into()));
    assert_eq!(eval_on_small_stack(format!("let x = {set}; in x ? {path}")), Ok("true".into()));
    assert_eq!(eval_on_small_stack(format!("let x = {set}; in x.{path}.b or 2")), Ok("2".into()));
}

#[test]
fn constructs_nested_to_the_parsers_limit_evaluate() {
    let n = NESTING;
    let cases = [
        (nested("(", "1", ")", n), "1".to_string()),
        (format!("builtins.length ({})", chain("[ 1 ]", " ++ ", n)), n.to_string()),
        (nested("let a = 1; in ", "a", "", n), "1".into()),
        (nested("x: ", "1", "", n), "<LAMBDA>".into()),
        (nested("with { }; ", "1", "", n), "1".into()),
        (nested("assert true; ", "1", "", n), "1".into()),
        (nested("if false then 0 else ", "1", "", n), "1".into()),
        (nested("!", "true", "", n), "true".into()),
        (nested("-", "1", "", n), "1".into()),
        (nested("\"${", "\"x\"", "}\"", n), "\"x\"".into()),
        (nested("{ a = ", "1", "; }", n), nested("{ a = ", "1", "; }", n)),
        (format!("builtins.attrNames ({})", chain("{ a = 1; }", " // ", n)), "[ \"a\" ]".into()),
    ];
    for (source, expected) in cases {
        assert_eq!(eval_on_small_stack(source.clone()), Ok(expected), "{}", &source[..source.len().min(60)]);
    }
}

#[test]
fn long_attribute_paths_in_bindings_lower() {
    let path = chain("a", ".", CHAIN);
    assert_eq!(eval_on_small_stack(format!("builtins.attrNames {{ {path} = 1; }}")), Ok("[ \"a\" ]".into()));
    // Two paths merged step by step, as deep as they are long.
    let merged = format!("builtins.attrNames {{ {path}.b = 1; {path}.c = 2; }}");
    assert_eq!(eval_on_small_stack(merged), Ok("[ \"a\" ]".into()));
}
