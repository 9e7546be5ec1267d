/*
 * Fuzz target: the row validator of every input kind (ingest/schema.h)
 * as qe-ingest runs it (ingest/ingest.h: blocks, cross-row rules, meter
 * periods).  The first byte of the input chooses the run, the rest is
 * the CSV file:
 *   bits 0-3  the kind: trades, prices, fixings, vols, rates, history,
 *             counterparties, limits, meters, weather, markets (mod 11)
 *   bit 4     meters: Europe/Berlin with offsets checked (else UTC)
 *   bit 5     no curve master (else the tree's data/markets.csv)
 *   bit 6     4 KiB blocks (records across block boundaries), else
 *             64 KiB (inputs are smaller: the same path as the 2 MiB
 *             default, without allocating 2 MiB per input)
 *   bit 7     15-minute meter periods (else hourly)
 * Promises checked: a fatal error is one line of a documented class; the
 * counts add up (read = written + rejected + superseded, less the meter
 * readings aggregated), and every reject is one line.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

#include "ingest/ingest.h"
#include "time/tz.h"

#ifndef QE_FUZZ_MARKETS
#define QE_FUZZ_MARKETS "data/markets.csv"
#endif

static void on_reject(void *ctx, const char *msg)
{
	long *n = ctx;
	if (!msg[0] || strchr(msg, '\n'))
		fuzz_fail("reject message is not one line: '%s'", msg);
	++*n;
}

void fuzz_one(const uint8_t *data, size_t len)
{
	static schema_markets *markets;
	static qe_tz *berlin, *utc;
	static FILE *devnull;
	qe_err e;
	if (!markets) {
		if (!(markets = schema_markets_load(QE_FUZZ_MARKETS, &e)))
			fuzz_fail("%s", e.msg);
		if (!(berlin = tz_load("Europe/Berlin", &e)))
			fuzz_fail("%s", e.msg);
		utc = tz_fixed(0);
		if (!(devnull = fopen("/dev/null", "wb")))
			fuzz_fail("cannot open /dev/null");
	}
	if (len < 1)
		return;
	unsigned mode = data[0];
	data++, len--;

	ingest_opts o = {0};
	o.s = schema_get((int)(mode & 15) % FMT_METER_PERIODS);
	if (!o.s)
		fuzz_fail("no schema for kind %u", (mode & 15) % FMT_METER_PERIODS);
	o.markets = mode & 32 || o.s->kind == FMT_MARKETS ? NULL : markets;
	o.max_rejects = -1;
	o.threads = 1;
	o.block_size = mode & 64 ? 4096 : 65536;
	o.tz = mode & 16 ? berlin : utc;
	o.check_offsets = (mode & 16) != 0;
	o.period_min = mode & 128 ? 15 : 60;

	FILE *in = len ? fmemopen((void *)data, len, "rb") : fopen("/dev/null", "rb");
	if (!in)
		fuzz_fail("cannot open the input stream");
	long rejects = 0;
	ingest_sink sink = {.csv = devnull, .rejects = devnull, .on_reject = on_reject, .ctx = &rejects};
	ingest_counts c;
	memset(&c, 0, sizeof c);
	qe_err_clear(&e);
	int rc = ingest_run(in, "fuzz.csv", &o, &sink, &c, &e);
	fclose(in);
	fuzz_check_err(rc, &e);
	if (rc)
		return;
	if (c.rejected != rejects)
		fuzz_fail("%ld rejects counted, %ld reported", c.rejected, rejects);
	if (c.read != c.written + c.rejected + c.superseded)
		fuzz_fail("read %ld != written %ld + rejected %ld + superseded %ld", c.read, c.written,
			  c.rejected, c.superseded);
}
