# weld - WebAssembly components in one C program.
# Targets: all deps demo check spec bench fuzz install clean (see README.md).

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
SANITIZE ?=
BUILD   ?= build$(if $(SANITIZE),-san)

PKGS    := jansson yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson -lyaml)
# the CLI only: `weld serve` runs on libmicrohttpd
CLI_PKGS   := libmicrohttpd
CLI_LIBS   := $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null || echo -lmicrohttpd) -pthread

OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter
ifeq ($(SANITIZE),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
CPPFLAGS += -Iinclude -Isrc -D_DEFAULT_SOURCE $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm

# every directory of src/ but the CLI is the library
LIB_SRC := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HDRS    := $(wildcard include/weld/*.h src/*/*.h src/*/*.def src/*/*.inc)

LIB     := $(BUILD)/libweld.a
WELD    := $(BUILD)/weld

.PHONY: all deps demo check spec bench fuzz install clean unit diff-wasm-tools
all: $(LIB) $(WELD)
	@ln -sf $(WELD) weld 2>/dev/null || true

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

# libweld.a holds one object: the library's objects linked together with every global
# symbol but the weld_* API made local, so an embedder's program sees nothing else of it.
# The unit tests are white-box: they link the plain archive of the objects instead.
LIB_INTERNAL := $(BUILD)/libweld-internal.a
$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	ld -r -o $(BUILD)/libweld.o $^
	objcopy --wildcard --keep-global-symbol='weld_*' $(BUILD)/libweld.o
	rm -f $@ && ar rcs $@ $(BUILD)/libweld.o

$(LIB_INTERNAL): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(WELD): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(CLI_OBJ) $(LIB) $(LDLIBS) $(CLI_LIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB_INTERNAL) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< $(LDFLAGS) $(LIB_INTERNAL) -lcmocka $(LDLIBS) -o $@

# The spec testsuite runner (tests/spec/spec.sh runs it on wast2json's output).
SPEC_RUNNER := $(BUILD)/tests/spec_runner
$(SPEC_RUNNER): tests/spec/spec_runner.c tests/spec/spec_exec.c tests/spec/spec_exec.h $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< tests/spec/spec_exec.c $(LDFLAGS) $(LIB) $(LDLIBS) -o $@

# The differential Canonical ABI test against jco (tests/cli/canon_diff.sh runs it); built
# once the WAVE reader and printer (weld/wave.h) are there.
CANON_DIFF := $(if $(wildcard include/weld/wave.h),$(BUILD)/tests/canon_diff)
$(BUILD)/tests/canon_diff: tests/canon/diff_run.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< $(LDFLAGS) $(LIB) $(LDLIBS) -o $@

unit: $(UNIT_BIN) $(SPEC_RUNNER) $(CANON_DIFF)

# Validation throughput (tests/bench/validate.sh runs it on large real modules).
$(BUILD)/bench_validate: tests/bench/bench_validate.c $(LIB) $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< $(LDFLAGS) $(LIB) $(LDLIBS) -o $@

# Debian packages the build, the tests and the demo need; installed only when missing.
DEPS_DEB := build-essential pkg-config libjansson-dev libyaml-dev libcmocka-dev wabt graphviz libmicrohttpd-dev wrk curl
deps:
	@sh tests/deps.sh $(DEPS_DEB)

check: deps
	@$(MAKE) --no-print-directory all unit
	@BUILD=$(BUILD) sh tests/run.sh

spec: deps
	@$(MAKE) --no-print-directory all $(SPEC_RUNNER)
	@BUILD=$(BUILD) ONLY=spec sh tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@bash tests/demo.sh $(WELD)

BENCH_BIN := $(patsubst tests/bench/%.c,$(BUILD)/%,$(wildcard tests/bench/bench_*.c))
$(BUILD)/bench_%: tests/bench/bench_%.c $(LIB) $(HDRS) $(wildcard tests/bench/*.h)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< $(LDFLAGS) $(LIB) $(LDLIBS) -o $@

# weld validate against wasm-tools validate on every component fixture, the real components
# and generated limit cases (needs `cargo install wasm-tools`; not part of check/CI);
# FEATURES=all compares with every feature on. Counts the disagreements.
diff-wasm-tools: $(BUILD)/weld
	WELD=$(CURDIR)/$(BUILD)/weld bash tests/tools/diff-wasm-tools.sh

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@BUILD=$(BUILD) bash tests/bench/run.sh

FUZZ_SECONDS ?= 600
FUZZ_MAX_LEN ?= 65536
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
# `make fuzz` builds every tests/fuzz/fuzz_*.c; FUZZ=name (run or fuzz_run) runs one of them
# (default: all, in turn), seeded by tests/fuzz/seeds_NAME.sh when there is one.
FUZZ    ?= $(notdir $(basename $(FUZZ_SRC)))
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" build-fuzz/libweld.a
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "clang $$f -> build-fuzz/$$n"; \
	  clang $(CPPFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $$f \
	    build-fuzz/libweld.a $(LDLIBS) -o build-fuzz/$$n || exit 1; done
	@for n in $(patsubst fuzz_%,%,$(FUZZ)); do t=fuzz_$$n; mkdir -p build-fuzz/corpus-$$t; \
	  seeds=$$(for d in fixtures/$$n $$n fixtures; do [ -d $$d ] && echo $$d; done | head -1); \
	  if [ -f tests/fuzz/seeds_$$n.sh ]; then seeds=build-fuzz/seeds-$$n; \
	    [ -d $$seeds ] || sh tests/fuzz/seeds_$$n.sh $$seeds; fi; \
	  build-fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) -rss_limit_mb=4096 build-fuzz/corpus-$$t $$seeds || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/weld
	install -m 755 $(WELD) $(DESTDIR)$(PREFIX)/bin/weld
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libweld.a
	install -m 644 include/weld/*.h $(DESTDIR)$(PREFIX)/include/weld/
	install -d $(DESTDIR)$(PREFIX)/include/weld/binary
	install -m 644 src/binary/opcodes.def $(DESTDIR)$(PREFIX)/include/weld/binary/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: weld' 'Description: WebAssembly components: read, write, validate, compose, run' \
	  'Version: 0.1.0' 'Requires.private: jansson yaml-0.1' 'Libs: -L$${libdir} -lweld' \
	  'Libs.private: -lm' 'Cflags: -I$${includedir}' > $(DESTDIR)$(PREFIX)/lib/pkgconfig/weld.pc

clean:
	rm -rf build build-san build-fuzz weld
