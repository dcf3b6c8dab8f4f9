//! The inputs of the `parse` bench, shared with the `bench_inputs` example
//! (which writes them to files, for callgrind and `parse_timing`).

use std::path::{Path, PathBuf};

pub const MIN_SIZE: usize = 1 << 20;

fn suite_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("NEVE_LANG_TESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nix-lang-tests"));
    dir.join("lang").is_dir().then_some(dir)
}

fn accepted_by_both(src: &str) -> bool {
    neve_syntax::parse(src).ok() && rnix::Root::parse(src).errors().is_empty()
}

fn check(name: &str, src: &str) {
    let neve = neve_syntax::parse(src);
    assert!(neve.ok(), "the {name} input has neve errors: {:?}", &neve.errors()[..neve.errors().len().min(3)]);
    let rnix = rnix::Root::parse(src);
    assert!(rnix.errors().is_empty(), "the {name} input has rnix errors: {:?}", &rnix.errors()[..1]);
}

/// `generated`: a file of more than 1 MiB built from the upstream suite's
/// `eval-okay-*.nix` programs (those both parsers accept), each wrapped as a
/// list element, `[ (<program>) ... ]`, the list repeated until the input is
/// large enough. `None` without the suite.
pub fn generated() -> Option<String> {
    let lang = suite_dir()?.join("lang");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&lang)
        .ok()?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("eval-okay-") && n.ends_with(".nix"))
        })
        .collect();
    names.sort();
    let mut list = String::from("[\n");
    let mut used = 0;
    for path in names {
        let Ok(program) = std::fs::read_to_string(&path) else { continue };
        // Newlines keep a final `#` comment from swallowing the `)`.
        let element = format!("(\n{program}\n)\n");
        // rnix rejects some programs only once in parentheses (the legacy
        // `let { ... }`, which CppNix accepts anywhere): check them wrapped.
        if !accepted_by_both(&program) || !accepted_by_both(&format!("[\n{element}]\n")) {
            continue;
        }
        list.push_str(&element);
        used += 1;
    }
    list.push_str("]\n");
    let copies = MIN_SIZE / list.len() + 1;
    let mut out = String::with_capacity(copies * (list.len() + 8) + 8);
    out.push_str("[\n");
    for _ in 0..copies {
        out.push_str(&list);
    }
    out.push_str("]\n");
    check("generated", &out);
    eprintln!("generated input: {} bytes from {used} programs, {copies} copies", out.len());
    Some(out)
}

/// `package-set`: a deterministic stand-in for nixpkgs'
/// `pkgs/top-level/all-packages.nix` (more than 1 MiB): one big function
/// returning a set of `callPackage` bindings with `inherit`s, overrides,
/// selections, comments and the odd string, as that file is written.
pub fn package_set() -> String {
    const WORDS: &[&str] = &[
        "lib", "gtk", "python", "qt", "x11", "ssl", "zlib", "http", "json", "xml", "rust", "go", "node", "perl", "lua",
        "ruby", "glib", "dbus", "audio", "video", "font", "tools", "utils", "cli", "server", "client", "daemon", "fs",
        "net", "crypto",
    ];
    const DIRS: &[&str] = &[
        "development/libraries",
        "tools/misc",
        "applications/networking",
        "servers/http",
        "development/tools",
        "tools/networking",
        "applications/graphics",
        "os-specific/linux",
        "development/python-modules",
        "applications/audio",
    ];
    // A small linear congruential generator: the same file on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let mut out = String::from(
        "/* The package set. */\n{ lib, noSysDirs, config, overlays }:\nres: pkgs: super:\n\nwith pkgs;\n\n{\n",
    );
    let mut i = 0usize;
    while out.len() < MIN_SIZE {
        i += 1;
        let name = match next(3) {
            0 => format!("{}{}", WORDS[next(WORDS.len())], i),
            1 => format!("{}-{}{}", WORDS[next(WORDS.len())], WORDS[next(WORDS.len())], i),
            _ => format!("{}_{}{}", WORDS[next(WORDS.len())], next(9), i),
        };
        let dir = DIRS[next(DIRS.len())];
        if next(12) == 0 {
            out.push_str(&format!("\n  ### {}\n\n", WORDS[next(WORDS.len())].to_uppercase()));
        }
        if next(6) == 0 {
            out.push_str("  # Needs the newer toolchain; see the release notes.\n");
        }
        match next(10) {
            0..=4 => out.push_str(&format!("  {name} = callPackage ../{dir}/{name} {{ }};\n\n")),
            5 | 6 => {
                let w1 = WORDS[next(WORDS.len())];
                let w2 = WORDS[next(WORDS.len())];
                out.push_str(&format!(
                    "  {name} = callPackage ../{dir}/{name} {{\n    inherit (darwin.apple_sdk.frameworks) Security CoreServices;\n    {w1} = {w2}_{};\n  }};\n\n",
                    next(5)
                ));
            }
            7 => out.push_str(&format!(
                "  {name} = {name}_{}.override {{ withDocs = false; extraFlags = [ \"--enable-{}\" ]; }};\n\n",
                next(4),
                WORDS[next(WORDS.len())]
            )),
            8 => out.push_str(&format!(
                "  {name}Packages = recurseIntoAttrs (lib.makeScope newScope (self: with self; {{\n    {w} = callPackage ../{dir}/{name}/{w}.nix {{ }};\n  }}));\n\n",
                w = WORDS[next(WORDS.len())]
            )),
            _ => out.push_str(&format!(
                "  {name} = if stdenv.hostPlatform.isDarwin then {w}.{name} else callPackage ../{dir}/{name} {{\n    {w} = pkgs.{w}_{};\n  }};\n\n",
                next(3),
                w = WORDS[next(WORDS.len())]
            )),
        }
    }
    out.push_str("}\n");
    check("package-set", &out);
    eprintln!("package-set input: {} bytes", out.len());
    out
}
