//! Compares parse throughput of neve and rnix on one file, best of N runs
//! (a quick check; the criterion bench `parse` is the reference):
//! `cargo run --release -p neve-syntax --example parse_timing FILE [N]`.
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_timing FILE [N]");
    let runs: usize = args.next().map_or(10, |n| n.parse().unwrap());
    let src = std::fs::read_to_string(&path).unwrap();
    let mib = src.len() as f64 / (1024.0 * 1024.0);
    let (mut neve, mut rnix, mut lex) = (Duration::MAX, Duration::MAX, Duration::MAX);
    let mut rnix_lex = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let tokens = neve_syntax::lexer::tokenize(&src);
        lex = lex.min(t.elapsed());
        drop(tokens);
        let t = Instant::now();
        let parse = neve_syntax::parse(&src);
        drop(parse);
        neve = neve.min(t.elapsed());
        let t = Instant::now();
        let parse = rnix::Root::parse(&src);
        drop(parse);
        rnix = rnix.min(t.elapsed());
        rnix_lex = rnix_lex.min(rnix_tokenize_time(&src));
    }
    println!("rnix tokenizer alone: {:.1} MiB/s", mib / rnix_lex.as_secs_f64());
    let speed = |d: Duration| mib / d.as_secs_f64();
    println!(
        "lex {:.1} MiB/s, neve {:.1} MiB/s, rnix {:.1} MiB/s, ratio {:.2}",
        speed(lex),
        speed(neve),
        speed(rnix),
        rnix.as_secs_f64() / neve.as_secs_f64()
    );
}

fn rnix_tokenize_time(src: &str) -> Duration {
    let t = Instant::now();
    let count = rnix::tokenize(src).count();
    std::hint::black_box(count);
    t.elapsed()
}
