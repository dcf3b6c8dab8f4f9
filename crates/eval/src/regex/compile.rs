//! Parsing and NFA construction, state for state as libstdc++'s `_Compiler`
//! builds it for `regex::extended`.
//!
//! The automaton is built the same way (same states, same order, the same
//! copies for `{m,n}`, the same placeholder "dummy" states) because two
//! observable behaviours depend on it: the order in which the executor tries
//! alternatives, and libstdc++'s limit of 100000 NFA states
//! (`_GLIBCXX_REGEX_STATE_LIMIT`), beyond which CppNix reports "memory limit
//! exceeded by regular expression". Errors are raised in the same order as
//! well, so a pattern that is both malformed and too large fails the same
//! way.
//!
//! Unlike libstdc++ the parser keeps its own stack of open groups instead of
//! recursing, so deeply nested patterns cannot overflow the native stack.

use std::collections::BTreeMap;

use super::charclass::{lookup_collate, BracketBuilder, ByteSet};
use super::scan::{Scanner, Token};
use super::{CompileError, Invalid};

/// `_GLIBCXX_REGEX_STATE_LIMIT`.
const STATE_LIMIT: usize = 100_000;

/// "No state" (`_S_invalid_state_id`).
pub(crate) const NONE: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// Try `alt` (the left alternative), then `next` (the right one).
    Alt,
    /// Greedy repetition: `alt` is "once more", `next` is "stop".
    Repeat,
    GroupBegin(u32),
    GroupEnd(u32),
    LineBegin,
    LineEnd,
    /// Consume one byte in the set (an index into [`Program::sets`]).
    Match(u32),
    Accept,
    Dummy,
}

#[derive(Clone, Debug)]
pub(crate) struct State {
    pub(crate) op: Op,
    pub(crate) next: u32,
    pub(crate) alt: u32,
}

impl State {
    fn has_alt(&self) -> bool {
        matches!(self.op, Op::Alt | Op::Repeat)
    }
}

/// A compiled pattern: the NFA with dummies bypassed.
#[derive(Debug)]
pub(crate) struct Program {
    pub(crate) states: Vec<State>,
    pub(crate) sets: Vec<ByteSet>,
    /// Number of groups, counting group 0 (the whole match).
    pub(crate) groups: usize,
}

/// A fragment of the automaton under construction (`_StateSeq`).
#[derive(Clone, Copy, Debug)]
struct Seq {
    start: u32,
    end: u32,
}

struct Builder {
    states: Vec<State>,
    sets: Vec<ByteSet>,
    group_count: u32,
    open_groups: Vec<u32>,
}

impl Builder {
    fn insert(&mut self, op: Op, next: u32, alt: u32) -> Result<u32, CompileError> {
        self.states.push(State { op, next, alt });
        if self.states.len() > STATE_LIMIT {
            return Err(CompileError::TooLarge);
        }
        Ok((self.states.len() - 1) as u32)
    }

    fn insert_op(&mut self, op: Op) -> Result<u32, CompileError> {
        self.insert(op, NONE, NONE)
    }

    fn insert_set(&mut self, set: ByteSet) -> Result<u32, CompileError> {
        self.sets.push(set);
        self.insert_op(Op::Match((self.sets.len() - 1) as u32))
    }

    fn group_begin(&mut self) -> Result<u32, CompileError> {
        let id = self.group_count;
        self.group_count += 1;
        self.open_groups.push(id);
        self.insert_op(Op::GroupBegin(id))
    }

    fn group_end(&mut self) -> Result<u32, CompileError> {
        let id = self.open_groups.pop().unwrap_or(0);
        self.insert_op(Op::GroupEnd(id))
    }

    /// Links `id` after `seq`.
    fn append(&mut self, seq: &mut Seq, id: u32) {
        self.states[seq.end as usize].next = id;
        seq.end = id;
    }

    fn append_seq(&mut self, seq: &mut Seq, other: Seq) {
        self.states[seq.end as usize].next = other.start;
        seq.end = other.end;
    }

