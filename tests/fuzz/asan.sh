#!/usr/bin/env bash
# The fuzz inputs through the compiled core built with AddressSanitizer (outside the test command).
#
#   bash tests/fuzz/asan.sh [INPUTS]      # default 20000; writes benchmarks/results/fuzz_asan.json
#
# The core is rebuilt with -fsanitize=address in a scratch copy of the tracked files (the
# checkout's own build is left alone) and the run compares its segments with the reference's.
# Python itself is not instrumented: the sanitizer runtime is preloaded, leaks are not checked
# (the interpreter keeps memory until exit), and any invalid read or write aborts the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
inputs=${1:-20000}
python=${PYTHON:-python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$work")
lexbor=$(ls -d "$root"/build/selectolax-*-lexbor 2>/dev/null | head -n1 || true)
if [ -n "$lexbor" ]; then
  export LINKGUARD_LEXBOR_SOURCE="$lexbor"
fi
asan=$(gcc -print-file-name=libasan.so)
cd "$work"
LINKGUARD_CORE_CFLAGS="-O1 -g -fsanitize=address -fno-omit-frame-pointer" LDFLAGS="-fsanitize=address" \
  "$python" setup.py -q build_ext --inplace 2>&1 | grep -v "^warning\|Warning" || true
ls linkguard/_core*.so >/dev/null || { echo "asan: the core did not build" >&2; exit 2; }
# The scratch copy comes first on the path, so its sanitized core is the one imported.
PYTHONPATH="$work" LD_PRELOAD="$asan" ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1" \
  "$python" -c "import linkguard._compiled as n, sys; assert n.core is not None and n.core.__file__.startswith('$work'), n.core; print('asan: core', n.core.__file__)"
PYTHONPATH="$work" LD_PRELOAD="$asan" ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1" \
  "$python" -m tests.fuzz.run --inputs "$inputs" --compare --out "$root/benchmarks/results/fuzz_asan.json"
