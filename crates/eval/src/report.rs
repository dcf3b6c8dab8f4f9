//! Errors and warnings rendered as CppNix renders them.

use neve_syntax::{code_snippet, TextSize};

use crate::error::EvalError;
use crate::source::Pos;
use crate::state::EvalState;

/// The code around `pos`, as CppNix prints it under a message.
pub fn snippet(state: &EvalState, pos: Pos) -> String {
    let file = state.sources.file(pos.file);
    code_snippet(&file.text, &file.lines, TextSize::from(pos.offset))
}

/// `error: ...`, the trace when `show_trace` is set, then the position and
/// the code around it.
pub fn render_error(state: &EvalState, e: &EvalError) -> String {
    let mut out = String::new();
    let show_trace = state.settings.show_trace && !e.trace.is_empty();
    if show_trace {
        out.push_str("error:\n");
        for frame in e.trace.iter().rev() {
            // Continuation lines of a message line up under its text.
            out.push_str(&format!("       … {}\n", frame.message.replace('\n', "\n       ")));
            if let Some(pos) = frame.pos {
                out.push_str(&format!("         at {}:\n", state.show_pos(Some(pos))));
                out.push_str(&snippet(state, pos));
                out.push('\n');
            }
            out.push('\n');
        }
        out.push_str(&format!("       error: {}", e.message));
    } else {
        out.push_str(&format!("error: {}", e.message));
    }
    out.push('\n');
    if let Some(pos) = e.pos {
        out.push_str(&format!("       at {}:\n", state.show_pos(Some(pos))));
        out.push_str(&snippet(state, pos));
        out.push('\n');
    }
    out
}

/// `warning: ...` with the position and code, indented as CppNix does.
pub fn render_warning(state: &EvalState, message: &str, pos: Option<Pos>) -> String {
    let mut out = format!("warning: {message}\n");
    if let Some(pos) = pos {
        out.push_str(&format!("         at {}:\n", state.show_pos(Some(pos))));
        for line in snippet(state, pos).lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
