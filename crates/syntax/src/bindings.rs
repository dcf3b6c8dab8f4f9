//! The bindings of a set or `let` as CppNix sees them after parsing: nested
//! attribute paths expanded into sets, set literals merged, duplicates found.
//!
//! This is CppNix's `addAttr`. A path such as `a.b = 1;` makes `a` an
//! implicit set. Defining a name twice is an error, except when both
//! definitions are sets (implicit or literal): then the second one's
//! attributes are added to the first, one by one, with the same rule. The
//! merged set keeps the first one's `rec` (a quirk CppNix keeps too).
//!
//! Validation uses this to report errors; the evaluator lowers the result.

use rowan::TextRange;

use crate::ast::{self, AstNode};
use crate::{SyntaxError, SyntaxNode};

/// A set of bindings after merging.
#[derive(Debug, Clone, Default)]
pub struct AttrTree {
    /// The literal this set was written as (`{ ... }`, `rec { ... }`, a
    /// `let`), or `None` for a set made implicitly by an attribute path.
    pub node: Option<SyntaxNode>,
    pub rec: bool,
    /// Static attributes, in the order of their first definition.
    pub entries: Vec<AttrEntry>,
    /// Attributes whose names are computed, in source order.
    pub dynamic: Vec<DynamicEntry>,
}

#[derive(Debug, Clone)]
pub struct AttrEntry {
    pub name: String,
    /// Where the definition starts (its attribute path, or the inherited name).
    pub range: TextRange,
    pub value: AttrValue,
}

#[derive(Debug, Clone)]
pub struct DynamicEntry {
    pub name: ast::Attr,
    pub range: TextRange,
    pub value: AttrValue,
}

#[derive(Debug, Clone)]
pub enum AttrValue {
    /// `name = expr;`
    Expr(ast::Expr),
    /// A set: implicit (`a.b = ...`) or a literal, possibly merged.
    Set(AttrTree),
    /// `inherit name;`: the variable of that name in the enclosing scope.
    Inherit(ast::Attr),
    /// `inherit (from) name;`
    InheritFrom { from: ast::Expr, name: ast::Attr },
}

impl AttrTree {
    fn get_mut(&mut self, name: &str) -> Option<&mut AttrEntry> {
        self.entries.iter_mut().find(|e| e.name == name)
    }

    /// Moves the sets nested in this one out to `out`, leaving empty ones.
    fn take_nested(&mut self, out: &mut Vec<AttrTree>) {
        let values = self.entries.iter_mut().map(|e| &mut e.value).chain(self.dynamic.iter_mut().map(|e| &mut e.value));
        for value in values {
            if let AttrValue::Set(set) = value {
                out.push(std::mem::take(set));
            }
        }
    }
}

impl Drop for AttrTree {
    /// A long attribute path (`a.b.c... = 1;`) nests sets as deep as it is
    /// long: they are taken apart one after another, not dropped
    /// recursively.
    fn drop(&mut self) {
        let mut nested = Vec::new();
        self.take_nested(&mut nested);
        while let Some(mut set) = nested.pop() {
            set.take_nested(&mut nested);
        }
    }
}

/// Merges the bindings written directly in `node` (a set literal, `let ...
/// in`, or `let { }`), reporting duplicates into `errors`.
pub fn merge(node: &SyntaxNode, errors: &mut Vec<SyntaxError>) -> AttrTree {
    let rec = node.kind() != crate::SyntaxKind::ATTR_SET
        || ast::AttrSet::cast(node.clone()).is_some_and(|s| s.rec_token().is_some());
    let mut tree = AttrTree { node: Some(node.clone()), rec, entries: Vec::new(), dynamic: Vec::new() };
    for binding in node.children().filter_map(ast::Binding::cast) {
        match binding {
            ast::Binding::Inherit(inherit) => {
                let from = inherit.from();
                for attr in inherit.attrs() {
                    let range = start_of(attr.syntax());
                    let Some(name) = attr.static_name() else {
                        errors.push(SyntaxError::new(
                            "dynamic attributes not allowed in inherit".into(),
                            attr.syntax().text_range(),
                        ));
                        continue;
                    };
                    if let Some(prev) = tree.get_mut(&name) {
                        errors.push(dup_error(&name, range, prev.range));
                        continue;
                    }
                    let value = match &from {
                        Some(from) => AttrValue::InheritFrom { from: from.clone(), name: attr },
                        None => AttrValue::Inherit(attr),
                    };
                    tree.entries.push(AttrEntry { name, range, value });
                }
            }
            ast::Binding::AttrpathValue(binding) => {
                let Some(attrpath) = binding.attrpath() else { continue };
                let Some(value) = binding.value() else { continue };
                let range = start_of(attrpath.syntax());
                let attrs: Vec<ast::Attr> = attrpath.attrs().collect();
                if attrs.is_empty() {
                    continue;
                }
                let value = match value.clone().strip_parens_if_set() {
                    Some(set) => AttrValue::Set(crate::stack::grow(|| merge(set.syntax(), errors))),
                    None => AttrValue::Expr(value),
                };
                let mut path = Vec::new();
                add_path(&mut tree, &attrs, &mut path, value, range, errors);
            }
        }
    }
    tree
}

