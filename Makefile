# dumpcheck — one Makefile; every variant builds into build/<variant>/.
#
#   make conform      the main job: readers and writers over the corpus, reports (README)
#   make test         every test: unit (cmocka), CLI, Python, real dumps
#   make bench        speed and memory benchmarks against peer readers
#   make gen          regenerate reference/gen, the fuzz dictionary, SPEC.md
#   make check-gen    fail if generated files (and scenario seeds) drift from spec/
#   make seeds        regenerate corpus/seeds/fuzz_scenario from spec/scenarios
#   make deps         install the Debian packages the project needs
#   make abi-check    build the Windows ABI header for x64/x86 (mingw-w64), ARM64 (clang)
#   make deps-cross   install the mingw-w64 cross compilers abi-check uses
#   make agent        build/win/agent.exe, the Windows agent (real dbghelp)
#   make deps-wine    install mingw-w64 (x64) and Debian's wine64 for the agent
#   make VARIANT=release|debug|asan|cov|clang [all]

VARIANT ?= debug
BUILD := build/$(VARIANT)
PYTHON ?= python3
SHARED ?= ../shared
REAL_DUMPS ?= $(SHARED)/real-dumps

ifeq ($(VARIANT),clang)
CC := clang
else ifeq ($(origin CC),default)
CC := gcc
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla -Wformat=2 \
        -Wmissing-prototypes -Wpointer-arith -Wundef
CSTD := -std=c11 -D_GNU_SOURCE
INCS := -Ireference/include -Ireference/gen -Ireference/src

VARIANT_CFLAGS_debug   := -O0 -g
VARIANT_CFLAGS_clang   := -O1 -g
VARIANT_CFLAGS_release := -O2 -DNDEBUG
VARIANT_CFLAGS_asan    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                          -fno-sanitize-recover=all
VARIANT_CFLAGS_cov     := -O0 -g --coverage
VARIANT_LDFLAGS_asan   := -fsanitize=address,undefined
VARIANT_LDFLAGS_cov    := --coverage

CFLAGS_ALL := $(CSTD) $(WARN) $(INCS) $(VARIANT_CFLAGS_$(VARIANT)) $(CFLAGS)
LDFLAGS_ALL := $(VARIANT_LDFLAGS_$(VARIANT)) $(LDFLAGS)

