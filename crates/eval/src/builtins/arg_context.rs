//! The trace frame CppNix adds when a builtin's argument has the wrong
//! type: `… while evaluating the first argument passed to builtins.map`.
//! The texts are CppNix's (`primops.cc`), which are not uniform, hence a
//! table: builtin name, argument index, frame text.

use crate::error::EvalError;
use crate::value::Value;

static ARG_CONTEXTS: &[(&str, usize, &str)] = &[
    ("addDrvOutputDependencies", 0, "while evaluating the argument passed to builtins.addDrvOutputDependencies"),
    ("all", 0, "while evaluating the first argument passed to builtins.all"),
    ("all", 1, "while evaluating the second argument passed to builtins.all"),
    ("any", 0, "while evaluating the first argument passed to builtins.any"),
    ("any", 1, "while evaluating the second argument passed to builtins.any"),
    ("appendContext", 0, "while evaluating the first argument passed to builtins.appendContext"),
    ("appendContext", 1, "while evaluating the second argument passed to builtins.appendContext"),
    ("attrNames", 0, "while evaluating the argument passed to builtins.attrNames"),
    ("attrValues", 0, "while evaluating the argument passed to builtins.attrValues"),
    ("baseNameOf", 0, "while evaluating the first argument passed to builtins.baseNameOf"),
    ("bitAnd", 0, "while evaluating the first argument passed to builtins.bitAnd"),
    ("bitAnd", 1, "while evaluating the second argument passed to builtins.bitAnd"),
    ("bitOr", 0, "while evaluating the first argument passed to builtins.bitOr"),
    ("bitOr", 1, "while evaluating the second argument passed to builtins.bitOr"),
    ("bitXor", 0, "while evaluating the first argument passed to builtins.bitXor"),
    ("bitXor", 1, "while evaluating the second argument passed to builtins.bitXor"),
    ("catAttrs", 0, "while evaluating the first argument passed to builtins.catAttrs"),
    ("catAttrs", 1, "while evaluating the second argument passed to builtins.catAttrs"),
    ("ceil", 0, "while evaluating the first argument passed to builtins.ceil"),
    ("compareVersions", 0, "while evaluating the first argument passed to builtins.compareVersions"),
    ("compareVersions", 1, "while evaluating the second argument passed to builtins.compareVersions"),
    ("concatLists", 0, "while evaluating the first argument passed to builtins.concatLists"),
    ("concatMap", 0, "while evaluating the first argument passed to builtins.concatMap"),
    ("concatMap", 1, "while evaluating the second argument passed to builtins.concatMap"),
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
    ("convertHash", 0, "while evaluating the first argument passed to builtins.convertHash"),
    ("derivationStrict", 0, "while evaluating the argument passed to builtins.derivationStrict"),
    ("dirOf", 0, "while evaluating the first argument passed to 'builtins.dirOf'"),
    ("elem", 1, "while evaluating the second argument passed to builtins.elem"),
    ("elemAt", 0, "while evaluating the first argument passed to 'builtins.elemAt'"),
    ("elemAt", 1, "while evaluating the second argument passed to 'builtins.elemAt'"),
    ("exec", 0, "while evaluating the first argument passed to builtins.exec"),
    ("filter", 0, "while evaluating the first argument passed to builtins.filter"),
    ("filter", 1, "while evaluating the second argument passed to builtins.filter"),
    ("filterSource", 0, "while evaluating the first argument passed to builtins.filterSource"),
    ("filterSource", 1, "while evaluating the second argument (the path to filter) passed to 'builtins.filterSource'"),
    ("findFile", 0, "while evaluating the first argument passed to builtins.findFile"),
    ("findFile", 1, "while evaluating the second argument passed to builtins.findFile"),
    ("floor", 0, "while evaluating the first argument passed to builtins.floor"),
    ("foldl'", 0, "while evaluating the first argument passed to builtins.foldlStrict"),
    ("foldl'", 2, "while evaluating the third argument passed to builtins.foldlStrict"),
    ("fromJSON", 0, "while evaluating the first argument passed to builtins.fromJSON"),
    ("fromTOML", 0, "while evaluating the argument passed to builtins.fromTOML"),
    ("genList", 0, "while evaluating the first argument passed to builtins.genList"),
    ("genList", 1, "while evaluating the second argument passed to builtins.genList"),
    ("genericClosure", 0, "while evaluating the first argument passed to builtins.genericClosure"),
    ("getAttr", 0, "while evaluating the first argument passed to builtins.getAttr"),
    ("getAttr", 1, "while evaluating the second argument passed to builtins.getAttr"),
    ("getContext", 0, "while evaluating the argument passed to builtins.getContext"),
    ("getEnv", 0, "while evaluating the first argument passed to builtins.getEnv"),
    ("groupBy", 0, "while evaluating the first argument passed to builtins.groupBy"),
    ("groupBy", 1, "while evaluating the second argument passed to builtins.groupBy"),
    ("hasAttr", 0, "while evaluating the first argument passed to builtins.hasAttr"),
    ("hasAttr", 1, "while evaluating the second argument passed to builtins.hasAttr"),
    ("hasContext", 0, "while evaluating the argument passed to builtins.hasContext"),
    ("hashFile", 0, "while evaluating the first argument passed to builtins.hashFile"),
    ("hashString", 0, "while evaluating the first argument passed to builtins.hashString"),
    ("hashString", 1, "while evaluating the second argument passed to builtins.hashString"),
    ("head", 0, "while evaluating the first argument passed to 'builtins.head'"),
    ("importNative", 1, "while evaluating the second argument passed to builtins.importNative"),
    ("intersectAttrs", 0, "while evaluating the first argument passed to builtins.intersectAttrs"),
    ("intersectAttrs", 1, "while evaluating the second argument passed to builtins.intersectAttrs"),
    ("length", 0, "while evaluating the first argument passed to builtins.length"),
    ("listToAttrs", 0, "while evaluating the argument passed to builtins.listToAttrs"),
    ("map", 0, "while evaluating the first argument passed to builtins.map"),
    ("map", 1, "while evaluating the second argument passed to builtins.map"),
    ("mapAttrs", 1, "while evaluating the second argument passed to builtins.mapAttrs"),
    ("match", 0, "while evaluating the first argument passed to builtins.match"),
    ("match", 1, "while evaluating the second argument passed to builtins.match"),
    ("parseDrvName", 0, "while evaluating the first argument passed to builtins.parseDrvName"),
    ("partition", 0, "while evaluating the first argument passed to builtins.partition"),
    ("partition", 1, "while evaluating the second argument passed to builtins.partition"),
    ("path", 0, "while evaluating the argument passed to 'builtins.path'"),
    ("placeholder", 0, "while evaluating the first argument passed to builtins.placeholder"),
    ("removeAttrs", 0, "while evaluating the first argument passed to builtins.removeAttrs"),
    ("removeAttrs", 1, "while evaluating the second argument passed to builtins.removeAttrs"),
    ("replaceStrings", 0, "while evaluating the first argument passed to builtins.replaceStrings"),
    ("replaceStrings", 1, "while evaluating the second argument passed to builtins.replaceStrings"),
    ("replaceStrings", 2, "while evaluating the third argument passed to builtins.replaceStrings"),
    ("scopedImport", 0, "while evaluating the first argument passed to builtins.scopedImport"),
    ("sort", 0, "while evaluating the first argument passed to builtins.sort"),
    ("sort", 1, "while evaluating the second argument passed to builtins.sort"),
    ("split", 0, "while evaluating the first argument passed to builtins.split"),
    ("split", 1, "while evaluating the second argument passed to builtins.split"),
    ("splitVersion", 0, "while evaluating the first argument passed to builtins.splitVersion"),
    ("storePath", 0, "while evaluating the first argument passed to 'builtins.storePath'"),
    ("stringLength", 0, "while evaluating the argument passed to builtins.stringLength"),
    ("substring", 0, "while evaluating the first argument (the start offset) passed to builtins.substring"),
    ("substring", 1, "while evaluating the second argument (the substring length) passed to builtins.substring"),
    ("substring", 2, "while evaluating the third argument (the string) passed to builtins.substring"),
    ("tail", 0, "while evaluating the first argument passed to 'builtins.tail'"),
    ("toFile", 0, "while evaluating the first argument passed to builtins.toFile"),
    ("toFile", 1, "while evaluating the second argument passed to builtins.toFile"),
    ("toPath", 0, "while evaluating the first argument passed to builtins.toPath"),
    ("toString", 0, "while evaluating the first argument passed to builtins.toString"),
    (
        "unsafeDiscardOutputDependency",
        0,
        "while evaluating the argument passed to builtins.unsafeDiscardOutputDependency",
    ),
    ("unsafeDiscardStringContext", 0, "while evaluating the argument passed to builtins.unsafeDiscardStringContext"),
    ("unsafeGetAttrPos", 0, "while evaluating the first argument passed to builtins.unsafeGetAttrPos"),
    ("unsafeGetAttrPos", 1, "while evaluating the second argument passed to builtins.unsafeGetAttrPos"),
    ("zipAttrsWith", 0, "while evaluating the first argument passed to builtins.zipAttrsWith"),
    ("zipAttrsWith", 1, "while evaluating the second argument passed to builtins.zipAttrsWith"),
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
