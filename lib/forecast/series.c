/* The input series of qe-forecast: CSV date,value, prices to log returns,
 * and one factor of a price history. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "forecast/series.h"
#include "io/csvio.h"
#include "risk/riskfactor.h"
#include "risk/riskhist.h"
#include "time/tz.h"

void fseries_free(fseries *s)
{
	free(s->date);
	free(s->value);
	free(s->line);
	free(s->utc);
	free(s->offset);
	s->date = NULL;
	s->value = NULL;
	s->line = NULL;
	s->utc = NULL;
	s->offset = NULL;
	s->n = 0;
}

static int grow(fseries *s, size_t *cap, qe_err *e)
{
	/* utc and offset only for a timed series: both or neither grow */
	grow_array a[5] = {GROW_ARRAY(s->date), GROW_ARRAY(s->value), GROW_ARRAY(s->line), GROW_ARRAY(s->utc),
			   GROW_ARRAY(s->offset)};
	if (grow_arrays(s->n, cap, 1024, a, s->timed >= 0 ? 5 : 3))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return 0;
}

/* Appends one value (utc and offset kept when the series has them). */
static int append(fseries *s, size_t *cap, qe_date d, double v, long line, int64_t utc, int32_t offset, qe_err *e)
{
	int rc = grow(s, cap, e);
	if (rc)
		return rc;
	s->date[s->n] = d;
	s->value[s->n] = v;
	s->line[s->n] = line;
	if (s->timed >= 0) {
		s->utc[s->n] = utc;
		s->offset[s->n] = offset;
	}
	s->n++;
	return 0;
}

/* Prices to log returns in place, each dated on its later day. */
static void to_log_returns(fseries *s)
{
	for (size_t i = 1; i < s->n; i++) {
		s->value[i - 1] = log(s->value[i] / s->value[i - 1]);
		s->date[i - 1] = s->date[i];
		s->line[i - 1] = s->line[i];
	}
	s->n = s->n ? s->n - 1 : 0;
}

int fseries_read_csv(fseries *s, const char *path, const char *column, int prices, qe_err *e)
{
	const char *cols[2] = {"date", column ? column : "value"};
	int idx[2], rc = 0, st;
	size_t cap = 0;
	csv_reader *r;
	memset(s, 0, sizeof *s);
	s->timed = -1;
	snprintf(s->name, sizeof s->name, "%s", path ? path : "-");
	if (!(r = csvr_open(path, e)))
		return e->code;
	if ((rc = csvr_require(r, cols, 2, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		qe_date d;
		double v;
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_date(r, idx[0], &d, e)) || (rc = csvr_get_double(r, idx[1], &v, e)))
			goto out;
		if (s->n > 0 && d <= s->date[s->n - 1]) {
			rc = csvr_field_error(r, idx[0], e, "date not after the previous row's '%s'",
					      csvr_field(r, idx[0], NULL));
			goto out;
		}
		if (prices && !(v > 0)) {
			rc = csvr_field_error(r, idx[1], e, "price not positive (log returns) '%s'",
					      csvr_field(r, idx[1], NULL));
			goto out;
		}
		if ((rc = append(s, &cap, d, v, csvr_line(r), 0, 0, e)))
			goto out;
	}
	if (prices)
		to_log_returns(s);
out:
	csvr_close(r);
	if (rc)
		fseries_free(s);
	return rc;
}

/* The instant and offset of the time column of the current row. */
static int read_time(csv_reader *r, int col, int timed, int64_t *utc, int32_t *offset, qe_date *date, qe_err *e)
{
	if (!timed) {
		int rc = csvr_get_date(r, col, date, e);
		*utc = (int64_t)*date * 86400;
		*offset = 0;
		return rc;
	}
	size_t len;
	const char *f = csvr_field(r, col, &len);
	qe_ts ts;
	if (ts_parse(f, len, &ts) != 0)
		return csvr_field_error(r, col, e, "invalid timestamp '%.64s' (expected YYYY-MM-DDTHH:MM:SS+HH:MM)", f);
	*utc = ts.utc;
	*offset = ts.offset;
	*date = (qe_date)((ts.utc + ts.offset) / 86400 - ((ts.utc + ts.offset) % 86400 < 0));
	return 0;
}

static void step_text(int64_t step, char *buf, size_t cap)
{
	if (step % 86400 == 0)
		snprintf(buf, cap, "%lld day%s", (long long)(step / 86400), step == 86400 ? "" : "s");
	else if (step % 3600 == 0)
		snprintf(buf, cap, "%lld hour%s", (long long)(step / 3600), step == 3600 ? "" : "s");
	else
		snprintf(buf, cap, "%lld seconds", (long long)step);
}

