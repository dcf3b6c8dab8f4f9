//! Derivations: `derivationStrict` (CppNix's `prim_derivationStrict`),
//! and `placeholder` (`derivation` is in `derivation_wrapper.rs`).
//!
//! `derivationStrict` turns the attributes into a store derivation, computes
//! its output paths and `.drv` path as CppNix does, and records it in the
//! evaluation's store (see [`crate::store`]); nothing is written.

use std::collections::{BTreeMap, BTreeSet};

use neve_store::derivation::{hash_placeholder, DerivationError, InputDrvs, SingleOutputDrv};
use neve_store::hash::hash_bytes;
use neve_store::store_path::{output_path_name, validate_name, StorePathError, MAX_NAME_LEN};
use neve_store::{Derivation, FileIngestionMethod, Hash, HashAlgo, OutputsSpec, StoreDir, StorePath};
use std::path::Path;

use super::args::{self, err};
use super::json::{escape_string, string_no_context, to_json};
use super::{native, strict, PrimOp};
use crate::coerce::{coerce_to_string, coerce_to_string_in, CoerceMode};
use crate::error::{EvalError, EvalResult};
use crate::source::Pos;
use crate::state::EvalState;
pub(crate) use crate::store::drv_error;
use crate::value::{Attr, AttrsBuilder, NixString, StringContext, StringContextElem as Elem, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] =
    &[native("derivationStrict", 1, derivation_strict), strict("placeholder", 1, placeholder)];

/// `builtins.placeholder output`: the string a builder sees in place of the
/// output's path.
fn placeholder(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let output = args::string(state, &a[0])
        .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.placeholder", None))?;
    Ok(Value::string(hash_placeholder(&output.to_str_lossy())))
}

/// CppNix's `checkName` messages for a store path name.
pub(crate) fn name_error(name: &[u8], e: &StorePathError) -> String {
    let shown = String::from_utf8_lossy(name);
    match e {
        StorePathError::EmptyName => "name must not be empty".to_owned(),
        StorePathError::NameTooLong(_) => format!("name '{shown}' must be no longer than {MAX_NAME_LEN} characters"),
        StorePathError::IllegalCharacter { c, .. } => {
            format!("name '{shown}' contains illegal character '{}'", char::from(*c))
        }
        StorePathError::DotName(_) => {
            let first = name.split(|&c| c == b'-').next().unwrap_or_default();
            if first.len() == name.len() {
                format!("name '{shown}' is not valid")
            } else {
                format!(
                    "name '{shown}' is not valid: first dash-separated component must not be '{}'",
                    String::from_utf8_lossy(first)
                )
            }
        }
        other => other.to_string(),
    }
}

/// The error CppNix gives when an experimental feature is off.
pub(crate) fn require_feature(state: &EvalState, feature: &str) -> EvalResult<()> {
    if state.settings.globals.experimental_features.iter().any(|f| f == feature) {
        return Ok(());
    }
    Err(err(format!(
        "experimental Nix feature '{feature}' is disabled; add '--extra-experimental-features {feature}' to enable it"
    )))
}

fn derivation_strict(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move { derivation_strict_of(&co, a.into_iter().next().expect("arity 1")).await })
}

/// `derivationStrict drv_attrs`.
pub(super) async fn derivation_strict_of(co: &Co, drv_attrs: Value) -> EvalResult<Value> {
    let state = co.state.clone();
    let v = co.force(drv_attrs).await?;
    let attrs = args::attrs(&state, &v)
        .map_err(|e| e.with_frame("while evaluating the argument passed to builtins.derivationStrict", None))?
        .clone();
    let Some(name_attr) = attrs.get_attr(state.sym.name).cloned() else {
        return Err(err("attribute 'name' missing")
            .with_frame("in the attrset passed as argument to builtins.derivationStrict", None));
    };
    let name = async {
        let v = co.force(name_attr.value.clone()).await?;
        string_no_context(&state, &v, "while evaluating the `name` attribute passed to builtins.derivationStrict")
    }
    .await
    .map_err(|e| e.with_frame("while evaluating the derivation attribute 'name'", name_attr.pos))?;
    let name = name.to_str_lossy().into_owned();
    let attrs = state.with_interner(|interner| SortedAttrs::new(interner, &attrs));
    let result = if attrs.is_single_output() {
        single_output_strict(co, &name, &attrs).await
    } else {
        // Boxed: its state is large, and would make every derivation's
        // future as large.
        Box::pin(derivation_strict_internal(co, &name, attrs)).await
    };
    result.map_err(|e| {
        e.with_always_frame(
            format!(
                "while evaluating derivation '{name}'\n  whose name attribute is located at {}",
                state.show_pos(name_attr.pos)
            ),
            None,
        )
    })
}

