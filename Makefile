# zkm31 — the two commands are `make demo` and `make test`; both install what is missing first.
BUILD   ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
SECONDS ?= 60
PREFIX  ?= /usr/local
JOBS    ?= $(shell nproc)
CUDA    ?= 0
ifeq ($(CUDA),1)
CUDA_FLAG := -DZKM31_CUDA=ON
else
CUDA_FLAG := -DZKM31_CUDA=OFF
endif
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
CMAKE_FLAGS += $(CUDA_FLAG)
# The unit tests again with AddressSanitizer + UndefinedBehaviorSanitizer (part of `make test`).
ASAN_FLAGS := -DCMAKE_BUILD_TYPE=Debug -DZKM31_SANITIZE=ON -DZKM31_CUDA=OFF
FUZZ_FLAGS := -DCMAKE_BUILD_TYPE=Debug -DZKM31_FUZZ=ON -DZKM31_CUDA=OFF -DCMAKE_CXX_COMPILER=clang++-14

.PHONY: all deps build asan test unit e2e bench demo install clean models fuzz

all: build

deps:
	@scripts/setup-deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/Makefile
	@cmake $(CMAKE_FLAGS) $(BUILD) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(ASAN_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests -- --no-print-directory

test: build asan
	@scripts/setup-deps.sh --browser
	@scripts/run-tests.sh $(BUILD) $(ASAN_BUILD)

# Every libFuzzer harness of tests/fuzz for SECONDS each, or RUNS executions each (needs clang-14 and libclang-rt-14-dev).
fuzz: build
	@scripts/setup-deps.sh fuzz
	@cmake -S . -B $(FUZZ_BUILD) $(FUZZ_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_harnesses -- --no-print-directory
	@RUNS=$(RUNS) scripts/fuzz.sh $(BUILD) $(FUZZ_BUILD) $(SECONDS)

bench: build
	@mkdir -p bench
	@$(BUILD)/bin/zkm31-bench --out bench/results.json

demo: build
	@PATH="$(CURDIR)/$(BUILD)/bin:$$PATH" pipeline/demo.sh

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

# Regenerates the project's own test models (needs python3-torch and python3-sklearn).
models:
	@python3 tests/data/make_models.py

clean:
	@rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