    /// `_StateSeq::_M_clone`: copies the states reachable from `seq.start`
    /// (not following `next` out of `seq.end`), in libstdc++'s visiting
    /// order, which may copy a state twice.
    fn clone_seq(&mut self, seq: Seq) -> Result<Seq, CompileError> {
        let mut map: BTreeMap<u32, u32> = BTreeMap::new();
        let mut stack = vec![seq.start];
        while let Some(u) = stack.pop() {
            let dup = self.states[u as usize].clone();
            let id = self.insert(dup.op.clone(), dup.next, dup.alt)?;
            map.insert(u, id);
            if dup.has_alt() && dup.alt != NONE && !map.contains_key(&dup.alt) {
                stack.push(dup.alt);
            }
            if u == seq.end {
                continue;
            }
            if dup.next != NONE && !map.contains_key(&dup.next) {
                stack.push(dup.next);
            }
        }
        for &v in map.values() {
            let s = &self.states[v as usize];
            let (next, alt, has_alt) = (s.next, s.alt, s.has_alt());
            if next != NONE {
                if let Some(&n) = map.get(&next) {
                    self.states[v as usize].next = n;
                }
            }
            if has_alt && alt != NONE {
                if let Some(&a) = map.get(&alt) {
                    self.states[v as usize].alt = a;
                }
            }
        }
        Ok(Seq { start: map[&seq.start], end: map[&seq.end] })
    }
}

/// One open disjunction: the whole pattern or a parenthesised group.
struct Frame {
    /// The group's begin state; `None` for the whole pattern.
    group: Option<u32>,
    /// The alternatives before the current one, already joined.
    left: Option<Seq>,
    /// The terms of the current alternative so far.
    concat: Option<Seq>,
}

pub(crate) fn compile(pattern: &[u8]) -> Result<Program, CompileError> {
    let mut sc = Scanner::new(pattern)?;
    let mut b = Builder { states: Vec::new(), sets: Vec::new(), group_count: 0, open_groups: Vec::new() };
    let root = b.group_begin()?;
    let mut frames = vec![Frame { group: None, left: None, concat: None }];
    let body = loop {
        // One term of the current alternative, if there is one.
        let term = match sc.peek() {
            Token::LineBegin => {
                sc.take()?;
                Some(single(b.insert_op(Op::LineBegin)?))
            }
            Token::LineEnd => {
                sc.take()?;
                Some(single(b.insert_op(Op::LineEnd)?))
            }
            Token::AnyChar => {
                sc.take()?;
                let atom = single(b.insert_set(ByteSet::any_but_nul())?);
                Some(quantifiers(&mut sc, &mut b, atom)?)
            }
            Token::Char(c) => {
                let c = *c;
                sc.take()?;
                let atom = single(b.insert_set(ByteSet::single(c))?);
                Some(quantifiers(&mut sc, &mut b, atom)?)
            }
            Token::BracketBegin | Token::BracketNegBegin => {
                let set = bracket(&mut sc)?;
                let atom = single(b.insert_set(set)?);
                Some(quantifiers(&mut sc, &mut b, atom)?)
            }
            Token::GroupBegin => {
                sc.take()?;
                let begin = b.group_begin()?;
                frames.push(Frame { group: Some(begin), left: None, concat: None });
                continue;
            }
            _ => None,
        };
        let frame = frames.last_mut().expect("a frame is always open");
        if let Some(t) = term {
            add_term(&mut b, frame, t);
            continue;
        }
        // The alternative ends with a placeholder state.
        let dummy = single(b.insert_op(Op::Dummy)?);
        add_term(&mut b, frame, dummy);
        let mut alternative = frame.concat.take().expect("just added");
        let joined = match frame.left.take() {
            None => alternative,
            Some(mut left) => {
                let end = b.insert_op(Op::Dummy)?;
                b.append(&mut left, end);
                b.append(&mut alternative, end);
                let node = b.insert(Op::Alt, alternative.start, left.start)?;
                Seq { start: node, end }
            }
        };
        if sc.eat(&Token::Or)? {
            frame.left = Some(joined);
            continue;
        }
        let frame = frames.pop().expect("a frame is always open");
        match frame.group {
            None => {
                if !sc.eat(&Token::Eof)? {
                    return Err(Invalid.into());
                }
                break joined;
            }
            Some(begin) => {
                if !sc.eat(&Token::GroupEnd)? {
                    return Err(Invalid.into());
                }
                let mut group = single(begin);
                b.append_seq(&mut group, joined);
                let end = b.group_end()?;
                b.append(&mut group, end);
                let t = quantifiers(&mut sc, &mut b, group)?;
                let parent = frames.last_mut().expect("the pattern frame is still open");
                add_term(&mut b, parent, t);
            }
        }
    };
    let mut whole = single(root);
    b.append_seq(&mut whole, body);
    let end = b.group_end()?;
    b.append(&mut whole, end);
    let accept = b.insert_op(Op::Accept)?;
    b.append(&mut whole, accept);
    eliminate_dummies(&mut b.states);
    Ok(Program { states: b.states, sets: b.sets, groups: b.group_count as usize })
}

