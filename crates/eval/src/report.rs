//! Errors and warnings rendered as CppNix renders them.

use neve_syntax::{code_snippet, TextSize};

use crate::error::{EvalError, TraceFrame};
use crate::source::Pos;
use crate::state::EvalState;

/// The code around `pos`, as CppNix prints it under a message.
pub fn snippet(state: &EvalState, pos: Pos) -> String {
    let (file, offset) = state.sources.resolve(pos);
    let file = state.sources.file(file);
    code_snippet(&file.text, &file.lines, TextSize::from(offset))
}

/// `error: ...` laid out as CppNix's `showErrorInfo` does: the trace frames,
/// outermost first (cut after a few unless `show_trace`, with runs of
/// repeated frames folded), then the message and its position.
pub fn render_error(state: &EvalState, e: &EvalError) -> String {
    let show_trace = state.settings.show_trace;
    // The text before indentation: every line is indented by seven spaces
    // at the end, the first one prefixed with `error: ` instead.
    let mut body = String::new();
    let frames = e.trace.frames();
    if !frames.is_empty() {
        let mut seen: Vec<&TraceFrame> = Vec::new();
        let mut skipped: Vec<&TraceFrame> = Vec::new();
        let mut count = 0usize;
        let mut truncate = false;
        for frame in frames.iter().rev() {
            if frame.message.is_empty() {
                continue;
            }
            if !show_trace && count > 3 {
                truncate = true;
            }
            if truncate && !frame.always {
                continue;
            }
            if seen.contains(&frame) {
                skipped.push(frame);
                continue;
            }
            seen.push(frame);
            flush_skipped(state, &mut body, &mut count, &mut skipped);
            count += 1;
            push_frame(state, &mut body, &mut count, frame);
        }
        flush_skipped(state, &mut body, &mut count, &mut skipped);
        if truncate {
            body.push_str("\n(stack trace truncated; use '--show-trace' to show the full, detailed trace)\n");
        }
        body.push_str("\nerror: ");
    }
    body.push_str(&e.message);
    body.push('\n');
    push_pos(state, &mut body, "", e.pos);
    if !e.suggestions.is_empty() {
        let names = match e.suggestions.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => format!("one of {} or {last}", init.join(", ")),
            [] => unreachable!(),
        };
        body.push_str(&format!("Did you mean {names}?\n"));
    }
    let mut out = indent("error: ", "       ", &body);
    if e.pos.is_none() && e.suggestions.is_empty() && e.message.ends_with('\n') {
        // CppNix wraps formatted arguments in colour codes, so a message
        // whose argument ends in a newline (TOML's errors) keeps an indented
        // last line holding only the reset code, which is blank once
        // colours are stripped.
        out.push_str("       \n");
    }
    if e.kind == crate::error::ErrorKind::Usage {
        // CppNix's `handleExceptions`, under the name the suite runs.
        out.push_str("Try 'nix-instantiate --help' for more information.\n");
    }
    out
}

/// A run of frames already shown: printed again when short, otherwise
/// summarised. (CppNix means to forget the frames seen after a summary, but
/// clears a copy of its set, so they stay seen; neve prints the same.)
fn flush_skipped(state: &EvalState, body: &mut String, count: &mut usize, skipped: &mut Vec<&TraceFrame>) {
    if skipped.is_empty() {
        return;
    }
    if skipped.len() <= 5 {
        for frame in skipped.iter() {
            push_frame(state, body, count, frame);
        }
    } else {
        body.push_str(&format!("\n({} duplicate frames omitted)\n", skipped.len()));
    }
    skipped.clear();
}

fn push_frame(state: &EvalState, body: &mut String, count: &mut usize, frame: &TraceFrame) {
    body.push_str("\n… ");
    body.push_str(&frame.message);
    body.push('\n');
    if push_pos(state, body, "  ", frame.pos) {
        *count += 1;
    }
}

/// `at FILE:LINE:COL:` and the code around it; whether there was a position.
fn push_pos(state: &EvalState, body: &mut String, indent: &str, pos: Option<Pos>) -> bool {
    let Some(pos) = pos else { return false };
    body.push_str(indent);
    body.push_str("at ");
    body.push_str(&state.show_pos(Some(pos)));
    body.push(':');
    for line in snippet(state, pos).lines() {
        body.push('\n');
        // The snippet comes indented for a top-level message.
        body.push_str(line.get(7..).unwrap_or(""));
    }
    body.push('\n');
    true
}

/// Prefixes the first line with `first` and the others with `rest`, cutting
/// trailing whitespace of every line (CppNix's `indent` after `chomp`).
fn indent(first: &str, rest: &str, text: &str) -> String {
    let text = text.trim_end();
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let start = out.len();
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(line);
        let trimmed = out[start..].trim_end().len();
        out.truncate(start + trimmed);
    }
    out.push('\n');
    out
}

/// `builtins.warn`'s message: continuation lines under the text, unless the
/// message starts on a new line (CppNix's `noIndent`).
pub fn render_eval_warning(message: &str) -> String {
    let prefix = "evaluation warning: ";
    let text = format!("{message}\n");
    if message.starts_with('\n') {
        format!("{}{}\n", prefix.trim_end(), text.trim_end())
    } else {
        indent(prefix, &" ".repeat(prefix.len()), &text)
    }
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
