# Thin wrapper: the two README commands (`make demo`, `make test`) each do the whole set-up.
BUILD ?= build
# Warnings are errors in CI (CI=true) and advice elsewhere.
WERROR := $(if $(filter true 1 yes,$(CI)),ON,OFF)

.PHONY: all deps build demo test sanitize fuzz bench-check ci clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DWIRESCAN_WERROR=$(WERROR) >/dev/null
	@cmake --build $(BUILD)

demo: build
	./$(BUILD)/wirescan demo

# Tests run TEST_JOBS at a time: most of the suite waits on a broker, wirescan or Prometheus,
# not on the CPU (tests/CMakeLists.txt says which tests run alone).
TEST_JOBS ?= 3
# Under ASan the tests use the CPU far more (the staged pipeline's test alone 2 minutes): one a core.
SANITIZE_JOBS ?= 2
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(TEST_JOBS)

# The whole unit, e2e and integration suite again, built with ASan+UBSan (a real broker too);
# the benchmarks, which no test runs, are left out of that build.
# Warnings are not errors here: GCC 12 with -fsanitize reports -Wmaybe-uninitialized inside
# <regex> and <functional> that the plain build (where -Werror holds) does not.
sanitize: deps
	@cmake -S . -B build-asan -G Ninja -DWIRESCAN_SANITIZE=address,undefined -DWIRESCAN_WERROR=OFF -DWIRESCAN_BENCH=OFF >/dev/null
	@cmake --build build-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j $(SANITIZE_JOBS)

# Each libFuzzer target for FUZZ_SECONDS (clang; scripts/fuzz.sh).
FUZZ_SECONDS ?= 30
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# What CI runs: the suite, the sanitiser suite, then the fuzzers.
# Fails when in-process throughput relative to simdjson fell >30% below bench/baseline.json.
bench-check: build
	/usr/bin/python3 bench/check-regression.py

ci: test bench-check sanitize fuzz

clean:
	rm -rf $(BUILD) build-asan build-fuzz
