//! The checks CppNix makes while parsing, run on the finished tree:
//! duplicate attributes (see [`crate::bindings`]), duplicate formals, and
//! dynamic attributes where Nix forbids them.
//!
//! Most sets cannot contain a mistake: every binding names a different,
//! plain attribute. A look at the green node's children (which allocates
//! nothing) checks that cheaply, and only when a name repeats or something dynamic
//! appears does it build a typed view of that node and run the full rules.

use rowan::{GreenNodeData, NodeOrToken, TextRange, TextSize};
use rustc_hash::FxHashSet;

use crate::ast::{self, AstNode};
use crate::SyntaxKind::{self, *};
use crate::{bindings, SyntaxError, SyntaxNode};

/// Whether [`check`] has anything to check in a node of `kind`.
pub(crate) fn is_checked(kind: SyntaxKind) -> bool {
    matches!(kind, ATTR_SET | LEGACY_LET | LET_IN | PATTERN)
}

/// Checks one set, `let` or pattern node that starts at `offset` in the
/// file (its sub-nodes are checked on their own). The tree builder calls it
/// on every such node as it is completed.
pub(crate) fn check(node: &GreenNodeData, offset: TextSize, errors: &mut Vec<SyntaxError>) {
    let kind = kind_of(node);
    let suspicious = match kind {
        ATTR_SET | LEGACY_LET | LET_IN => !bindings_are_plain(node, kind == LET_IN),
        PATTERN => !formals_are_plain(node),
        _ => false,
    };
    if suspicious {
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

/// Whether every binding's path is made of plain names and starts with a
/// name no other binding starts with (inherited names included): then
/// nothing can be wrong here.
fn bindings_are_plain(node: &GreenNodeData, is_let: bool) -> bool {
    let _ = is_let;
    let mut seen = Seen::new(node.children().len() / 2);
    for binding in child_nodes(node) {
        match kind_of(binding) {
            ATTRPATH_VALUE => {
                let Some(path) = child_nodes(binding).find(|n| kind_of(n) == ATTRPATH) else { continue };
                // `a.b.c = v` with a name `a` no other binding uses: the
                // implicit sets it makes cannot clash with anything (a set
                // literal `v` is checked on its own).
                let mut attrs = child_nodes(path);
                let Some(name) = attrs.next().and_then(plain_name) else { return false };
                if !attrs.all(|a| plain_name(a).is_some()) || !seen.insert(name) {
                    return false;
                }
            }
            INHERIT => {
                for attr in child_nodes(binding).filter(|n| kind_of(n) != INHERIT_FROM) {
                    let Some(name) = plain_name(attr) else { return false };
                    if !seen.insert(name) {
                        return false;
                    }
                }
            }
            _ => {}
        }
    }
    true
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
