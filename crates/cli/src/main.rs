//! The `neve` command line: a thin layer over neve-syntax and neve-eval.

mod alloc;
mod eval_cmd;
mod instantiate_cmd;
mod parse_cmd;

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: alloc::Mimalloc = alloc::Mimalloc;

const USAGE: &str = "\
usage: neve <command> [options]

commands:
  eval [FILE | -E EXPR] [-A PATH] [--strict] [--arg NAME EXPR] [--argstr NAME VALUE] [-I PATH]
                           evaluate and print as nix-instantiate --eval
  instantiate [FILE | -E EXPR] [-A PATH] [the eval flags] [--store-dir DIR | --daemon [SOCKET]] [--json]
                           evaluate to derivations, write their closure (into DIR/nix/store, or
                           through the nix-daemon, by default at its default socket) and print
                           their .drv paths (--json: as 'nix derivation show')
  parse [--tree] FILE...   check that files parse; print the syntax tree with --tree
";

/// Stack for the thread that does the work. The VM bounds its own
/// recursion, the passes over syntax continue on the heap when the stack
/// runs low (`neve_syntax::stack`), and deep trees and values are freed in
/// steps; the large stack is a margin for what recursion is left.
const STACK_SIZE: usize = 512 << 20;

fn main() -> ExitCode {
    match std::thread::Builder::new().stack_size(STACK_SIZE).spawn(run) {
        Ok(worker) => worker.join().unwrap_or(ExitCode::from(101)),
        Err(_) => run(),
    }
}

fn run() -> ExitCode {
    // Here, on the thread that evaluates: its first allocation marks where
    // its heap begins.
    alloc::use_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    match command.as_str() {
        "eval" => eval_cmd::run(rest),
        "instantiate" => instantiate_cmd::run(rest),
        "parse" => parse_cmd::run(rest),
        "--help" | "-h" | "help" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("error: unknown command '{other}'\n");
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Writes a rendered error to stderr. Source lines quoted in it carry the
/// file's raw bytes again (the parser maps bytes that are not UTF-8 to
/// private-use characters), as CppNix prints them.
pub(crate) fn write_error(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(&neve_syntax::source::unmap_bytes(text));
}
