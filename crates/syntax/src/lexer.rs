//! The lexer: source text to a flat list of tokens, trivia included.
//!
//! Nix's lexical grammar depends on context: inside `"strings"`, `''indented
//! strings''` and interpolated paths the rules differ from ordinary code, and
//! `${ ... }` nests code back inside them. Ordinary code is lexed by a logos
//! automaton; the other modes are short hand-written scanners. A mode stack,
//! kept exactly as CppNix's flex lexer keeps its start-condition stack, decides
//! which one runs: `{` and `${` push code, `}` pops, a quote pushes a string.
//!
//! Every byte of the input ends up in exactly one token, so the tokens
//! concatenate back to the source.

use logos::Logos;

use crate::SyntaxKind::{self, *};

/// One token: its kind and its length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: SyntaxKind,
    pub len: u32,
}

/// A problem the lexer found, with the byte range it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

/// Tokens of ordinary code, as CppNix's lexer defines them.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    // Tokens that become one `SyntaxKind` whatever their text, in the order
    // of `SIMPLE`; the code after them needs more than a table lookup.
    #[regex(r"[ \t\r\n]+")]
    Whitespace,
    #[regex(r"#[^\r\n]*", allow_greedy = true)]
    LineComment,
    #[regex(r"/\*([^*]|\*+[^*/])*\*+/")]
    BlockComment,
    #[token("if")]
    If,
    #[token("then")]
    Then,
    #[token("else")]
    Else,
    #[token("assert")]
    Assert,
    #[token("with")]
    With,
    #[token("let")]
    Let,
    #[token("in")]
    In,
    #[token("rec")]
    Rec,
    #[token("inherit")]
    Inherit,
    #[token("or")]
    OrKw,
    #[token("...")]
    Ellipsis,
    #[token("==")]
    Eq,
    #[token("!=")]
    Neq,
    #[token("<=")]
    Leq,
    #[token(">=")]
    Geq,
    #[token("&&")]
    And,
    #[token("||")]
    Or,
    #[token("->")]
    Impl,
    #[token("//")]
    Update,
    #[token("++")]
    Concat,
    #[token("<|")]
    PipeFrom,
    #[token("|>")]
    PipeInto,
    #[regex(r"[a-zA-Z_][a-zA-Z0-9_'\-]*")]
    Ident,
    #[regex(r"<[a-zA-Z0-9._\-+]+(/[a-zA-Z0-9._\-+]+)*>")]
    SearchPath,
    #[regex(r"[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+")]
    Uri,
    #[token("[")]
    LBrack,
    #[token("]")]
    RBrack,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token(";")]
    Semicolon,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("=")]
    Assign,
    #[token(":")]
    Colon,
    #[token("@")]
    At,
    #[token("?")]
    Question,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("!")]
    Bang,

    // Tokens that need more: a check of their value, or a change of mode.
    /// `/*` without its end: the rest of the file.
    #[token("/*", priority = 1)]
    UnterminatedComment,
    #[regex(r"[0-9]+")]
    Int,
    #[regex(r"(([1-9][0-9]*\.[0-9]*)|(0?\.[0-9]+))([Ee][+\-]?[0-9]+)?")]
    Float,
    #[token("${")]
    DollarCurly,
    #[token("{")]
    LCurly,
    #[token("}")]
    RCurly,
    #[token("\"")]
    DQuote,
    #[regex(r"''( *\n)?")]
    IndStringOpen,
    /// A path segment directly followed by `${`: the path goes on after the
    /// interpolation. Only the segment is the token; `${` is lexed again.
    #[regex(r"[a-zA-Z0-9._\-+]*/\$\{")]
    PathSegInterpolated,
    #[regex(r"~/\$\{")]
    HomePathInterpolated,
    #[regex(r"[a-zA-Z0-9._\-+]*(/[a-zA-Z0-9._\-+]+)+/?")]
    Path,
    #[regex(r"~(/[a-zA-Z0-9._\-+]+)+/?")]
    HomePath,
}

