//! The grammar of Nix, as recursive descent with Pratt parsing for operators.
//! Precedence and associativity follow CppNix's `parser.y`; so do the error
//! messages, as far as a hand-written parser can tell what bison expected.

use super::{CompletedMarker, Parser, EOF};
use crate::SyntaxKind::{self, *};

pub(super) fn root(p: &mut Parser) {
    // The root takes the leading and trailing trivia.
    let m = p.start_root();
    expr(p);
    while !p.at_eof() {
        // Extra input after a complete expression.
        p.error_expecting("end of file");
        let e = p.start();
        while !p.at_eof() {
            p.bump();
        }
        e.complete(p, ERROR);
    }
    p.finish_root(m);
}

/// Tokens at which a failed expression stops skipping: they belong to an
/// enclosing construct.
fn is_recovery_point(kind: SyntaxKind) -> bool {
    matches!(kind, SEMICOLON | R_CURLY | R_BRACK | R_PAREN | IN_KW | THEN_KW | ELSE_KW | COMMA | EOF)
}

pub(super) fn expr(p: &mut Parser) {
    if !p.enter() {
        swallow_rest(p);
        return;
    }
    p.nested(expr_function);
    p.leave();
}

/// Too deep: swallows the rest of the input as an error rather than
/// recursing on. Every depth check must stop the parse this way: a check
/// that only returns lets the caller go on with the next token (as an
/// application argument, or the operand of a binary operator), which nests
/// the tree deeper and deeper to the end of the input.
fn swallow_rest(p: &mut Parser) {
    let m = p.start();
    while !p.at_eof() {
        p.bump();
    }
    m.complete(p, ERROR);
}

fn expr_function(p: &mut Parser) {
    match p.current() {
        IDENT if p.nth(1) == COLON => {
            let m = p.start();
            let param = p.start();
            name(p);
            param.complete(p, PARAM_IDENT);
            p.bump(); // ':'
            expr(p);
            m.complete(p, LAMBDA);
        }
        IDENT if p.nth(1) == AT => {
            let m = p.start();
            pattern(p);
            p.expect(COLON);
            expr(p);
            m.complete(p, LAMBDA);
        }
        L_CURLY if at_pattern(p) => {
            let m = p.start();
            pattern(p);
            p.expect(COLON);
            expr(p);
            m.complete(p, LAMBDA);
        }
        ASSERT_KW | WITH_KW => {
            let kind = if p.at(ASSERT_KW) { ASSERT } else { WITH };
            let m = p.start();
            p.bump();
            expr(p);
            p.expect(SEMICOLON);
            expr(p);
            m.complete(p, kind);
        }
        LET_KW if p.nth(1) != L_CURLY => {
            let m = p.start();
            p.bump();
            bindings(p, IN_KW);
            p.expect(IN_KW);
            expr(p);
            m.complete(p, LET_IN);
        }
        IF_KW => {
            let m = p.start();
            p.bump();
            expr(p);
            p.expect(THEN_KW);
            expr(p);
            p.expect(ELSE_KW);
            expr(p);
            m.complete(p, IF_ELSE);
        }
        _ => expr_pipe(p),
    }
}

/// Whether a `{` starts a lambda's pattern rather than an attribute set.
fn at_pattern(p: &Parser) -> bool {
    match p.nth(1) {
        ELLIPSIS => true,
        R_CURLY => matches!(p.nth(2), COLON | AT),
        IDENT => match p.nth(2) {
            COMMA | QUESTION => true,
            R_CURLY => matches!(p.nth(3), COLON | AT),
            _ => false,
        },
        _ => false,
    }
}

/// `{ a, b ? e, ... }`, with an `@` binding before or after it.
fn pattern(p: &mut Parser) {
    let m = p.start();
    if p.at(IDENT) {
        let bind = p.start();
        name(p);
        p.bump(); // '@'
        bind.complete(p, PAT_BIND);
    }
    if !p.at(L_CURLY) {
        p.error_expecting("'{'");
        m.complete(p, PATTERN);
        return;
    }
    p.bump();
    loop {
        match p.current() {
            R_CURLY => break,
            ELLIPSIS => {
                p.bump();
                if !p.at(R_CURLY) {
                    p.error_expecting("'}'");
                    recover_in_pattern(p);
                }
                break;
            }
            IDENT => {
                let entry = p.start();
                name(p);
                if p.eat(QUESTION) {
                    expr(p);
                }
                entry.complete(p, PAT_ENTRY);
                match p.current() {
                    COMMA => p.bump(),
                    R_CURLY => break,
                    _ => {
                        p.error_expecting("'}' or ','");
                        if !recover_in_pattern(p) {
                            break;
                        }
                    }
                }
            }
            _ => {
                p.error_unexpected();
                if !recover_in_pattern(p) {
                    break;
                }
            }
        }
    }
    p.expect(R_CURLY);
    if p.at(AT) {
        let bind = p.start();
        p.bump();
        if p.at(IDENT) {
            name(p);
        } else {
            p.error_expecting("identifier");
        }
        bind.complete(p, PAT_BIND);
    }
    m.complete(p, PATTERN);
}

