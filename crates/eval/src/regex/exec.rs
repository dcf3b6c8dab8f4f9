//! The matcher: libstdc++'s depth-first `_Executor` in POSIX mode, computed
//! with memoisation and an explicit stack.
//!
//! ## What libstdc++ does
//!
//! The DFS executor walks the NFA recursively. At an alternative it tries
//! the left branch and then, *even if that succeeded*, the right one. At a
//! greedy repetition it tries "once more" first and takes the exit only if
//! nothing in the "once more" subtree reached the accept state. Every time
//! the accept state is reached (for `regex_match` only at the end of the
//! subject) the captures are recorded if the match end lies strictly
//! further than any recorded before. The result is therefore the *first*
//! path, in that search order, that reaches the *largest* end. A repetition
//! may re-enter its body without consuming anything at most twice at one
//! position (`_M_rep_count`), which is what stops `(a*)*` from looping.
//!
//! ## How it is computed here
//!
//! The outcome of the search below a state (did it accept, and the largest
//! end, reached first) depends only on the state, the position, and the
//! repetition counters of loops entered at that same position: captures
//! never influence matching (there are no back-references in POSIX
//! extended). So the outcome is memoised per (state, position, counters)
//! at every branching state, which bounds the work by the number of such
//! triples instead of the number of paths. The counters are interned sets
//! of (repeat state, 1 or 2); they reset whenever a byte is consumed.
//! Each memo entry also records which branch supplied the result, so the
//! captures are reconstructed afterwards by walking the chosen path once.
//! Recursion is replaced by a heap-allocated stack of frames.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use super::compile::{Op, Program};

/// Captures by group number (0 is the whole match); `None` for a group that
/// did not participate.
pub(crate) type Captures = Vec<Option<Range<usize>>>;

/// A multiply-rotate hasher for the integer memo keys.
#[derive(Default)]
pub(crate) struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// Interned sets of repetition counters: which repeat states were entered
/// at the current position, and how often (1 or 2).
#[derive(Default)]
struct CounterSets {
    sets: Vec<Vec<(u32, u8)>>,
    ids: HashMap<Vec<(u32, u8)>, u32>,
    bumped: IntMap<(u32, u32), u32>,
}

impl CounterSets {
    /// Set 0 is the empty set (it is never produced by [`Self::enter`], so
    /// it need not be in `ids`).
    fn new() -> Self {
        CounterSets { sets: vec![Vec::new()], ..Self::default() }
    }

    /// The counters after one more entry into `node`'s body, or `None` if
    /// libstdc++ refuses a third entry at the same position.
    fn enter(&mut self, set: u32, node: u32) -> Option<u32> {
        if let Some(&id) = self.bumped.get(&(set, node)) {
            return (id != u32::MAX).then_some(id);
        }
        let mut v = self.sets[set as usize].clone();
        let result = match v.iter_mut().find(|(n, _)| *n == node) {
            Some((_, 2)) => None,
            Some((_, c)) => {
                *c += 1;
                Some(v)
            }
            None => {
                v.push((node, 1));
                v.sort_unstable();
                Some(v)
            }
        };
        let id = match result {
            None => u32::MAX,
            Some(v) => match self.ids.get(&v) {
                Some(&id) => id,
                None => {
                    let id = self.sets.len() as u32;
                    self.sets.push(v.clone());
                    self.ids.insert(v, id);
                    id
                }
            },
        };
        self.bumped.insert((set, node), id);
        (id != u32::MAX).then_some(id)
    }
}

/// Memoised outcomes, keyed by (state, counters, position). The value holds
/// the best end plus one (0: no match) shifted left once, and in bit 0
/// whether the `alt` branch supplied it.
///
/// Outcomes at positions after a search's first start position do not
/// depend on how that search treats its start (`^`, `match_not_null`), so
/// consecutive searches over one subject share the table; a search with a
/// different treatment of its start keeps the entries for that one
/// position in an overlay.
#[derive(Default)]
pub(crate) struct Memo {
    map: IntMap<u128, u64>,
    overlay: Option<(usize, IntMap<u128, u64>)>,
    /// Table size at which [`Memo::forget_before`] next prunes.
    prune_at: usize,
}

impl Memo {
    fn table(&self, pos: usize) -> &IntMap<u128, u64> {
        match &self.overlay {
            Some((p, t)) if *p == pos => t,
            _ => &self.map,
        }
    }

    fn get(&self, pc: u32, set: u32, pos: usize) -> Option<&u64> {
        self.table(pos).get(&key(pc, set, pos))
    }

