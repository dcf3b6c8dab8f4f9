//! `neve parse [--tree] FILE...`: report syntax errors as CppNix does, or
//! print the syntax tree.

use std::process::ExitCode;

use neve_eval::globals::GlobalSettings;
use neve_syntax::{code_snippet, LineIndex, Parse, SyntaxError};

pub fn run(args: &[String]) -> ExitCode {
    let mut tree = false;
    let mut files = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--tree" => tree = true,
            s if s.starts_with("--") => {
                eprintln!("error: unknown flag '{s}' for 'neve parse'");
                return ExitCode::from(2);
            }
            _ => files.push(arg.clone()),
        }
    }
    if files.is_empty() {
        eprintln!("error: 'neve parse' needs at least one file");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for file in &files {
        let bytes = match read_input(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: reading '{file}': {e}");
                failed = true;
                continue;
            }
        };
        let parse = neve_syntax::parse_bytes(&bytes);
        if tree {
            print!("{:#?}", parse.syntax());
        }
        // Names are resolved as CppNix resolves them after parsing, with the
        // default (impure) settings.
        let errors = neve_eval::check_file(&parse, &GlobalSettings::default());
        if !errors.is_empty() {
            failed = true;
            // Like CppNix, report the first error: later ones are often
            // consequences of it. The library API gives all of them.
            eprint!("{}", render_errors(file, &parse, &errors[..1]));
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn read_input(file: &str) -> std::io::Result<Vec<u8>> {
    if file == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(file)
    }
}

/// Errors found in a parsed file, in CppNix's layout.
pub fn render_errors(file: &str, parse: &Parse, errors: &[SyntaxError]) -> String {
    let text = parse.syntax().text().to_string();
    let index = LineIndex::new(&text);
    let mut out = String::new();
    for error in errors {
        let (line, col) = index.line_col(error.range.start());
        out.push_str("error: ");
        out.push_str(&error.message);
        if let Some(prev) = error.previous {
            let (pl, pc) = index.line_col(prev.start());
            out.push_str(&format!(" at {file}:{pl}:{pc}"));
        }
        out.push_str(&format!("\n       at {file}:{line}:{col}:\n"));
        out.push_str(&code_snippet(&text, &index, error.range.start()));
        out.push('\n');
    }
    out
}
