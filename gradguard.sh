#!/usr/bin/env bash
# The quick-start commands of README.md:
#   ./gradguard.sh demo   install what is missing, build (release), run the demo,
#                         show a real missing-gradient compile error, run the
#                         benchmark suite in its short mode (about a minute)
#   ./gradguard.sh bench  install what is missing (the peers and matplotlib too),
#                         build (release) and run the whole benchmark suite (full
#                         mode, with compile times); writes docs/performance.json,
#                         docs/performance.md and docs/img/bench_*.png
#   ./gradguard.sh test   install what is missing, build and run every test suite
#                         with g++ 12 and with clang++ 16 under ASan+UBSan (plus a
#                         bounded libFuzzer run), and the thread tests under TSan;
#                         the g++ build also builds the benchmarks and
#                         runs each once (suite bench-check: every column checked
#                         against the hand-written gradient at every size); ends
#                         with the line "N passed, N failed"
set -euo pipefail
cd "$(dirname "$0")"

packages=(meson ninja-build python3 g++ clang-16 libclang-rt-16-dev libboost-dev libgtest-dev libgmock-dev libbenchmark-dev libeigen3-dev cmake pkg-config clang-format-14 clang-tidy-16)
# The peer AD libraries of the benchmarks (optional meson dependencies): only
# the demo, which runs the benchmarks, installs them.
peer_packages=(libadolc-dev libtrilinos-sacado-dev libceres-dev)
# The plots of the full benchmark report (tools/bench_docs.py, Debian's python3).
plot_packages=(python3-matplotlib)

