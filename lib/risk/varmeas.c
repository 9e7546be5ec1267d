#include "risk/varmeas.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"

int var_quantile_parse(const char *s)
{
	if (strcmp(s, "kth") == 0)
		return VAR_Q_KTH;
	if (strcmp(s, "linear") == 0)
		return VAR_Q_LINEAR;
	return -1;
}

const char *var_quantile_name(int qdef)
{
	return qdef == VAR_Q_LINEAR ? "linear" : "kth";
}

/* n (1 - alpha) is rarely an exact binary number: 1000 * (1 - 0.99) is
 * 10.000000000000009, whose ceiling would silently move VaR one scenario
 * further into the tail. */
static double tail_mass(double n, double alpha)
{
	double x = n * (1.0 - alpha), r = nearbyint(x);
	if (fabs(x - r) <= 1e-9 * (r > 1.0 ? r : 1.0))
		return r;
	return x;
}

double var_tail_mass(size_t n, double alpha)
{
	double x = tail_mass((double)n, alpha);
	/* 2.500000000000002 -> 2.5: keep 12 significant digits */
	char buf[32];
	double y = x;
	snprintf(buf, sizeof buf, "%.12g", x);
	return num_parse_double_z(buf, &y) == NUM_OK ? y : x;
}

size_t var_tail_count(size_t n, double alpha)
{
	double k = ceil(tail_mass((double)n, alpha));
	if (k < 1)
		k = 1;
	if (k > (double)n)
		k = (double)n;
	return (size_t)k;
}

size_t var_min_scenarios(double alpha)
{
	double q = 1.0 - alpha, m = 1.0 / q, r = nearbyint(m);
	if (fabs(m - r) <= 1e-9 * r)
		return (size_t)r;
	return (size_t)ceil(m);
}

/* Mirrors numpy's DOUBLE_pairwise_sum (numpy/core/src/umath/loops_utils.h):
 * same blocking, same association order, hence the same rounding. */