/// Skips to the next `,` (consumed) or to `}`; false when neither is found.
fn recover_in_pattern(p: &mut Parser) -> bool {
    let m = p.start();
    while !matches!(p.current(), COMMA | R_CURLY | COLON | EOF) {
        p.bump();
    }
    m.complete(p, ERROR);
    if p.eat(COMMA) {
        return true;
    }
    p.at(R_CURLY)
}

/// `a |> f |> g` (left-associative) or `g <| f <| a` (right-associative);
/// the two may not be mixed without parentheses.
fn expr_pipe(p: &mut Parser) {
    let Some(mut lhs) = expr_op(p, 0) else { return };
    match p.current() {
        PIPE_INTO => {
            let mut links = 0;
            while p.at(PIPE_INTO) {
                if !p.extend_chain() {
                    swallow_rest(p);
                    break;
                }
                links += 1;
                let m = lhs.precede(p);
                p.bump();
                expr_op(p, 0);
                lhs = m.complete(p, BINARY_OP);
            }
            p.end_chain(links);
        }
        PIPE_FROM => {
            let m = lhs.precede(p);
            p.bump();
            expr_pipe_from_rhs(p);
            m.complete(p, BINARY_OP);
        }
        _ => return,
    }
    if matches!(p.current(), PIPE_INTO | PIPE_FROM) {
        p.error_unexpected();
    }
}

