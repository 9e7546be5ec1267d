/* terms: currencies, payment terms and netting flags (terms.h). */
#include "settle/terms.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"
#include "io/csvio.h"

static const char *const kind_names[SETTLE_NKINDS] = {
	"variation_margin", "swap_settlement", "physical_delivery", "option_premium", "eua_delivery",
	"option_exercise", "final_settlement"};

const char *terms_kind_name(int kind)
{
	return kind >= 0 && kind < SETTLE_NKINDS ? kind_names[kind] : "?";
}

int terms_kind_parse(const char *s)
{
	for (int k = 0; k < SETTLE_NKINDS; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

struct settle_terms {
	strindex *ccy;       /* currency -> row */
	int *exp;
	qe_calendar **cal;
	strindex *term_key;  /* "kind curve" -> days */
	int *days;
	strindex *cpty;
	signed char *net;
	size_t ncap, tcap, ccap;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? 2 * *cap : 64;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* Opens a reference table and finds its n required columns; NULL (e
 * filled) on failure. */
static csv_reader *open_table(const char *path, const char *const *cols, int n, int *ix, qe_err *e)
{
	csv_reader *r = csvr_open(path, e);
	if (r && csvr_require(r, cols, n, ix, e)) {
		csvr_close(r);
		return NULL;
	}
	return r;
}

/* The end of a table's loop: the reader's error when it stopped on one. */
static int close_table(csv_reader *r, int st, int rc, qe_err *e)
{
	if (!rc && (st == CSVR_BADROW || st == CSVR_FATAL))
		rc = e->code;
	csvr_close(r);
	return rc;
}

static int load_currencies(settle_terms *t, const char *path, const char *caldir, qe_err *e)
{
	static const char *const cols[] = {"currency", "exponent", "calendar"};
	int ix[3], st, rc = 0;
	csv_reader *r = open_table(path, cols, 3, ix, e);
	if (!r)
		return e->code;
	while ((st = csvr_next(r, e)) == CSVR_ROW) {
		size_t len;
		const char *c = csvr_field(r, ix[0], &len);
		int64_t x;
		if (len != 3) {
			rc = csvr_field_error(r, ix[0], e, "not an ISO 4217 code '%s'", c);
			break;
		}
		if ((rc = csvr_get_int64(r, ix[1], &x, e)))
			break;
		if (x < 0 || x > 4) {
			rc = csvr_field_error(r, ix[1], e, "exponent must be 0..4");
			break;
		}
		int added;
		long k = sidx_add(t->ccy, c, len, &added);
		if (k < 0 || grow((void **)&t->exp, &t->ncap, (size_t)k + 1, sizeof *t->exp) ||
		    !(t->cal = realloc(t->cal, t->ncap * sizeof *t->cal))) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		if (!added) {
			rc = csvr_field_error(r, ix[0], e, "currency '%s' listed twice", c);
			break;
		}
		t->exp[k] = (int)x;
		t->cal[k] = NULL;
		const char *cal = csvr_field(r, ix[2], &len);
		if (len && !(t->cal[k] = cal_load_named(cal, caldir, e))) {
			rc = e->code;
			break;
		}
	}
	return close_table(r, st, rc, e);
}

static int load_payment_terms(settle_terms *t, const char *path, qe_err *e)
{
	static const char *const cols[] = {"kind", "curve", "business_days"};
	int ix[3], st, rc = 0;
	csv_reader *r = open_table(path, cols, 3, ix, e);
	if (!r)
		return e->code;
	while ((st = csvr_next(r, e)) == CSVR_ROW) {
		const char *kind = csvr_field(r, ix[0], NULL), *curve = csvr_field(r, ix[1], NULL);
		int64_t d;
		char key[160];
		if (terms_kind_parse(kind) < 0) {
			rc = csvr_field_error(r, ix[0], e, "unknown kind '%s'", kind);
			break;
		}
		if (!curve[0] || strlen(curve) > 100) {
			rc = csvr_field_error(r, ix[1], e, "a curve name or '*'");
			break;
		}
		if ((rc = csvr_get_int64(r, ix[2], &d, e)))
			break;
		if (d < 0 || d > 60) {
			rc = csvr_field_error(r, ix[2], e, "business days must be 0..60");
			break;
		}
		int n = snprintf(key, sizeof key, "%s %s", kind, curve), added;
		long k = sidx_add(t->term_key, key, (size_t)n, &added);
		if (k < 0 || grow((void **)&t->days, &t->tcap, (size_t)k + 1, sizeof *t->days)) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		if (!added) {
			rc = csvr_field_error(r, ix[1], e, "terms of %s for '%s' given twice", kind, curve);
			break;
		}
		t->days[k] = (int)d;
	}
	return close_table(r, st, rc, e);
}

static int load_counterparties(settle_terms *t, const char *path, qe_err *e)
{
	static const char *const cols[] = {"counterparty", "netting"};
	int ix[2], st, rc = 0;
	csv_reader *r = open_table(path, cols, 2, ix, e);
	if (!r)
		return e->code;
	while ((st = csvr_next(r, e)) == CSVR_ROW) {
		size_t len;
		const char *c = csvr_field(r, ix[0], &len), *n = csvr_field(r, ix[1], NULL);
		int net = strcmp(n, "yes") == 0 ? 1 : strcmp(n, "no") == 0 ? 0 : -1, added;
		if (net < 0) {
			rc = csvr_field_error(r, ix[1], e, "netting must be yes or no '%s'", n);
			break;
		}
		long k = len ? sidx_add(t->cpty, c, len, &added) : -2;
		if (k == -2) {
			rc = csvr_field_error(r, ix[0], e, "empty counterparty");
			break;
		}
		if (k < 0 || grow((void **)&t->net, &t->ccap, (size_t)k + 1, 1)) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		t->net[k] = (signed char)net;
	}
	return close_table(r, st, rc, e);
}

settle_terms *terms_load(const char *currencies, const char *payment_terms,
			 const char *counterparties, const char *caldir, qe_err *e)
{
	settle_terms *t = calloc(1, sizeof *t);
	if (!t || !(t->ccy = sidx_new()) || !(t->term_key = sidx_new()) || !(t->cpty = sidx_new())) {
		terms_free(t);
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	if ((currencies && load_currencies(t, currencies, caldir, e)) ||
	    (payment_terms && load_payment_terms(t, payment_terms, e)) ||
	    (counterparties && load_counterparties(t, counterparties, e))) {
		terms_free(t);
		return NULL;
	}
	return t;
}

void terms_free(settle_terms *t)
{
	if (!t)
		return;
	if (t->ccy)
		for (size_t i = 0; i < sidx_count(t->ccy); i++)
			cal_free(t->cal[i]);
	sidx_free(t->ccy);
	sidx_free(t->term_key);
	sidx_free(t->cpty);
	free(t->exp);
	free(t->cal);
	free(t->days);
	free(t->net);
	free(t);
}

int terms_exponent(const settle_terms *t, const char *ccy)
{
	long k = sidx_find(t->ccy, ccy, strlen(ccy));
	return k < 0 ? -1 : t->exp[k];
}

const qe_calendar *terms_calendar(const settle_terms *t, const char *ccy)
{
	long k = sidx_find(t->ccy, ccy, strlen(ccy));
	return k < 0 ? NULL : t->cal[k];
}

int terms_days(const settle_terms *t, int kind, const char *curve)
{
	char key[160];
	int n = snprintf(key, sizeof key, "%s %s", terms_kind_name(kind), curve);
	long k = sidx_find(t->term_key, key, (size_t)n);
	if (k < 0) {
		n = snprintf(key, sizeof key, "%s *", terms_kind_name(kind));
		k = sidx_find(t->term_key, key, (size_t)n);
	}
	return k < 0 ? -1 : t->days[k];
}

int terms_netting(const settle_terms *t, const char *cpty)
{
	long k = sidx_find(t->cpty, cpty, strlen(cpty));
	return k < 0 ? -1 : t->net[k];
}

int terms_value_date(const settle_terms *t, const char *ccy, int days, qe_date d, qe_date *out,
		     qe_err *e)
{
	const qe_calendar *cal = terms_calendar(t, ccy);
	char buf[16];
	if (!cal)
		return qe_err_set(e, QE_DATA, "no payment calendar for currency %s", ccy);
	qe_date v = cal_add_business_days(cal, d, days);
	if (!cal_covers(cal, d) || !cal_covers(cal, v)) {
		date_format(buf, d);
		return qe_err_set(e, QE_DATA, "value date of %s: outside the years calendar %s covers", buf,
				  cal_name(cal));
	}
	*out = v;
	return 0;
}

int terms_to_minor(double x, int exp, int64_t *out, qe_err *e)
{
	static const double scale[] = {1, 10, 100, 1000, 10000};
	double y = x * scale[exp];
	if (!isfinite(y) || fabs(y) >= 9.0e18)
		return qe_err_set(e, QE_NUMERIC, "amount %g out of range", x);
	*out = (int64_t)llround(y); /* half away from zero */
	return 0;
}

void terms_format_minor(char *buf, size_t cap, int64_t signed_minor, int exp)
{
	static const int64_t p10[] = {1, 10, 100, 1000, 10000};
	int64_t a = signed_minor < 0 ? -signed_minor : signed_minor;
	if (exp <= 0 || exp > 4)
		snprintf(buf, cap, "%s%" PRId64, signed_minor < 0 ? "-" : "", a);
	else
		snprintf(buf, cap, "%s%" PRId64 ".%0*" PRId64, signed_minor < 0 ? "-" : "",
			 a / p10[exp], exp, a % p10[exp]);
}