/// The tokens of a run of path characters in which no path or URI can
/// start (see [`Lexer::plain_run`]): those of `Code` that such a run can
/// hold, keywords lexed as names. Without the path and URI patterns, logos
/// does not scan each token on to the run's end.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    #[token("...")]
    Ellipsis,
    #[token("++")]
    Concat,
    #[regex(r"[a-zA-Z_][a-zA-Z0-9_'\-]*")]
    Ident,
    #[token(".")]
    Dot,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[regex(r"[0-9]+")]
    Int,
    #[regex(r"(([1-9][0-9]*\.[0-9]*)|(0?\.[0-9]+))([Ee][+\-]?[0-9]+)?")]
    Float,
}

/// The kinds of the simple `Code` tokens, indexed by variant.
const SIMPLE: [SyntaxKind; Code::Bang as usize + 1] = [
    WHITESPACE, COMMENT, COMMENT, IF_KW, THEN_KW, ELSE_KW, ASSERT_KW, WITH_KW, LET_KW, IN_KW, REC_KW, INHERIT_KW,
    OR_KW, ELLIPSIS, EQ, NEQ, LEQ, GEQ, AND, OR, IMPL, UPDATE, CONCAT, PIPE_FROM, PIPE_INTO, IDENT, SPATH, URI,
    L_BRACK, R_BRACK, L_PAREN, R_PAREN, SEMICOLON, COMMA, DOT, ASSIGN, COLON, AT, QUESTION, PLUS, MINUS, STAR, SLASH,
    LT, GT, BANG,
];

/// A lexer mode; the stack of them mirrors CppNix's start conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Code at the bottom of the stack: a stray `}` does not pop it.
    Initial,
    /// Code inside `{ }` or `${ }`.
    Code,
    String,
    IndString,
    /// Inside a path after a piece that does not end in `/`.
    InPath,
    /// Inside a path after a piece ending in `/`: the path may not end here.
    InPathSlash,
}

/// Splits `src` into tokens. Never fails: what cannot be lexed becomes
/// `ERROR_TOKEN` tokens and entries in the error list.
pub fn tokenize(src: &str) -> (Vec<Token>, Vec<LexError>) {
    let mut tokens = Vec::with_capacity(src.len() / 3);
    let errors = tokenize_into(src, &mut tokens);
    (tokens, errors)
}

/// [`tokenize`] into a buffer the caller may reuse (it is cleared first).
pub fn tokenize_into(src: &str, tokens: &mut Vec<Token>) -> Vec<LexError> {
    tokenize_with(src, tokens, RunLimits { tokens: RUN_TOKENS, len: LONG_RUN })
}

/// The tokens lexed since the last whitespace before the end of a run of
/// path characters is looked for.
const RUN_TOKENS: usize = 16;

/// Runs of path characters at least this long, which no token can go on
/// from (see [`token_may_cross`]), are lexed on their own (see
/// [`Lexer::plain_run`]).
const LONG_RUN: usize = 64;

/// When a run of path characters is lexed on its own: [`RUN_TOKENS`] and
/// [`LONG_RUN`] (tests lower them).
#[derive(Clone, Copy)]
struct RunLimits {
    tokens: usize,
    len: usize,
}

fn tokenize_with(src: &str, tokens: &mut Vec<Token>, limits: RunLimits) -> Vec<LexError> {
    tokens.clear();
    let mut lexer =
        Lexer { src, pos: 0, tokens, errors: Vec::new(), modes: vec![Mode::Initial], run_checked: 0, limits };
    lexer.run();
    lexer.errors
}

/// What a path may hold besides `/` (a URI's scheme is made of these too).
fn is_path_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+')
}

/// The keyword `name` is, if it is one.
fn keyword(name: &[u8]) -> Option<SyntaxKind> {
    Some(match name {
        b"if" => IF_KW,
        b"then" => THEN_KW,
        b"else" => ELSE_KW,
        b"assert" => ASSERT_KW,
        b"with" => WITH_KW,
        b"let" => LET_KW,
        b"in" => IN_KW,
        b"rec" => REC_KW,
        b"inherit" => INHERIT_KW,
        b"or" => OR_KW,
        _ => return None,
    })
}