    fn insert(&mut self, pc: u32, set: u32, pos: usize, v: u64) {
        let table = match &mut self.overlay {
            Some((p, t)) if *p == pos => t,
            _ => &mut self.map,
        };
        table.insert(key(pc, set, pos), v);
    }

    /// Keeps the entries for `pos` apart from now on.
    pub(crate) fn set_overlay(&mut self, pos: usize) {
        self.overlay = Some((pos, IntMap::default()));
    }

    pub(crate) fn clear_overlay(&mut self) {
        self.overlay = None;
    }

    /// Forgets positions before `pos` (which later searches will not
    /// visit) once the table has grown enough to make that worthwhile.
    pub(crate) fn forget_before(&mut self, pos: usize) {
        if self.map.len() > self.prune_at.max(1 << 16) {
            self.map.retain(|k, _| (*k as u64 as usize) >= pos);
            self.prune_at = 2 * self.map.len();
        }
    }
}

fn key(pc: u32, counters: u32, pos: usize) -> u128 {
    (u128::from(pc) << 96) | (u128::from(counters) << 64) | pos as u128
}

fn encode(end: Option<usize>, took_alt: bool) -> u64 {
    let e = end.map_or(0, |e| e as u64 + 1);
    (e << 1) | u64::from(took_alt)
}

fn decode(v: u64) -> (Option<usize>, bool) {
    let e = v >> 1;
    ((e != 0).then(|| (e - 1) as usize), v & 1 == 1)
}

enum Frame {
    AltLeft { pc: u32, pos: usize, set: u32 },
    AltRight { pc: u32, pos: usize, set: u32, left: Option<usize> },
    RepOnce { pc: u32, pos: usize, set: u32 },
    RepExit { pc: u32, pos: usize, set: u32 },
}

/// How one search treats the subject's edges (libstdc++'s match flags).
#[derive(Clone, Copy)]
pub(crate) struct Mode {
    /// `regex_match`: accept only at the end of the subject.
    pub(crate) exact: bool,
    /// Where `^` holds, if anywhere (`None` under `match_prev_avail`).
    pub(crate) bol_at: Option<usize>,
    /// `match_not_null`: an empty match at this position is rejected.
    pub(crate) not_null_at: Option<usize>,
}

/// Runs searches of one program over one subject, sharing memo tables
/// where that is sound.
pub(crate) struct Executor<'a> {
    prog: &'a Program,
    hay: &'a [u8],
    counters: CounterSets,
    stack: Vec<Frame>,
}

impl<'a> Executor<'a> {
    pub(crate) fn new(prog: &'a Program, hay: &'a [u8]) -> Self {
        Executor { prog, hay, counters: CounterSets::new(), stack: Vec::new() }
    }

    /// `regex_match`.
    pub(crate) fn full_match(&mut self) -> Option<Captures> {
        let mode = Mode { exact: true, bol_at: Some(0), not_null_at: None };
        let mut memo = Memo::default();
        self.eval(&mut memo, mode, 0, 0, 0)?;
        Some(self.reconstruct(&memo, 0, 0, 0))
    }

    /// `regex_search` starting at `start`: tries each start position in
    /// turn (only `start` itself if `continuous`). `memo` must only be
    /// shared between searches whose `mode` agrees at every position they
    /// can reach.
    pub(crate) fn search(&mut self, memo: &mut Memo, mode: Mode, start: usize, continuous: bool) -> Option<Captures> {
        let last = if continuous { start } else { self.hay.len() };
        for begin in start..=last {
            if self.eval(memo, mode, 0, begin, 0).is_some() {
                return Some(self.reconstruct(memo, 0, begin, 0));
            }
        }
        None
    }

    fn accept(&self, mode: Mode, pos: usize) -> Option<usize> {
        if (mode.exact && pos != self.hay.len()) || mode.not_null_at == Some(pos) {
            None
        } else {
            Some(pos)
        }
    }

