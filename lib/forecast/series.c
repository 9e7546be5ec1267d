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

void fseries_free(fseries *s)
{
	free(s->date);
	free(s->value);
	free(s->line);
	s->date = NULL;
	s->value = NULL;
	s->line = NULL;
	s->n = 0;
}

static int grow(fseries *s, size_t *cap, qe_err *e)
{
	const grow_array a[] = {GROW_ARRAY(s->date), GROW_ARRAY(s->value), GROW_ARRAY(s->line)};
	if (grow_arrays(s->n, cap, 1024, a, 3))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
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
		if ((rc = grow(s, &cap, e)))
			goto out;
		s->date[s->n] = d;
		s->value[s->n] = v;
		s->line[s->n] = csvr_line(r);
		s->n++;
	}
	if (prices)
		to_log_returns(s);
out:
	csvr_close(r);
	if (rc)
		fseries_free(s);
	return rc;
}

int fseries_read_history(fseries *s, const char *path, const char *factor, qe_err *e)
{
	risk_history h;
	char canon[RISK_FACTOR_NAMESZ], ds[16];
	size_t cap = 0;
	int rc;
	memset(s, 0, sizeof *s);
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
		if ((rc = grow(s, &cap, e)))
			goto out;
		s->date[s->n] = h.dates[d];
		s->value[s->n] = p;
		s->line[s->n] = 0;
		s->n++;
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
