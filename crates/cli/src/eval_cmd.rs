//! `neve eval`: evaluate a file or expression and print it as
//! `nix-instantiate --eval` does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use neve_eval::state::LintLevel;
use neve_eval::{EvalError, Evaluator, Settings, Value};

use crate::instantiate_cmd::{is_socket, StoreChoice};

/// The evaluation flags shared by `eval` and `instantiate`.
#[derive(Default)]
pub struct EvalArgs {
    pub file: Option<String>,
    pub expr: Option<String>,
    pub attr_paths: Vec<String>,
    pub strict: bool,
    pub json: bool,
    pub xml: bool,
    pub raw: bool,
    /// `--no-location`: no source positions in `--xml` output.
    pub no_location: bool,
    /// `--arg` (an expression) and `--argstr` (a string): name, text, is_expr.
    pub auto_args: Vec<(String, String, bool)>,
    pub include: Vec<String>,
    pub settings: Settings,
    /// `--store-dir DIR` or `--daemon [SOCKET]` (`neve instantiate`).
    pub store: Option<StoreChoice>,
}

pub fn parse_args(args: &[String]) -> Result<EvalArgs, String> {
    let mut out = EvalArgs::default();
    let mut i = 0;
    let next = |i: &mut usize, flag: &str| -> Result<String, String> {
        *i += 1;
        args.get(*i).cloned().ok_or_else(|| format!("flag '{flag}' requires an argument"))
    };
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-E" | "--expr" => out.expr = Some(next(&mut i, a)?),
            "-A" | "--attr" => out.attr_paths.push(next(&mut i, a)?),
            "--strict" => out.strict = true,
            "--json" => out.json = true,
            "--xml" => out.xml = true,
            "--raw" => out.raw = true,
            "--no-location" => out.no_location = true,
            "--eval" | "--impure" | "--read-write-mode" | "--readonly-mode" => {}
            "--show-trace" => out.settings.show_trace = true,
            "--no-show-trace" => out.settings.show_trace = false,
            "--arg" | "--argstr" => {
                let name = next(&mut i, a)?;
                let value = next(&mut i, a)?;
                out.auto_args.push((name, value, a == "--arg"));
            }
            "-I" | "--include" => out.include.push(next(&mut i, a)?),
            "--store-dir" => out.store = Some(StoreChoice::Dir(PathBuf::from(next(&mut i, a)?))),
            "--daemon" => {
                // The socket is optional: the next argument is it when it
                // is a socket, or not a flag and not an existing file.
                let socket = args.get(i + 1).filter(|n| {
                    !n.starts_with('-') && (is_socket(n) || (!Path::new(n.as_str()).exists() && !n.ends_with(".nix")))
                });
                if socket.is_some() {
                    i += 1;
                }
                out.store = Some(StoreChoice::Daemon(socket.map(PathBuf::from)));
            }
            "--max-call-depth" => {
                let n = next(&mut i, a)?;
                out.settings.max_call_depth = n.parse().map_err(|_| format!("invalid number '{n}'"))?;
            }
            "--extra-experimental-features" => {
                let f = next(&mut i, a)?;
                out.settings.globals.experimental_features.extend(f.split_whitespace().map(String::from));
            }
            "--option" => {
                let name = next(&mut i, a)?;
                let value = next(&mut i, a)?;
                match name.as_str() {
                    "pure-eval" => out.settings.globals.pure_eval = value == "true",
                    "allow-unsafe-native-code-during-evaluation" => {
                        out.settings.globals.allow_unsafe_native_code = value == "true"
                    }
                    "extra-experimental-features" | "experimental-features" => {
                        out.settings.globals.experimental_features.extend(value.split_whitespace().map(String::from))
                    }
                    "max-call-depth" => {
                        out.settings.max_call_depth = value.parse().map_err(|_| format!("invalid number '{value}'"))?
                    }
                    _ => {}
                }
            }
            "--lint-absolute-path-literals" | "--lint-short-path-literals" | "--lint-url-literals" => {
                let level = match next(&mut i, a)?.as_str() {
                    "warn" => LintLevel::Warn,
                    "fatal" => LintLevel::Fatal,
                    "off" | "ignore" => LintLevel::Off,
                    other => return Err(format!("invalid lint level '{other}' for '{a}'")),
                };
                let s = &mut out.settings;
                match a {
                    "--lint-absolute-path-literals" => s.lint_absolute_path_literals = level,
                    "--lint-short-path-literals" => s.lint_short_path_literals = level,
                    _ => s.lint_url_literals = level,
                }
            }
            "--abort-on-warn" => out.settings.abort_on_warn = true,
            "--trace-verbose" => out.settings.trace_verbose = true,
            s if s.starts_with('-') && s != "-" => return Err(format!("unrecognised flag '{s}'")),
            _ => {
                if out.file.is_some() {
                    return Err(format!("unexpected argument '{a}'"));
                }
                out.file = Some(a.to_string());
            }
        }
        i += 1;
    }
    out.settings.nix_path = nix_path(&out.include);
    Ok(out)
}

/// `-I` entries first, then `NIX_PATH`.
fn nix_path(include: &[String]) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    let from_env = std::env::var("NIX_PATH").unwrap_or_default();
    for item in include.iter().map(String::as_str).chain(from_env.split(':').filter(|s| !s.is_empty())) {
        match item.split_once('=') {
            Some((prefix, path)) => entries.push((prefix.to_string(), path.to_string())),
            None => entries.push((String::new(), item.to_string())),
        }
    }
    entries
}