# install_missing [extra packages...]
install_missing() {
  local missing=()
  for p in "${packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "== installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "gradguard needs these Debian packages; install them and run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

# setup DIR CXX [meson options...]: configure once, reconfigure afterwards so
# that new sources are picked up.
setup() {
  local dir=$1 cxx=$2
  shift 2
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    CXX=$cxx meson setup "$dir" "$@" >/dev/null
  fi
}

jobs=$(nproc 2>/dev/null || echo 2)

run_demo() {
  install_missing "${peer_packages[@]}"
  setup build/release g++ --buildtype=release -Dtests=disabled -Ddocs=disabled
  ninja -C build/release -j"$jobs" >/dev/null
  echo "== the demo (examples/demo.cpp)"
  ./build/release/examples/demo
  echo
  echo "== the tape (examples/tape_fit.cpp): a loss with a run-time branch, and a run-time diagnosis"
  ./build/release/examples/tape_fit
  echo
  echo "== a missing gradient is a compile error (examples/missing_gradient.cpp with -DGRADGUARD_SHOW_ERROR):"
  if g++ -std=c++20 -Iinclude -fsyntax-only -DGRADGUARD_SHOW_ERROR examples/missing_gradient.cpp \
       >build/release/missing_gradient.log 2>&1; then
    echo "unexpected: the broken snippet compiled" >&2
    exit 1
  fi
  sed -e "s|$(pwd)/||g" build/release/missing_gradient.log | cut -c1-220 | head -25
  echo
  echo "== the benchmark suite (Google Benchmark, release build, short mode; full: ./gradguard.sh bench)"
  python3 tools/bench_report.py build/release --short
}

run_bench() {
  install_missing "${peer_packages[@]}" "${plot_packages[@]}"
  setup build/release g++ --buildtype=release -Dtests=disabled -Ddocs=disabled -Dbenchmarks=enabled
  ninja -C build/release -j"$jobs" >/dev/null
  python3 tools/bench_report.py build/release --compile-times --out docs/performance.json
  # Debian's python3, which has python3-matplotlib (another python3 may come first on PATH).
  /usr/bin/python3 tools/bench_docs.py docs/performance.json --md docs/performance.md --img docs/img
}

# Counts the results meson recorded for one build directory.
count_results() {
  python3 - "$1" <<'PY'
import json, sys
passed = failed = 0
with open(sys.argv[1] + "/meson-logs/testlog.json") as log:
    for line in log:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL", "SKIP"):
            passed += r != "SKIP"
        else:
            failed += 1
print(passed, failed)
PY
}

# The unit tests that run threads: also built and run under ThreadSanitizer.
TSAN_TESTS=(thread_test)

run_tests() {
  install_missing
  local total_pass=0 total_fail=0 status=0
  # Optimised, asserts on, no debug info: -g doubles the compile time of
  # the template-heavy tests (law_arithmetic_test: 10.6 s at -O2, 24.3 s at
  # -O2 -g) and the tests need no debugger.
  #   gcc    g++ 12 at -Og: every suite; also builds the benchmarks (with the
  #          peers that are installed) and runs each once (bench-check). -Og
  #          is -O1 without the passes that get in a debugger's way (SRA,
  #          DSE, inlining of functions called once, ...): it still inlines,
  #          optimises and runs the flow analyses behind -Wmaybe-uninitialized,
  #          and compiles these tests 15-28% faster than -O1 (law_special_test
  #          75.5 -> 54.3 s, eigen_dual_test 52.9 -> 43.2 s, bench sum 18.1 ->
  #          15.7 s), itself 22-24% faster than -O2. The benchmarks' own
  #          builds (demo, bench) are release builds.
  #   clang  clang++ 16 under ASan+UBSan: every suite but the benchmarks,
  #          and the libFuzzer target for a bounded time (suite fuzz). One
  #          build serves both the second compiler and the sanitizers. At -O0:
  #          ASan's manual advises -O1 for speed, but the tests run in
  #          seconds either way and -O0 compiles 3x faster (eigen/dual_test:
  #          65 s at -O1, 22 s at -O0); g++ covers the optimised build.
  #   tsan   clang++ 16 under ThreadSanitizer: the programs of the tests that
  #          use threads (TSAN_TESTS), and only those.
  local configs=(
    "gcc g++ -Dwerror=true -Doptimization=g -Ddebug=false -Dbenchmarks=enabled -Dfuzz=disabled"
    "clang clang++-16 -Dwerror=true -Doptimization=0 -Ddebug=false -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=disabled -Dfuzz=enabled"
    "tsan clang++-16 -Dwerror=true -Doptimization=1 -Ddebug=false -Db_sanitize=thread -Db_lundef=false -Dbenchmarks=disabled -Ddocs=disabled -Dfuzz=disabled"
  )
  for cfg in "${configs[@]}"; do
    read -r name cxx opts <<<"$cfg"
    # shellcheck disable=SC2086
    setup "build/$name" "$cxx" $opts
    echo "== build/$name ($cxx)"
    local started=$SECONDS built
    local targets=() tests=()
    if [ "$name" = tsan ]; then
      tests=("${TSAN_TESTS[@]}")
      targets=("${tests[@]/#/test/unit/unit_}")
    fi
    if ! ninja -C "build/$name" -j"$jobs" "${targets[@]}" >"build/$name.ninja.log" 2>&1; then
      tail -40 "build/$name.ninja.log"
      echo "build/$name: the build failed"
      total_fail=$((total_fail + 1))
      status=1
      continue
    fi
    built=$SECONDS
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 TSAN_OPTIONS=halt_on_error=1 \
      meson test -C "build/$name" --no-rebuild --num-processes "$jobs" --print-errorlogs "${tests[@]}" \
      >"build/$name.test.log" 2>&1 || status=1
    grep -E "^ *[0-9]+/[0-9]+ " "build/$name.test.log" | sed 's/^/  /' || true
    read -r p f < <(count_results "build/$name")
    echo "build/$name: $p passed, $f failed (build $((built - started)) s, tests $((SECONDS - built)) s)"
    [ "$f" -gt 0 ] && grep -A40 -E "^=+ [0-9]+/[0-9]+ =+" "build/$name.test.log" | head -120
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
  done
  echo "$total_pass passed, $total_fail failed"
  return $status
}

case "${1:-}" in
  demo) run_demo ;;
  bench) run_bench ;;
  test) run_tests ;;
  *) echo "usage: $0 demo|bench|test" >&2; exit 2 ;;
esac
