//! The regular-expression engine behind `builtins.match` and
//! `builtins.split`.
//!
//! CppNix compiles patterns with `std::regex(re, std::regex::extended)` and
//! runs them with libstdc++'s `std::regex_match` (`match`) and
//! `std::sregex_iterator` (`split`). Nix code depends on the exact results
//! of that engine, which are neither Perl's leftmost-first rule (the `regex`
//! crate) nor POSIX's leftmost-longest-with-longest-subexpressions rule:
//!
//! - `regex_match`: the first successful path in backtracking order
//!   (left alternative first, greedy repetition first) wins, so
//!   `(a|ab)(c|bcd)(d*)` on `abcd` gives `["a" "bcd" ""]`.
//! - `regex_search`: at the leftmost start position that matches at all,
//!   every alternative is explored and the longest overall match is
//!   reported, with the captures of the first path (in backtracking order)
//!   that reached that end. A repetition whose "once more" branch found any
//!   match does not also try stopping early, so the overall match is not
//!   always the longest possible: `a?(ab)?` finds only `a` in `ab`.
//! - A group inside a repetition reports its last iteration, and keeps the
//!   value from an earlier iteration in which it did participate.
//! - `.` matches every byte except NUL (including newline); classes are
//!   those of the "C" locale, ASCII only; ranges compare bytes as signed
//!   `char`s, so `[a-é]` is an error and bytes `>= 0x80` sort first.
//! - Escapes are only allowed before the special characters
//!   `.[\()*+?{|^$`; `\d`, `\n`, `\]` are errors. Inside brackets a
//!   backslash is literal. There are no back-references, no lazy
//!   quantifiers (`a*?` is `(a*)?`) and no `(?:...)`.
//!
//! So this module re-implements that engine: `scan` and `compile`
//! build the same NFA libstdc++ builds (which also decides when a pattern
//! is "too large"), and `exec` computes the depth-first executor's
//! result with memoisation and a heap stack, so it runs in polynomial time
//! and never overflows the native stack (libstdc++ is exponential on
//! patterns like `(a|a)*b` and crashes on long subjects). The engine works
//! on bytes: Nix strings need not be UTF-8.
//!
//! For the builtins: compile with [`Regex::new`] (cache by pattern; clones
//! share the program), whose error displays as CppNix's message ("invalid
//! regular expression '…'" or "memory limit exceeded by regular expression
//! '…'"); CppNix 2.8 compiles the pattern before forcing the string
//! argument. `match` is [`Regex::full_match`]; `split` is
//! [`Regex::matches`], with each piece between matches running from the
//! previous match's end, and the original string (context included) as the
//! only element when nothing matches.

mod charclass;
mod compile;
mod exec;
mod scan;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use compile::Program;
use exec::{Executor, Memo, Mode};

/// Captures of one match by group number; `None` for a group that did not
/// participate.
pub type Captures = Vec<Option<Range<usize>>>;

/// A compiled pattern. Cloning is cheap (a reference count).
#[derive(Clone, Debug)]
pub struct Regex {
    prog: Arc<Program>,
    /// The pattern, when it is a non-empty run of ordinary characters: it
    /// then matches exactly its own bytes, found without the executor.
    literal: Option<Arc<[u8]>>,
}

/// Whether `pattern` matches only its own bytes: not empty, and without
/// any character that is special in an extended pattern (or closes one).
fn is_literal(pattern: &[u8]) -> bool {
    !pattern.is_empty() && !pattern.iter().any(|c| b".[]\\(){}*+?|^$".contains(c))
}

/// Where `needle` (not empty) first occurs in `hay` from `start` on.
fn find_literal(hay: &[u8], needle: &[u8], start: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first().expect("a literal is not empty");
    let mut at = start;
    while at + needle.len() <= hay.len() {
        let i = at + hay[at..=hay.len() - needle.len()].iter().position(|&b| b == first)?;
        if hay[i + 1..i + needle.len()] == *rest {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// Why a pattern was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegexErrorKind {
    /// libstdc++ rejects the syntax.
    Invalid,
    /// libstdc++'s NFA would exceed 100000 states (`error_space`).
    TooLarge,
}

/// A rejected pattern; its `Display` is CppNix's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexError {
    pub kind: RegexErrorKind,
    pub pattern: Vec<u8>,
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pattern = String::from_utf8_lossy(&self.pattern);
        match self.kind {
            RegexErrorKind::Invalid => write!(f, "invalid regular expression '{pattern}'"),
            RegexErrorKind::TooLarge => {
                write!(f, "memory limit exceeded by regular expression '{pattern}'")
            }
        }
    }
}