/// Whether a token that starts in a run of path characters ending at `end`
/// may go on past it: a path (`/` and a segment or `${`), a URI (`:`), a
/// name (`'`) or `->`.
fn token_may_cross(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        Some(b'/') => bytes.get(end + 1).is_some_and(|&b| is_path_char(b) || b == b'$'),
        Some(b':' | b'\'' | b'>') => true,
        _ => false,
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: &'a mut Vec<Token>,
    errors: Vec<LexError>,
    modes: Vec<Mode>,
    /// Where the run of path characters last looked at ends.
    run_checked: usize,
    limits: RunLimits,
}

impl<'a> Lexer<'a> {
    fn run(&mut self) {
        let mut code = Code::lexer(self.src);
        'modes: while self.pos < self.src.len() {
            match *self.modes.last().expect("the mode stack is never empty") {
                Mode::Initial | Mode::Code => {
                    // The logos lexer is kept in step with `pos`: it skips
                    // what the other modes consumed, and restarts where an
                    // error token was shorter than its failed match.
                    let logos_pos = code.span().end;
                    if self.pos > logos_pos {
                        code.bump(self.pos - logos_pos);
                    } else if self.pos < logos_pos {
                        code = Code::lexer(self.src);
                        code.bump(self.pos);
                    }
                    // Ordinary code runs on without looking at the mode
                    // stack again until a token changes the mode.
                    let bytes = self.src.as_bytes();
                    // Tokens lexed since the last whitespace.
                    let mut run_tokens = 0;
                    loop {
                        // Whitespace, a third of all tokens, is scanned here:
                        // cheaper than a trip through the automaton.
                        if bytes.get(self.pos).is_some_and(|&b| matches!(b, b' ' | b'\n')) {
                            let start = self.pos;
                            let mut end = start + 1;
                            while bytes.get(end).is_some_and(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                                end += 1;
                            }
                            self.tokens.push(Token { kind: WHITESPACE, len: (end - start) as u32 });
                            self.pos = end;
                            code.bump(end - start);
                            run_tokens = 0;
                        }
                        // Looked at only after a few tokens with no whitespace
                        // between them: ordinary code pays an increment per
                        // token, and the first tokens of a run cost logos a
                        // scan to its end each, as before.
                        run_tokens += 1;
                        if run_tokens > self.limits.tokens
                            && self.pos >= self.run_checked
                            && bytes.get(self.pos).is_some_and(|&b| is_path_char(b))
                        {
                            let end = bytes[self.pos..]
                                .iter()
                                .position(|&b| !is_path_char(b))
                                .map_or(bytes.len(), |n| self.pos + n);
                            self.run_checked = end;
                            if end - self.pos >= self.limits.len && !token_may_cross(bytes, end) {
                                let start = self.pos;
                                self.plain_run(end);
                                code.bump(end - start);
                                continue;
                            }
                        }
                        let Some(result) = code.next() else { break 'modes };
                        let span = code.span();
                        match result {
                            Ok(tok) if (tok as usize) < SIMPLE.len() => {
                                self.tokens
                                    .push(Token { kind: SIMPLE[tok as usize], len: (span.end - span.start) as u32 });
                                self.pos = span.end;
                            }
                            Ok(tok) => {
                                if !self.code_token(tok, span.start, span.end) {
                                    break;
                                }
                            }
                            Err(()) => {
                                // One whole character, so tokens stay on char boundaries.
                                let ch = self.src[span.start..].chars().next().map_or(1, char::len_utf8);
                                self.push(ERROR_TOKEN, span.start + ch);
                                break;
                            }
                        }
                    }
                }
                Mode::String => self.string(),
                Mode::IndString => self.ind_string(),
                Mode::InPath | Mode::InPathSlash => self.in_path(),
            }
        }
        // A path ending the input in a slash: as anywhere else.
        if self.modes.last() == Some(&Mode::InPathSlash) {
            let end = self.src.len();
            self.error(end, end, "path has a trailing slash");
        }
    }

