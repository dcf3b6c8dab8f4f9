//! The checks CppNix makes while parsing, run on the finished tree:
//! duplicate attributes (see [`crate::bindings`]), duplicate formals, and
//! dynamic attributes where Nix forbids them.

use std::collections::HashSet;

use rowan::TextRange;

use crate::ast::{self, AstNode};
use crate::{bindings, SyntaxError, SyntaxKind, SyntaxNode};

pub(crate) fn validate(root: &ast::Root) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    for node in root.syntax().descendants() {
        match node.kind() {
            SyntaxKind::ATTR_SET | SyntaxKind::LEGACY_LET if !is_merged_value(&node) => {
                bindings::merge(&node, &mut errors);
            }
            SyntaxKind::LET_IN => {
                let tree = bindings::merge(&node, &mut errors);
                if !tree.dynamic.is_empty() {
                    let start = TextRange::empty(node.text_range().start());
                    errors.push(SyntaxError::new("dynamic attributes not allowed in let".into(), start));
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

/// Whether a set literal is the value of a binding (perhaps in parentheses),
/// and so already merged, and checked, as part of its parent.
fn is_merged_value(node: &SyntaxNode) -> bool {
    let mut parent = node.parent();
    while let Some(p) = parent.as_ref().filter(|p| p.kind() == SyntaxKind::PAREN) {
        parent = p.parent();
    }
    parent.is_some_and(|p| p.kind() == SyntaxKind::ATTRPATH_VALUE)
}

fn check_formals(lambda: &SyntaxNode, pat: &ast::Pattern, errors: &mut Vec<SyntaxError>) {
    let mut seen = HashSet::new();
    let mut dup = None;
    for entry in pat.entries() {
        let Some(tok) = entry.name().and_then(|n| n.token()) else { continue };
        if !seen.insert(tok.text().to_string()) && dup.is_none() {
            dup = Some((tok.text().to_string(), tok.text_range()));
        }
    }
    if let Some((name, range)) = dup {
        errors.push(SyntaxError::new(format!("duplicate formal function argument '{name}'"), range));
        return;
    }
    if let Some(bind) = pat.bind_name().and_then(|n| n.token()) {
        if seen.contains(bind.text()) {
            errors.push(SyntaxError::new(
                format!("duplicate formal function argument '{}'", bind.text()),
                TextRange::empty(lambda.text_range().start()),
            ));
        }
    }
}
