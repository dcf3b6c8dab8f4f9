//! The source files of an evaluation and positions in them.

use std::cell::RefCell;
use std::path::PathBuf;

use neve_syntax::{LineIndex, TextSize};

/// A file's index in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId(pub u32);

/// A position: a file and a byte offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pos {
    pub file: FileId,
    pub offset: u32,
}

/// How a file is named in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    /// `-E` expressions and the like: CppNix prints `«string»`.
    String,
    Stdin,
    /// A file neve carries inside itself (`derivation`'s implementation):
    /// CppNix prints `«nix-internal»/NAME`.
    Internal(&'static str),
}

pub struct SourceFile {
    pub origin: Origin,
    /// The text as the parser saw it (see `neve_syntax::source` for input
    /// that is not UTF-8).
    pub text: String,
    pub lines: LineIndex,
}

/// Every file read during an evaluation.
#[derive(Default)]
pub struct SourceMap {
    files: RefCell<Vec<std::rc::Rc<SourceFile>>>,
}

impl SourceMap {
    pub fn add(&self, origin: Origin, text: String) -> FileId {
        let lines = LineIndex::new(&text);
        let mut files = self.files.borrow_mut();
        files.push(std::rc::Rc::new(SourceFile { origin, text, lines }));
        FileId(files.len() as u32 - 1)
    }

    pub fn file(&self, id: FileId) -> std::rc::Rc<SourceFile> {
        self.files.borrow()[id.0 as usize].clone()
    }

    /// 1-based line and column.
    pub fn line_col(&self, pos: Pos) -> (u32, u32) {
        self.file(pos.file).lines.line_col(TextSize::from(pos.offset))
    }

    /// The file's name as CppNix prints it in positions.
    pub fn origin_label(&self, id: FileId) -> String {
        match &self.file(id).origin {
            Origin::File(p) => p.display().to_string(),
            Origin::String => "«string»".to_string(),
            Origin::Stdin => "«stdin»".to_string(),
            Origin::Internal(name) => format!("«nix-internal»/{name}"),
        }
    }
}
