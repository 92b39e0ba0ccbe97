# Thin wrapper: the two README commands (`make demo`, `make test`) each do the whole set-up.
BUILD ?= build
# Warnings are errors in CI (CI=true) and advice elsewhere.
WERROR := $(if $(filter true 1 yes,$(CI)),ON,OFF)

.PHONY: all deps build demo test clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DWIRESCAN_WERROR=$(WERROR) >/dev/null
	@cmake --build $(BUILD)

demo: build
	./$(BUILD)/wirescan demo

test: build
	ctest --test-dir $(BUILD) --output-on-failure

clean:
	rm -rf $(BUILD)
