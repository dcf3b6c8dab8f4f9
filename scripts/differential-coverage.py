#!/usr/bin/env python3
"""How many differential programs use each builtin.

For every builtin of ../shared/nix-builtins.tsv (override with
NEVE_BUILTINS_TSV) that CppNix 2.8 also has (asked of `nix-instantiate`,
which must be installed), counts the programs of tests/differential/ that
use it: `builtins.NAME`, its global name (`__NAME`, or the plain name for
`map`, `toString`, ...), or NAME inherited from `builtins`. Prints the
builtins below the minimum (default 3, or the first argument) with their
counts, then a summary line. Exits 1 when some builtin is below it.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TSV = os.environ.get("NEVE_BUILTINS_TSV", os.path.join(ROOT, "..", "shared", "nix-builtins.tsv"))
CORPUS = os.path.join(ROOT, "tests", "differential")
MINIMUM = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def builtins_of_2_8():
    out = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "-E", "builtins.attrNames builtins"],
        env={"NIX_REMOTE": "dummy://", "PATH": os.environ.get("PATH", ""), "HOME": "/tmp"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    return set(json.loads(out))


def main():
    rows = [line.rstrip("\n").split("\t") for line in open(TSV)][1:]
    old = builtins_of_2_8()
    names = [(r[0], r[1]) for r in rows if r and r[0] in old]
    programs = {}
    for f in sorted(os.listdir(CORPUS)):
        if f.endswith(".nix"):
            with open(os.path.join(CORPUS, f), encoding="utf-8", errors="replace") as fh:
                programs[f] = fh.read()
    inherit_re = re.compile(r"inherit\s*\(\s*builtins\s*\)([^;]*);")
    counts = {}
    for name, global_name in names:
        n = re.escape(name)
        pats = [r"builtins\s*\.\s*" + n + r"(?![\w'-])"]
        if global_name != name:
            pats.append(r"(?<![\w'.-])" + re.escape(global_name) + r"(?![\w'-])")
        else:
            pats.append(r"(?<![\w'.-])" + n + r"(?![\w'-])")
        pat = re.compile("|".join(pats))
        count = 0
        for text in programs.values():
            if pat.search(text) or any(name in m.split() for m in inherit_re.findall(text)):
                count += 1
        counts[name] = count
    below = sorted((c, n) for n, c in counts.items() if c < MINIMUM)
    for c, n in below:
        print(f"{n}\t{c}")
    covered = len(counts) - len(below)
    print(
        f"# {len(counts)} builtins of 2.8 in the list, {covered} with >= {MINIMUM} programs, "
        f"{len(below)} below; {len(programs)} programs"
    )
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
