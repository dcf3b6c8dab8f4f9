//! Hand-written AST accessors: what the grammar file cannot express.

use super::*;
use crate::SyntaxKind::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOpKind {
    Implication,
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    LessOrEq,
    Greater,
    GreaterOrEq,
    Update,
    Add,
    Sub,
    Mul,
    Div,
    Concat,
    PipeInto,
    PipeFrom,
}

impl BinaryOpKind {
    fn from_kind(kind: SyntaxKind) -> Option<BinaryOpKind> {
        Some(match kind {
            IMPL => BinaryOpKind::Implication,
            OR => BinaryOpKind::Or,
            AND => BinaryOpKind::And,
            EQ => BinaryOpKind::Equal,
            NEQ => BinaryOpKind::NotEqual,
            LT => BinaryOpKind::Less,
            LEQ => BinaryOpKind::LessOrEq,
            GT => BinaryOpKind::Greater,
            GEQ => BinaryOpKind::GreaterOrEq,
            UPDATE => BinaryOpKind::Update,
            PLUS => BinaryOpKind::Add,
            MINUS => BinaryOpKind::Sub,
            STAR => BinaryOpKind::Mul,
            SLASH => BinaryOpKind::Div,
            CONCAT => BinaryOpKind::Concat,
            PIPE_INTO => BinaryOpKind::PipeInto,
            PIPE_FROM => BinaryOpKind::PipeFrom,
            _ => return None,
        })
    }
}

impl BinaryOp {
    /// The operator token and what it means.
    pub fn operator(&self) -> Option<(SyntaxToken, BinaryOpKind)> {
        self.syntax
            .children_with_tokens()
            .filter_map(|e| e.into_token())
            .find_map(|t| BinaryOpKind::from_kind(t.kind()).map(|k| (t, k)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOpKind {
    Not,
    Negate,
}

impl UnaryOp {
    pub fn operator(&self) -> Option<(SyntaxToken, UnaryOpKind)> {
        let t = self.syntax.first_token()?;
        match t.kind() {
            BANG => Some((t, UnaryOpKind::Not)),
            MINUS => Some((t, UnaryOpKind::Negate)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LiteralKind {
    Integer(Option<i64>),
    Float(f64),
    Uri,
}

impl Literal {
    pub fn token(&self) -> Option<SyntaxToken> {
        self.syntax.first_token()
    }

    /// The literal's value; `Integer(None)` for an integer too large for i64
    /// (already reported as a syntax error).
    pub fn kind(&self) -> Option<LiteralKind> {
        let t = self.token()?;
        Some(match t.kind() {
            INTEGER => LiteralKind::Integer(t.text().parse().ok()),
            FLOAT => LiteralKind::Float(t.text().parse().unwrap_or(f64::INFINITY)),
            URI => LiteralKind::Uri,
            _ => return None,
        })
    }
}

impl Name {
    /// The identifier (or `or`) token.
    pub fn token(&self) -> Option<SyntaxToken> {
        self.syntax.first_token().filter(|t| matches!(t.kind(), IDENT | OR_KW))
    }
}

impl IdentExpr {
    pub fn token(&self) -> Option<SyntaxToken> {
        self.syntax.first_token().filter(|t| matches!(t.kind(), IDENT | OR_KW))
    }
}

/// A piece of a string or path: literal text (as written, escapes included)
/// or an interpolation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolPart {
    Literal(SyntaxToken),
    Interpolation(Interpol),
}

fn parts(node: &SyntaxNode, literal: fn(SyntaxKind) -> bool) -> impl Iterator<Item = InterpolPart> {
    node.children_with_tokens().filter_map(move |e| match e {
        rowan::NodeOrToken::Token(t) if literal(t.kind()) => Some(InterpolPart::Literal(t)),
        rowan::NodeOrToken::Node(n) => Interpol::cast(n).map(InterpolPart::Interpolation),
        _ => None,
    })
}

impl Str {
    pub fn parts(&self) -> impl Iterator<Item = InterpolPart> {
        parts(&self.syntax, |k| k == STRING_CONTENT)
    }

    /// The string's value when it has no interpolation.
    pub fn static_value(&self) -> Option<String> {
        let mut out = String::new();
        for part in self.parts() {
            match part {
                InterpolPart::Literal(t) => unescape_string(t.text(), &mut out),
                InterpolPart::Interpolation(_) => return None,
            }
        }
        Some(out)
    }
}

/// Undoes the escapes of a `"string"` piece: `\n`, `\r`, `\t`, and `\c` for
/// any other `c`. Line ends written as CR or CRLF become LF.
pub fn unescape_string(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('\r') => {
                    out.push('\n');
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                }
                Some(other) => out.push(other),
                None => {}
            },
            '\r' => {
                out.push('\n');
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
}

impl IndString {
    pub fn parts(&self) -> impl Iterator<Item = InterpolPart> {
        parts(&self.syntax, |k| matches!(k, IND_STRING_CONTENT | IND_STRING_ESCAPE))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    /// `./a`, `a/b`
    Relative,
    /// `/a`
    Absolute,
    /// `~/a`
    Home,
    /// `<a>`
    Search,
}

impl PathExpr {
    pub fn kind(&self) -> Option<PathKind> {
        let t = self.syntax.first_token()?;
        Some(match t.kind() {
            HPATH => PathKind::Home,
            SPATH => PathKind::Search,
            PATH if t.text().starts_with('/') => PathKind::Absolute,
            PATH => PathKind::Relative,
            _ => return None,
        })
    }

    pub fn parts(&self) -> impl Iterator<Item = InterpolPart> {
        parts(&self.syntax, |k| matches!(k, PATH | HPATH | SPATH | PATH_CONTENT))
    }
}

impl Attr {
    /// The attribute's name when it is known without evaluation. As in
    /// CppNix, `${"a"}` (a plain string literal, perhaps in parentheses) is
    /// as static as `a`.
    pub fn static_name(&self) -> Option<String> {
        match self {
            Attr::Name(n) => n.token().map(|t| t.text().to_string()),
            Attr::Str(s) => s.static_value(),
            Attr::Dynamic(d) => match d.expr()?.strip_parens()? {
                Expr::Str(s) => s.static_value(),
                _ => None,
            },
        }
    }
}

impl Expr {
    /// The expression inside any number of parentheses.
    pub fn strip_parens(self) -> Option<Expr> {
        let mut e = self;
        while let Expr::Paren(p) = e {
            e = p.expr()?;
        }
        Some(e)
    }
}

impl Pattern {
    /// The name bound with `@`, before or after the braces.
    pub fn bind_name(&self) -> Option<Name> {
        self.pat_bind()?.name()
    }
}

impl Inherit {
    pub fn from(&self) -> Option<Expr> {
        self.inherit_from()?.expr()
    }
}