fn single(id: u32) -> Seq {
    Seq { start: id, end: id }
}

fn add_term(b: &mut Builder, frame: &mut Frame, t: Seq) {
    match &mut frame.concat {
        None => frame.concat = Some(t),
        Some(c) => b.append_seq(c, t),
    }
}

/// `_M_quantifier`, applied for as long as quantifiers follow the atom
/// (`a**` and `a*?` are repetitions of repetitions in POSIX mode).
fn quantifiers(sc: &mut Scanner<'_>, b: &mut Builder, mut e: Seq) -> Result<Seq, CompileError> {
    loop {
        if sc.eat(&Token::Star)? {
            let r = b.insert(Op::Repeat, NONE, e.start)?;
            b.append(&mut e, r);
            e = single(r);
        } else if sc.eat(&Token::Plus)? {
            let r = b.insert(Op::Repeat, NONE, e.start)?;
            b.append(&mut e, r);
        } else if sc.eat(&Token::Opt)? {
            let end = b.insert_op(Op::Dummy)?;
            let r = b.insert(Op::Repeat, NONE, e.start)?;
            b.append(&mut e, end);
            let mut rs = single(r);
            b.append(&mut rs, end);
            e = rs;
        } else if sc.eat(&Token::IntervalBegin)? {
            e = interval(sc, b, e)?;
        } else {
            return Ok(e);
        }
    }
}

/// `_Compiler::_M_cur_int_value`: accumulated in a `long`, returned as `int`.
fn int_value(digits: &[u8]) -> i64 {
    let mut v: i64 = 0;
    for d in digits {
        v = v.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
    }
    i64::from(v as i32)
}

/// `{m}`, `{m,}` and `{m,n}`: `m` copies, then a starred copy or `n - m`
/// nested optional copies.
fn interval(sc: &mut Scanner<'_>, b: &mut Builder, r: Seq) -> Result<Seq, CompileError> {
    let Token::DupCount(digits) = sc.peek().clone() else {
        return Err(Invalid.into());
    };
    sc.take()?;
    let mut e = single(b.insert_op(Op::Dummy)?);
    let min = int_value(&digits);
    let mut infinite = false;
    let mut n: i64 = 0;
    if sc.eat(&Token::Comma)? {
        if let Token::DupCount(digits) = sc.peek().clone() {
            sc.take()?;
            n = int_value(&digits) - min;
        } else {
            infinite = true;
        }
    }
    if !sc.eat(&Token::IntervalEnd)? {
        return Err(Invalid.into());
    }
    let mut i = 0;
    while i < min {
        let c = b.clone_seq(r)?;
        b.append_seq(&mut e, c);
        i += 1;
    }
    if infinite {
        let mut tmp = b.clone_seq(r)?;
        let s = b.insert(Op::Repeat, NONE, tmp.start)?;
        b.append(&mut tmp, s);
        b.append(&mut e, s);
    } else {
        if n < 0 {
            return Err(Invalid.into());
        }
        let end = b.insert_op(Op::Dummy)?;
        let mut nodes = Vec::new();
        for _ in 0..n {
            let tmp = b.clone_seq(r)?;
            let node = b.insert(Op::Repeat, tmp.start, end)?;
            nodes.push(node);
            b.append_seq(&mut e, Seq { start: node, end: tmp.end });
        }
        b.append(&mut e, end);
        // Built as (next: copy, alt: skip), then swapped so that "once
        // more" is tried first.
        for node in nodes {
            let s = &mut b.states[node as usize];
            std::mem::swap(&mut s.next, &mut s.alt);
        }
    }
    Ok(e)
}