LIB_SRCS := $(wildcard reference/src/*.c) reference/gen/dc_spec.c
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard reference/cli/*.c))
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)
FUZZ_TARGETS := $(patsubst harnesses/%.c,%,$(wildcard harnesses/fuzz_*.c))
REPLAY_BINS := $(FUZZ_TARGETS:%=$(BUILD)/harnesses/replay_%)
FUZZ_CFLAGS := $(CSTD) $(INCS) -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
TARGET ?= fuzz_minidump_read
SECONDS ?= 60

DEB_PACKAGES := gcc make clang libclang-rt-14-dev llvm llvm-14 libcmocka-dev afl++ python3 valgrind \
                chromium
CROSS_PACKAGES := gcc-mingw-w64-x86-64 gcc-mingw-w64-i686

.PHONY: all lib cli tests replay fuzz fuzz-run test conform bench gen check-gen seeds deps deps-check clean \
        abi-check deps-cross agent deps-wine \
        build-variants unit-tests format

all: cli tests replay

# Keep object files that pattern chains would otherwise delete as intermediates.
.SECONDARY:

lib: $(BUILD)/libdumpcheck.a
cli: $(BUILD)/dumpcheck
tests: $(TEST_BINS)
replay: $(REPLAY_BINS)

$(BUILD)/harnesses/replay_%: $(BUILD)/obj/harnesses/%.o $(BUILD)/obj/harnesses/replay.o \
                             $(BUILD)/libdumpcheck.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libdumpcheck.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/dumpcheck: $(CLI_OBJS) $(BUILD)/libdumpcheck.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_SUPPORT_OBJS) $(BUILD)/libdumpcheck.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcmocka

-include $(shell find build/$(VARIANT)/obj -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- fuzzing

# libFuzzer builds (clang): build/fuzz/<target>
fuzz: deps-check
	@mkdir -p build/fuzz
	@for t in $(FUZZ_TARGETS); do \
	  echo "clang $$t"; \
	  clang $(FUZZ_CFLAGS) harnesses/$$t.c $(LIB_SRCS) -o build/fuzz/$$t || exit 1; \
	done

# make fuzz-run TARGET=fuzz_minidump_read SECONDS=600
fuzz-run: fuzz
	@mkdir -p build/fuzz/corpus/$(TARGET)
	build/fuzz/$(TARGET) -dict=harnesses/minidump.dict -max_total_time=$(SECONDS) \
	  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	  build/fuzz/corpus/$(TARGET) corpus/seeds/$(TARGET) corpus/regress/$(TARGET)

# ---------------------------------------------------------------- spec

gen:
	$(PYTHON) tools/specgen.py

check-gen:
	$(PYTHON) tools/specgen.py --check
	$(PYTHON) tools/mkseeds.py --check

# Seed corpora derived from spec/ (the example scenarios, flattened)
seeds:
	$(PYTHON) tools/mkseeds.py

# ---------------------------------------------------------------- Windows ABI

# reference/include/dumpcheck/win/minidumpapiset.h built for Windows with each
# installed mingw-w64 compiler (-std=c11 -Wall -Wextra -Werror, linked against
# dbghelp: every _Static_assert pin holds with the real <windows.h>), and for
# ARM64 with clang; then mingw's own <dbghelp.h> compared with spec/, printed
# as a note. A missing compiler is skipped with a message.
abi-check:
	$(PYTHON) tools/abicheck.py --out build/abi

deps-cross:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(CROSS_PACKAGES)"

# ---------------------------------------------------------------- Windows agent

# build/win/agent.exe (harnesses/win/): a scenario's callback script run
# against the real MiniDumpWriteDump, traced like `dumpcheck write --trace`.
# The library's portable sources are cross-compiled as they are; the
# validator, printer, mmap reader and reference writer are not needed.
# tools/wine_agent.py runs it under Wine (make deps-wine first).
MINGW_CC ?= x86_64-w64-mingw32-gcc
WIN_BUILD := build/win
WIN_CFLAGS := -std=c11 -D__USE_MINGW_ANSI_STDIO=1 -DWIN32_LEAN_AND_MEAN $(WARN) $(INCS) -O2 -g
AGENT_LIB_SRCS := $(addprefix reference/src/,toml.c toml_lex.c scenario.c scenario_process.c \
                  scenario_util.c script.c trace.c lookup.c process.c tokens.c err.c text.c report.c \
                  diag.c) reference/gen/dc_spec.c
AGENT_OBJS := $(patsubst %.c,$(WIN_BUILD)/obj/%.o,$(wildcard harnesses/win/*.c) $(AGENT_LIB_SRCS))
WINE_PACKAGES := gcc-mingw-w64-x86-64 wine64

agent:
	@if command -v $(MINGW_CC) >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(WIN_BUILD)/agent.exe; \
	else echo "make agent: $(MINGW_CC) is not installed (make deps-wine); skipped"; fi

$(WIN_BUILD)/agent.exe: $(AGENT_OBJS)
	$(MINGW_CC) -static -o $@ $^ -ldbghelp -lpsapi -lversion

$(WIN_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(MINGW_CC) $(WIN_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(WIN_BUILD)/obj -name '*.d' 2>/dev/null)

# The cross compiler and Debian's wine64 (its loader is /usr/lib/wine/wine64;
# the package installs no `wine` command).
deps-wine:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(WINE_PACKAGES)"

# ---------------------------------------------------------------- deps

# Installs only what is missing; run by test/conform/bench when needed.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "make deps: all packages present"; fi

deps-check:
	@[ -f /usr/include/cmocka.h ] && command -v clang >/dev/null && command -v valgrind >/dev/null \
	  && command -v obj2yaml-14 >/dev/null && command -v chromium >/dev/null \
	  || $(MAKE) --no-print-directory deps

# ---------------------------------------------------------------- jobs

# Both compilers, the sanitizer build the tests run on, and release for benchmarks.
build-variants: deps-check
	$(MAKE) --no-print-directory VARIANT=asan all
	$(MAKE) --no-print-directory VARIANT=clang all
	$(MAKE) --no-print-directory VARIANT=release cli

test: deps-check check-gen build-variants
	$(PYTHON) tests/run_all.py --build build/asan --release build/release \
	  --real-dumps $(REAL_DUMPS)

# The main job (README "make conform"): Wine + mingw-w64 and the Windows agent
# when they can be had (otherwise the wine-dbghelp writer is n.a.), the release
# CLI, then tools/conform.py: corpus, readers, writers, reports in build/report/.
conform: deps-check
	@$(MAKE) --no-print-directory deps-wine || \
	  echo "make conform: wine64 / mingw-w64 could not be installed: the wine-dbghelp writer will be n.a."
	@$(MAKE) --no-print-directory agent || \
	  echo "make conform: the Windows agent did not build: the wine-dbghelp writer will be n.a."
	$(MAKE) --no-print-directory VARIANT=release cli
	$(PYTHON) tools/conform.py --dumpcheck build/release/dumpcheck --real-dumps $(REAL_DUMPS) \
	  --out build/conform --report build/report

bench: deps-check
	$(MAKE) --no-print-directory VARIANT=release cli build/release/bench/bench_writer
	$(PYTHON) tools/bench.py --dumpcheck build/release/dumpcheck --out build/bench \
	  --real-dumps $(REAL_DUMPS)
	build/release/bench/bench_writer build/bench 1 | tee build/bench/writer.txt

$(BUILD)/bench/bench_writer: $(BUILD)/obj/tests/bench/bench_writer.o $(BUILD)/libdumpcheck.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

format:
	clang-format -i reference/src/*.c reference/src/*.h reference/cli/*.c tests/unit/*.c

clean:
	rm -rf build