pub fn run(args: &[String]) -> ExitCode {
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(1);
        }
    };
    let mut eval = Evaluator::new(args.settings.clone());
    match evaluate(&mut eval, &args) {
        Ok(bytes) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(&bytes);
            // The XML document ends its own last line.
            if !args.xml {
                let _ = stdout.write_all(b"\n");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            crate::write_error(&eval.render_error(&e));
            ExitCode::from(1)
        }
    }
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}

/// Evaluates what the arguments name, applies `-A` and automatic arguments,
/// and returns the printed result.
pub fn evaluate(eval: &mut Evaluator, args: &EvalArgs) -> Result<Vec<u8>, EvalError> {
    let (root, auto_args) = root_and_args(eval, args)?;
    // As `nix-instantiate --eval`: each step of an attribute path calls
    // the value it selects from (`findAlongAttrPath`), and the final value
    // is called only when automatic arguments were given.
    let paths = if args.attr_paths.is_empty() { vec![String::new()] } else { args.attr_paths.clone() };
    let mut values = Vec::new();
    for path in &paths {
        let mut v = root.clone();
        for name in path.split('.').filter(|s| !s.is_empty()) {
            v = auto_call(eval, v, &auto_args)?;
            v = eval.select(v, name)?;
        }
        if !auto_args.is_empty() {
            v = auto_call(eval, v, &auto_args)?;
        }
        values.push(v);
    }
    let mut out = Vec::new();
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 && !args.xml {
            out.push(b'\n');
        }
        let v = if args.xml && args.strict {
            // Evaluated in the order the XML shows it, as CppNix does.
            let op = &neve_eval::builtins::xml::FORCE_FOR_XML;
            let f = Value::PrimOp(neve_eval::value::Gc::new(neve_eval::value::PrimOpApp { op, args: Vec::new() }));
            eval.call(f, v).inspect_err(|e| {
                if e.trace.last().is_some_and(|f| f.message == "while calling the 'toXML' builtin") {
                    e.trace.pop();
                }
            })?
        } else if args.strict && !args.json {
            // (`--json` evaluates what it prints, as it prints it.)
            eval.force_deep(v)?
        } else {
            eval.force(v)?
        };
        if args.xml {
            out.extend_from_slice(&neve_eval::builtins::xml::print_xml(eval.state(), &v, !args.no_location)?.0);
            continue;
        }
        if args.json {
            // As `builtins.toJSON`; without `--strict` what is not yet
            // evaluated is an error, as in CppNix.
            use neve_eval::builtins::json::{TO_JSON, TO_JSON_LAZY};
            let op = if args.strict { &TO_JSON } else { &TO_JSON_LAZY };
            let f = Value::PrimOp(neve_eval::value::Gc::new(neve_eval::value::PrimOpApp { op, args: Vec::new() }));
            let r = eval.call(f, v).inspect_err(|e| {
                // CppNix prints the value directly, not through a builtin.
                if e.trace.last().is_some_and(|f| f.message == "while calling the 'toJSON' builtin") {
                    e.trace.pop();
                }
            })?;
            if let Value::String(s) = r {
                out.extend_from_slice(s.as_bytes());
            }
            continue;
        }
        if args.raw {
            if let Value::String(s) = &v {
                out.extend_from_slice(s.as_bytes());
                continue;
            }
        }
        out.extend_from_slice(&eval.print(&v));
    }
    Ok(out)
}

/// The loaded file or expression (not evaluated) and the automatic
/// arguments.
pub fn root_and_args(eval: &mut Evaluator, args: &EvalArgs) -> Result<(Value, Vec<(String, Value)>), EvalError> {
    let root = load_root(eval, args)?;
    Ok((root, auto_args(eval, args)?))
}

fn load_root(eval: &mut Evaluator, args: &EvalArgs) -> Result<Value, EvalError> {
    if let Some(expr) = &args.expr {
        return eval.parse_string(expr, &cwd());
    }
    let file = args.file.clone().unwrap_or_else(|| "./default.nix".to_string());
    let path = if Path::new(&file).is_absolute() { PathBuf::from(&file) } else { cwd().join(&file) };
    let path = if path.is_dir() { path.join("default.nix") } else { path };
    let v = neve_eval::load::load_file(eval.state(), &normalize(&path))?;
    Ok(v)
}

fn normalize(path: &Path) -> PathBuf {
    let bytes = neve_eval::compiler::canon_path(path.as_os_str().as_encoded_bytes());
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

fn auto_args(eval: &mut Evaluator, args: &EvalArgs) -> Result<Vec<(String, Value)>, EvalError> {
    let mut out = Vec::new();
    for (name, text, is_expr) in &args.auto_args {
        let v = if *is_expr { eval.parse_string(text, &cwd())? } else { Value::string(text.as_str()) };
        out.push((name.clone(), v));
    }
    Ok(out)
}

/// Calls a function whose argument is a set of formals with the automatic
/// arguments it asks for, as CppNix's `autoCallFunction` does.
pub fn auto_call(eval: &mut Evaluator, v: Value, auto_args: &[(String, Value)]) -> Result<Value, EvalError> {
    let v = eval.force(v)?;
    let Value::Lambda(closure) = &v else { return Ok(v) };
    let Some(formals) = &closure.lambda.formals else { return Ok(v) };
    let state = eval.state();
    let mut b = neve_eval::value::AttrsBuilder::default();
    for (name, value) in auto_args {
        let sym = state.intern(name);
        if formals.ellipsis || formals.entries.iter().any(|f| f.name == sym) {
            b.insert(sym, value.clone(), None);
        }
    }
    let arg = Value::attrs(b.build());
    eval.call(v, arg)
}
