//! From source to a value: parse, check, lower, compile, and wrap the file's
//! code in a thunk.

use std::path::Path;

use crate::compiler::{compile, CompileInput};
use crate::error::{ErrorKind, EvalError, EvalResult};
use crate::hir;
use crate::source::{FileId, Origin};
use crate::state::EvalState;
use crate::value::{Attrs, Env, Thunk, ThunkState, Value};

/// Loads a file as an unevaluated value.
pub fn load_file(state: &EvalState, path: &Path) -> EvalResult<Value> {
    load_file_in_scope(state, path, None)
}

/// Loads a file whose free variables may also name attributes of `scope`
/// (`scopedImport`): they shadow the globals, as a `let` around the file
/// would.
pub fn load_file_in_scope(state: &EvalState, path: &Path, scope: Option<&Attrs>) -> EvalResult<Value> {
    let builtin = crate::builtins::corepkg(path.as_os_str().as_encoded_bytes());
    let bytes = match builtin {
        Some(text) => Ok(text.as_bytes().to_vec()),
        None => state.io.read_file(path),
    };
    let bytes = bytes.map_err(|e| {
        EvalError::eval(format!("opening file '{}': {}", path.display(), crate::io::describe_error(&e)))
    })?;
    let base = path.parent().unwrap_or(Path::new("/"));
    load_source_in_scope(state, Origin::File(path.to_path_buf()), &bytes, base, scope).map(|(value, _)| value)
}

/// Loads source text (a file's or an `-E` expression's) as an unevaluated
/// value; relative paths in it are resolved against `base_dir`.
pub fn load_source(state: &EvalState, origin: Origin, bytes: &[u8], base_dir: &Path) -> EvalResult<Value> {
    load_source_in_scope(state, origin, bytes, base_dir, None).map(|(value, _)| value)
}

/// Loads one of neve's own Nix files, whose free variables may also name
/// the attributes of `scope` (native helpers only that file sees); gives
/// the file's id too, for positions in it.
pub(crate) fn load_internal(state: &EvalState, name: &'static str, text: &str, scope: &Attrs) -> (Value, FileId) {
    load_source_in_scope(state, Origin::Internal(name), text.as_bytes(), "/".as_ref(), Some(scope))
        .unwrap_or_else(|e| panic!("neve's own {name} does not load: {}", e.message))
}

fn load_source_in_scope(
    state: &EvalState,
    origin: Origin,
    bytes: &[u8],
    base_dir: &Path,
    scope: Option<&Attrs>,
) -> EvalResult<(Value, FileId)> {
    let parse = neve_syntax::parse_bytes(bytes);
    let text = parse.syntax().text().to_string();
    let file = state.sources.add(origin, text.clone());
    if let Some(e) = parse.errors().first() {
        return Err(syntax_error(state, file, e));
    }
    let names: Vec<_> = scope.map(|s| s.iter().map(|a| a.name).collect()).unwrap_or_default();
    let lowered = state.with_interner(|interner| {
        hir::lower_in_scope(&parse, interner, &|name| state.settings.globals.is_global(name), &names)
    });
    report_lints(state, file, &lowered.lints)?;
    if let Some(e) = lowered.errors.first() {
        return Err(syntax_error(state, file, e));
    }
    let home = state.io.get_env("HOME");
    let globals = |name| state.global(name);
    let input = CompileInput {
        hir: &lowered.hir,
        start: state.sources.pos(file, 0),
        base_dir,
        home: home.as_deref(),
        text: &text,
        globals: &globals,
    };
    let chunk = state.with_interner(|interner| compile(&input, interner));
    let env = Env::new(None, names.len());
    for (slot, attr) in scope.into_iter().flat_map(|s| s.iter()).enumerate() {
        env.set(slot as u32, attr.value.clone());
    }
    Ok((Thunk::new(ThunkState::Suspended { chunk, env }), file))
}

/// Reports what the settings ask about; a fatal lint is a parse error.
fn report_lints(state: &EvalState, file: FileId, lints: &[hir::Lint]) -> EvalResult<()> {
    use crate::hir::LintKind;
    use crate::state::LintLevel;
    let s = &state.settings;
    for lint in lints {
        let pos = state.sources.pos(file, lint.range.start().into());
        let text = &lint.text;
        let (level, message) = match lint.kind {
            LintKind::CursedOr => {
                state.io.warn(&format!(
                    "warning: at {}: This expression uses `or` as an identifier in a way that will change in a future Nix release.\n\
                     Wrap this entire expression in parentheses to preserve its current meaning:\n    ({text})\n\
                     Give feedback at https://github.com/NixOS/nix/pull/11121\n",
                    state.show_pos(Some(pos))
                ));
                continue;
            }
            LintKind::PipeOperator => {
                if s.globals.experimental_features.iter().any(|f| f == "pipe-operators") {
                    continue;
                }
                let message = "experimental Nix feature 'pipe-operators' is disabled; add '--extra-experimental-features pipe-operators' to enable it";
                return Err(EvalError::new(ErrorKind::Parse, message).at(pos));
            }
            LintKind::ShortPath => (
                s.lint_short_path_literals,
                format!(
                    "relative path literal '{text}' should be prefixed with '.' for clarity: './{text}' (lint-short-path-literals)"
                ),
            ),
            LintKind::AbsolutePath => (
                s.lint_absolute_path_literals,
                format!("absolute path literals are not portable. Consider replacing path literal '{text}' by a string, relative path, or parameter (lint-absolute-path-literals)"),
            ),
            LintKind::HomePath => (
                s.lint_absolute_path_literals,
                format!("home path literals are not portable. Consider replacing path literal '{text}' by a string, relative path, or parameter (lint-absolute-path-literals)"),
            ),
            LintKind::Url => (
                s.lint_url_literals,
                format!("URL literals are {} Consider using a string literal \"{text}\" instead (lint-url-literals)", if s.lint_url_literals == LintLevel::Fatal { "disallowed." } else { "discouraged." }),
            ),
        };
        match level {
            LintLevel::Off => {}
            LintLevel::Warn => state.io.warn(&crate::report::render_warning(state, &message, Some(pos))),
            LintLevel::Fatal => return Err(EvalError::new(ErrorKind::Parse, message).at(pos)),
        }
    }
    Ok(())
}

fn syntax_error(state: &EvalState, file: FileId, e: &neve_syntax::SyntaxError) -> EvalError {
    let mut message = e.message.clone();
    if let Some(prev) = e.previous {
        let pos = state.sources.pos(file, prev.start().into());
        message.push_str(&format!(" at {}", state.show_pos(Some(pos))));
    }
    EvalError::new(ErrorKind::Parse, message).at(state.sources.pos(file, e.range.start().into()))
}
