//! The `neve` command line: a thin layer over neve-syntax and neve-eval.

mod eval_cmd;
mod parse_cmd;

use std::process::ExitCode;

const USAGE: &str = "\
usage: neve <command> [options]

commands:
  eval [FILE | -E EXPR] [-A PATH] [--strict] [--arg NAME EXPR] [--argstr NAME VALUE] [-I PATH]
                           evaluate and print as nix-instantiate --eval
  instantiate [FILE | -E EXPR] [-A PATH] [the eval flags]
                           evaluate to derivations (writing .drv files is not implemented yet)
  parse [--tree] FILE...   check that files parse; print the syntax tree with --tree
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    match command.as_str() {
        "eval" => eval_cmd::run(rest),
        "instantiate" => eval_cmd::run_instantiate(rest),
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
