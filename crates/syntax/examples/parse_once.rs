//! Parses one file once, with neve or (given `--rnix`) with rnix, for
//! instruction counting under callgrind:
//! `valgrind --tool=callgrind target/release/examples/parse_once [--rnix] FILE`.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (rnix, path) = match args.as_slice() {
        [flag, path] if flag == "--rnix" => (true, path),
        [path] => (false, path),
        _ => panic!("usage: parse_once [--rnix] FILE"),
    };
    let src = std::fs::read(path).unwrap();
    if rnix {
        let parse = rnix::Root::parse(std::str::from_utf8(&src).unwrap());
        println!("{} errors", parse.errors().len());
    } else {
        let parse = neve_syntax::parse_bytes(&src);
        println!("{} errors", parse.errors().len());
    }
}
