//! Parses one file once (or N times), with neve or (given `--rnix`) with
//! rnix, for instruction counting under callgrind or sampling under perf:
//! `valgrind --tool=callgrind target/release/examples/parse_once [--rnix] FILE [N]`.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let rnix = args.first().is_some_and(|a| a == "--rnix");
    if rnix {
        args.remove(0);
    }
    let (path, runs) = match args.as_slice() {
        [path] => (path, 1),
        [path, n] => (path, n.parse::<usize>().expect("N is a number")),
        _ => panic!("usage: parse_once [--rnix] FILE [N]"),
    };
    let src = std::fs::read(path).unwrap();
    for _ in 0..runs {
        if rnix {
            let parse = rnix::Root::parse(std::str::from_utf8(&src).unwrap());
            println!("{} errors", parse.errors().len());
        } else {
            let parse = neve_syntax::parse_bytes(&src);
            println!("{} errors", parse.errors().len());
        }
    }
}
