//! Regression tests for the parser's depth limit: every way of nesting must
//! stop at the limit (30 000 levels) with one error, leaving a tree no
//! deeper than the limit allows, on a thread with the default 2 MiB test
//! stack (the parser continues on heap-allocated stack segments). Before the fix, list elements (`[[[...`)
//! and `or` defaults (`a.b or a.b or ...`) recursed with no limit and
//! overflowed the stack, and when the limit was hit inside an operator the
//! parse went on with the next token as an application argument, building a
//! tree as deep as the input was long (`((((...1))))` with 100 000 levels).

fn check(name: &str, input: String) {
    let name = name.to_string();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let parse = neve_syntax::parse(&input);
            assert_eq!(parse.syntax().text().len(), neve_syntax::TextSize::from(input.len() as u32), "{name}");
            let messages: Vec<&str> = parse.errors().iter().map(|e| e.message.as_str()).collect();
            assert!(
                messages.contains(&"expression nested too deeply"),
                "{name}: {:?}",
                &messages[..messages.len().min(5)]
            );
            let (mut depth, mut max) = (0usize, 0usize);
            for event in parse.syntax().preorder() {
                match event {
                    rowan::WalkEvent::Enter(_) => {
                        depth += 1;
                        max = max.max(depth);
                    }
                    rowan::WalkEvent::Leave(_) => depth -= 1,
                }
            }
            // Two nodes per level at most; unbounded, the inputs below
            // would make trees of 100 000 levels and more.
            assert!(max <= 60_000, "{name}: the tree is {max} deep");
        })
        .unwrap()
        .join()
        .unwrap_or_else(|_| panic!("parsing panicked"));
}

#[test]
fn lists() {
    check("lists", "[".repeat(100_000));
}

#[test]
fn or_defaults() {
    check("or defaults", "a.b or ".repeat(100_000) + "1");
}

#[test]
fn parens() {
    check("parens", "(".repeat(100_000) + "1" + &")".repeat(100_000));
}

#[test]
fn path_interpolations() {
    check("path interpolations", "./${".repeat(100_000) + "1" + &"}".repeat(100_000));
}

#[test]
fn negations() {
    check("negations", "- ".repeat(100_000) + "1");
}

#[test]
fn pipes_from() {
    check("pipes from", "f <| (".repeat(100_000) + "1");
}