    /// The outcome of the depth-first search from (`pc`, `pos`, `set`): the
    /// largest end it accepts at, if any.
    fn eval(&mut self, memo: &mut Memo, mode: Mode, mut pc: u32, mut pos: usize, mut set: u32) -> Option<usize> {
        let prog = self.prog;
        let hay = self.hay;
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        let result = 'run: loop {
            // Descend until the path fails, accepts, or meets a memo entry.
            let mut ret = loop {
                let Some(state) = prog.states.get(pc as usize) else {
                    break None;
                };
                match state.op {
                    Op::Match(s) => {
                        if pos < hay.len() && prog.sets[s as usize].contains(hay[pos]) {
                            pos += 1;
                            set = 0;
                            pc = state.next;
                        } else {
                            break None;
                        }
                    }
                    Op::GroupBegin(_) | Op::GroupEnd(_) | Op::Dummy => pc = state.next,
                    Op::LineBegin => {
                        if mode.bol_at != Some(pos) {
                            break None;
                        }
                        pc = state.next;
                    }
                    Op::LineEnd => {
                        if pos != hay.len() {
                            break None;
                        }
                        pc = state.next;
                    }
                    Op::Accept => break self.accept(mode, pos),
                    Op::Alt => {
                        if let Some(&v) = memo.get(pc, set, pos) {
                            break decode(v).0;
                        }
                        stack.push(Frame::AltLeft { pc, pos, set });
                        pc = state.alt;
                    }
                    Op::Repeat => {
                        if let Some(&v) = memo.get(pc, set, pos) {
                            break decode(v).0;
                        }
                        match self.counters.enter(set, pc) {
                            Some(inner) => {
                                stack.push(Frame::RepOnce { pc, pos, set });
                                set = inner;
                                pc = state.alt;
                            }
                            None => {
                                stack.push(Frame::RepExit { pc, pos, set });
                                pc = state.next;
                            }
                        }
                    }
                }
            };
            // Return the outcome up the stack until a branch is left to try.
            loop {
                match stack.pop() {
                    None => break 'run ret,
                    Some(Frame::AltLeft { pc: p, pos: q, set: s }) => {
                        stack.push(Frame::AltRight { pc: p, pos: q, set: s, left: ret });
                        pc = prog.states[p as usize].next;
                        pos = q;
                        set = s;
                        continue 'run;
                    }
                    Some(Frame::AltRight { pc: p, pos: q, set: s, left }) => {
                        // The right branch wins only with a strictly later end.
                        let took_alt = ret <= left;
                        if took_alt {
                            ret = left;
                        }
                        memo.insert(p, s, q, encode(ret, took_alt));
                    }
                    Some(Frame::RepOnce { pc: p, pos: q, set: s }) => {
                        if ret.is_some() {
                            memo.insert(p, s, q, encode(ret, true));
                        } else {
                            stack.push(Frame::RepExit { pc: p, pos: q, set: s });
                            pc = prog.states[p as usize].next;
                            pos = q;
                            set = s;
                            continue 'run;
                        }
                    }
                    Some(Frame::RepExit { pc: p, pos: q, set: s }) => {
                        memo.insert(p, s, q, encode(ret, false));
                    }
                }
            }
        };
        self.stack = stack;
        result
    }

    /// Walks the path the search chose (recorded in `memo`) and collects
    /// the captures along it.
    fn reconstruct(&mut self, memo: &Memo, mut pc: u32, mut pos: usize, mut set: u32) -> Captures {
        let groups = self.prog.groups;
        let mut begins: Vec<Option<usize>> = vec![None; groups];
        let mut ends: Vec<Option<usize>> = vec![None; groups];
        // The chosen path is finite; the bound guards against bugs.
        let mut fuel = (self.hay.len() + 1).saturating_mul(self.prog.states.len() * 3 + 3);
        while let Some(state) = self.prog.states.get(pc as usize) {
            if fuel == 0 {
                break;
            }
            fuel -= 1;
            match state.op {
                Op::Match(_) => {
                    pos += 1;
                    set = 0;
                    pc = state.next;
                }
                Op::GroupBegin(g) => {
                    begins[g as usize] = Some(pos);
                    pc = state.next;
                }
                Op::GroupEnd(g) => {
                    ends[g as usize] = Some(pos);
                    pc = state.next;
                }
                Op::LineBegin | Op::LineEnd | Op::Dummy => pc = state.next,
                Op::Accept => break,
                Op::Alt => {
                    let took_alt = memo.get(pc, set, pos).is_some_and(|&v| decode(v).1);
                    pc = if took_alt { state.alt } else { state.next };
                }
                Op::Repeat => {
                    let took_alt = memo.get(pc, set, pos).is_some_and(|&v| decode(v).1);
                    match self.counters.enter(set, pc).filter(|_| took_alt) {
                        Some(inner) => {
                            set = inner;
                            pc = state.alt;
                        }
                        None => pc = state.next,
                    }
                }
            }
        }
        begins
            .into_iter()
            .zip(ends)
            .map(|(b, e)| match (b, e) {
                (Some(b), Some(e)) => Some(b.min(e)..e),
                _ => None,
            })
            .collect()
    }
}