/// A derivation's attributes sorted by name (the order CppNix processes
/// them in, and the environment's), with the names' bytes, all in one
/// buffer.
struct SortedAttrs {
    names: Vec<u8>,
    attrs: Vec<(std::ops::Range<usize>, Attr)>,
}

impl SortedAttrs {
    fn new(interner: &crate::symbol::Interner, set: &crate::value::Attrs) -> SortedAttrs {
        let mut names = Vec::with_capacity(16 * set.len());
        // Each attribute with its name's first eight bytes as a number
        // (big-endian, zero-padded): its order is the names' but for ties,
        // and comparing it is one instruction.
        let mut keyed: Vec<(u64, std::ops::Range<usize>, Attr)> = Vec::with_capacity(set.len());
        for a in set.iter() {
            let name = interner.resolve(a.name);
            let mut first = [0u8; 8];
            let n = name.len().min(8);
            first[..n].copy_from_slice(&name[..n]);
            let start = names.len();
            names.extend_from_slice(name);
            keyed.push((u64::from_be_bytes(first), start..names.len(), a.clone()));
        }
        keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| names[a.1.clone()].cmp(&names[b.1.clone()])));
        let attrs = keyed.into_iter().map(|(_, name, attr)| (name, attr)).collect();
        SortedAttrs { names, attrs }
    }

    fn iter(&self) -> impl Iterator<Item = (&[u8], &Attr)> {
        self.attrs.iter().map(|(name, attr)| (&self.names[name.clone()], attr))
    }

    fn find(&self, name: &str) -> Option<Value> {
        let i = self.attrs.binary_search_by(|(k, _)| self.names[k.clone()].cmp(name.as_bytes())).ok()?;
        Some(self.attrs[i].1.value.clone())
    }

    /// Whether the derivation is the usual one (see [`SingleOutputDrv`]):
    /// no attribute that changes its outputs, how its environment is made,
    /// or sets the output's variable.
    fn is_single_output(&self) -> bool {
        const SPECIAL: &[&[u8]] = &[
            b"__contentAddressed",
            b"__ignoreNulls",
            b"__impure",
            b"__json",
            b"__structuredAttrs",
            b"out",
            b"outputHash",
            b"outputHashAlgo",
            b"outputHashMode",
            b"outputs",
        ];
        self.iter().all(|(name, _)| !SPECIAL.contains(&name))
    }
}

/// The attributes `derivationStrict` reads besides the environment.
#[derive(Default)]
struct Special {
    content_addressed: bool,
    impure: bool,
    output_hash: Option<String>,
    output_hash_algo: Option<HashAlgo>,
    hash_mode: Option<FileIngestionMethod>,
    /// In order, checked (no duplicates, not `drvPath`, not empty).
    outputs: Option<Vec<String>>,
}

fn hash_mode(s: &[u8]) -> EvalResult<FileIngestionMethod> {
    match s {
        b"recursive" | b"nar" => Ok(FileIngestionMethod::Recursive),
        b"flat" => Ok(FileIngestionMethod::Flat),
        other => Err(err(format!("invalid value '{}' for 'outputHashMode' attribute", String::from_utf8_lossy(other)))),
    }
}

fn check_outputs(names: Vec<String>) -> EvalResult<Vec<String>> {
    let mut seen = BTreeSet::new();
    for n in &names {
        if !seen.insert(n.clone()) {
            return Err(err(format!("duplicate derivation output '{n}'")));
        }
        if n == "drvPath" {
            return Err(err("invalid derivation output name 'drvPath'"));
        }
    }
    if names.is_empty() {
        return Err(err("derivation cannot have an empty set of outputs"));
    }
    Ok(names)
}

