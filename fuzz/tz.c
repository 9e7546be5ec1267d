/*
 * Fuzz target: the TZif reader (time/tz.h tz_load_file) and the
 * conversions that walk what it read: transitions, and the POSIX TZ
 * footer for instants after the last one.  Promises checked: a corrupt
 * file is a one-line QE_DATA error; a loaded zone answers with offsets
 * within a day, local times that map back to their instants, and day
 * lengths within a day of 24 hours.
 */
#include "fuzz.h"

#include <stdlib.h>

#include "time/tz.h"

void fuzz_one(const uint8_t *data, size_t len)
{
	const char *path = fuzz_file(data, len, "");
	qe_err e;
	qe_err_clear(&e);
	qe_tz *tz = tz_load_file(path, "Fuzz/Zone", &e);
	if (!tz) {
		fuzz_check_err(e.code, &e);
		return;
	}
	/* 1900 to 2100 by ~97 days, and a few far instants */
	static const int64_t far[] = {INT64_MIN / 4, -4102444800LL, 0, 4102444800LL, 32503680000LL,
				      INT64_MAX / 4};
	for (int64_t t = -2208988800LL; t < 4102444800LL; t += 8380800)
		for (int k = -1; k < (int)(sizeof far / sizeof far[0]); k++) {
			int64_t utc = k < 0 ? t : far[k];
			int dst;
			const char *abbr;
			int32_t off = tz_offset_at(tz, utc, &dst, &abbr);
			if (off <= -86400 || off >= 86400)
				fuzz_fail("offset %d at %lld", off, (long long)utc);
			if (!abbr)
				fuzz_fail("no abbreviation at %lld", (long long)utc);
			int64_t local = tz_utc_to_local(tz, utc);
			int64_t cand[2];
			int n = tz_local_candidates(tz, local, cand);
			if (k < 0 && (n < 1 || (cand[0] != utc && (n < 2 || cand[1] != utc))))
				fuzz_fail("local time of %lld does not map back to it", (long long)utc);
			int64_t back;
			qe_err le;
			(void)tz_local_to_utc(tz, local, TZ_EARLIER, &back, &le);
			(void)tz_local_to_utc(tz, local, TZ_LATER, &back, &le);
			if (k >= 0)
				break;
			qe_date d;
			int h, mi, s;
			tz_local_split(local, &d, &h, &mi, &s);
			int64_t dl = tz_day_length(tz, d);
			if (dl <= 0 || dl >= 2 * 86400)
				fuzz_fail("day length %lld", (long long)dl);
			(void)tz_day_start(tz, d);
			qe_ts ts = ts_in_zone(tz, utc);
			char buf[TS_BUFSZ];
			int bl = ts_format(buf, ts, 1);
			qe_ts rt;
			if (ts_parse(buf, (size_t)bl, &rt) != 0 || rt.utc != utc)
				fuzz_fail("timestamp %s does not read back", buf);
		}
	tz_free(tz);
}