    /// Lexes `pos..end`, a run of path characters that ends in none of the
    /// characters that could continue a token past it, with a lexer of its
    /// own: the main automaton would try a path at each token of the run
    /// and scan on to its end, which is quadratic in the run's length
    /// (`1+1+1...` or `a.a.a...` without spaces).
    #[cold]
    #[inline(never)]
    fn plain_run(&mut self, end: usize) {
        while self.pos < end {
            let start = self.pos;
            let mut run = Plain::lexer(&self.src[start..end]);
            while let Some(result) = run.next() {
                let span = run.span();
                let end = start + span.end;
                let kind = match result {
                    Ok(Plain::Int) => {
                        self.code_token(Code::Int, start + span.start, end);
                        continue;
                    }
                    Ok(Plain::Float) => {
                        self.code_token(Code::Float, start + span.start, end);
                        continue;
                    }
                    Ok(Plain::Ellipsis) => ELLIPSIS,
                    Ok(Plain::Concat) => CONCAT,
                    Ok(Plain::Ident) => keyword(&self.src.as_bytes()[start + span.start..end]).unwrap_or(IDENT),
                    Ok(Plain::Dot) => DOT,
                    Ok(Plain::Plus) => PLUS,
                    Ok(Plain::Minus) => MINUS,
                    Err(()) => {
                        // As in `run`: one character, then start again there.
                        self.push(ERROR_TOKEN, start + span.start + 1);
                        break;
                    }
                };
                self.push(kind, end);
            }
        }
    }

    fn push(&mut self, kind: SyntaxKind, end: usize) {
        debug_assert!(end > self.pos);
        self.tokens.push(Token { kind, len: (end - self.pos) as u32 });
        self.pos = end;
    }

    fn error(&mut self, start: usize, end: usize, message: impl Into<String>) {
        self.errors.push(LexError { message: message.into(), start, end });
    }

    fn set_top(&mut self, mode: Mode) {
        *self.modes.last_mut().expect("the mode stack is never empty") = mode;
    }

