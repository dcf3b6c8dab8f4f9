//! The source files of an evaluation and positions in them.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::rc::Rc;

use neve_syntax::{LineIndex, TextSize};

/// A file's index in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId(pub u32);

/// A position: one number in the evaluation's position space (as CppNix's
/// `PosIdx`). Each file added to the [`SourceMap`] takes a range of its own,
/// one number per byte and one for its end, so a position is the file's
/// start plus a byte offset, and [`SourceMap::resolve`] finds the file
/// again. Four bytes, and `Option<Pos>` too (positions are never zero):
/// every attribute of every set carries one.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos(NonZeroU32);

impl Pos {
    /// The position `offset` bytes further in the same file.
    pub fn plus(self, offset: u32) -> Pos {
        Pos(self.0.checked_add(offset).expect("an offset within the file"))
    }
}

impl fmt::Debug for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pos({})", self.0)
    }
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
    /// The position of its first byte.
    pub start: Pos,
}

/// Every file read during an evaluation, in the order read; their ranges of
/// positions follow each other in the same order.
pub struct SourceMap {
    files: RefCell<Vec<Rc<SourceFile>>>,
    /// Where the next file's positions start.
    next: Cell<NonZeroU32>,
}

impl Default for SourceMap {
    fn default() -> SourceMap {
        SourceMap { files: RefCell::default(), next: Cell::new(NonZeroU32::MIN) }
    }
}

impl SourceMap {
    pub fn add(&self, origin: Origin, text: String) -> FileId {
        let lines = LineIndex::new(&text);
        let start = self.next.get();
        // The text's bytes and its end.
        let size = u32::try_from(text.len()).ok().and_then(|n| n.checked_add(1));
        let next = size.and_then(|n| start.checked_add(n));
        self.next.set(next.expect("the files of one evaluation take less than 4 GiB"));
        let mut files = self.files.borrow_mut();
        files.push(Rc::new(SourceFile { origin, text, lines, start: Pos(start) }));
        FileId(files.len() as u32 - 1)
    }

    pub fn file(&self, id: FileId) -> Rc<SourceFile> {
        self.files.borrow()[id.0 as usize].clone()
    }

    /// The position of byte `offset` of a file.
    pub fn pos(&self, id: FileId, offset: u32) -> Pos {
        self.files.borrow()[id.0 as usize].start.plus(offset)
    }

    /// The file a position is in and its byte offset there.
    pub fn resolve(&self, pos: Pos) -> (FileId, u32) {
        let files = self.files.borrow();
        let i = files.partition_point(|f| f.start <= pos);
        let i = i.checked_sub(1).expect("positions come from the files of the evaluation");
        (FileId(i as u32), pos.0.get() - files[i].start.0.get())
    }

    /// 1-based line and column.
    pub fn line_col(&self, pos: Pos) -> (u32, u32) {
        let (file, offset) = self.resolve(pos);
        self.file(file).lines.line_col(TextSize::from(offset))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_four_bytes() {
        assert_eq!(std::mem::size_of::<Option<Pos>>(), 4);
    }

    #[test]
    fn positions_resolve_to_their_file_and_offset() {
        let map = SourceMap::default();
        let a = map.add(Origin::String, "abc".to_string());
        let b = map.add(Origin::Stdin, String::new());
        let c = map.add(Origin::String, "x = 1;".to_string());
        for (file, len) in [(a, 3), (b, 0), (c, 6)] {
            for offset in 0..=len {
                assert_eq!(map.resolve(map.pos(file, offset)), (file, offset));
            }
        }
    }
}