fn warn_attr(state: &EvalState, drv_name: &str, message: &str, pos: Option<Pos>) {
    let rendered = crate::report::render_warning(state, message, pos);
    state.io.warn(&format!("warning:\n         … while evaluating derivation '{drv_name}'\n\n         {rendered}"));
}

/// CppNix's check of a derivation's name.
fn check_drv_name(drv_name: &str) -> EvalResult<()> {
    validate_name(drv_name.as_bytes()).map_err(|e| {
        err(format!(
            "invalid derivation name: {}. Please pass a different 'name'.",
            name_error(drv_name.as_bytes(), &e)
        ))
    })
}

/// The frame of an error evaluating attribute `key`.
fn attr_frame(e: EvalError, key: &[u8], drv_name: &str, attr: &Attr) -> EvalError {
    let key = String::from_utf8_lossy(key);
    e.with_frame(format!("while evaluating attribute '{key}' of derivation '{drv_name}'"), attr.pos)
}

/// The attribute `args`: each element coerced, given to `push`.
async fn drv_args(co: &Co, attr: &Attr, context: &mut Inputs, mut push: impl FnMut(&[u8])) -> EvalResult<()> {
    let v = co.force(attr.value.clone()).await?;
    let list = args::list(&co.state, &v)?.clone();
    let mut arg = Vec::new();
    for item in &list.0 {
        arg.clear();
        drv_attr_string(co, item.clone(), context, &mut arg)
            .await
            .map_err(|e| e.with_frame("while evaluating an element of the argument list", None))?;
        push(&arg);
    }
    Ok(())
}

/// What must hold of a derivation before its outputs are computed.
fn check_drv(drv_name: &str, builder: &[u8], platform: &[u8]) -> EvalResult<()> {
    if builder.is_empty() {
        return Err(err("required attribute 'builder' missing"));
    }
    if platform.is_empty() {
        return Err(err("required attribute 'system' missing"));
    }
    if drv_name.ends_with(".drv") {
        return Err(err("derivation names are allowed to end in '.drv' only if they produce a single derivation file"));
    }
    Ok(())
}

/// `derivationStrict` for the usual derivation (see
/// [`SortedAttrs::is_single_output`]): each attribute is coerced and
/// printed into the derivation's text at once. Errors and their frames
/// are those of [`derivation_strict_internal`].
async fn single_output_strict(co: &Co, drv_name: &str, attrs: &SortedAttrs) -> EvalResult<Value> {
    let state = co.state.clone();
    check_drv_name(drv_name)?;
    let mut drv = SingleOutputDrv::new(drv_name.to_owned());
    let mut context = Inputs::default();
    let mut value = Vec::new();
    for (key, attr) in attrs.iter() {
        let r = async {
            if key == b"args" {
                return drv_args(co, attr, &mut context, |arg| drv.push_arg(arg)).await;
            }
            value.clear();
            match attr.value.resolved() {
                // Evaluated already (constants, the name): no future.
                Some(Value::String(s)) => {
                    context.add(&s);
                    value.extend_from_slice(s.as_bytes());
                }
                _ => drv_attr_string(co, attr.value.clone(), &mut context, &mut value).await?,
            }
            match key {
                b"builder" => drv.builder = value.clone(),
                b"system" => drv.platform = value.clone(),
                _ => {}
            }
            drv.push_env(key, &value);
            Ok(())
        }
        .await;
        r.map_err(|e| attr_frame(e, key, drv_name, attr))?;
    }
    add_inputs(&state, &mut drv.input_drvs, &mut drv.input_srcs, &context)?;
    check_drv(drv_name, &drv.builder, &drv.platform)?;

    let mut store = state.store.borrow_mut();
    // Inputs from the real store (`storePath`, `appendContext`) are read.
    for input in drv.input_drvs.keys() {
        store.ensure_drv_hash(input, &mut |dir, p| read_drv(&state, dir, p)).map_err(drv_error)?;
    }
    let known = &*store;
    let (written, out) = drv.write(&known.dir, &mut |p| known.drv_hash(p)).map_err(drv_error)?;
    let drv_path = store.add_written_derivation(written);
    drop(store);
    derivation_result(&state, &drv_path, [("out", out)])
}

