#include "screen/settleidx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const settle_cols[] = {"date", "curve", "tenor", "contract", "price"};
static const int settle_optional[] = {0, 0, 0, 1, 0};

void settleidx_free(settleidx *s)
{
	if (s->ix)
		sidx_free(s->ix);
	free(s->hrow);
	free(s->contract);
	free(s->price);
	rtable_free(&s->h);
	memset(s, 0, sizeof *s);
}

/* The contract of row i into out[8]. */
static int resolve(const settleidx *s, size_t i, char out[8], qe_err *e)
{
	const char *c = rtable_get(&s->h, i, SX_CONTRACT);
	long idx;
	if (*c) {
		if (strlen(c) != 7 || date_month_parse(c, 7, &idx))
			return rtable_error(&s->h, i, SX_CONTRACT, e, "a contract is YYYY-MM, not '%s'", c);
		memcpy(out, c, 8);
		return 0;
	}
	double tenor;
	qe_date d;
	if (rtable_num(&s->h, i, SX_TENOR, 0, &tenor, e))
		return e->code;
	if (date_parse_z(rtable_get(&s->h, i, SX_DATE), &d))
		return rtable_error(&s->h, i, SX_DATE, e, "not a date YYYY-MM-DD '%s'", rtable_get(&s->h, i, SX_DATE));
	if (tenor == 0) {
		memcpy(out, "spot", 5);
		return 0;
	}
	if (!(tenor >= 1 && tenor <= 1200 && tenor == floor(tenor)))
		return rtable_error(&s->h, i, SX_TENOR, e, "a tenor is a whole number of months, not %g", tenor);
	int y, m;
	date_month_ym(date_month_index(d) + (long)tenor, &y, &m);
	snprintf(out, 8, "%04d-%02d", y % 10000, m);
	return 0;
}

int settleidx_load(const char *path, settleidx *s, qe_err *e)
{
	memset(s, 0, sizeof *s);
	if (rtable_read(path, settle_cols, settle_optional, SX_NCOLS, &s->h, e))
		return e->code;
	size_t n = s->h.n + 1;
	s->ix = sidx_new();
	s->hrow = malloc(n * sizeof *s->hrow);
	s->contract = malloc(n * sizeof *s->contract);
	s->price = malloc(n * sizeof *s->price);
	if (!s->ix || !s->hrow || !s->contract || !s->price)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < s->h.n; i++) {
		char key[256];
		if (resolve(s, i, s->contract[i], e) || rtable_num(&s->h, i, SX_PRICE, 0, &s->price[i], e))
			return e->code;
		int len = snprintf(key, sizeof key, "%s|%s|%s", rtable_get(&s->h, i, SX_CURVE), s->contract[i],
				   rtable_get(&s->h, i, SX_DATE)),
		    fresh;
		long k = sidx_add(s->ix, key, (size_t)len, &fresh);
		if (k < 0)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		if (fresh)
			s->hrow[k] = i;
	}
	return 0;
}

double settleidx_price(const settleidx *s, const char *curve, const char *contract, qe_date d)
{
	char key[256], ds[16];
	date_format(ds, d);
	int len = snprintf(key, sizeof key, "%s|%.7s|%s", curve, contract, ds);
	long k = sidx_find(s->ix, key, (size_t)len);
	return k < 0 ? NAN : s->price[s->hrow[k]];
}
