# Thin wrapper over scripts/setup.sh, CMake and CTest. Every target works on a fresh Debian 12.
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are passed through from the environment untouched.

JOBS        := -j2
BUILD       := build
BUILD_ASAN  := build-asan
BUILD_FUZZ  := build-fuzz
FORMAT_DIRS := include src tests cli serve bench fuzz

# Fuzz targets: fuzz/fuzz_<name>.cpp with a seed corpus in fuzz/corpus/<name>/ (docs/fuzzing.md).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.cpp,%,$(wildcard fuzz/fuzz_*.cpp))

ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: all setup setup-bench build build-asan test run serve bench fuzz fuzz-build fuzz-merge format \
        format-check clean

all: build

# setup.sh checks every package quickly and installs only what is missing.
setup:
	bash scripts/setup.sh

setup-bench:
	bash scripts/setup.sh --bench

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) $(JOBS)

build-asan:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DDESCENT_SANITIZE=ON
	$(ASAN_ENV) cmake --build $(BUILD_ASAN) $(JOBS)

test: setup
	$(MAKE) build
	ctest --test-dir $(BUILD) --output-on-failure $(JOBS)
	$(MAKE) build-asan
	$(ASAN_ENV) ctest --test-dir $(BUILD_ASAN) --output-on-failure $(JOBS)

# The main job: six optimizers on Fashion-MNIST from the same initial weights and batches
# (examples/fashion_mnist_compare.json); prints the summary table and where the report is.
MAIN_OPTIMIZERS := sgd:lr=0.1 'sgd:lr=0.01,momentum=0.9' 'sgd:lr=0.01,momentum=0.9,nesterov=true' \
                   rmsprop:lr=0.001 adam:lr=0.001 'adamw:lr=0.001,weight_decay=0.01'

run: setup
	$(MAKE) build
	./$(BUILD)/descent compare examples/fashion_mnist_compare.json \
	  $(foreach o,$(MAIN_OPTIMIZERS),--optimizer $(o))

# The web lab (docs/web-lab.md): prints the URL with its access token.
serve: setup
	$(MAKE) build
	./$(BUILD)/descent serve

bench: setup-bench
	$(MAKE) build
	cmake --build $(BUILD) $(JOBS) --target descent_bench
	mkdir -p $(BUILD)/bench && ./$(BUILD)/descent_bench --out $(BUILD)/bench/results.csv

# libFuzzer with clang, ASan and UBSan. Each target runs FUZZ_SECONDS from its committed corpus;
# new inputs go to $(BUILD_FUZZ)/corpus/<name> and crashes to $(BUILD_FUZZ)/artifacts/<name>/,
# so the committed corpus changes only through `make fuzz-merge`.
fuzz-build:
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DDESCENT_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
	cmake --build $(BUILD_FUZZ) $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD_FUZZ)/corpus/$$t $(BUILD_FUZZ)/artifacts/$$t && \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s" && \
	  $(BUILD_FUZZ)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(BUILD_FUZZ)/artifacts/$$t/ $(BUILD_FUZZ)/corpus/$$t fuzz/corpus/$$t \
	    || exit 1; \
	done

# Adds to fuzz/corpus/<name> the inputs found by `make fuzz` that reach new coverage.
fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD_FUZZ)/corpus/$$t && \
	  $(BUILD_FUZZ)/fuzz/fuzz_$$t -merge=1 fuzz/corpus/$$t $(BUILD_FUZZ)/corpus/$$t || exit 1; \
	done

FORMAT_FILES = $(shell find $(wildcard $(FORMAT_DIRS)) -type f \( -name '*.h' -o -name '*.cpp' \) 2>/dev/null)

format:
	@if [ -n "$(FORMAT_FILES)" ]; then clang-format -i $(FORMAT_FILES); fi

format-check:
	@if [ -n "$(FORMAT_FILES)" ]; then clang-format --dry-run --Werror $(FORMAT_FILES); fi

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) web/dist