/// `derivationStrict`'s value: `drvPath`, and the path of each output
/// (its placeholder where it is not known yet).
fn derivation_result<'a>(
    state: &EvalState,
    drv_path: &StorePath,
    outputs: impl IntoIterator<Item = (&'a str, Option<StorePath>), IntoIter: ExactSizeIterator>,
) -> EvalResult<Value> {
    let outputs = outputs.into_iter();
    let store = state.store.borrow();
    let dir = &store.dir;
    let mut drv_path_s = Vec::with_capacity(dir.printed_len(drv_path));
    dir.push_path(&mut drv_path_s, drv_path);

    let mut b = AttrsBuilder::with_capacity(1 + outputs.len());
    // One copy of the path for the contexts of `drvPath` and every output.
    let drv_path_shared: std::rc::Rc<[u8]> = drv_path_s.as_slice().into();
    let deep = Elem::DrvDeep(drv_path_shared.clone());
    b.insert(state.drv_path_symbol(), Value::string(NixString::with_one_context(&drv_path_s, deep)), None);
    for (output, path) in outputs {
        let shown = match path {
            Some(p) => dir.print_path(&p),
            None => {
                require_feature(state, "ca-derivations")?;
                downstream_placeholder(drv_path, output)
            }
        };
        let built = Elem::Built { drv: drv_path_shared.clone(), output: output.as_bytes().into() };
        b.insert(state.output_symbol(output), Value::string(NixString::with_one_context(shown, built)), None);
    }
    Ok(Value::attrs(b.build()))
}

