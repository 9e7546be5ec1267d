# QuantaEnergi build.  `make` builds bin/qe and every cmd/qe-*.c against
# lib/ (as build/libqe.a); `make check` runs all tests; `make eod` runs the
# end-of-day pipeline on the bundled data.  Tools add their own targets in
# mk/<tool>.mk (included below).  The layers of lib/ are listed in
# lib/LAYERS; ARCHITECTURE.md describes the tree.

QE_VERSION := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
SHAREDIR    = $(PREFIX)/share/quantaenergi

CC       ?= cc
OPT      ?= -O2 -g
CFLAGS   ?=
LDFLAGS  ?=
# -Werror only where the tree is checked (make check, CI), never in a
# user's plain `make` with a newer compiler.
WERROR   ?=
IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -q clang && echo 1)
WARN     := -std=c17 -Wall -Wextra -Wpedantic $(WERROR) $(if $(IS_CLANG),,-Wno-format-truncation)

# Library flags from pkg-config, evaluated once and only when a rule needs
# them (make deps installs pkg-config and the -dev packages first).
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags hdf5-serial openblas lapacke gsl libcrypto 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs-only-L hdf5-serial openblas 2>/dev/null))$(PKG_LIBS)

QE_CPPFLAGS = -D_GNU_SOURCE -Ilib -Icmd $(PKG_CFLAGS) -DQE_VERSION='"$(QE_VERSION)"'
# Only the command layer knows where `make install` puts calendars and
# data (cli_calendar_dir): lib/ is told.  A new PREFIX recompiles cli.o
# alone, through $(BUILD)/SHAREDIR.
CFLAGS_cli  = -DQE_SHAREDIR='"$(SHAREDIR)"'
QE_CFLAGS   = $(WARN) $(OPT) -fopenmp $(CFLAGS)
# GSL's CBLAS calls go to OpenBLAS (not libgslcblas).
QE_LDLIBS   = $(PKG_LIBS) -lhdf5 -lcsv -lz -lgsl -llapacke -lopenblas -lcrypto -lzip -lm

BUILD ?= build
BIN   ?= bin

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
LIB_OBJ  := $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
CLI_OBJ  := $(BUILD)/cmd/cli.o
TOOL_SRC := $(sort $(wildcard cmd/qe-*.c))
TOOLS    := $(TOOL_SRC:cmd/%.c=$(BIN)/%) $(BIN)/qe
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBQE    := $(BUILD)/libqe.a
FLAGS_FILE := $(BUILD)/CFLAGS

.PHONY: all deps check unit sanitize layers eod bench install clean FORCE
.DELETE_ON_ERROR:

all: $(TOOLS) $(UNITS)

deps:
	@sh mk/deps.sh

# Objects are rebuilt when the compile flags change (a plain `make` and
# `make check` with -Werror share build/), as git does with GIT-CFLAGS.
$(FLAGS_FILE): FORCE | $(BUILD)
	@f='$(CC) $(QE_CPPFLAGS) $(QE_CFLAGS)'; \
	[ -f $@ ] && [ "$$(cat $@)" = "$$f" ] || echo "$$f" > $@

$(BUILD)/lib/%.o: lib/%.c $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(CC) $(QE_CPPFLAGS) $(QE_CFLAGS) $(CFLAGS_$(notdir $*)) -MMD -MP -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(CC) $(QE_CPPFLAGS) $(QE_CFLAGS) $(CFLAGS_$(notdir $*)) -MMD -MP -c -o $@ $<

$(BUILD)/SHAREDIR: FORCE | $(BUILD)
	@[ -f $@ ] && [ "$$(cat $@)" = '$(SHAREDIR)' ] || echo '$(SHAREDIR)' > $@
$(CLI_OBJ): $(BUILD)/SHAREDIR

# The MPI build (mk/mpi.mk, MPI=inner) compiles only what reads QE_MPI
# and takes every other object from the plain build in $(MPI_PLAIN).
ifneq ($(MPI),inner)
$(LIBQE): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^
endif
CMD_OBJ_DIR := $(if $(filter inner,$(MPI)),$(MPI_PLAIN),$(BUILD))

