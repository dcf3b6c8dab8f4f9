#!/usr/bin/env python3
"""Random expressions evaluated by neve and by CppNix, compared.

    scripts/differential-random.py [SEED] [COUNT]

Builds COUNT (default 500) random expressions from a small grammar of the
language: literals of every type, paths, lists, plain, `rec` and dynamic
sets, operators, about 70 builtins, `if`, `let`, `with`, `assert`, `?`,
`or`, function patterns and interpolation, all under a `let` of a few
variables. Each is run with `neve eval --strict -E` (the release build in
target/, or NEVE_BIN) and `nix-instantiate --eval --strict -E` under
NIX_REMOTE=dummy://. The exit status and stdout must be equal; error
messages are not compared, since CppNix 2.8's differ from current Nix's,
which neve follows.

Prints each disagreement with both results, then a summary, and exits 1
if there was one. Known 2.8 differences (listed in
tests/differential/known-divergences.txt) show up too, for example integral
floats in `toJSON`; read them against that list. A disagreement worth
keeping becomes a program of tests/differential/.

Found this way (session 11): `a > b` and `a <= b` evaluated `a` first; `/a//b`
was taken for a path; a trailing slash at the very end of the input was
accepted.
"""
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEVE = os.environ.get("NEVE_BIN", os.path.join(ROOT, "target", "release", "neve"))
SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 1
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 500

VARIABLES = ["v", "w", "s", "l", "n", "f", "g", "set", "e"]
PRELUDE = (
    'let v = 3; w = 2.5; s = "str"; l = [ 1 2 3 ]; n = null; f = x: x; '
    'g = { a, b ? 1 }: a; set = { a = 1; b = { c = 2; }; x = "y"; }; e = { }; in '
)
INTS = ["0", "1", "-1", "2", "3", "10", "42", "255", "-7", "4611686018427387904"]
FLOATS = ["0.5", "1.0", "2.5", "1e10", "0.1", "-0.0", "1e-7", "123.456", "5e-324", "1.7976931348623157e308"]
STRINGS = [
    '"a"', '"hello"', '""', '"x\\ny"', '"q\\"q"', '"\\\\"', '"ünï"', "''ind\n  ent\n''", '"1.2.3"',
    '"a-b_c"', '"${toString 1}"', "''$${x}''", '"\\$"', '"foo/bar"',
]
PATHS = ["./.", "/tmp", "/x/y/../z", "/a//b", "/a/b/", "./a/${\"b\"}/c"]
NAMES = ["a", "b", "c", "x", '"z w"', "foo", "bar", '${"dyn"}', "a.b"]
BUILTINS = [
    "toString", "typeOf", "length", "attrNames", "attrValues", "head", "tail", "toJSON", "stringLength",
    "isString", "isList", "isPath", "ceil", "floor", "fromJSON", "splitVersion", "parseDrvName", "baseNameOf",
    "dirOf", "concatLists", "toXML", "isFunction", "functionArgs", "tryEval", 'hashString "md5"',
    'hashString "sha1"', 'concatStringsSep "-"', 'split "[a-z]"', 'match "([a-z]*)(.*)"', "substring 0 3",
    'replaceStrings ["a" "b"] ["x" ""]', "genList (i: i)", "elemAt [1 2 3]", 'getAttr "a"', 'hasAttr "a"',
    "removeAttrs { a = 1; b = 2; }", "intersectAttrs { a = 1; }", 'catAttrs "a"', "mapAttrs (k: v: k)",
    "filter (x: x != null)", "map toString", "sort (a: b: a < b)", "groupBy toString", "listToAttrs",
    "zipAttrsWith (n: vs: vs)", "foldl' (a: b: [a b]) 0", 'compareVersions "1.0"', "bitXor 5", "bitOr 2",
    "mul 3", "add 1.5", "unsafeDiscardStringContext", "seq null", "deepSeq [ 1 ]", "isAttrs", "isBool",
    "isNull", "isInt", "isFloat", "all (x: x == 1)", "any isString", "partition isInt",
    "concatMap (x: [x x])", "elem null", "fromTOML", "lessThan 1", "sub 3", "div 7", "bitAnd 6",
]
OPERATORS = ["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "++", "//", "->"]
HAS_ATTR = ["a", "x", "a.b", '"z w"']
FUNCTIONS = ["x: x", "{ a, b ? 2, ... }: a + b", "{ a }@all: all", "x: y: x"]


def literal(depth):
    r = random.random()
    if r < 0.15:
        return random.choice(INTS)
    if r < 0.22:
        return random.choice(FLOATS)
    if r < 0.35:
        return random.choice(STRINGS)
    if r < 0.40:
        return random.choice(["true", "false", "null"])
    if r < 0.45:
        return random.choice(PATHS)
    if r < 0.55:
        return "[ " + " ".join(expression(depth + 1) for _ in range(random.randint(0, 3))) + " ]"
    if r < 0.65:
        names = random.sample(NAMES, random.randint(0, 3))
        rec = random.choice(["", "", "rec "])
        return rec + "{ " + " ".join(f"{name} = {expression(depth + 1)};" for name in names) + " }"
    return random.choice(VARIABLES)


def expression(depth=0):
    if depth > 3:
        return literal(depth)
    r = random.random()
    sub = lambda: expression(depth + 1)  # noqa: E731
    if r < 0.30:
        return literal(depth)
    if r < 0.45:
        return f"({sub()} {random.choice(OPERATORS)} {sub()})"
    if r < 0.70:
        return f"(builtins.{random.choice(BUILTINS)} {sub()})"
    if r < 0.75:
        return f"(if {sub()} then {sub()} else {sub()})"
    if r < 0.80:
        return f"({sub()}.{random.choice(['a', 'b', 'x', 'a.b'])} or {sub()})"
    if r < 0.84:
        return f"({sub()} ? {random.choice(HAS_ATTR)})"
    if r < 0.88:
        return f"(let {random.choice(['v', 'q', 'a'])} = {sub()}; in {sub()})"
    if r < 0.91:
        return f"(with {sub()}; {random.choice(['a', 'x', 'v', 's'])})"
    if r < 0.94:
        return f"(({random.choice(FUNCTIONS)}) {sub()})"
    if r < 0.97:
        return f"(assert {sub()}; {sub()})"
    return '"${' + sub() + '}-x"'


def run(command):
    env = dict(os.environ, NIX_REMOTE="dummy://")
    try:
        p = subprocess.run(command, capture_output=True, timeout=10, env=env, cwd=ROOT)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return "timeout", ""


def main():
    random.seed(SEED)
    disagreements = 0
    for _ in range(COUNT):
        program = PRELUDE + expression()
        ours = run([NEVE, "eval", "--strict", "-E", program])
        theirs = run(["nix-instantiate", "--eval", "--strict", "-E", program])
        if ours != theirs:
            disagreements += 1
            print(f"{program}\n  neve: {ours}\n  nix:  {theirs}\n", flush=True)
    print(f"{COUNT} programs, {disagreements} disagreements (seed {SEED})")
    sys.exit(1 if disagreements else 0)


if __name__ == "__main__":
    main()
