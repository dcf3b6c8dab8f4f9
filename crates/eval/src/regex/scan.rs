//! The tokenizer, following libstdc++'s `_Scanner` in `regex::extended`
//! mode (built without GNU extensions, i.e. `__STRICT_ANSI__`, as CppNix is).
//!
//! - Outside brackets the special bytes are `.[\()*+?{|^$`; `]` and `}` are
//!   ordinary. A backslash may only escape one of those special bytes; any
//!   other escape (`\d`, `\n`, `\]`, `\/`) is an error, as is a trailing `\`
//!   or a NUL byte.
//! - Inside brackets a backslash is an ordinary byte, `]` right after `[` or
//!   `[^` is ordinary, and `[:name:]`, `[.name.]`, `[=name=]` are read whole.
//! - Inside `{...}` only digits, `,` and `}` are allowed.
//!
//! Like libstdc++ the scanner always holds the next token, so a lexical
//! error is reported as soon as the token before it is consumed.

use super::Invalid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    Eof,
    Char(u8),
    AnyChar,
    LineBegin,
    LineEnd,
    Star,
    Plus,
    Opt,
    Or,
    GroupBegin,
    GroupEnd,
    BracketBegin,
    BracketNegBegin,
    BracketEnd,
    BracketDash,
    IntervalBegin,
    IntervalEnd,
    Comma,
    DupCount(Vec<u8>),
    CollSymbol(Vec<u8>),
    EquivClass(Vec<u8>),
    CharClass(Vec<u8>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    Bracket,
    Brace,
}

pub(crate) struct Scanner<'p> {
    pat: &'p [u8],
    pos: usize,
    mode: Mode,
    at_bracket_start: bool,
    token: Token,
}

const SPECIAL: &[u8] = b".[\\()*+?{|^$";

impl<'p> Scanner<'p> {
    pub(crate) fn new(pat: &'p [u8]) -> Result<Self, Invalid> {
        let mut s = Scanner { pat, pos: 0, mode: Mode::Normal, at_bracket_start: false, token: Token::Eof };
        s.advance()?;
        Ok(s)
    }

    pub(crate) fn peek(&self) -> &Token {
        &self.token
    }

    /// Consumes the current token if it equals `t` (comparing the variant
    /// only for tokens carrying data) and scans the next one.
    pub(crate) fn eat(&mut self, t: &Token) -> Result<bool, Invalid> {
        if std::mem::discriminant(&self.token) == std::mem::discriminant(t) {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consumes and returns the current token, scanning the next one.
    pub(crate) fn take(&mut self) -> Result<Token, Invalid> {
        let t = std::mem::replace(&mut self.token, Token::Eof);
        self.advance()?;
        Ok(t)
    }

    fn advance(&mut self) -> Result<(), Invalid> {
        if self.pos == self.pat.len() {
            self.token = Token::Eof;
            return Ok(());
        }
        self.token = match self.mode {
            Mode::Normal => self.scan_normal()?,
            Mode::Bracket => self.scan_bracket()?,
            Mode::Brace => self.scan_brace()?,
        };
        Ok(())
    }

    fn next_byte(&mut self) -> u8 {
        let c = self.pat[self.pos];
        self.pos += 1;
        c
    }

    fn scan_normal(&mut self) -> Result<Token, Invalid> {
        let c = self.next_byte();
        if c == 0 {
            return Err(Invalid);
        }
        if !SPECIAL.contains(&c) {
            return Ok(Token::Char(c));
        }
        Ok(match c {
            b'\\' => {
                let Some(&e) = self.pat.get(self.pos) else {
                    return Err(Invalid);
                };
                if e == 0 || !SPECIAL.contains(&e) {
                    return Err(Invalid);
                }
                self.pos += 1;
                Token::Char(e)
            }
            b'(' => Token::GroupBegin,
            b')' => Token::GroupEnd,
            b'[' => {
                self.mode = Mode::Bracket;
                self.at_bracket_start = true;
                if self.pat.get(self.pos) == Some(&b'^') {
                    self.pos += 1;
                    Token::BracketNegBegin
                } else {
                    Token::BracketBegin
                }
            }
            b'{' => {
                self.mode = Mode::Brace;
                Token::IntervalBegin
            }
            b'^' => Token::LineBegin,
            b'$' => Token::LineEnd,
            b'.' => Token::AnyChar,
            b'*' => Token::Star,
            b'+' => Token::Plus,
            b'?' => Token::Opt,
            b'|' => Token::Or,
            _ => unreachable!("every special byte is handled"),
        })
    }

    fn scan_bracket(&mut self) -> Result<Token, Invalid> {
        let c = self.next_byte();
        let tok = match c {
            b'-' => Token::BracketDash,
            b'[' => match self.pat.get(self.pos) {
                None => return Err(Invalid),
                Some(&d @ (b'.' | b':' | b'=')) => {
                    self.pos += 1;
                    let name = self.eat_class(d)?;
                    match d {
                        b'.' => Token::CollSymbol(name),
                        b':' => Token::CharClass(name),
                        _ => Token::EquivClass(name),
                    }
                }
                Some(_) => Token::Char(b'['),
            },
            b']' if !self.at_bracket_start => {
                self.mode = Mode::Normal;
                Token::BracketEnd
            }
            _ => Token::Char(c),
        };
        self.at_bracket_start = false;
        Ok(tok)
    }

    /// Reads `name` up to the closing `delim` `]`.
    fn eat_class(&mut self, delim: u8) -> Result<Vec<u8>, Invalid> {
        let start = self.pos;
        while self.pos < self.pat.len() && self.pat[self.pos] != delim {
            self.pos += 1;
        }
        let name = self.pat[start..self.pos].to_vec();
        if self.pat.get(self.pos) != Some(&delim) || self.pat.get(self.pos + 1) != Some(&b']') {
            return Err(Invalid);
        }
        self.pos += 2;
        Ok(name)
    }

    fn scan_brace(&mut self) -> Result<Token, Invalid> {
        let c = self.next_byte();
        Ok(match c {
            b'0'..=b'9' => {
                let start = self.pos - 1;
                while self.pos < self.pat.len() && self.pat[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
                Token::DupCount(self.pat[start..self.pos].to_vec())
            }
            b',' => Token::Comma,
            b'}' => {
                self.mode = Mode::Normal;
                Token::IntervalEnd
            }
            _ => return Err(Invalid),
        })
    }
}
