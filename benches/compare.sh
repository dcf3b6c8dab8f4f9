#!/usr/bin/env bash
# Runs every program of the benchmark directory with neve (release build) and
# with CppNix (nix-instantiate) side by side, and prints wall time and peak
# memory of each, and their ratios (neve / CppNix; below 1 means neve wins).
#
#   benches/compare.sh [BENCH_DIR]
#
# BENCH_DIR defaults to $NEVE_BENCH_DIR, then to ../shared/bench beside the
# repository. Each program runs N times per evaluator (N=3 unless set in the
# environment), the two evaluators taking turns; the table keeps the best
# time and the lowest peak RSS. Both
# evaluators must print the program's .exp file exactly; a program where one
# does not is reported and makes the script exit 1 after the table.
#
# Environment: N (runs per evaluator), NEVE_BIN (use this neve binary instead
# of building one), NIX_INSTANTIATE (the CppNix command, default
# nix-instantiate), CARGO_TARGET_DIR (where cargo builds).
set -euo pipefail

die() {
  echo "compare.sh: $*" >&2
  exit 2
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_dir="${1:-${NEVE_BENCH_DIR:-$root/../shared/bench}}"
runs="${N:-3}"
nix_instantiate="${NIX_INSTANTIATE:-nix-instantiate}"
time_cmd=/usr/bin/time

[[ -d "$bench_dir" ]] || die "no benchmark directory at $bench_dir (give one as \$1 or \$NEVE_BENCH_DIR)"
bench_dir="$(cd "$bench_dir" && pwd)"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, not '$runs'"
[[ -x "$time_cmd" ]] || die "$time_cmd (GNU time) is missing; install the 'time' package"
command -v "$nix_instantiate" >/dev/null 2>&1 ||
  die "$nix_instantiate is missing; install CppNix (apt-get install nix-bin)"

shopt -s nullglob
programs=("$bench_dir"/*.nix)
shopt -u nullglob
((${#programs[@]} > 0)) || die "no .nix programs in $bench_dir"

if [[ -n "${NEVE_BIN:-}" ]]; then
  neve="$NEVE_BIN"
else
  echo "building neve (cargo build --release -p neve)..." >&2
  (cd "$root" && cargo build --release -p neve --quiet) || die "cargo build --release -p neve failed"
  neve="${CARGO_TARGET_DIR:-$root/target}/release/neve"
  [[ "$neve" = /* ]] || neve="$root/$neve"
fi
[[ -x "$neve" ]] || die "no neve binary at $neve"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home"

# run_once EXP CMD...: runs CMD once in the program's directory; prints
# "SECONDS KB" (wall time, peak RSS), or "FAIL WHY" when the run fails or
# prints something other than the expected value.
run_once() {
  local exp="$1"
  shift
  local s kb start end
  # Wall time from bash's microsecond clock (GNU time's `%e` has 10 ms
  # steps, a tenth of the shorter programs); GNU time gives peak RSS.
  start="$EPOCHREALTIME"
  if ! (cd "$bench_dir" && HOME="$scratch/home" NIX_REMOTE=dummy:// \
    "$time_cmd" -f "%e %M" -o "$scratch/time" "$@" >"$scratch/out" 2>"$scratch/err"); then
    local why
    why="$(grep -m1 '^error:' "$scratch/err" || tail -n1 "$scratch/err" || true)"
    echo "FAIL exit status non-zero: ${why:-no message}"
    return
  fi
  end="$EPOCHREALTIME"
  if ! cmp -s "$scratch/out" "$exp"; then
    echo "FAIL printed $(head -c 80 "$scratch/out" | tr '\n' ' '), expected $(head -c 80 "$exp" | tr '\n' ' ')"
    return
  fi
  read -r s kb <"$scratch/time" || true
  [[ "$s" =~ ^[0-9.]+$ && "$kb" =~ ^[0-9]+$ ]] || {
    echo "FAIL could not read $time_cmd output: $(cat "$scratch/time")"
    return
  }
  s="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')"
  echo "$s $kb"
}

# best_of "S KB" "S KB": the lower time and the lower peak RSS of two
# results (the first may be empty).
best_of() {
  [[ -z "$1" ]] && { echo "$2"; return; }
  awk -v a="$1" -v b="$2" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "%s %s\n", (y[1] + 0 < x[1] + 0 ? y[1] : x[1]), (y[2] + 0 < x[2] + 0 ? y[2] : x[2])
  }'
}

# measure_pair NAME EXP: runs the program with neve and with CppNix, $runs
# times each, alternating (on a shared machine a burst of load then falls on
# both rather than on the runs of one); sets ours and theirs to "SECONDS KB"
# (best time, lowest peak RSS) or "FAIL WHY".
measure_pair() {
  local name="$1" exp="$2" i r
  ours="" theirs=""
  for ((i = 0; i < runs; i++)); do
    if [[ "$ours" != FAIL* ]]; then
      r="$(run_once "$exp" "$neve" eval --strict "$name.nix")"
      if [[ "$r" == FAIL* ]]; then ours="$r"; else ours="$(best_of "$ours" "$r")"; fi
    fi
    if [[ "$theirs" != FAIL* ]]; then
      r="$(run_once "$exp" "$nix_instantiate" --eval --strict "$name.nix")"
      if [[ "$r" == FAIL* ]]; then theirs="$r"; else theirs="$(best_of "$theirs" "$r")"; fi
    fi
  done
}

# ratio A B: A / B with two decimals, or n/a when B is zero.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

mb() {
  awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'
}

echo "neve:   $neve" >&2
echo "cppnix: $("$nix_instantiate" --version)" >&2
echo "programs in $bench_dir, best of $runs runs each" >&2
echo

row() {
  printf '%-14s %9s %9s %7s %9s %9s %7s\n' "$@"
}
row program "neve s" "cppnix s" ratio "neve MB" "cppnix MB" ratio
row -------------- --------- --------- ------- --------- --------- -------

failures=()
for program in "${programs[@]}"; do
  name="$(basename "$program" .nix)"
  exp="$bench_dir/$name.exp"
  if [[ ! -f "$exp" ]]; then
    failures+=("$name: no $name.exp")
    row "$name" - - - - - -
    continue
  fi
  measure_pair "$name" "$exp"
  if [[ "$ours" == FAIL* || "$theirs" == FAIL* ]]; then
    [[ "$ours" == FAIL* ]] && failures+=("$name: neve: ${ours#FAIL }")
    [[ "$theirs" == FAIL* ]] && failures+=("$name: cppnix: ${theirs#FAIL }")
    read -r ns nkb <<<"$ours"
    read -r cs ckb <<<"$theirs"
    if [[ "$ours" == FAIL* ]]; then ns=FAIL nkb=""; fi
    if [[ "$theirs" == FAIL* ]]; then cs=FAIL ckb=""; fi
    row "$name" "$ns" "$cs" - "${nkb:+$(mb "$nkb")}" "${ckb:+$(mb "$ckb")}" -
    continue
  fi
  read -r ns nkb <<<"$ours"
  read -r cs ckb <<<"$theirs"
  row "$name" "$ns" "$cs" "$(ratio "$ns" "$cs")" "$(mb "$nkb")" "$(mb "$ckb")" "$(ratio "$nkb" "$ckb")"
done

if ((${#failures[@]} > 0)); then
  echo
  echo "failures:"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
