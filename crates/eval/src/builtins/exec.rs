//! `builtins.exec` (only with `allow-unsafe-native-code-during-evaluation`):
//! runs a program through `EvalIo::run_program` and evaluates what it
//! prints as a Nix expression, as CppNix's `prim_exec`. (`importNative` is
//! in `import_native.rs`.)

use std::path::Path;

use super::args::{err, force_list};
use super::{native, PrimOp};
use crate::coerce::{coerce_to_string_in, CoerceMode};
use crate::io::ProgramStatus;
use crate::source::Origin;
use crate::value::Value;
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("exec", 1, exec)];

fn exec(co: Co, args: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = force_list(&co, &args[0], "while evaluating the first argument passed to builtins.exec").await?;
        let items: Vec<Value> = list.as_slice().to_vec();
        if items.is_empty() {
            return Err(err("at least one argument to 'exec' required"));
        }
        let mut words = Vec::with_capacity(items.len());
        let mut has_context = false;
        for (i, item) in items.into_iter().enumerate() {
            let frame = if i == 0 {
                "while evaluating the first element of the argument passed to builtins.exec"
            } else {
                "while evaluating an element of the argument passed to builtins.exec"
            };
            let s = coerce_to_string_in(&co, item, CoerceMode::PathSegment, frame, None).await?;
            has_context |= s.context().is_some_and(|c| c.iter().next().is_some());
            words.push(s.as_bytes().to_vec());
        }
        let program = String::from_utf8_lossy(&words[0]).into_owned();
        if has_context {
            // CppNix would build the store paths first (`realiseContext`).
            return Err(err(format!("cannot execute '{program}': neve cannot realise the store paths it refers to")));
        }
        let (status, output) = match co.state.io.run_program(&words[0], &words[1..]) {
            Ok(r) => r,
            // CppNix's forked child reports the failed exec and exits 1.
            Err(e) if e.kind() != std::io::ErrorKind::Unsupported => {
                co.state.io.warn(&format!("error: executing '{program}': {}\n", crate::io::describe_error(&e)));
                (ProgramStatus::Exited(1), Vec::new())
            }
            Err(e) => return Err(err(format!("cannot execute '{program}': {e}"))),
        };
        match status {
            ProgramStatus::Exited(0) => {}
            ProgramStatus::Exited(c) => return Err(err(format!("program '{program}' failed with exit code {c}"))),
            ProgramStatus::Signalled(s) => return Err(err(format!("program '{program}' failed due to signal {s}"))),
        }
        let parsed = crate::load::load_source(&co.state, Origin::String, &output, Path::new("/"))
            .map_err(|e| e.with_frame(format!("while parsing the output from '{program}'"), None))?;
        co.force(parsed).await.map_err(|e| e.with_frame(format!("while evaluating the output from '{program}'"), None))
    })
}