$(BIN)/%: $(CMD_OBJ_DIR)/cmd/%.o $(CLI_OBJ) $(LIBQE) | $(BIN)
	$(CC) $(QE_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBQE) $(QE_LDLIBS)

# A tool's subcommands, one file each as git's builtin/, live in
# cmd/<tool>/ (cmd/var/hs.c for `qe-var hs`) and link into bin/qe-<tool>.
CMD_SUB_SRC := $(sort $(wildcard cmd/*/*.c))
$(foreach t,$(TOOL_SRC:cmd/qe-%.c=%),$(eval $(BIN)/qe-$(t): $(patsubst cmd/%.c,$(CMD_OBJ_DIR)/cmd/%.o,$(filter cmd/$(t)/%,$(CMD_SUB_SRC)))))

# test_csvio makes the library's allocations fail on demand by wrapping
# them at link time; lib/ itself has no test hooks.
LDFLAGS_test_csvio = -Wl,--wrap=calloc,--wrap=strdup,--wrap=realloc

$(BUILD)/tests/%: tests/unit/%.c $(FLAGS_FILE) $(LIBQE)
	@mkdir -p $(@D)
	$(CC) $(QE_CPPFLAGS) -Itests/unit $(QE_CFLAGS) $(LDFLAGS) $(LDFLAGS_$*) -MMD -MP -o $@ $< $(LIBQE) $(QE_LDLIBS)

$(BUILD) $(BIN):
	mkdir -p $@

-include $(LIB_OBJ:.o=.d) $(patsubst cmd/%.c,$(BUILD)/cmd/%.d,$(wildcard cmd/*.c) $(CMD_SUB_SRC)) $(UNITS:=.d)

# The layer order of lib/ (lib/LAYERS): no file includes from a higher
# layer, no two folders include each other.
layers:
	@sh mk/layers.sh

# The whole suite: layer check, C unit tests, bats behaviour tests, man
# page lint.  Ends with one line "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory WERROR=-Werror all mpi
	@QE_BIN=$(CURDIR)/$(BIN) QE_UNIT_DIR=$(CURDIR)/$(BUILD)/tests sh tests/run-check.sh

unit: all
	@QE_BIN=$(CURDIR)/$(BIN) QE_UNIT_DIR=$(CURDIR)/$(BUILD)/tests QE_ONLY=unit sh tests/run-check.sh

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_LDFLAGS := -fsanitize=address,undefined
# The files that drive whole pipelines (make eod and its reruns, the
# operations and intraday runs, MPI against the plain build, every man page
# example) run the same binaries as the tools' own files: under the
# sanitizers they would only double .ci/run's time (make check runs them).
SAN_SKIP = eod ops intraday mpi docs
sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-san BIN=bin-san OPT="$(SAN_FLAGS)" LDFLAGS="$(SAN_LDFLAGS)" all
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/mk/lsan.supp:print_suppressions=0 \
		OMP_NUM_THREADS=2 QE_SANITIZE=1 QE_SAN_OPT="$(SAN_FLAGS)" QE_SAN_LDFLAGS="$(SAN_LDFLAGS)" \
		QE_BIN=$(CURDIR)/bin-san QE_UNIT_DIR=$(CURDIR)/build-san/tests \
		QE_BATS_SKIP="$(SAN_SKIP)" sh tests/run-check.sh

eod: deps
	@$(MAKE) --no-print-directory all
	@sh pipelines/ops.sh run $(MAKE) --no-print-directory -f pipelines/eod.mk QE_BIN=$(CURDIR)/$(BIN)

bench: deps
	@$(MAKE) --no-print-directory all
	@set -e; for b in bench/*/run; do echo "== $$b"; QE_BIN=$(CURDIR)/$(BIN) $$b; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(SHAREDIR)/calendars $(DESTDIR)$(SHAREDIR)/data
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 644 data/calendars/*.txt $(DESTDIR)$(SHAREDIR)/calendars/
	install -m 644 data/*.csv data/README.md $(DESTDIR)$(SHAREDIR)/data/

clean:
	rm -rf build build-san build-clang build-fuzz bin bin-san bin-clang bin-fuzz out

-include $(wildcard mk/*.mk)