int fseries_read_regular(fseries *s, const char *path, const char *column, const char *where_col,
			 const char *where_val, qe_err *e)
{
	const char *cols[3] = {NULL, column ? column : "value", where_col};
	int idx[3], rc = 0, st;
	size_t cap = 0;
	csv_reader *r;
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", path ? path : "-");
	if (!(r = csvr_open(path, e)))
		return e->code;
	s->timed = csvr_col(r, "timestamp") >= 0;
	cols[0] = s->timed ? "timestamp" : "date";
	if ((rc = csvr_require(r, cols, where_col ? 3 : 2, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		int64_t utc = 0;
		int32_t off = 0;
		qe_date d = 0;
		double v;
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (where_col) {
			size_t len;
			const char *f = csvr_field(r, idx[2], &len);
			if (len != strlen(where_val) || memcmp(f, where_val, len) != 0)
				continue;
		}
		if ((rc = read_time(r, idx[0], s->timed, &utc, &off, &d, e)) ||
		    (rc = csvr_get_double(r, idx[1], &v, e)))
			goto out;
		if (s->n > 0 && utc <= s->utc[s->n - 1]) {
			rc = csvr_field_error(r, idx[0], e, "%s not after the previous row's '%s'", cols[0],
					      csvr_field(r, idx[0], NULL));
			goto out;
		}
		if (s->n == 1)
			s->step = utc - s->utc[0];
		if (s->n > 1 && utc - s->utc[s->n - 1] != s->step) {
			char want[64], got[64];
			step_text(s->step, want, sizeof want);
			step_text(utc - s->utc[s->n - 1], got, sizeof got);
			rc = csvr_field_error(r, idx[0], e,
					      "gap: '%s' is %s after the previous row (line %ld), the series steps by %s",
					      csvr_field(r, idx[0], NULL), got, s->line[s->n - 1], want);
			goto out;
		}
		if ((rc = append(s, &cap, d, v, csvr_line(r), utc, off, e)))
			goto out;
	}
out:
	csvr_close(r);
	if (rc)
		fseries_free(s);
	return rc;
}

static void time_at(const fseries *s, int64_t utc, int32_t offset, char *buf)
{
	if (s->timed) {
		qe_ts ts = {utc, offset};
		ts_format(buf, ts, 0);
	} else {
		date_format(buf, (qe_date)(utc / 86400));
	}
}

void fseries_time_format(const fseries *s, size_t i, char *buf)
{
	time_at(s, s->utc[i], s->offset[i], buf);
}

void fseries_time_after(const fseries *s, size_t steps, char *buf)
{
	time_at(s, s->utc[s->n - 1] + (int64_t)steps * s->step, s->offset[s->n - 1], buf);
}

int fseries_read_history(fseries *s, const char *path, const char *factor, qe_err *e)
{
	risk_history h;
	char canon[RISK_FACTOR_NAMESZ], ds[16];
	size_t cap = 0;
	int rc;
	memset(s, 0, sizeof *s);
	s->timed = -1;
	if (risk_factor_canon(factor, canon, sizeof canon) < 0)
		return qe_err_set(e, QE_DATA, "%s: '%s' is not a factor CURVE:TENOR", path, factor);
	snprintf(s->name, sizeof s->name, "%s", canon);
	if ((rc = rh_read(&h, path, e)))
		return rc;
	long f = sidx_find(h.factors, canon, strlen(canon));
	if (f < 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no prices of %s in the history", path, canon);
		goto out;
	}
	for (size_t d = 0; d < h.nd; d++) {
		double p = h.price[d * h.nf + (size_t)f];
		if (isnan(p))
			continue;
		if (!(p > 0)) {
			date_format(ds, h.dates[d]);
			rc = qe_err_set(e, QE_DATA, "%s: %s: price %g on %s not positive (log returns)", path,
					canon, p, ds);
			goto out;
		}
		if ((rc = append(s, &cap, h.dates[d], p, 0, 0, 0, e)))
			goto out;
	}
	to_log_returns(s);
out:
	rh_free(&h);
	if (rc)
		fseries_free(s);
	return rc;
}

int fseries_check(const fseries *s, size_t min, const char *model, qe_err *e)
{
	if (s->n < min)
		return qe_err_set(e, QE_DATA, "%s: %zu values; %s needs at least %zu", s->name, s->n, model,
				  min);
	for (size_t i = 1; i < s->n; i++)
		if (s->value[i] != s->value[0])
			return 0;
	if (s->line[s->n - 1] > 0)
		return qe_err_set(e, QE_DATA, "%s:%ld: every value from line %ld on is %.17g: %s cannot fit a constant series",
				  s->name, s->line[s->n - 1], s->line[0], s->value[0], model);
	return qe_err_set(e, QE_DATA, "%s: every value is %.17g: %s cannot fit a constant series", s->name,
			  s->value[0], model);
}
