# zkm31 — the two commands are `make demo` and `make test`; both install what is missing first.
BUILD   ?= build
PREFIX  ?= /usr/local
JOBS    ?= $(shell nproc)
CUDA    ?= 0
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
ifeq ($(CUDA),1)
CMAKE_FLAGS += -DZKM31_CUDA=ON
else
CMAKE_FLAGS += -DZKM31_CUDA=OFF
endif

.PHONY: all deps build test unit e2e bench demo install clean models

all: build

deps:
	@scripts/setup-deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/Makefile
	@cmake $(CMAKE_FLAGS) $(BUILD) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

test: build
	@scripts/setup-deps.sh --browser
	@scripts/run-tests.sh $(BUILD)

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
	@rm -rf $(BUILD)
