//! The checks CppNix makes while parsing, run by the tree builder as nodes
//! are completed: duplicate attributes (see [`crate::bindings`]), duplicate
//! formals, and dynamic attributes where Nix forbids them.
//!
//! Most sets cannot contain a mistake: every binding names a different,
//! plain attribute. The builder notes, for each binding as it is completed
//! (while its nodes are still in the cache), a hash of the name it binds
//! ([`binding_key`], [`inherit_keys`]); when the set is completed,
//! [`check_bindings`] looks for a repeated or missing key. Only then (a
//! repeated name, something dynamic, or a rare hash collision) does it build
//! a typed view of that node and run the full rules, which decide.

use std::hash::Hasher;

use rowan::{GreenNodeData, NodeOrToken, TextRange, TextSize};
use rustc_hash::{FxHashSet, FxHasher};

use crate::ast::{self, AstNode};
use crate::SyntaxKind::{self, *};
use crate::{bindings, SyntaxError, SyntaxNode};

/// What the duplicate check keeps of one binding (or one inherited name)
/// until its set is completed: where the binding starts, and a hash of the
/// name it binds, `None` when that name is not plain.
#[derive(Clone, Copy)]
pub(crate) struct BoundName {
    pub(crate) offset: TextSize,
    key: Option<u64>,
}

fn name_key(name: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(name.as_bytes());
    h.finish()
}

/// The name an `ATTRPATH_VALUE` starting at `offset` binds: `a.b.c = v`
/// binds `a`, if every part of the path is a plain name (the implicit sets
/// of a path whose first name no other binding uses cannot clash with
/// anything, and a set literal `v` is checked on its own).
pub(crate) fn binding_key(binding: &GreenNodeData, offset: TextSize) -> BoundName {
    let key = (|| {
        let path = child_nodes(binding).find(|n| kind_of(n) == ATTRPATH)?;
        let mut attrs = child_nodes(path);
        let name = plain_name(attrs.next()?)?;
        attrs.all(|a| plain_name(a).is_some()).then(|| name_key(name))
    })();
    BoundName { offset, key }
}

/// The names an `INHERIT` starting at `offset` binds.
pub(crate) fn inherit_keys(inherit: &GreenNodeData, offset: TextSize, out: &mut Vec<BoundName>) {
    for attr in child_nodes(inherit).filter(|n| kind_of(n) != INHERIT_FROM) {
        out.push(BoundName { offset, key: plain_name(attr).map(name_key) });
    }
}

/// Checks a set or `let` node that starts at `offset`, given the names its
/// bindings bind (sub-nodes are checked on their own).
pub(crate) fn check_bindings(
    node: &GreenNodeData,
    offset: TextSize,
    names: &[BoundName],
    errors: &mut Vec<SyntaxError>,
) {
    let distinct = if names.len() <= 16 {
        names.iter().enumerate().all(|(i, n)| n.key.is_some() && names[..i].iter().all(|m| m.key != n.key))
    } else {
        let mut seen = FxHashSet::with_capacity_and_hasher(names.len(), Default::default());
        names.iter().all(|n| n.key.is_some_and(|k| seen.insert(k)))
    };
    if !distinct {
        check_slowly(node, offset, errors);
    }
}

/// Checks a pattern node that starts at `offset`.
pub(crate) fn check_pattern(node: &GreenNodeData, offset: TextSize, errors: &mut Vec<SyntaxError>) {
    if !formals_are_plain(node) {
        check_slowly(node, offset, errors);
    }
}

fn kind_of(node: &GreenNodeData) -> SyntaxKind {
    SyntaxKind::from_raw(node.kind().0)
}

fn child_nodes(node: &GreenNodeData) -> impl Iterator<Item = &GreenNodeData> {
    node.children().filter_map(|c| c.into_node())
}

