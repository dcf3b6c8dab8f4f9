//! Syntax errors, and turning byte offsets into lines and columns.

use std::fmt;

use rowan::{TextRange, TextSize};

/// A syntax or validation error at a byte range of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub range: TextRange,
    /// An earlier place the message refers to ("already defined at ..."),
    /// shown after the message as `at FILE:LINE:COL`.
    pub previous: Option<TextRange>,
}

impl SyntaxError {
    pub fn new(message: String, range: TextRange) -> SyntaxError {
        SyntaxError { message, range, previous: None }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

impl miette::Diagnostic for SyntaxError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("neve::syntax"))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let start = usize::from(self.range.start());
        let len = usize::from(self.range.len());
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(Some("here".into()), (start, len)))))
    }
}

/// Line starts of a text, for turning offsets into 1-based lines and columns.
/// Columns count bytes, as CppNix's do. A line ends at `\n`, at `\r\n`, or at
/// a lone `\r`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<TextSize>,
    len: TextSize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![TextSize::from(0)];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(TextSize::from(i as u32 + 1)),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(TextSize::from(i as u32 + 1));
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts, len: TextSize::from(bytes.len() as u32) }
    }

    /// 1-based line and column of `offset`.
    pub fn line_col(&self, offset: TextSize) -> (u32, u32) {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line as u32 + 1, u32::from(offset - self.starts[line]) + 1)
    }

    /// The byte range of 1-based `line`, without its line terminator.
    pub fn line_range(&self, text: &str, line: u32) -> Option<TextRange> {
        let start = *self.starts.get(line.checked_sub(1)? as usize)?;
        let mut end = self.starts.get(line as usize).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[usize::from(end) - 1], b'\n' | b'\r') {
            end -= TextSize::from(1);
        }
        Some(TextRange::new(start, end))
    }

    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }
}

/// The lines around `offset` as CppNix prints them under an error: the line
/// before, the line itself, a caret under the column, and the line after.
/// Line numbers are right-aligned in five columns; trailing spaces are cut.
pub fn code_snippet(text: &str, index: &LineIndex, offset: TextSize) -> String {
    let (line, col) = index.line_col(offset);
    let mut out = String::new();
    let push_line = |out: &mut String, n: u32| {
        if let Some(range) = index.line_range(text, n) {
            let code = &text[range];
            let rendered = format!("        {n:>5}| {code}");
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(rendered.trim_end());
        }
    };
    if line > 1 {
        push_line(&mut out, line - 1);
    }
    push_line(&mut out, line);
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str("             |");
    out.push_str(&" ".repeat(col as usize));
    out.push('^');
    if line < index.line_count() {
        push_line(&mut out, line + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let idx = LineIndex::new("ab\ncd\r\nef\rg");
        assert_eq!(idx.line_col(0.into()), (1, 1));
        assert_eq!(idx.line_col(4.into()), (2, 2));
        assert_eq!(idx.line_col(7.into()), (3, 1));
        assert_eq!(idx.line_col(10.into()), (4, 1));
        assert_eq!(idx.line_range("ab\ncd\r\nef\rg", 2), Some(TextRange::new(3.into(), 5.into())));
    }
}
