//! The checks CppNix makes while parsing, on a finished tree: duplicate
//! attributes (through nested paths, `inherit`, and the merging of set
//! literals), duplicate formals, and dynamic attributes where Nix forbids them.
//!
//! Attribute merging follows CppNix's `addAttr`: a path like `a.b = 1;` makes
//! `a` an implicit set; a later `a = { c = 2; };` (or an earlier explicit set
//! literal) merges with it attribute by attribute; any other redefinition is
//! an error naming the whole path.

use std::collections::HashMap;

use rowan::TextRange;

use crate::ast::{self, AstNode};
use crate::{SyntaxError, SyntaxKind, SyntaxNode};

pub(crate) fn validate(root: &ast::Root) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    for node in root.syntax().descendants() {
        match node.kind() {
            SyntaxKind::ATTR_SET | SyntaxKind::LEGACY_LET => {
                check_bindings(&node, &mut errors);
            }
            SyntaxKind::LET_IN => {
                check_bindings(&node, &mut errors);
                let has_dynamic = ast::LetIn::cast(node.clone()).into_iter().flat_map(|l| l.bindings()).any(|b| {
                    matches!(b, ast::Binding::AttrpathValue(v) if v.attrpath().into_iter().flat_map(|p| p.attrs()).any(|a| a.static_name().is_none()))
                });
                if has_dynamic {
                    errors.push(SyntaxError::new("dynamic attributes not allowed in let".into(), start_of(&node)));
                }
            }
            SyntaxKind::LAMBDA => {
                if let Some(ast::Param::Pattern(pat)) = ast::Lambda::cast(node.clone()).and_then(|l| l.param()) {
                    check_formals(&node, &pat, &mut errors);
                }
            }
            _ => {}
        }
    }
    errors
}

fn start_of(node: &SyntaxNode) -> TextRange {
    let range = node.text_range();
    TextRange::at(range.start(), 0.into())
}

/// What an attribute is bound to, as far as merging cares.
#[derive(Clone, Copy)]
enum Def {
    /// A set (literal or implicit) that later definitions may extend.
    Set(usize),
    Other,
}

#[derive(Default)]
struct Sets {
    /// Each set's attributes: name to definition and where it was defined.
    sets: Vec<HashMap<String, (Def, TextRange)>>,
}

impl Sets {
    fn new_set(&mut self) -> usize {
        self.sets.push(HashMap::new());
        self.sets.len() - 1
    }
}

fn check_bindings(node: &SyntaxNode, errors: &mut Vec<SyntaxError>) {
    let mut sets = Sets::default();
    let top = sets.new_set();
    add_bindings(node, top, &mut sets, errors);
}

fn bindings_of(node: &SyntaxNode) -> impl Iterator<Item = ast::Binding> {
    node.children().filter_map(ast::Binding::cast)
}

/// Adds the bindings written in `node` to set `target`.
fn add_bindings(node: &SyntaxNode, target: usize, sets: &mut Sets, errors: &mut Vec<SyntaxError>) {
    for binding in bindings_of(node) {
        match binding {
            ast::Binding::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    let pos = start_of(attr.syntax());
                    match attr.static_name() {
                        Some(name) => {
                            if let Some((_, prev)) = sets.sets[target].get(&name) {
                                errors.push(dup_error(&name, pos, *prev));
                            } else {
                                sets.sets[target].insert(name, (Def::Other, pos));
                            }
                        }
                        None => errors.push(SyntaxError::new(
                            "dynamic attributes not allowed in inherit".into(),
                            attr.syntax().text_range(),
                        )),
                    }
                }
            }
            ast::Binding::AttrpathValue(binding) => {
                let Some(attrpath) = binding.attrpath() else { continue };
                let pos = start_of(attrpath.syntax());
                let attrs: Vec<ast::Attr> = attrpath.attrs().collect();
                let Some((last, prefix)) = attrs.split_last() else { continue };
                let mut path: Vec<String> = Vec::new();
                let mut set = Some(target);
                for attr in prefix {
                    let Some(current) = set else { break };
                    match attr.static_name() {
                        Some(name) => {
                            path.push(name.clone());
                            match sets.sets[current].get(&name) {
                                Some((Def::Set(nested), _)) => set = Some(*nested),
                                Some((Def::Other, prev)) => {
                                    errors.push(dup_error(&path.join("."), pos, *prev));
                                    set = None;
                                }
                                None => {
                                    let nested = sets.new_set();
                                    sets.sets[current].insert(name, (Def::Set(nested), pos));
                                    set = Some(nested);
                                }
                            }
                        }
                        // Under a dynamic name everything is fresh.
                        None => {
                            path.push("\"${...}\"".into());
                            set = Some(sets.new_set());
                        }
                    }
                }
                let Some(current) = set else { continue };
                let Some(name) = last.static_name() else { continue };
                path.push(name.clone());
                let def = match binding.value() {
                    Some(ast::Expr::AttrSet(value)) => {
                        let nested = sets.new_set();
                        add_bindings(value.syntax(), nested, sets, errors);
                        Def::Set(nested)
                    }
                    _ => Def::Other,
                };
                add_attr(sets, current, &mut path, name, def, pos, errors);
            }
        }
    }
}

/// CppNix's `addAttr` for one name: define it, merge two sets, or report.
fn add_attr(
    sets: &mut Sets,
    target: usize,
    path: &mut Vec<String>,
    name: String,
    def: Def,
    pos: TextRange,
    errors: &mut Vec<SyntaxError>,
) {
    match (sets.sets[target].get(&name).copied(), def) {
        (None, _) => {
            sets.sets[target].insert(name, (def, pos));
        }
        (Some((Def::Set(existing), _)), Def::Set(new)) => {
            let mut entries: Vec<(String, (Def, TextRange))> = sets.sets[new].drain().collect();
            entries.sort_by_key(|(_, (_, pos))| pos.start());
            for (child, (child_def, child_pos)) in entries {
                path.push(child.clone());
                add_attr(sets, existing, path, child, child_def, child_pos, errors);
                path.pop();
            }
        }
        (Some((_, prev)), _) => errors.push(dup_error(&path.join("."), pos, prev)),
    }
}

fn dup_error(path: &str, pos: TextRange, prev: TextRange) -> SyntaxError {
    let mut e = SyntaxError::new(format!("attribute '{path}' already defined"), pos);
    e.previous = Some(prev);
    e
}

fn check_formals(lambda: &SyntaxNode, pat: &ast::Pattern, errors: &mut Vec<SyntaxError>) {
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut dup = None;
    for entry in pat.entries() {
        let Some(tok) = entry.name().and_then(|n| n.token()) else { continue };
        if seen.insert(tok.text().to_string(), ()).is_some() && dup.is_none() {
            dup = Some((tok.text().to_string(), tok.text_range()));
        }
    }
    if let Some((name, range)) = dup {
        errors.push(SyntaxError::new(format!("duplicate formal function argument '{name}'"), range));
        return;
    }
    if let Some(bind) = pat.bind_name().and_then(|n| n.token()) {
        if seen.contains_key(bind.text()) {
            errors.push(SyntaxError::new(
                format!("duplicate formal function argument '{}'", bind.text()),
                start_of(lambda),
            ));
        }
    }
}
