#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for a bounded time on a
# scratch copy of its seed corpus. Any crash, sanitizer report, leak, timeout or schema-breaking
# event fails the run and leaves the input under $OUT/<target>-crash-*.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 30 s; all targets)
#
# A longer campaign: scripts/fuzz.sh 1800 pipeline  (figures go in docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(decode pipeline rules config record)
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_OUT:-$build/fuzz-runs}

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DWIRESCAN_FUZZ=ON -DWIRESCAN_TESTS=OFF >/dev/null
cmake --build "$build" --target $(printf 'fuzz_%s ' "${targets[@]}")

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/fuzz/ubsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
mkdir -p "$out"
status=0
for t in "${targets[@]}"; do
  work="$out/$t-corpus"
  rm -rf "$work" && mkdir -p "$work"
  dict=()
  [[ $t == decode || $t == pipeline ]] && dict=(-dict=tests/fuzz/json.dict)
  # The config target also starts from the configs the project ships, as they are today
  # (checked-in copies of them had drifted from the files).
  seeds=("tests/fuzz/corpus/$t")
  if [[ $t == config ]]; then
    rm -rf "$out/config-shipped" && mkdir -p "$out/config-shipped"
    cp config/example.yaml "$out/config-shipped/example.yaml"
    cp deploy/k8s/wirescan.yaml "$out/config-shipped/k8s.yaml"
    cp deploy/local/wirescan.yaml "$out/config-shipped/local.yaml"
    seeds+=("$out/config-shipped")
  fi
  log="$out/$t.log"
  # -timeout: one input taking longer than 10 s is a finding (linear-time matching is a promise).
  if "$build/fuzz/fuzz_$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$out/$t-" "$work" "${seeds[@]}" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
    echo "fuzz $t: ${seconds}s, $runs inputs, coverage $cov edges, no finding"
  else
    status=1
    echo "fuzz $t: FINDING (log $log)"
    grep -E 'ERROR|runtime error|terminate|what\(\)|breaks the schema|SUMMARY|Test unit written' "$log" | head -20
  fi
done
exit $status
