//! neve-ide: analyses behind the language server (diagnostics, definitions,
//! references, completion). It stands on the same parser and scope analysis as
//! the evaluator. Empty for now: the language server is a later issue.
