#!/usr/bin/env bash
# ThreadSanitizer run of wirescan's concurrent parts: the HTTP server's threads reading health
# and metrics while the main loop updates them, librdkafka's threads calling back into wirescan
# (logs, statistics, rebalances, delivery reports), SIGHUP rule reloads under load, and drain on
# SIGTERM. Builds build-tsan and runs the tests that exercise those paths, including the real
# broker ones. Not in CI (TSan roughly triples run time); results go in docs/reliability.md.
#
#   scripts/tsan.sh [ctest -R regex]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-tsan -G Ninja -DWIRESCAN_SANITIZE=thread >/dev/null
cmake --build build-tsan
regex=${1:-"broker-|SIGHUP|basic auth|demo runs|readyz|second instance|SIGTERM under load|Prometheus scraping|broken rule file|network to the broker"}
# librdkafka is not instrumented: TSan cannot see the locks inside it, so reports whose every
# frame is inside librdkafka are suppressed (scripts/tsan.supp). Anything touching wirescan stays.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan.supp"
ctest --test-dir build-tsan -R "$regex" --output-on-failure