/// `derivationStrict` in general.
async fn derivation_strict_internal(co: &Co, drv_name: &str, attrs: SortedAttrs) -> EvalResult<Value> {
    let state = co.state.clone();
    check_drv_name(drv_name)?;
    let structured = match attrs.find("__structuredAttrs") {
        Some(v) => {
            let v = co.force(v).await?;
            args::bool(&state, &v).map_err(|e| {
                e.with_frame(
                    "while evaluating the `__structuredAttrs` attribute passed to builtins.derivationStrict",
                    None,
                )
            })?
        }
        None => false,
    };
    let ignore_nulls = match attrs.find("__ignoreNulls") {
        Some(v) => {
            let v = co.force(v).await?;
            args::bool(&state, &v).map_err(|e| {
                e.with_frame("while evaluating the `__ignoreNulls` attribute passed to builtins.derivationStrict", None)
            })?
        }
        None => false,
    };

    let mut drv = Derivation::new(drv_name);
    // One entry per attribute and one per output (usually one): the
    // environment grows in place, not by doubling from nothing.
    drv.env = neve_store::derivation::SortedMap::with_capacity(attrs.attrs.len() + 1);
    let mut context = Inputs::default();
    let mut special = Special::default();
    let mut json: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();

    for (key, attr) in attrs.iter() {
        if key == b"__ignoreNulls" {
            continue;
        }
        let key_str = || String::from_utf8_lossy(key).into_owned();
        // The environment value, if the attribute has one.
        let r: EvalResult<Option<Vec<u8>>> = async {
            if ignore_nulls && matches!(co.force(attr.value.clone()).await?, Value::Null) {
                return Ok(None);
            }
            match key {
                b"__contentAddressed" | b"__impure" => {
                    let v = co.force(attr.value.clone()).await?;
                    if args::bool(&state, &v)? {
                        if key == b"__impure" {
                            require_feature(&state, "impure-derivations")?;
                            special.impure = true;
                        } else {
                            require_feature(&state, "ca-derivations")?;
                            special.content_addressed = true;
                        }
                    }
                }
                b"args" => drv_args(co, attr, &mut context, |arg| drv.args.push(arg.to_vec())).await?,
                _ if structured => {
                    if key == b"__structuredAttrs" {
                        return Ok(None);
                    }
                    let (text, ctx) = to_json(co, attr.value.clone(), true, true).await?;
                    context.other.extend(ctx);
                    json.insert(key.to_vec(), text);
                    structured_special(co, attr, key, &mut drv, &mut context, &mut special).await?;
                    if matches!(
                        key,
                        b"allowedReferences"
                            | b"allowedRequisites"
                            | b"disallowedReferences"
                            | b"disallowedRequisites"
                            | b"maxSize"
                            | b"maxClosureSize"
                    ) {
                        let key_str = key_str();
                        warn_attr(&state, drv_name, &format!("'structuredAttrs' disables the effect of the derivation attribute '{key_str}'; use 'outputChecks.<output>.{key_str}' instead"), attr.pos);
                    }
                }
                _ => {
                    let mut bytes = Vec::new();
                    drv_attr_string(co, attr.value.clone(), &mut context, &mut bytes).await?;
                    if key == b"__json" {
                        warn_attr(&state, drv_name, "setting structured attributes via '__json' is deprecated, and may be disallowed in future versions of Nix. Set '__structuredAttrs = true' instead.", attr.pos);
                    }
                    match key {
                        b"builder" => drv.builder = bytes.clone(),
                        b"system" => drv.platform = bytes.clone(),
                        b"outputHash" => special.output_hash = Some(String::from_utf8_lossy(&bytes).into_owned()),
                        b"outputHashAlgo" => special.output_hash_algo = algo_opt(&bytes),
                        b"outputHashMode" => special.hash_mode = Some(hash_mode(&bytes)?),
                        b"outputs" => {
                            let names = bytes
                                .split(|c| b" \t\n\r".contains(c))
                                .filter(|w| !w.is_empty())
                                .map(|w| String::from_utf8_lossy(w).into_owned())
                                .collect();
                            special.outputs = Some(check_outputs(names)?);
                        }
                        _ => {}
                    }
                    return Ok(Some(bytes));
                }
            }
            Ok(None)
        }
        .await;
        let value = r.map_err(|e| attr_frame(e, key, drv_name, attr))?;
        if let Some(value) = value {
            drv.env.insert(key.to_vec(), value);
        }
    }

    if structured {
        let mut text = vec![b'{'];
        for (i, (k, v)) in json.iter().enumerate() {
            if i > 0 {
                text.push(b',');
            }
            // A key that is not UTF-8 fails in CppNix too; keep its bytes.
            if escape_string(k, &mut text).is_err() {
                text.extend_from_slice(k);
            }
            text.push(b':');
            text.extend_from_slice(v);
        }
        text.push(b'}');
        drv.env.insert(b"__json".to_vec(), text);
    }

    add_inputs(&state, &mut drv.input_drvs, &mut drv.input_srcs, &context)?;
    check_drv(drv_name, &drv.builder, &drv.platform)?;
    let outputs = special.outputs.take().unwrap_or_else(|| vec!["out".to_owned()]);

    let spec = if let Some(h) = &special.output_hash {
        if outputs.len() != 1 || outputs[0] != "out" {
            return Err(err("multiple outputs are not supported in fixed-output derivations"));
        }
        let hash = parse_output_hash(&state, h, special.output_hash_algo)?;
        OutputsSpec::Fixed { method: special.hash_mode.unwrap_or(FileIngestionMethod::Flat), hash }
    } else if special.content_addressed || special.impure {
        if special.content_addressed && special.impure {
            return Err(err("derivation cannot be both content-addressed and impure"));
        }
        let algo = special.output_hash_algo.unwrap_or(HashAlgo::Sha256);
        let method = special.hash_mode.unwrap_or(FileIngestionMethod::Recursive);
        if special.impure {
            OutputsSpec::Impure { outputs, method, algo }
        } else {
            OutputsSpec::Floating { outputs, method, algo }
        }
    } else {
        OutputsSpec::InputAddressed(outputs)
    };

    let mut store = state.store.borrow_mut();
    // Inputs from the real store (`storePath`, `appendContext`) are read.
    for input in drv.input_drvs.keys() {
        store.ensure_drv_hash(input, &mut |dir, p| read_drv(&state, dir, p)).map_err(drv_error)?;
    }
    let known = &*store;
    let written = drv.fill_outputs_and_write(&known.dir, &spec, &mut |p| known.drv_hash(p)).map_err(drv_error)?;
    let drv_path = store.add_written_derivation(written);
    let paths =
        drv.outputs.iter().map(|(output, out)| Ok((output.as_str(), drv.output_path(&store.dir, output, out)?)));
    let paths: Vec<(&str, Option<StorePath>)> = paths.collect::<Result<_, DerivationError>>().map_err(drv_error)?;
    drop(store);
    derivation_result(&state, &drv_path, paths)
}