double var_pairwise_sum(const double *a, size_t n)
{
	if (n < 8) {
		double res = 0.;
		for (size_t i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= 128) {
		double r[8], res;
		size_t i;
		for (int j = 0; j < 8; j++)
			r[j] = a[j];
		for (i = 8; i < n - (n % 8); i += 8)
			for (int j = 0; j < 8; j++)
				r[j] += a[i + j];
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	size_t n2 = n / 2;
	n2 -= n2 % 8;
	return var_pairwise_sum(a, n2) + var_pairwise_sum(a + n2, n - n2);
}

static void swapd(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* Rearranges x so that x[k] is the value it would have after an ascending
 * sort, with nothing larger before it and nothing smaller after it. */
static void select_kth(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2;
		if (x[mid] < x[lo])
			swapd(&x[mid], &x[lo]);
		if (x[hi] < x[lo])
			swapd(&x[hi], &x[lo]);
		if (x[hi] < x[mid])
			swapd(&x[hi], &x[mid]);
		double pivot = x[mid];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (x[i] < pivot)
				i++;
			while (x[j] > pivot)
				j--;
			if (i <= j) {
				swapd(&x[i], &x[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int check_args(size_t n, double alpha, qe_err *e)
{
	if (!(alpha > 0.0 && alpha < 1.0))
		return qe_err_set(e, QE_USAGE, "confidence level %g is not in (0, 1)", alpha);
	if (n < var_min_scenarios(alpha))
		return qe_err_set(e, QE_DATA,
				  "%zu scenarios are too few for confidence %g (need at least %zu)",
				  n, alpha, var_min_scenarios(alpha));
	return 0;
}

/* A P&L that is not finite (overflow of finite positions) is a numerical
 * failure, not a loss: the measures would be inf or nan. */
static int check_pnl(const double *pnl, size_t n, qe_err *e)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(pnl[i]))
			return qe_err_set(e, QE_NUMERIC, "P&L of scenario %zu is not finite (%g): overflow", i + 1,
					  pnl[i]);
	return 0;
}

static int check_result(double var, double es, qe_err *e)
{
	if (!isfinite(var) || !isfinite(es))
		return qe_err_set(e, QE_NUMERIC, "VaR %g / ES %g not finite: the P&L overflows", var, es);
	return 0;
}

int var_measure(const double *pnl, size_t n, double alpha, int qdef, double *s, double *var,
		double *es, qe_err *e)
{
	int rc = check_args(n, alpha, e);
	if (!rc)
		rc = check_pnl(pnl, n, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		s[i] = -pnl[i];
	if (qdef == VAR_Q_KTH) {
		size_t k = var_tail_count(n, alpha), at = n - k;
		select_kth(s, n, at);
		qsort(s + at + 1, k - 1, sizeof *s, cmp_double);
		*var = s[at];
		*es = var_pairwise_sum(s + at, k) / (double)k;
		return check_result(*var, *es, e);
	}
	/* numpy 1.24 lib/function_base.py: _quantile, method 'linear', _lerp */
	double vi = (double)(n - 1) * alpha, lo_f = floor(vi), g = vi - lo_f;
	size_t lo = (size_t)lo_f, hi = lo + 1 < n ? lo + 1 : n - 1;
	select_kth(s, n, lo);
	qsort(s + lo + 1, n - lo - 1, sizeof *s, cmp_double);
	double a = s[lo], b = s[hi], diff = b - a, q = a + diff * g;
	if (g >= 0.5)
		q = b - diff * (1 - g);
	size_t from = lo;
	if (q < a) { /* rounding put q below s[lo]: equal values may sit lower */
		qsort(s, n, sizeof *s, cmp_double);
		from = 0;
	}
	while (from < n && s[from] < q)
		from++;
	*var = q;
	*es = var_pairwise_sum(s + from, n - from) / (double)(n - from);
	return check_result(*var, *es, e);
}

struct lw {
	double loss, w;
};

static int cmp_loss_desc(const void *a, const void *b)
{
	double x = ((const struct lw *)a)->loss, y = ((const struct lw *)b)->loss;
	return (x < y) - (x > y);
}

int var_measure_weighted(const double *pnl, const double *w, size_t n, double alpha,
			 double *scratch, double *var, double *es, qe_err *e)
{
	int rc = check_args(n, alpha, e);
	double total = 0;
	if (!rc)
		rc = check_pnl(pnl, n, e);
	if (rc)
		return rc;
	struct lw *p = (struct lw *)(void *)scratch;
	for (size_t i = 0; i < n; i++) {
		if (!(w[i] >= 0) || !isfinite(w[i]))
			return qe_err_set(e, QE_DATA, "scenario %zu: bad weight %g", i + 1, w[i]);
		total += w[i];
	}
	if (!(total > 0))
		return qe_err_set(e, QE_DATA, "scenario weights sum to zero");
	for (size_t i = 0; i < n; i++) {
		p[i].loss = -pnl[i];
		p[i].w = w[i] / total;
	}
	qsort(p, n, sizeof *p, cmp_loss_desc);
	double tail = 1.0 - alpha, cum = 0, sum = 0;
	size_t i = 0;
	for (; i < n; i++) {
		double take = p[i].w;
		if (cum + take >= tail * (1 - 1e-12) || i == n - 1) {
			take = tail - cum > 0 ? tail - cum : 0;
			sum += take * p[i].loss;
			cum += take;
			break;
		}
		sum += take * p[i].loss;
		cum += take;
	}
	*var = p[i].loss;
	*es = cum > 0 ? sum / cum : p[i].loss;
	return check_result(*var, *es, e);
}

void var_brw_weights(double *w, size_t n, double lambda)
{
	double norm = (1.0 - lambda) / (1.0 - pow(lambda, (double)n));
	for (size_t i = 0; i < n; i++)
		w[i] = pow(lambda, (double)(n - 1 - i)) * norm;
}
