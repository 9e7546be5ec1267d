# QuantaEnergi build.  `make` builds bin/qe and every cmd/qe-*.c against
# lib/ (as build/libqe.a); `make check` runs all tests; `make eod` runs the
# end-of-day pipeline on the bundled data.  Tools add their own targets in
# mk/<tool>.mk (included below).

QE_VERSION := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=

CC       ?= cc
OPT      ?= -O2 -g
CFLAGS   ?=
WARN     := -std=c17 -Wall -Wextra -Wpedantic -Werror -Wno-format-truncation
HDF5_INC := /usr/include/hdf5/serial
HDF5_LIB := /usr/lib/x86_64-linux-gnu/hdf5/serial
BLAS_INC := /usr/include/x86_64-linux-gnu/openblas-pthread
QE_CPPFLAGS := -D_GNU_SOURCE -Ilib -Icmd -I$(HDF5_INC) -I$(BLAS_INC) -DQE_VERSION='"$(QE_VERSION)"'
QE_CFLAGS   := $(WARN) $(OPT) -fopenmp $(CFLAGS)
QE_LDLIBS   := -L$(HDF5_LIB) -lhdf5 -lcsv -lgsl -llapacke -lopenblas -lcrypto -lm
LDFLAGS  ?=

BUILD ?= build
BIN   ?= bin

LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
CLI_OBJ  := $(BUILD)/cmd/cli.o
TOOL_SRC := $(sort $(wildcard cmd/qe-*.c))
TOOLS    := $(TOOL_SRC:cmd/%.c=$(BIN)/%) $(BIN)/qe
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBQE    := $(BUILD)/libqe.a

.PHONY: all deps check unit sanitize eod bench install clean
.DELETE_ON_ERROR:

all: $(TOOLS) $(UNITS)

deps:
	@sh mk/deps.sh

$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(BUILD)/lib
	$(CC) $(QE_CPPFLAGS) $(QE_CFLAGS) $(CFLAGS_$(notdir $*)) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c $(wildcard lib/*.h cmd/*.h) | $(BUILD)/cmd
	$(CC) $(QE_CPPFLAGS) $(QE_CFLAGS) -c -o $@ $<

$(LIBQE): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN)/%: $(BUILD)/cmd/%.o $(CLI_OBJ) $(LIBQE) | $(BIN)
	$(CC) $(QE_CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) $(LIBQE) $(QE_LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIBQE) | $(BUILD)/tests
	$(CC) $(QE_CPPFLAGS) -Itests/unit $(QE_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBQE) $(QE_LDLIBS)

$(BUILD)/lib $(BUILD)/cmd $(BUILD)/tests $(BIN):
	mkdir -p $@

# The whole suite: C unit tests, bats behaviour tests, man page lint.
# Ends with one line "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory all
	@QE_BIN=$(CURDIR)/$(BIN) QE_UNIT_DIR=$(CURDIR)/$(BUILD)/tests sh tests/run-check.sh

unit: all
	@QE_BIN=$(CURDIR)/$(BIN) QE_UNIT_DIR=$(CURDIR)/$(BUILD)/tests QE_ONLY=unit sh tests/run-check.sh

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-san BIN=bin-san OPT="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all
	@ASAN_OPTIONS=detect_leaks=0 QE_SANITIZE=1 QE_BIN=$(CURDIR)/bin-san QE_UNIT_DIR=$(CURDIR)/build-san/tests sh tests/run-check.sh

eod: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -f pipelines/eod.mk QE_BIN=$(CURDIR)/$(BIN)

bench: deps
	@$(MAKE) --no-print-directory all
	@set -e; for b in bench/*/run; do echo "== $$b"; QE_BIN=$(CURDIR)/$(BIN) $$b; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/

clean:
	rm -rf build build-san bin bin-san out

-include $(wildcard mk/*.mk)
