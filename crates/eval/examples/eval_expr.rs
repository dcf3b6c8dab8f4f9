//! Evaluates an expression given on the command line and prints the value
//! (or the error, with its debug form): a minimal embedding of neve.
fn main() {
    let expr = std::env::args().nth(1).expect("usage: eval_expr EXPR");
    let mut eval = neve_eval::Evaluator::new(Default::default());
    let result = eval.parse_string(&expr, "/".as_ref()).and_then(|v| eval.print_deep(v));
    match result {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("{e:?}\n{}", eval.render_error(&e)),
    }
}