    /// Pushes the token; false when the lexer leaves code mode (or the
    /// logos lexer must be brought back in step with `pos`).
    #[inline(always)]
    fn code_token(&mut self, tok: Code, start: usize, end: usize) -> bool {
        debug_assert_eq!(start, self.pos);
        let kind = match tok {
            Code::UnterminatedComment => {
                self.error(start, start + 2, "unterminated comment");
                self.push(COMMENT, self.src.len());
                return false;
            }
            Code::Int => {
                if self.src[start..end].parse::<i64>().is_err() {
                    self.error(start, end, format!("invalid integer '{}'", &self.src[start..end]));
                }
                INTEGER
            }
            Code::Float => {
                let text = &self.src[start..end];
                // glibc's strtod reports ERANGE for overflow, for underflow
                // to zero and for an inexact subnormal result (taken here as
                // any subnormal: an exact one needs hundreds of digits).
                let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
                let out_of_range = match text.parse::<f64>() {
                    Ok(v) => {
                        v.is_infinite()
                            || (v == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)))
                            || (v != 0.0 && v.abs() < f64::MIN_POSITIVE)
                    }
                    Err(_) => true,
                };
                if out_of_range {
                    self.error(start, end, format!("invalid float '{text}'"));
                }
                FLOAT
            }
            Code::DollarCurly => {
                self.modes.push(Mode::Code);
                DOLLAR_CURLY
            }
            Code::LCurly => {
                self.modes.push(Mode::Code);
                L_CURLY
            }
            Code::RCurly => {
                if self.modes.len() > 1 {
                    self.modes.pop();
                }
                self.push(R_CURLY, end);
                return matches!(self.modes.last(), Some(Mode::Initial | Mode::Code));
            }
            Code::DQuote => {
                self.modes.push(Mode::String);
                self.push(DQUOTE, end);
                return false;
            }
            Code::IndStringOpen => {
                self.modes.push(Mode::IndString);
                self.push(IND_STRING_OPEN, end);
                return false;
            }
            Code::PathSegInterpolated | Code::HomePathInterpolated => {
                // Only the segment; `${` is lexed again in the path mode.
                let kind = if tok == Code::HomePathInterpolated { HPATH } else { PATH };
                self.modes.push(Mode::InPathSlash);
                self.push(kind, end - 2);
                return false;
            }
            Code::Path | Code::HomePath => {
                self.modes.push(if self.src.as_bytes()[end - 1] == b'/' { Mode::InPathSlash } else { Mode::InPath });
                self.push(if tok == Code::Path { PATH } else { HPATH }, end);
                return false;
            }
            _ => SIMPLE[tok as usize],
        };
        self.push(kind, end);
        true
    }

    /// Inside `"..."`: text runs, `${`, and the closing quote.
    fn string(&mut self) {
        let bytes = self.src.as_bytes();
        let start = self.pos;
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => break,
                b'\\' => i = self.after_char(i + 1),
                b'$' => match bytes.get(i + 1) {
                    Some(b'{') => break,
                    // `$"`: the dollar is text, the quote ends the string.
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') => i = self.after_char(i + 2),
                    Some(_) => i = self.after_char(i + 1),
                    None => i += 1,
                },
                // Plain text: on to the next byte that means something.
                _ => i = memchr::memchr3(b'"', b'\\', b'$', &bytes[i..]).map_or(bytes.len(), |k| i + k),
            }
        }
        if i > start {
            self.push(STRING_CONTENT, i.min(bytes.len()));
            return;
        }
        if bytes[i] == b'"' {
            self.modes.pop();
            self.push(DQUOTE, i + 1);
        } else {
            // `${`
            self.modes.push(Mode::Code);
            self.push(DOLLAR_CURLY, i + 2);
        }
    }

    /// Inside `''...''`.
    fn ind_string(&mut self) {
        let bytes = self.src.as_bytes();
        let start = self.pos;
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'$' => match bytes.get(i + 1) {
                    Some(b'{') | Some(b'\'') | None => break,
                    Some(_) => i = self.after_char(i + 1),
                },
                b'\'' => match bytes.get(i + 1) {
                    Some(b'\'') | Some(b'$') | None => break,
                    Some(_) => i = self.after_char(i + 1),
                },
                _ => i = memchr::memchr2(b'$', b'\'', &bytes[i..]).map_or(bytes.len(), |k| i + k),
            }
        }
        if i > start {
            self.push(IND_STRING_CONTENT, i);
            return;
        }
        let rest = &bytes[i..];
        if rest.starts_with(b"${") {
            self.modes.push(Mode::Code);
            self.push(DOLLAR_CURLY, i + 2);
        } else if rest.starts_with(b"''$") || rest.starts_with(b"'''") {
            self.push(IND_STRING_ESCAPE, i + 3);
        } else if rest.starts_with(b"''\\") {
            let end = if i + 3 < bytes.len() { self.after_char(i + 3) } else { i + 3 };
            self.push(IND_STRING_ESCAPE, end);
        } else if rest.starts_with(b"''") {
            self.modes.pop();
            self.push(IND_STRING_CLOSE, i + 2);
        } else {
            // A lone `$` or `'`.
            self.push(IND_STRING_ESCAPE, i + 1);
        }
    }

    /// After a path piece: more pieces, an interpolation, or the end of the path.
    fn in_path(&mut self) {
        let bytes = self.src.as_bytes();
        let i = self.pos;
        if bytes[i..].starts_with(b"${") {
            self.set_top(Mode::InPath);
            self.modes.push(Mode::Code);
            self.push(DOLLAR_CURLY, i + 2);
            return;
        }
        // The longest of PATH, PATH_SEG and PATH_CHAR+: path characters with
        // single slashes between them, and perhaps one slash at the end.
        let is_path_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+');
        let mut end = i;
        while end < bytes.len() && is_path_char(bytes[end]) {
            end += 1;
        }
        while end < bytes.len() && bytes[end] == b'/' {
            if end + 1 < bytes.len() && is_path_char(bytes[end + 1]) {
                end += 1;
                while end < bytes.len() && is_path_char(bytes[end]) {
                    end += 1;
                }
            } else {
                end += 1;
                break;
            }
        }
        if end > i {
            self.set_top(if bytes[end - 1] == b'/' { Mode::InPathSlash } else { Mode::InPath });
            self.push(PATH_CONTENT, end);
            return;
        }
        // The path ends here; what follows is lexed in the enclosing mode.
        if self.modes.pop() == Some(Mode::InPathSlash) {
            self.error(i, i, "path has a trailing slash");
        }
    }

    /// The index just past the character starting at `i` (or `i` at the end).
    fn after_char(&self, i: usize) -> usize {
        match self.src[i..].chars().next() {
            Some(c) => i + c.len_utf8(),
            None => i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(SyntaxKind, &str)> {
        let (tokens, _) = tokenize(src);
        let mut pos = 0;
        tokens
            .into_iter()
            .map(|t| {
                let text = &src[pos..pos + t.len as usize];
                pos += t.len as usize;
                (t.kind, text)
            })
            .filter(|(k, _)| *k != WHITESPACE)
            .collect()
    }

    #[test]
    fn numbers_follow_nix() {
        assert_eq!(kinds("1e3"), vec![(INTEGER, "1"), (IDENT, "e3")]);
        assert_eq!(kinds("1.5e-3"), vec![(FLOAT, "1.5e-3")]);
        assert_eq!(kinds(".5"), vec![(FLOAT, ".5")]);
        assert_eq!(kinds("1."), vec![(FLOAT, "1.")]);
        assert_eq!(kinds("0.5"), vec![(FLOAT, "0.5")]);
    }

    #[test]
    fn paths_and_uris() {
        assert_eq!(kinds("x:x"), vec![(URI, "x:x")]);
        assert_eq!(kinds("1/2"), vec![(PATH, "1/2")]);
        assert_eq!(kinds("a-b'c"), vec![(IDENT, "a-b'c")]);
        assert_eq!(kinds("<nixpkgs/lib>"), vec![(SPATH, "<nixpkgs/lib>")]);
        assert_eq!(
            kinds("./${x}/y"),
            vec![(PATH, "./"), (DOLLAR_CURLY, "${"), (IDENT, "x"), (R_CURLY, "}"), (PATH_CONTENT, "/y")]
        );
        assert_eq!(kinds("./a${x}"), vec![(PATH, "./a"), (DOLLAR_CURLY, "${"), (IDENT, "x"), (R_CURLY, "}")]);
        assert_eq!(kinds("~/a"), vec![(HPATH, "~/a")]);
        assert_eq!(kinds("a.b"), vec![(IDENT, "a"), (DOT, "."), (IDENT, "b")]);
    }

    #[test]
    fn trailing_slash_is_an_error() {
        // Before more input, at the end of the input, and after an
        // interpolation.
        for src in ["./a/ ", "./a/", "/a/${b}/"] {
            let (_, errors) = tokenize(src);
            assert_eq!(errors.len(), 1, "{src}");
            assert_eq!(errors[0].message, "path has a trailing slash", "{src}");
            assert_eq!(errors[0].start, src.trim_end().len(), "{src}");
        }
        assert!(tokenize("/a/${b}/c").1.is_empty());
    }

    #[test]
    fn strings_nest() {
        assert_eq!(
            kinds(r#""a${ { b = "c${d}"; } }$$""#),
            vec![
                (DQUOTE, "\""),
                (STRING_CONTENT, "a"),
                (DOLLAR_CURLY, "${"),
                (L_CURLY, "{"),
                (IDENT, "b"),
                (ASSIGN, "="),
                (DQUOTE, "\""),
                (STRING_CONTENT, "c"),
                (DOLLAR_CURLY, "${"),
                (IDENT, "d"),
                (R_CURLY, "}"),
                (DQUOTE, "\""),
                (SEMICOLON, ";"),
                (R_CURLY, "}"),
                (R_CURLY, "}"),
                (STRING_CONTENT, "$$"),
                (DQUOTE, "\""),
            ]
        );
        assert_eq!(kinds(r#""$""#), vec![(DQUOTE, "\""), (STRING_CONTENT, "$"), (DQUOTE, "\"")]);
    }

    #[test]
    fn indented_strings() {
        assert_eq!(
            kinds("'' \n a''$b'''c''\\nd${x}'$''"),
            vec![
                (IND_STRING_OPEN, "'' \n"),
                (IND_STRING_CONTENT, " a"),
                (IND_STRING_ESCAPE, "''$"),
                (IND_STRING_CONTENT, "b"),
                (IND_STRING_ESCAPE, "'''"),
                (IND_STRING_CONTENT, "c"),
                (IND_STRING_ESCAPE, "''\\n"),
                (IND_STRING_CONTENT, "d"),
                (DOLLAR_CURLY, "${"),
                (IDENT, "x"),
                (R_CURLY, "}"),
                (IND_STRING_ESCAPE, "'"),
                (IND_STRING_ESCAPE, "$"),
                (IND_STRING_CLOSE, "''"),
            ]
        );
    }

    #[test]
    fn simple_tokens_map_to_their_kinds() {
        let src = "if then else assert with let in rec inherit or ... == != <= >= && || -> // ++ <| |> \
                   x <a> a:b [ ] ( ) ; , . = : @ ? + - * / < > ! #c\n/* b */";
        let expected = [
            IF_KW, THEN_KW, ELSE_KW, ASSERT_KW, WITH_KW, LET_KW, IN_KW, REC_KW, INHERIT_KW, OR_KW, ELLIPSIS, EQ, NEQ,
            LEQ, GEQ, AND, OR, IMPL, UPDATE, CONCAT, PIPE_FROM, PIPE_INTO, IDENT, SPATH, URI, L_BRACK, R_BRACK,
            L_PAREN, R_PAREN, SEMICOLON, COMMA, DOT, ASSIGN, COLON, AT, QUESTION, PLUS, MINUS, STAR, SLASH, LT, GT,
            BANG, COMMENT, COMMENT,
        ];
        assert_eq!(kinds(src).into_iter().map(|(k, _)| k).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn lossless_on_garbage() {
        for src in ["\"abc", "''abc", "./a${", "é 1 \u{0} /* x", "\"\\", "''\\", "~/${", "~/{", "\0\0~/{"] {
            let (tokens, _) = tokenize(src);
            let total: u32 = tokens.iter().map(|t| t.len).sum();
            assert_eq!(total as usize, src.len(), "{src:?}");
        }
    }

    type Lexed = (Vec<(SyntaxKind, u32)>, Vec<(usize, usize, String)>);

    /// Tokens and errors of `src`, with runs lexed on their own as
    /// `limits` say.
    fn lex(src: &str, limits: RunLimits) -> Lexed {
        let mut tokens = Vec::new();
        let errors = tokenize_with(src, &mut tokens, limits);
        (
            tokens.iter().map(|t| (t.kind, t.len)).collect(),
            errors.into_iter().map(|e| (e.start, e.end, e.message)).collect(),
        )
    }

    #[test]
    fn runs_lexed_on_their_own_give_the_same_tokens() {
        // Pieces of runs (keywords, names, numbers, operators), what may
        // follow a run, and some of the rest of code, glued at random.
        let pieces = [
            "if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or", "a", "x1", "_y", "e", "E",
            "n-", "0", "12", "1.5", "1e3", "1.5e-3", ".5", "...", ".", "+", "++", "-", "->", "*", "/", "//", ":", "'",
            " ", "\"", "${", "}", "$", "~", "<", ">", "a/b", "./", "#",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..100_000 {
            let len = next() % 24;
            let src: String = (0..len).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect();
            let always = RunLimits { tokens: 0, len: 1 };
            let never = RunLimits { tokens: usize::MAX, len: usize::MAX };
            assert_eq!(lex(&src, always), lex(&src, never), "{src:?}");
        }
    }

    #[test]
    fn a_long_run_is_lexed_in_linear_time() {
        let src = vec!["1"; 200_000].join("+");
        let (tokens, errors) = lex(&src, RunLimits { tokens: RUN_TOKENS, len: LONG_RUN });
        assert!(errors.is_empty());
        assert_eq!(tokens.len(), 399_999);
        assert!(tokens.iter().step_by(2).all(|&(kind, _)| kind == INTEGER));
    }
}