/// What was last seen in a bracket expression (`_BracketState`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    None,
    Char(u8),
    Class,
}

/// `_M_insert_bracket_matcher`: reads a bracket expression, the opening
/// token still current.
fn bracket(sc: &mut Scanner<'_>) -> Result<ByteSet, Invalid> {
    let negated = matches!(sc.take()?, Token::BracketNegBegin);
    let mut m = BracketBuilder::default();
    let mut last = Last::None;
    if let Token::Char(c) = *sc.peek() {
        sc.take()?;
        last = Last::Char(c);
    } else if sc.eat(&Token::BracketDash)? {
        last = Last::Char(b'-');
    }
    loop {
        if sc.eat(&Token::BracketEnd)? {
            break;
        }
        let push_char = |m: &mut BracketBuilder, last: &mut Last, c: u8| {
            if let Last::Char(l) = *last {
                m.add_char(l);
            }
            *last = Last::Char(c);
        };
        let push_class = |m: &mut BracketBuilder, last: &mut Last| {
            if let Last::Char(l) = *last {
                m.add_char(l);
            }
            *last = Last::Class;
        };
        match sc.take()? {
            Token::CollSymbol(name) => {
                let c = lookup_collate(&name).ok_or(Invalid)?;
                m.add_char(c);
                push_char(&mut m, &mut last, c);
            }
            Token::EquivClass(name) => {
                push_class(&mut m, &mut last);
                let c = lookup_collate(&name).ok_or(Invalid)?;
                m.add_equiv(c);
            }
            Token::CharClass(name) => {
                push_class(&mut m, &mut last);
                if !m.add_class(&name) {
                    return Err(Invalid);
                }
            }
            Token::Char(c) => push_char(&mut m, &mut last, c),
            Token::BracketDash => {
                if sc.eat(&Token::BracketEnd)? {
                    push_char(&mut m, &mut last, b'-');
                    break;
                }
                let Last::Char(lo) = last else {
                    return Err(Invalid);
                };
                let hi = match *sc.peek() {
                    Token::Char(hi) => hi,
                    Token::BracketDash => b'-',
                    _ => return Err(Invalid),
                };
                sc.take()?;
                if !m.add_range(lo, hi) {
                    return Err(Invalid);
                }
                last = Last::None;
            }
            _ => return Err(Invalid),
        }
    }
    if let Last::Char(c) = last {
        m.add_char(c);
    }
    Ok(m.finish(negated))
}

/// `_NFA::_M_eliminate_dummy`: every link skips placeholder states.
fn eliminate_dummies(states: &mut [State]) {
    let skip = |states: &[State], mut id: u32| {
        // A chain of dummies is acyclic; the bound only guards against bugs.
        for _ in 0..states.len() {
            match states.get(id as usize) {
                Some(State { op: Op::Dummy, next, .. }) => id = *next,
                _ => break,
            }
        }
        id
    };
    for i in 0..states.len() {
        let next = skip(states, states[i].next);
        states[i].next = next;
        if states[i].has_alt() {
            let alt = skip(states, states[i].alt);
            states[i].alt = alt;
        }
    }
}