/// A name written plainly: an identifier, or a string without escapes or
/// interpolation. `None` for anything else.
fn plain_name(attr: &GreenNodeData) -> Option<&str> {
    let mut tokens = attr.children().filter_map(|c| c.into_token());
    match kind_of(attr) {
        NAME => tokens.next().map(|t| t.text()),
        STRING => {
            let mut content = "";
            for c in attr.children() {
                match c {
                    NodeOrToken::Token(t) if t.kind().0 == STRING_CONTENT as u16 => {
                        if !content.is_empty() || t.text().contains('\\') {
                            return None;
                        }
                        content = t.text();
                    }
                    NodeOrToken::Token(_) => {}
                    NodeOrToken::Node(_) => return None,
                }
            }
            Some(content)
        }
        _ => None,
    }
}

/// Names seen so far in one set; small sets are the common case.
struct Seen<'a> {
    few: Vec<&'a str>,
    many: FxHashSet<&'a str>,
    /// How many names to make room for when the few become many.
    expected: usize,
}

impl<'a> Seen<'a> {
    /// For a node of `children` children (about one name each).
    fn new(children: usize) -> Seen<'a> {
        Seen { few: Vec::new(), many: FxHashSet::default(), expected: children }
    }

    /// False when the name was already there.
    fn insert(&mut self, name: &'a str) -> bool {
        if self.many.is_empty() && self.few.len() < 16 {
            if self.few.contains(&name) {
                return false;
            }
            self.few.push(name);
            return true;
        }
        if self.many.is_empty() {
            self.many.reserve(self.expected.max(2 * self.few.len()));
            self.many.extend(self.few.drain(..));
        }
        self.many.insert(name)
    }
}

fn formals_are_plain(pattern: &GreenNodeData) -> bool {
    let mut seen = Seen::new(pattern.children().len());
    for child in child_nodes(pattern) {
        let name_node = match kind_of(child) {
            PAT_ENTRY | PAT_BIND => child_nodes(child).find(|n| kind_of(n) == NAME),
            _ => None,
        };
        if let Some(name) = name_node.and_then(plain_name) {
            if !seen.insert(name) {
                return false;
            }
        }
    }
    true
}

/// The full rules, on a typed view of just this node; error ranges are
/// moved back to their place in the file.
fn check_slowly(node: &GreenNodeData, offset: TextSize, errors: &mut Vec<SyntaxError>) {
    let root = SyntaxNode::new_root(node.to_owned());
    let start = errors.len();
    match root.kind() {
        ATTR_SET | LEGACY_LET => {
            bindings::merge(&root, errors);
        }
        LET_IN => {
            let tree = bindings::merge(&root, errors);
            if !tree.dynamic.is_empty() {
                errors
                    .push(SyntaxError::new("dynamic attributes not allowed in let".into(), TextRange::empty(0.into())));
            }
        }
        PATTERN => {
            if let Some(pat) = ast::Pattern::cast(root.clone()) {
                check_formals(&pat, errors);
            }
        }
        _ => {}
    }
    for e in &mut errors[start..] {
        e.range += offset;
        if let Some(prev) = &mut e.previous {
            *prev += offset;
        }
    }
}

/// Duplicate formals. The `@` name clashing with a formal is reported at the
/// start of the function (CppNix's position), which is where the pattern
/// starts, or the pattern's own start when the `@` name comes first.
fn check_formals(pat: &ast::Pattern, errors: &mut Vec<SyntaxError>) {
    let mut seen = FxHashSet::default();
    for entry in pat.entries() {
        let Some(tok) = entry.name().and_then(|n| n.token()) else { continue };
        if !seen.insert(tok.text().to_string()) {
            errors.push(SyntaxError::new(
                format!("duplicate formal function argument '{}'", tok.text()),
                tok.text_range(),
            ));
            return;
        }
    }
    if let Some(bind) = pat.bind_name().and_then(|n| n.token()) {
        if seen.contains(bind.text()) {
            errors.push(SyntaxError::new(
                format!("duplicate formal function argument '{}'", bind.text()),
                TextRange::empty(pat.syntax().text_range().start()),
            ));
        }
    }
}