fn expr_pipe_from_rhs(p: &mut Parser) {
    if !p.enter() {
        swallow_rest(p);
        return;
    }
    p.nested(|p| {
        if let Some(lhs) = expr_op(p, 0) {
            if p.at(PIPE_FROM) {
                let m = lhs.precede(p);
                p.bump();
                expr_pipe_from_rhs(p);
                m.complete(p, BINARY_OP);
            }
        }
    });
    p.leave();
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Assoc {
    Left,
    Right,
    None,
}

/// Precedence level (higher binds tighter) and associativity of an infix
/// operator, from the `%left`/`%right`/`%nonassoc` lines of `parser.y`.
fn infix(kind: SyntaxKind) -> Option<(u8, Assoc)> {
    Some(match kind {
        IMPL => (1, Assoc::Right),
        OR => (2, Assoc::Left),
        AND => (3, Assoc::Left),
        EQ | NEQ => (4, Assoc::None),
        LT | GT | LEQ | GEQ => (5, Assoc::None),
        UPDATE => (6, Assoc::Right),
        // 7 is `!`.
        PLUS | MINUS => (8, Assoc::Left),
        STAR | SLASH => (9, Assoc::Left),
        CONCAT => (10, Assoc::Right),
        QUESTION => (11, Assoc::None),
        // 12 is unary `-`.
        _ => return None,
    })
}

const NOT_LEVEL: u8 = 7;
const NEGATE_LEVEL: u8 = 12;

/// Parses operators binding at least as tightly as `min_level`.
fn expr_op(p: &mut Parser, min_level: u8) -> Option<CompletedMarker> {
    if !p.enter() {
        swallow_rest(p);
        return None;
    }
    let result = p.nested(|p| expr_op_inner(p, min_level));
    p.leave();
    result
}

fn expr_op_inner(p: &mut Parser, min_level: u8) -> Option<CompletedMarker> {
    let mut lhs = match p.current() {
        BANG | MINUS => {
            let level = if p.at(BANG) { NOT_LEVEL } else { NEGATE_LEVEL };
            let m = p.start();
            p.bump();
            expr_op(p, level);
            m.complete(p, UNARY_OP)
        }
        _ => expr_app(p)?,
    };
    // The level of the last non-associative operator, to reject `a == b == c`.
    let mut last_nonassoc: Option<u8> = None;
    let mut links = 0;
    while let Some((level, assoc)) = infix(p.current()) {
        if level < min_level {
            break;
        }
        if last_nonassoc == Some(level) {
            p.error_unexpected();
        }
        if !p.extend_chain() {
            swallow_rest(p);
            break;
        }
        links += 1;
        let m = lhs.precede(p);
        if p.at(QUESTION) {
            p.bump();
            attrpath(p);
            lhs = m.complete(p, HAS_ATTR);
        } else {
            p.bump();
            let rhs_level = match assoc {
                Assoc::Left | Assoc::None => level + 1,
                Assoc::Right => level,
            };
            expr_op(p, rhs_level);
            lhs = m.complete(p, BINARY_OP);
        }
        last_nonassoc = (assoc == Assoc::None).then_some(level);
    }
    p.end_chain(links);
    Some(lhs)
}

/// Whether the token can begin an argument in an application.
fn starts_simple(p: &Parser) -> bool {
    match p.current() {
        IDENT | INTEGER | FLOAT | URI | PATH | HPATH | SPATH | DQUOTE | IND_STRING_OPEN | L_PAREN | L_CURLY
        | L_BRACK | REC_KW => true,
        LET_KW => p.nth(1) == L_CURLY,
        _ => false,
    }
}

fn expr_app(p: &mut Parser) -> Option<CompletedMarker> {
    let mut lhs = expr_select(p)?;
    let mut links = 0;
    while starts_simple(p) {
        if !p.extend_chain() {
            swallow_rest(p);
            break;
        }
        links += 1;
        let m = lhs.precede(p);
        expr_select(p);
        lhs = m.complete(p, APPLY);
    }
    p.end_chain(links);
    Some(lhs)
}

fn expr_select(p: &mut Parser) -> Option<CompletedMarker> {
    // List elements (`[[[...`) and `or` defaults (`a.b or a.b or ...`) nest
    // through here without passing through `expr`, so this level counts too.
    if !p.enter() {
        swallow_rest(p);
        return None;
    }
    let result = p.nested(expr_select_inner);
    p.leave();
    result
}

fn expr_select_inner(p: &mut Parser) -> Option<CompletedMarker> {
    let simple = expr_simple(p)?;
    let result = if p.at(DOT) {
        let m = simple.precede(p);
        p.bump();
        attrpath(p);
        // A missing default is reported by expr_simple.
        if p.eat(OR_KW) {
            expr_select(p);
        }
        m.complete(p, SELECT)
    } else if p.at(OR_KW) {
        // `f or`: for nixpkgs' old function named `or`, this applies `f` to a
        // variable `or`.
        let m = simple.precede(p);
        let var = p.start();
        p.bump();
        var.complete(p, IDENT_EXPR);
        m.complete(p, APPLY)
    } else {
        simple
    };
    Some(result)
}

fn expr_simple(p: &mut Parser) -> Option<CompletedMarker> {
    let m = p.start();
    let kind = match p.current() {
        IDENT => {
            p.bump();
            IDENT_EXPR
        }
        INTEGER | FLOAT | URI => {
            p.bump();
            LITERAL
        }
        DQUOTE => {
            m.abandon(p);
            return Some(string(p));
        }
        IND_STRING_OPEN => {
            p.bump();
            while !p.at(IND_STRING_CLOSE) {
                match p.current() {
                    IND_STRING_CONTENT | IND_STRING_ESCAPE => p.bump(),
                    DOLLAR_CURLY => interpolation(p),
                    _ => {
                        p.error_expecting(IND_STRING_CLOSE.describe());
                        break;
                    }
                }
            }
            p.eat(IND_STRING_CLOSE);
            IND_STRING
        }
        PATH | HPATH => {
            p.bump();
            // Until an interpolation, a further piece of path text must be
            // followed by one (CppNix's grammar: `/a//b` lexes as `/a/`
            // and `/b`, and only `${` may come after such a piece).
            let mut interpolated = false;
            loop {
                if !p.current_is_adjacent() {
                    break;
                }
                match p.current() {
                    PATH_CONTENT => {
                        p.bump();
                        let interpolation_next = p.at(DOLLAR_CURLY) && p.current_is_adjacent();
                        if !interpolated && !interpolation_next {
                            p.error_path_end();
                            break;
                        }
                    }
                    DOLLAR_CURLY => {
                        interpolation(p);
                        interpolated = true;
                    }
                    _ => break,
                }
            }
            PATH_EXPR
        }
        SPATH => {
            p.bump();
            PATH_EXPR
        }
        L_PAREN => {
            p.bump();
            expr(p);
            p.expect(R_PAREN);
            PAREN
        }
        LET_KW => {
            // `let { ... }`: the old form of a recursive set's `body`.
            p.bump();
            p.expect(L_CURLY);
            bindings(p, R_CURLY);
            p.expect(R_CURLY);
            LEGACY_LET
        }
        REC_KW => {
            p.bump();
            p.expect(L_CURLY);
            bindings(p, R_CURLY);
            p.expect(R_CURLY);
            ATTR_SET
        }
        L_CURLY => {
            p.bump();
            bindings(p, R_CURLY);
            p.expect(R_CURLY);
            ATTR_SET
        }
        L_BRACK => {
            p.bump();
            while !matches!(p.current(), R_BRACK | EOF) {
                if starts_simple(p) {
                    expr_select(p);
                } else {
                    p.error_unexpected();
                    if is_recovery_point(p.current()) {
                        break;
                    }
                    p.bump_error();
                }
            }
            p.expect(R_BRACK);
            LIST
        }
        _ => {
            m.abandon(p);
            p.error_unexpected();
            if !is_recovery_point(p.current()) {
                p.bump_error();
            }
            return None;
        }
    };
    Some(m.complete(p, kind))
}

/// `"..."` with its interpolations.
fn string(p: &mut Parser) -> CompletedMarker {
    let m = p.start();
    p.bump(); // '"'
    loop {
        match p.current() {
            STRING_CONTENT => p.bump(),
            DOLLAR_CURLY => interpolation(p),
            DQUOTE => {
                p.bump();
                break;
            }
            _ => {
                p.error_expecting("'\"'");
                break;
            }
        }
    }
    m.complete(p, STRING)
}

/// `${ expr }` inside a string or path.
fn interpolation(p: &mut Parser) {
    let m = p.start();
    p.bump(); // '${'
    expr(p);
    p.expect(R_CURLY);
    m.complete(p, INTERPOL);
}

/// The bindings of a set or `let`, up to (not including) `end`.
fn bindings(p: &mut Parser, end: SyntaxKind) {
    while !p.at(end) && !p.at_eof() {
        match p.current() {
            INHERIT_KW => inherit(p),
            IDENT | OR_KW | DQUOTE | DOLLAR_CURLY => {
                let m = p.start();
                attrpath(p);
                let assigned = p.eat(ASSIGN);
                if !assigned {
                    p.error_expecting("'.' or '='");
                }
                if assigned {
                    expr(p);
                    p.expect(SEMICOLON);
                } else {
                    skip_binding(p);
                }
                m.complete(p, ATTRPATH_VALUE);
            }
            _ => {
                if end == IN_KW {
                    p.error_unexpected();
                } else {
                    p.error_expecting("'inherit'");
                }
                if matches!(p.current(), R_CURLY | IN_KW) {
                    // The wrong closer: leave it to the caller.
                    break;
                }
                skip_binding(p);
            }
        }
    }
}

/// Recovery inside bindings: skip to just past the next `;`, or to a closer.
fn skip_binding(p: &mut Parser) {
    let m = p.start();
    let mut nesting = 0u32;
    loop {
        match p.current() {
            EOF => break,
            L_CURLY | L_PAREN | L_BRACK | DOLLAR_CURLY => nesting += 1,
            R_CURLY | R_PAREN | R_BRACK if nesting > 0 => nesting -= 1,
            R_CURLY | IN_KW if nesting == 0 => break,
            SEMICOLON if nesting == 0 => {
                p.bump();
                break;
            }
            _ => {}
        }
        p.bump();
    }
    m.complete(p, ERROR);
}

/// `inherit a b;` or `inherit (e) a "b";`
fn inherit(p: &mut Parser) {
    let m = p.start();
    p.bump(); // 'inherit'
    if p.at(L_PAREN) {
        let from = p.start();
        p.bump();
        expr(p);
        p.expect(R_PAREN);
        from.complete(p, INHERIT_FROM);
    }
    loop {
        match p.current() {
            IDENT | OR_KW => name(p),
            DQUOTE => {
                string(p);
            }
            DOLLAR_CURLY => dynamic(p),
            SEMICOLON => {
                p.bump();
                break;
            }
            _ => {
                p.error_unexpected();
                skip_binding(p);
                break;
            }
        }
    }
    m.complete(p, INHERIT);
}

/// `a.b."c".${d}`
fn attrpath(p: &mut Parser) {
    let m = p.start();
    attr(p);
    while p.at(DOT) {
        p.bump();
        attr(p);
    }
    m.complete(p, ATTRPATH);
}

fn attr(p: &mut Parser) {
    match p.current() {
        IDENT | OR_KW => name(p),
        DQUOTE => {
            string(p);
        }
        DOLLAR_CURLY => dynamic(p),
        _ => p.error_expecting("identifier or 'or' or '${' or '\"'"),
    }
}

/// An identifier (or the keyword `or`) used as a name.
fn name(p: &mut Parser) {
    let m = p.start();
    p.bump();
    m.complete(p, NAME);
}

/// `${ expr }` as an attribute name.
fn dynamic(p: &mut Parser) {
    let m = p.start();
    p.bump(); // '${'
    expr(p);
    p.expect(R_CURLY);
    m.complete(p, DYNAMIC);
}
