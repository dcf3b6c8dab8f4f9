//! Every kind of token and node in the syntax tree.

/// The kind of a token or node. Tokens come first, then nodes; `__LAST` bounds
/// the enum so a raw `u16` can be checked before it is turned back into a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
#[allow(non_camel_case_types)]
pub enum SyntaxKind {
    // Trivia.
    WHITESPACE = 0,
    COMMENT,
    /// A character no rule accepts.
    ERROR_TOKEN,

    // Keywords.
    ASSERT_KW,
    ELSE_KW,
    IF_KW,
    IN_KW,
    INHERIT_KW,
    LET_KW,
    OR_KW,
    REC_KW,
    THEN_KW,
    WITH_KW,

    // Punctuation.
    L_CURLY,
    R_CURLY,
    L_BRACK,
    R_BRACK,
    L_PAREN,
    R_PAREN,
    SEMICOLON,
    COMMA,
    DOT,
    ELLIPSIS,
    ASSIGN,
    COLON,
    AT,
    QUESTION,
    /// `${`, opening an interpolation or a dynamic attribute.
    DOLLAR_CURLY,

    // Operators.
    PLUS,
    MINUS,
    STAR,
    SLASH,
    CONCAT,
    UPDATE,
    EQ,
    NEQ,
    LT,
    LEQ,
    GT,
    GEQ,
    AND,
    OR,
    IMPL,
    BANG,
    PIPE_INTO,
    PIPE_FROM,

    // Literals.
    IDENT,
    INTEGER,
    FLOAT,
    URI,
    /// The first piece of a relative or absolute path (`./a`, `/x/`, `a/b`).
    PATH,
    /// The first piece of a home path (`~/x`).
    HPATH,
    /// A search path, `<nixpkgs/lib>`.
    SPATH,
    /// A later piece of an interpolated path (`/y` in `./${x}/y`).
    PATH_CONTENT,
    /// `"`
    DQUOTE,
    /// Text of a `"string"`, escapes included as written.
    STRING_CONTENT,
    /// `''`, with the spaces and newline that may follow it.
    IND_STRING_OPEN,
    /// The closing `''`.
    IND_STRING_CLOSE,
    /// Text of an `''indented string''` that takes part in indentation.
    IND_STRING_CONTENT,
    /// `''$`, `'''`, `''\x` and the lone `$` or `'`: text that does not.
    IND_STRING_ESCAPE,

    // Nodes.
    ROOT,
    /// A region the parser could not make sense of.
    ERROR,
    APPLY,
    ASSERT,
    ATTR_SET,
    BINARY_OP,
    HAS_ATTR,
    IDENT_EXPR,
    IF_ELSE,
    IND_STRING,
    LAMBDA,
    LEGACY_LET,
    LET_IN,
    LIST,
    LITERAL,
    PAREN,
    PATH_EXPR,
    SELECT,
    STRING,
    UNARY_OP,
    WITH,

    ATTRPATH,
    ATTRPATH_VALUE,
    DYNAMIC,
    INHERIT,
    INHERIT_FROM,
    INTERPOL,
    NAME,
    PARAM_IDENT,
    PATTERN,
    PAT_BIND,
    PAT_ENTRY,

    #[doc(hidden)]
    __LAST,
}

use SyntaxKind::*;

impl SyntaxKind {
    pub fn is_trivia(self) -> bool {
        matches!(self, WHITESPACE | COMMENT)
    }

    pub fn is_token(self) -> bool {
        (self as u16) < (ROOT as u16)
    }

    pub fn from_raw(raw: u16) -> SyntaxKind {
        assert!(raw < __LAST as u16, "invalid SyntaxKind {raw}");
        // SAFETY: `SyntaxKind` is `repr(u16)` with contiguous discriminants
        // from 0 to `__LAST`, and `raw` was checked to lie below `__LAST`.
        unsafe { std::mem::transmute::<u16, SyntaxKind>(raw) }
    }

    /// How CppNix's parser names this token in "unexpected ..." messages.
    pub fn describe(self) -> &'static str {
        match self {
            WHITESPACE => "whitespace",
            COMMENT => "comment",
            ERROR_TOKEN => "invalid token",
            ASSERT_KW => "'assert'",
            ELSE_KW => "'else'",
            IF_KW => "'if'",
            IN_KW => "'in'",
            INHERIT_KW => "'inherit'",
            LET_KW => "'let'",
            OR_KW => "'or'",
            REC_KW => "'rec'",
            THEN_KW => "'then'",
            WITH_KW => "'with'",
            L_CURLY => "'{'",
            R_CURLY => "'}'",
            L_BRACK => "'['",
            R_BRACK => "']'",
            L_PAREN => "'('",
            R_PAREN => "')'",
            SEMICOLON => "';'",
            COMMA => "','",
            DOT => "'.'",
            ELLIPSIS => "'...'",
            ASSIGN => "'='",
            COLON => "':'",
            AT => "'@'",
            QUESTION => "'?'",
            DOLLAR_CURLY => "'${'",
            PLUS => "'+'",
            MINUS => "'-'",
            STAR => "'*'",
            SLASH => "'/'",
            CONCAT => "'++'",
            UPDATE => "'//'",
            EQ => "'=='",
            NEQ => "'!='",
            LT => "'<'",
            LEQ => "'<='",
            GT => "'>'",
            GEQ => "'>='",
            AND => "'&&'",
            OR => "'||'",
            IMPL => "'->'",
            BANG => "'!'",
            PIPE_INTO => "'|>'",
            PIPE_FROM => "'<|'",
            IDENT => "identifier",
            INTEGER => "integer",
            FLOAT => "floating-point literal",
            URI => "URI",
            PATH => "path",
            HPATH => "'~/…' path",
            SPATH => "'<…>' path",
            PATH_CONTENT => "path",
            DQUOTE => "'\"'",
            STRING_CONTENT => "string",
            IND_STRING_OPEN => "start of an indented string",
            IND_STRING_CLOSE => "end of an indented string",
            IND_STRING_CONTENT | IND_STRING_ESCAPE => "indented string",
            _ => "syntax node",
        }
    }
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    fn from(kind: SyntaxKind) -> Self {
        rowan::SyntaxKind(kind as u16)
    }
}

/// The rowan language tag of Nix trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NixLanguage {}

impl rowan::Language for NixLanguage {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        SyntaxKind::from_raw(raw.0)
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        kind.into()
    }
}

pub type SyntaxNode = rowan::SyntaxNode<NixLanguage>;
pub type SyntaxToken = rowan::SyntaxToken<NixLanguage>;
pub type SyntaxElement = rowan::SyntaxElement<NixLanguage>;
