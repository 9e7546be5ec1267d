# Fuzzing (fuzz/): one harness per reader, fuzz/<target>.c plus the
# driver fuzz/main.c (fuzz/fuzz.h).
#
# `make` builds every harness with the tree's compiler as a replay
# program, $(BUILD)/fuzz/fuzz_<target> FILE..., which tests/fuzz.bats runs
# over the regression inputs of tests/data/fuzz/<target>/ (make check,
# and make sanitize under ASan/UBSan).
#
# `make fuzz` builds the same harnesses for AFL++ (afl-clang-fast,
# persistent mode) with ASan/UBSan into build-fuzz/, over a libqe.a built
# the same way; `make fuzz FUZZ_TIME=120` then runs each target of
# FUZZ_TARGETS for FUZZ_TIME seconds from fuzz/corpus/<target>/, one after
# another on one core (fuzz/run), and prints executions, paths, crashes
# and hangs per target.  Findings stay in build-fuzz/out/<target>/.

FUZZ_TARGETS ?= csvio csvscan ingest tz calendar gset qbsolv csvproblem h5table
FUZZ_ALL     := $(patsubst fuzz/%.c,%,$(filter-out fuzz/main.c,$(wildcard fuzz/*.c)))
FUZZ_BINS    := $(FUZZ_ALL:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_TIME    ?=
FUZZ_CC      ?= afl-clang-fast
FUZZ_SAN     := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

all: $(FUZZ_BINS)

# The harnesses read the curve master of this tree (fuzz/ingest.c).
$(BUILD)/fuzz/fuzz_%: fuzz/%.c fuzz/main.c $(wildcard fuzz/*.h) $(FLAGS_FILE) $(LIBQE)
	@mkdir -p $(@D)
	$(CC) $(QE_CPPFLAGS) -Ifuzz -DQE_FUZZ_MARKETS='"$(CURDIR)/data/markets.csv"' $(QE_CFLAGS) \
		$(LDFLAGS) -o $@ $< fuzz/main.c $(LIBQE) $(QE_LDLIBS)

.PHONY: fuzz fuzz-harnesses
fuzz-harnesses: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD=build-fuzz BIN=bin-fuzz \
		OPT="$(FUZZ_SAN)" LDFLAGS="-fsanitize=address,undefined" fuzz-harnesses
	@if [ -n "$(FUZZ_TIME)" ]; then \
		FUZZ_TIME=$(FUZZ_TIME) sh fuzz/run $(FUZZ_TARGETS); fi
