//! The trace frame CppNix adds when a strict builtin's argument has the
//! wrong type: `… while evaluating the argument passed to builtins.attrNames`.
//! (Builtins written as natives add their frames themselves, with
//! `builtins::args::force_*`.)
//! The texts are CppNix's (`primops.cc`), which are not uniform, hence a
//! table: builtin name, argument index, frame text.

use crate::error::EvalError;
use crate::value::Value;

static ARG_CONTEXTS: &[(&str, usize, &str)] = &[
    ("attrNames", 0, "while evaluating the argument passed to builtins.attrNames"),
    ("attrValues", 0, "while evaluating the argument passed to builtins.attrValues"),
    ("bitAnd", 0, "while evaluating the first argument passed to builtins.bitAnd"),
    ("bitAnd", 1, "while evaluating the second argument passed to builtins.bitAnd"),
    ("bitOr", 0, "while evaluating the first argument passed to builtins.bitOr"),
    ("bitOr", 1, "while evaluating the second argument passed to builtins.bitOr"),
    ("bitXor", 0, "while evaluating the first argument passed to builtins.bitXor"),
    ("bitXor", 1, "while evaluating the second argument passed to builtins.bitXor"),
    ("ceil", 0, "while evaluating the first argument passed to builtins.ceil"),
    ("compareVersions", 0, "while evaluating the first argument passed to builtins.compareVersions"),
    ("compareVersions", 1, "while evaluating the second argument passed to builtins.compareVersions"),
    (
        "concatStringsSep",
        0,
        "while evaluating the first argument (the separator string) passed to builtins.concatStringsSep",
    ),
    (
        "concatStringsSep",
        1,
        "while evaluating the second argument (the list of strings to concat) passed to builtins.concatStringsSep",
    ),
    ("dirOf", 0, "while evaluating the first argument passed to 'builtins.dirOf'"),
    ("floor", 0, "while evaluating the first argument passed to builtins.floor"),
    ("fromTOML", 0, "while evaluating the argument passed to builtins.fromTOML"),
    ("getEnv", 0, "while evaluating the first argument passed to builtins.getEnv"),
    ("hasAttr", 0, "while evaluating the first argument passed to builtins.hasAttr"),
    ("hasAttr", 1, "while evaluating the second argument passed to builtins.hasAttr"),
    ("hasContext", 0, "while evaluating the argument passed to builtins.hasContext"),
    ("hashString", 0, "while evaluating the first argument passed to builtins.hashString"),
    ("hashString", 1, "while evaluating the second argument passed to builtins.hashString"),
    ("head", 0, "while evaluating the first argument passed to 'builtins.head'"),
    ("intersectAttrs", 0, "while evaluating the first argument passed to builtins.intersectAttrs"),
    ("intersectAttrs", 1, "while evaluating the second argument passed to builtins.intersectAttrs"),
    ("length", 0, "while evaluating the first argument passed to builtins.length"),
    ("match", 0, "while evaluating the first argument passed to builtins.match"),
    ("match", 1, "while evaluating the second argument passed to builtins.match"),
    ("parseDrvName", 0, "while evaluating the first argument passed to builtins.parseDrvName"),
    ("placeholder", 0, "while evaluating the first argument passed to builtins.placeholder"),
    ("split", 0, "while evaluating the first argument passed to builtins.split"),
    ("split", 1, "while evaluating the second argument passed to builtins.split"),
    ("splitVersion", 0, "while evaluating the first argument passed to builtins.splitVersion"),
    ("tail", 0, "while evaluating the first argument passed to 'builtins.tail'"),
    (
        "unsafeDiscardOutputDependency",
        0,
        "while evaluating the argument passed to builtins.unsafeDiscardOutputDependency",
    ),
    ("unsafeDiscardStringContext", 0, "while evaluating the argument passed to builtins.unsafeDiscardStringContext"),
    ("unsafeGetAttrPos", 0, "while evaluating the first argument passed to builtins.unsafeGetAttrPos"),
    ("unsafeGetAttrPos", 1, "while evaluating the second argument passed to builtins.unsafeGetAttrPos"),
];

/// Adds the argument frame to a type error that `op` raised itself about
/// one of its arguments: the first argument with a frame whose value has
/// the type the message says was found.
pub fn blame_argument(mut e: EvalError, op: &str, args: &[Value]) -> EvalError {
    if !e.trace.is_empty() || e.pos.is_some() || !e.message.starts_with("expected ") {
        return e;
    }
    let Some(found) = e.message.split_once(" but found ").and_then(|(_, rest)| rest.split(':').next()) else {
        return e;
    };
    let found = found.to_string();
    let start = ARG_CONTEXTS.partition_point(|(name, _, _)| *name < op);
    for (_, index, text) in ARG_CONTEXTS[start..].iter().take_while(|(name, _, _)| *name == op) {
        let Some(arg) = args.get(*index) else { continue };
        let arg = arg.resolved().unwrap_or_else(|| arg.clone());
        if arg.type_description() == found {
            e.push_frame(*text, None);
            break;
        }
    }
    e
}
