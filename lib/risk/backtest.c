#include "risk/backtest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/grow.h"
#include "io/csvio.h"
#include "risk/varmeas.h"

/* x ln y with 0 ln 0 = 0 */
static double xlogy(double x, double y)
{
	return x == 0 ? 0 : x * log(y);
}

double bt_chisq_sf(double x, int dof)
{
	if (!(x > 0))
		return 1.0;
	if (dof == 1)
		return erfc(sqrt(x / 2));
	if (dof == 2)
		return exp(-x / 2);
	return gsl_cdf_chisq_Q(x, dof);
}

const char *bt_zone_name(int zone)
{
	return zone == BT_GREEN ? "green" : zone == BT_YELLOW ? "yellow" : zone == BT_RED ? "red" : "n/a";
}

int bt_zone_of(size_t n, size_t x, double alpha)
{
	double p = 1.0 - alpha, cdf;
	cdf = x >= n ? 1.0 : gsl_cdf_binomial_P((unsigned)x, p, (unsigned)n);
	/* tolerance: the table boundaries must not hinge on the last bit */
	if (cdf < 0.95 - 1e-12)
		return BT_GREEN;
	if (cdf < 0.9999 - 1e-12)
		return BT_YELLOW;
	return BT_RED;
}

/* -2 ln L(p) for a Bernoulli sample with s successes out of m */
static double bern_ll(double s, double m, double p)
{
	return xlogy(m - s, 1 - p) + xlogy(s, p);
}

void bt_compute(const unsigned char *exc, size_t n, double alpha, bt_result *r)
{
	double p = 1.0 - alpha;
	size_t x = 0;
	r->n00 = r->n01 = r->n10 = r->n11 = 0;
	for (size_t i = 0; i < n; i++) {
		x += exc[i] != 0;
		if (i > 0) {
			int a = exc[i - 1] != 0, b = exc[i] != 0;
			if (!a && !b)
				r->n00++;
			else if (!a && b)
				r->n01++;
			else if (a && !b)
				r->n10++;
			else
				r->n11++;
		}
	}
	r->observations = n;
	r->exceptions = x;
	r->expected = var_tail_mass(n, alpha);
	double dn = (double)n, dx = (double)x;
	r->kupiec_lr = -2 * bern_ll(dx, dn, p) + 2 * bern_ll(dx, dn, dx / dn);
	if (r->kupiec_lr < 0)
		r->kupiec_lr = 0;
	double n00 = (double)r->n00, n01 = (double)r->n01, n10 = (double)r->n10, n11 = (double)r->n11;
	double pi0 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0;
	double pi1 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
	double tot = n00 + n01 + n10 + n11;
	double pi = tot > 0 ? (n01 + n11) / tot : 0;
	double l0 = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
	double l1 = xlogy(n00, 1 - pi0) + xlogy(n01, pi0) + xlogy(n10, 1 - pi1) + xlogy(n11, pi1);
	r->ind_lr = -2 * l0 + 2 * l1;
	if (r->ind_lr < 0)
		r->ind_lr = 0;
	r->cc_lr = r->kupiec_lr + r->ind_lr;
	r->kupiec_p = bt_chisq_sf(r->kupiec_lr, 1);
	r->ind_p = bt_chisq_sf(r->ind_lr, 1);
	r->cc_p = bt_chisq_sf(r->cc_lr, 2);
	r->zone = n < BT_ZONE_MIN_OBS ? BT_NONE : bt_zone_of(n, x, alpha);
}

void bt_series_free(bt_series *s)
{
	free(s->date);
	free(s->var);
	free(s->pnl);
	memset(s, 0, sizeof *s);
}

int bt_read_series(bt_series *s, const char *path, qe_err *e)
{
	static const char *const cols[] = {"date", "var", "pnl"};
	int idx[3], rc = 0, st;
	size_t cap = 0;
	csv_reader *r;
	memset(s, 0, sizeof *s);
	if (!(r = csvr_open(path, e)))
		return e->code;
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		qe_date d;
		double v, p;
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_date(r, idx[0], &d, e)) || (rc = csvr_get_double(r, idx[1], &v, e)) ||
		    (rc = csvr_get_double(r, idx[2], &p, e)))
			goto out;
		/* VaR is a positive loss amount: a negative one would turn a
		 * profit into an exception */
		if (v < 0) {
			rc = csvr_field_error(r, idx[1], e, "negative '%s'", csvr_field(r, idx[1], NULL));
			goto out;
		}
		if (s->n > 0 && d <= s->date[s->n - 1]) {
			rc = csvr_field_error(r, idx[0], e, "date not after the previous row '%s'",
					      csvr_field(r, idx[0], NULL));
			goto out;
		}
		const grow_array a[] = {GROW_ARRAY(s->date), GROW_ARRAY(s->var), GROW_ARRAY(s->pnl)};
		if (grow_arrays(s->n, &cap, 512, a, 3)) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		s->date[s->n] = d;
		s->var[s->n] = v;
		s->pnl[s->n] = p;
		s->n++;
	}
	if (s->n < 2)
		rc = qe_err_set(e, QE_DATA, "%s: %zu observations; a backtest needs at least 2",
				csvr_name(r), s->n);
out:
	csvr_close(r);
	if (rc)
		bt_series_free(s);
	return rc;
}