impl std::error::Error for RegexError {}

/// A syntax error (internal).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Invalid;

/// A compilation failure (internal).
#[derive(Clone, Copy, Debug)]
pub(crate) enum CompileError {
    Invalid,
    TooLarge,
}

impl From<Invalid> for CompileError {
    fn from(_: Invalid) -> Self {
        CompileError::Invalid
    }
}

impl Regex {
    /// Compiles a POSIX extended pattern as libstdc++ does.
    pub fn new(pattern: &[u8]) -> Result<Regex, RegexError> {
        match compile::compile(pattern) {
            Ok(prog) => {
                let literal = is_literal(pattern).then(|| pattern.into());
                Ok(Regex { prog: Arc::new(prog), literal })
            }
            Err(e) => Err(RegexError {
                kind: match e {
                    CompileError::Invalid => RegexErrorKind::Invalid,
                    CompileError::TooLarge => RegexErrorKind::TooLarge,
                },
                pattern: pattern.to_vec(),
            }),
        }
    }

    /// The number of parenthesised groups (not counting the whole match).
    pub fn group_count(&self) -> usize {
        self.prog.groups - 1
    }

    /// `builtins.match`: whether the whole of `hay` matches, and if so the
    /// captures of groups 1 and up (element 0 is group 1).
    pub fn full_match(&self, hay: &[u8]) -> Option<Captures> {
        if let Some(lit) = &self.literal {
            return (**lit == *hay).then(Vec::new);
        }
        let mut caps = Executor::new(&self.prog, hay).full_match()?;
        caps.remove(0);
        Some(caps)
    }

    /// `std::regex_search` from byte offset `start` (clamped to the end):
    /// the first match, group 0 being the whole match. For `start > 0` the
    /// subject is taken to continue before `start` (`match_prev_avail`),
    /// so `^` does not match there.
    pub fn find_at(&self, hay: &[u8], start: usize) -> Option<Captures> {
        let start = start.min(hay.len());
        if let Some(lit) = &self.literal {
            return find_literal(hay, lit, start).map(|i| vec![Some(i..i + lit.len())]);
        }
        let mode = Mode { exact: false, bol_at: (start == 0).then_some(0), not_null_at: None };
        Executor::new(&self.prog, hay).search(&mut Memo::default(), mode, start, false)
    }

    /// Every match `std::sregex_iterator` visits, in order, group 0 first in
    /// each. This is what `builtins.split` needs: the text before each
    /// match starts at the previous match's end (or 0), and the text after
    /// the last match is the final piece.
    ///
    /// After an empty match the iterator first retries at the same place
    /// for a non-empty match, then moves on by one byte.
    pub fn matches(&self, hay: &[u8]) -> Vec<Captures> {
        if let Some(lit) = &self.literal {
            // Never empty: each match starts the next search at its end.
            let mut out = Vec::new();
            let mut at = 0;
            while let Some(i) = find_literal(hay, lit, at) {
                out.push(vec![Some(i..i + lit.len())]);
                at = i + lit.len();
            }
            return out;
        }
        let mut ex = Executor::new(&self.prog, hay);
        // Ordinary searches never revisit a position where `^` held in an
        // earlier one, so they can share one memo table; the retries after
        // an empty match treat their start differently and keep that
        // position apart.
        let mut memo = Memo::default();
        let mut prev_avail = false;
        let mut out = Vec::new();
        let mut found = ex.search(&mut memo, Mode { exact: false, bol_at: Some(0), not_null_at: None }, 0, false);
        while let Some(caps) = found.take() {
            let whole = caps[0].clone().unwrap_or(0..0);
            out.push(caps);
            let mut start = whole.end;
            if whole.is_empty() {
                if start == hay.len() {
                    break;
                }
                let retry = Mode { exact: false, bol_at: (!prev_avail).then_some(start), not_null_at: Some(start) };
                memo.set_overlay(start);
                found = ex.search(&mut memo, retry, start, true);
                memo.clear_overlay();
                if found.is_some() {
                    continue;
                }
                start += 1;
            }
            prev_avail = true;
            let mode = Mode { exact: false, bol_at: None, not_null_at: None };
            memo.forget_before(start);
            found = ex.search(&mut memo, mode, start, false);
        }
        out
    }
}

#[cfg(test)]
mod tests;