/// The attributes read from a structured-attributes derivation besides the
/// JSON: strings and lists as they are, not coerced.
async fn structured_special(
    co: &Co,
    attr: &Attr,
    key: &[u8],
    drv: &mut Derivation,
    context: &mut Inputs,
    special: &mut Special,
) -> EvalResult<()> {
    let state = &co.state;
    let no_ctx = |v: &Value| string_no_context(state, v, "").map_err(strip_empty_frame);
    match key {
        b"builder" => {
            let v = co.force(attr.value.clone()).await?;
            let s = args::string(state, &v)?;
            context.add(s);
            drv.builder = s.as_bytes().to_vec();
        }
        b"system" => drv.platform = no_ctx(&co.force(attr.value.clone()).await?)?.as_bytes().to_vec(),
        b"outputHash" => {
            special.output_hash = Some(no_ctx(&co.force(attr.value.clone()).await?)?.to_str_lossy().into_owned())
        }
        b"outputHashAlgo" => {
            special.output_hash_algo = algo_opt(no_ctx(&co.force(attr.value.clone()).await?)?.as_bytes())
        }
        b"outputHashMode" => {
            special.hash_mode = Some(hash_mode(no_ctx(&co.force(attr.value.clone()).await?)?.as_bytes())?)
        }
        b"outputs" => {
            let v = co.force(attr.value.clone()).await?;
            let list = args::list(state, &v)?.clone();
            let mut names = Vec::with_capacity(list.0.len());
            for item in &list.0 {
                let item = co.force(item.clone()).await?;
                names.push(no_ctx(&item)?.to_str_lossy().into_owned());
            }
            special.outputs = Some(check_outputs(names)?);
        }
        _ => {}
    }
    Ok(())
}

/// `string_no_context` with an empty description adds no frame.
fn strip_empty_frame(e: EvalError) -> EvalError {
    if e.trace.last().is_some_and(|f| f.message.is_empty()) {
        e.trace.pop();
    }
    e
}

/// The contexts of a derivation's strings, which become its inputs. The
/// strings are kept (a count each) and their elements read once at the
/// end, rather than copied one by one into a set.
#[derive(Default)]
struct Inputs {
    strings: Vec<NixString>,
    /// Contexts that come as sets (structured attributes' JSON).
    other: StringContext,
}

impl Inputs {
    fn add(&mut self, s: &NixString) {
        if s.has_context() {
            self.strings.push(s.clone());
        }
    }

