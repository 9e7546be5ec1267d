/*
 * fuzz: the shared part of the fuzz harnesses (one fuzz/<target>.c per
 * reader).  A harness defines fuzz_one(), which feeds one input to a
 * library entry and checks what the library promises about bad input
 * (main.c runs it).  A broken promise calls fuzz_fail(), which aborts, so
 * the fuzzer records it as a crash.
 *
 * Built twice: by `make fuzz` with afl-clang-fast and ASan/UBSan
 * (persistent mode, AFL's shared-memory test case), and by `make` with the
 * tree's compiler as a plain program that replays the files it is given
 * (tests/fuzz.bats replays tests/data/fuzz/<target>/ through it).
 */
#ifndef QE_FUZZ_H
#define QE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"

/* One input.  Returns nothing: a library error is an answer, not a
 * failure; only a broken promise (fuzz_fail) or a crash is. */
void fuzz_one(const uint8_t *data, size_t len);

/* Prints "fuzz: <why>" to stderr and aborts. */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What every library call promises when it fails: rc is a documented
 * exit class (QE_DATA, QE_IO, QE_NUMERIC; never QE_INTERNAL or a stray
 * value), e->code is rc, and the message is one non-empty line. */
void fuzz_check_err(int rc, const qe_err *e);

/* A file holding data[0..len), for readers that take a path (TZif,
 * holiday files, HDF5).  One file per process, rewritten for every input,
 * named with suffix (".txt"); in $TMPDIR, else /tmp. */
const char *fuzz_file(const uint8_t *data, size_t len, const char *suffix);

#endif
