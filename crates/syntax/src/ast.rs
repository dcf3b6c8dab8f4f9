//! Typed views over the syntax tree. The node types and their accessors are
//! generated from `grammar/nix.ungram` (see `generated`); what the grammar
//! cannot say (which operator, the pieces of a string, literal values) is
//! written by hand in `ext`.

mod ext;
mod generated;

use std::marker::PhantomData;

pub use ext::{unescape_string, BinaryOpKind, InterpolPart, LiteralKind, PathKind, UnaryOpKind};
pub use generated::*;

use crate::{SyntaxKind, SyntaxNode, SyntaxToken};

/// A typed view of a syntax node of some kinds.
pub trait AstNode: Sized {
    fn can_cast(kind: SyntaxKind) -> bool;
    fn cast(syntax: SyntaxNode) -> Option<Self>;
    fn syntax(&self) -> &SyntaxNode;
}

/// The children of a node that are of type `N`.
#[derive(Debug, Clone)]
pub struct AstChildren<N> {
    inner: rowan::SyntaxNodeChildren<crate::NixLanguage>,
    _ty: PhantomData<N>,
}

impl<N: AstNode> Iterator for AstChildren<N> {
    type Item = N;

    fn next(&mut self) -> Option<N> {
        self.inner.find_map(N::cast)
    }
}

pub(crate) mod support {
    use super::*;

    pub(crate) fn children<N: AstNode>(parent: &SyntaxNode) -> AstChildren<N> {
        AstChildren { inner: parent.children(), _ty: PhantomData }
    }

    pub(crate) fn nth_child<N: AstNode>(parent: &SyntaxNode, n: usize) -> Option<N> {
        parent.children().filter_map(N::cast).nth(n)
    }

    pub(crate) fn token(parent: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxToken> {
        parent.children_with_tokens().filter_map(|e| e.into_token()).find(|t| t.kind() == kind)
    }
}