    /// Every element once, in the order of a `StringContext`.
    fn elements(&self) -> Vec<&Elem> {
        let mut all: Vec<&Elem> =
            self.strings.iter().flat_map(|s| s.context().unwrap_or_default()).chain(&self.other).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// `coerce_to_string` in mode `DrvAttr`, appending the bytes to `out` and
/// noting the context in `context`. A string is read where it is, not
/// copied first; a list's elements are coerced as `coerce_to_string` does
/// it, but put together here, without a string and a context set made for
/// the whole.
async fn drv_attr_string(co: &Co, v: Value, context: &mut Inputs, out: &mut Vec<u8>) -> EvalResult<()> {
    // As `coerce_to_string` forces first, an error forcing gets no frame.
    let v = co.force(v).await?;
    match &v {
        Value::String(s) => {
            context.add(s);
            out.extend_from_slice(s.as_bytes());
            Ok(())
        }
        Value::List(list) => {
            let n = list.0.len();
            for (i, item) in list.0.iter().enumerate() {
                let item = co.force(item.clone()).await?;
                let element = "while evaluating one element of the list";
                let s = coerce_to_string_in(co, item.clone(), CoerceMode::DrvAttr, element, None).await?;
                out.extend_from_slice(s.as_bytes());
                context.add(&s);
                if i + 1 < n && !matches!(&item, Value::List(x) if x.0.is_empty()) {
                    out.push(b' ');
                }
            }
            Ok(())
        }
        _ => {
            let s = coerce_to_string(co, v, CoerceMode::DrvAttr).await?;
            context.add(&s);
            out.extend_from_slice(s.as_bytes());
            Ok(())
        }
    }
}

/// CppNix's `parseHashAlgoOpt`: an unknown name is no algorithm.
fn algo_opt(s: &[u8]) -> Option<HashAlgo> {
    HashAlgo::from_name(std::str::from_utf8(s).ok()?)
}

/// CppNix's `newHashAllowEmpty` for `outputHash`.
fn parse_output_hash(state: &EvalState, s: &str, algo: Option<HashAlgo>) -> EvalResult<Hash> {
    if s.is_empty() {
        let Some(algo) = algo else {
            return Err(err("empty hash requires explicit hash algorithm"));
        };
        let h = Hash::zero(algo);
        state.io.warn(&format!("warning: found empty hash, assuming '{}'\n", h.to_sri()));
        return Ok(h);
    }
    Hash::parse_any(s, algo).map_err(|e| err(e.to_string()))
}

/// The placeholder for an output of a content-addressed derivation whose
/// path is not known before it is built.
fn downstream_placeholder(drv_path: &StorePath, output: &str) -> String {
    let drv_name = drv_path.name().strip_suffix(".drv").unwrap_or(drv_path.name());
    let clear = format!("nix-upstream-output:{}:{}", drv_path.hash_part(), output_path_name(drv_name, output));
    format!("/{}", neve_store::nixbase32::encode(hash_bytes(HashAlgo::Sha256, clear.as_bytes()).digest()))
}

/// Everything in the context of the derivation's strings becomes an input:
/// a source, an output of another derivation, or (`drvPath`) a derivation
/// with its whole closure and all its outputs.
fn add_inputs(
    state: &EvalState,
    input_drvs: &mut InputDrvs,
    input_srcs: &mut BTreeSet<StorePath>,
    context: &Inputs,
) -> EvalResult<()> {
    let store = state.store.borrow();
    let parse = |p: &[u8]| -> EvalResult<StorePath> {
        // Made lossy only for the message: a context path is nearly always
        // a store path, UTF-8 already.
        let parsed = std::str::from_utf8(p).ok().and_then(|text| store.dir.parse_path(text).ok());
        parsed.ok_or_else(|| err(format!("path '{}' is not in the Nix store", String::from_utf8_lossy(p))))
    };
    for elem in context.elements() {
        match elem {
            Elem::Opaque(p) => {
                input_srcs.insert(parse(p)?);
            }
            Elem::Built { drv: d, output } => {
                if memchr::memchr(b'^', d).is_some() {
                    // `outputOf` of an output: an input that is a derivation
                    // built by another (dynamic derivations).
                    return Err(err(format!(
                        "neve does not support derivation inputs built by other derivations ('{}^{}') yet",
                        String::from_utf8_lossy(d),
                        String::from_utf8_lossy(output)
                    )));
                }
                let output = match std::str::from_utf8(output) {
                    Ok(name) => name.to_owned(),
                    Err(_) => String::from_utf8_lossy(output).into_owned(),
                };
                input_drvs.get_or_insert_default(parse(d)?).insert(output);
            }
            Elem::DrvDeep(d) => {
                for path in store.closure([parse(d)?]) {
                    if path.is_derivation() {
                        if let Some(input) = store.derivation(&path) {
                            input_drvs.get_or_insert_default(path.clone()).extend(input.outputs.keys().cloned());
                        }
                    }
                    input_srcs.insert(path);
                }
            }
        }
    }
    Ok(())
}

/// A derivation of the real store, read through the evaluator's I/O.
pub(crate) fn read_drv(state: &EvalState, dir: &StoreDir, path: &StorePath) -> Result<Derivation, DerivationError> {
    let file = dir.print_path(path);
    let bytes = state
        .io
        .read_file(Path::new(&file))
        .map_err(|e| DerivationError::Lookup(format!("reading '{file}': {}", crate::io::describe_error(&e)).into()))?;
    Ok(Derivation::parse_drv_file(&bytes, path, dir)?)
}