impl ast::Expr {
    /// The set literal this expression is, if it is one. CppNix merges only
    /// literal sets (`rec` or not); parentheses do not hide them, as CppNix's
    /// tree has no parenthesis node.
    fn strip_parens_if_set(self) -> Option<ast::AttrSet> {
        match self.strip_parens()? {
            ast::Expr::AttrSet(set) => Some(set),
            _ => None,
        }
    }
}

/// Adds `attrs = value` to `tree`, creating or entering implicit sets.
fn add_path(
    tree: &mut AttrTree,
    attrs: &[ast::Attr],
    path: &mut Vec<String>,
    value: AttrValue,
    range: TextRange,
    errors: &mut Vec<SyntaxError>,
) {
    let (first, rest) = attrs.split_first().expect("attribute paths are not empty");
    let Some(name) = first.static_name() else {
        let value = if rest.is_empty() {
            value
        } else {
            // Under a dynamic name everything is a fresh implicit set.
            let mut nested = AttrTree::default();
            path.push("\"${...}\"".into());
            crate::stack::grow(|| add_path(&mut nested, rest, path, value, range, errors));
            AttrValue::Set(nested)
        };
        tree.dynamic.push(DynamicEntry { name: first.clone(), range, value });
        return;
    };
    path.push(name.clone());
    if rest.is_empty() {
        add_attr(tree, path, name, value, range, errors);
        return;
    }
    match tree.get_mut(&name) {
        Some(AttrEntry { value: AttrValue::Set(nested), .. }) => {
            crate::stack::grow(|| add_path(nested, rest, path, value, range, errors))
        }
        Some(prev) => errors.push(dup_error(&path.join("."), range, prev.range)),
        None => {
            let mut nested = AttrTree::default();
            crate::stack::grow(|| add_path(&mut nested, rest, path, value, range, errors));
            tree.entries.push(AttrEntry { name, range, value: AttrValue::Set(nested) });
        }
    }
}

/// Defines `name` in `tree`, merging two sets attribute by attribute.
fn add_attr(
    tree: &mut AttrTree,
    path: &mut Vec<String>,
    name: String,
    value: AttrValue,
    range: TextRange,
    errors: &mut Vec<SyntaxError>,
) {
    let Some(existing) = tree.get_mut(&name) else {
        tree.entries.push(AttrEntry { name, range, value });
        return;
    };
    match (&mut existing.value, value) {
        (AttrValue::Set(into), AttrValue::Set(mut from)) => {
            for entry in std::mem::take(&mut from.entries) {
                path.push(entry.name.clone());
                crate::stack::grow(|| add_attr(into, path, entry.name, entry.value, entry.range, errors));
                path.pop();
            }
            into.dynamic.append(&mut from.dynamic);
        }
        (_, _) => errors.push(dup_error(&path.join("."), range, existing.range)),
    }
}

fn start_of(node: &SyntaxNode) -> TextRange {
    TextRange::empty(node.text_range().start())
}

fn dup_error(path: &str, pos: TextRange, prev: TextRange) -> SyntaxError {
    let mut e = SyntaxError::new(format!("attribute '{path}' already defined"), pos);
    e.previous = Some(prev);
    e
}
