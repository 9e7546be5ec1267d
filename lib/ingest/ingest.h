/*
 * ingest: validates a whole CSV file against its schema (schema.h) and
 * writes the canonical rows to CSV or HDF5, every rejected record to a
 * rejects file with its reason, and counts both, so that
 * read = written + rejected + superseded.
 *
 * Input is read in blocks (2 MiB by default) that are cut at record
 * boundaries; a block is split into one piece per thread and the pieces
 * are parsed and validated in parallel (one thread per piece, for that
 * block only: no thread outlives a block), then merged in input
 * order, so the output and the messages are the same for any number of
 * threads.  With two threads or more the blocks are pipelined: the next
 * block is parsed while the calling thread merges the current one (two
 * block buffers).  Canonical CSV rows are written 1 MiB at a time.  Cross-row rules run in the merge: unique keys per file kind
 * and the trade lifecycle (new, amend supersedes, cancel removes; an
 * amendment or cancel of an unknown trade is rejected).  Memory is the
 * block buffers plus 16 bytes per distinct key; trades in book mode also
 * spool accepted rows to a temporary file until the last version of each
 * trade is known (not when nothing is written: see ingest_sink).
 *
 * Owns: its buffers, key table and spool.  Writes only to the FILEs and
 * HDF5 file the caller passes (never closes them); never prints (rejects
 * reach the caller through a callback, in input order, from the calling
 * thread), never exits.
 */
#ifndef QE_INGEST_H
#define QE_INGEST_H

#include <stdio.h>

#include "core/diag.h"
#include "io/h5table.h"
#include "ingest/meters.h"
#include "ingest/schema.h"
#include "time/tz.h"

typedef struct ingest_opts {
	const formats_table *s;
	const schema_markets *markets; /* NULL: curves not checked, lots kept */
	int all_versions;      /* trades: write every accepted version, not the book */
	long max_rejects;      /* stop (QE_DATA) once rejects exceed this; < 0 none */
	int threads;           /* 0: omp_get_max_threads() (OMP_NUM_THREADS, else the CPUs) */
	size_t block_size;     /* 0: 2 MiB */
	long long size_hint;   /* input bytes when known (sizes the key table), else 0 */
	/* meters: readings are aggregated into settlement periods (meters.h) */
	const qe_tz *tz;       /* market zone (required for meters) */
	int check_offsets;     /* reject readings whose UTC offset is not tz's */
	int period_min;        /* 15, 30 or 60 */
	int max_gap_min;       /* longest gap filled by interpolation; 0 = 60 */
} ingest_opts;

typedef struct ingest_counts {
	long read;        /* records (blank lines are not records) */
	long written;
	long rejected;
	long superseded;  /* trades: versions replaced by an amendment, cancelled
			   * trades and the cancel records themselves */
	meter_counts meters; /* meters: readings accepted are `written`; the
			      * settlement rows written are meters.rows */
} ingest_counts;

/* msg: one diagnostic line "file:line:col: column 'x': reason 'value'". */
typedef void (*ingest_reject_fn)(void *ctx, const char *msg);

/* With neither csv nor h5 nothing is written but the rejects: every
 * record is still validated and the counts are those of a run with an
 * output (validation only: the output is /dev/null). */
typedef struct ingest_sink {
	FILE *csv;       /* canonical CSV (header + rows), or NULL */
	h5file *h5;      /* HDF5 output: one table named after the schema */
	FILE *rejects;   /* rejects CSV (qe-formats(5) REJECTS), or NULL */
	ingest_reject_fn on_reject;
	void *ctx;
} ingest_sink;

/* Runs the whole file.  Returns 0 when the file was processed (rows may
 * have been rejected: see counts), QE_DATA for a fatal data error (empty
 * file, bad header, --max-rejects exceeded), QE_IO for read errors. */
int ingest_run(FILE *in, const char *name, const ingest_opts *o, ingest_sink *sink,
	       ingest_counts *c, qe_err *e);

/* 1 when ingest_run may write output rows before it has read every
 * record (so before it knows whether --max-rejects stops the run); 0 for
 * trades in book mode, whose output, header included, is written at the
 * end. */
int ingest_writes_early(const ingest_opts *o);

/* Converts table `table` (NULL: the only one) of an HDF5 file written by
 * ingest_run back to canonical CSV. */
int ingest_h5_to_csv(const char *path, const char *table, FILE *out, long *rows, qe_err *e);

#endif
