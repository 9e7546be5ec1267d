#include "price/formula.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/schema.h"
#include "price/american.h"
#include "price/asian.h"
#include "price/black76.h"
#include "price/impliedvol.h"
#include "price/kirk.h"

enum fmodel { F_BLACK76, F_BACHELIER, F_KIRK, F_ASIAN, F_ASIAN_CURRAN, F_AMERICAN, F_BLACK76_IV,
	      F_BACHELIER_IV, F_NONE };

static const struct {
	const char *name;
	const char *const *in;   /* required columns, NULL-terminated */
	const char *const *opt;  /* optional columns */
	const char *const *out;  /* appended columns */
} models[] = {
	[F_BLACK76] = {"black76", (const char *const[]){"type", "forward", "strike", "vol", "rate", "expiry", NULL},
		       (const char *const[]){NULL},
		       (const char *const[]){"price", "delta", "gamma", "vega", "theta", NULL}},
	[F_BACHELIER] = {"bachelier", (const char *const[]){"type", "forward", "strike", "vol", "rate", "expiry", NULL},
			 (const char *const[]){NULL},
			 (const char *const[]){"price", "delta", "gamma", "vega", "theta", NULL}},
	[F_KIRK] = {"kirk", (const char *const[]){"type", "forward1", "forward2", "strike", "vol1", "vol2", "corr", "rate", "expiry", NULL},
		    (const char *const[]){"ratio", NULL}, (const char *const[]){"price", NULL}},
	[F_ASIAN] = {"asian", (const char *const[]){"type", "forward", "strike", "vol", "rate", "expiry", "avg_start", "avg_end", "fixings", NULL},
		     (const char *const[]){"past_fixings", "past_average", NULL}, (const char *const[]){"price", NULL}},
	[F_ASIAN_CURRAN] = {"asian-curran", (const char *const[]){"type", "forward", "strike", "vol", "rate", "expiry", "avg_start", "avg_end", "fixings", NULL},
			    (const char *const[]){"past_fixings", "past_average", NULL}, (const char *const[]){"price", NULL}},
	[F_AMERICAN] = {"american", (const char *const[]){"type", "spot", "strike", "vol", "rate", "carry", "expiry", NULL},
			(const char *const[]){NULL}, (const char *const[]){"price", NULL}},
	[F_BLACK76_IV] = {"black76-iv", (const char *const[]){"type", "forward", "strike", "rate", "expiry", "price", NULL},
			  (const char *const[]){NULL}, (const char *const[]){"vol", NULL}},
	[F_BACHELIER_IV] = {"bachelier-iv", (const char *const[]){"type", "forward", "strike", "rate", "expiry", "price", NULL},
			    (const char *const[]){NULL}, (const char *const[]){"vol", NULL}},
};

static int model_index(const char *name)
{
	for (int i = 0; i < F_NONE; i++)
		if (strcmp(models[i].name, name) == 0)
			return i;
	return F_NONE;
}

int formula_model_known(const char *name)
{
	return model_index(name) != F_NONE;
}

static int count(const char *const *v)
{
	int n = 0;
	while (v[n])
		n++;
	return n;
}

#define MAXCOL 16

/* The input column a model's domain error is about: the first candidate
 * column of the model whose value fails the test, else the first of the
 * model's candidates; -1 when the reason names no column. */
enum { T_ANY, T_NEG, T_NONPOS };
static const struct {
	const char *why;
	int test;
	const char *col[3];
} blames[] = {
	{"negative volatility", T_NEG, {"vol", "vol1", "vol2"}},
	{"negative time to expiry", T_NEG, {"expiry"}},
	{"Black-76 needs a positive forward", T_NONPOS, {"forward"}},
	{"Black-76 needs a positive strike", T_NONPOS, {"strike"}},
	{"correlation outside [-1, 1]", T_ANY, {"corr"}},
	{"Kirk needs positive forwards", T_NONPOS, {"forward1", "forward2"}},
	{"Kirk needs ratio * forward2 + strike > 0", T_ANY, {"strike"}},
	{"lognormal Asian models need a positive forward", T_NONPOS, {"forward"}},
	{"strike must be positive", T_NONPOS, {"strike"}},
	{"spot and strike must be positive", T_NONPOS, {"spot", "strike"}},
	{"need 0 <= past fixings <= fixings and at least one fixing", T_ANY, {"fixings"}},
	{"future fixing times must be >= 0 and ascending", T_ANY, {"avg_start"}},
	{"a fixing lies after the expiry", T_ANY, {"avg_end"}},
	{"averaging ends before it starts", T_ANY, {"avg_end"}},
	{"a fixing counted as past lies after today", T_ANY, {"past_fixings"}},
	{"a future fixing lies before today (past_fixings too small)", T_ANY, {"past_fixings"}},
	{"Bjerksund-Stensland not applicable (negative rate)", T_ANY, {"rate"}},
	{"price below the discounted intrinsic value", T_ANY, {"price"}},
	{"price at or above the no-arbitrage upper bound", T_ANY, {"price"}},
	{"price outside the no-arbitrage bounds", T_ANY, {"price"}},
	{"time value at zero expiry", T_ANY, {"price"}},
};

static int blame(int mi, const char *why, const int *idx, const double *x)
{
	for (size_t b = 0; b < sizeof blames / sizeof blames[0]; b++) {
		if (strcmp(blames[b].why, why) != 0)
			continue;
		int first = -1;
		for (int k = 0; k < 3 && blames[b].col[k]; k++)
			for (int i = 1; models[mi].in[i]; i++) {
				if (strcmp(models[mi].in[i], blames[b].col[k]) != 0)
					continue;
				if (first < 0)
					first = idx[i];
				if (blames[b].test == T_ANY || (blames[b].test == T_NEG && x[i] < 0) ||
				    (blames[b].test == T_NONPOS && !(x[i] > 0)))
					return idx[i];
			}
		return first;
	}
	return -1;
}

/* The percentage-typo check of qe-ingest on the row's vols (lognormal
 * models only: a Bachelier vol is in price units) and rates: 0, or
 * QE_DATA with e naming file:line:col, the column and the value. */
static int check_plausible(int mi, csv_reader *r, const int *idx, const double *x, qe_err *e)
{
	for (int i = 1; models[mi].in[i]; i++) {
		const char *col = models[mi].in[i], *why = NULL;
		if (strcmp(col, "rate") == 0 || strcmp(col, "carry") == 0)
			why = schema_rate_implausible(x[i]);
		else if (mi != F_BACHELIER && strncmp(col, "vol", 3) == 0)
			why = schema_lognormal_vol_implausible(x[i]);
		if (why)
			return csvr_field_error(r, idx[i], e, "%s '%s'", why, csvr_field(r, idx[i], NULL));
	}
	return QE_OK;
}

/* Prices the current row into res (*nres values): 0, or an error code
 * with e naming file:line:col, the column and the value. */
static int price_row(int mi, const formula_opts *o, csv_reader *r, const int *idx,
		     const int *opt, int nin, double *res, int *nres, qe_err *e)
{
	const char *ts = csvr_field(r, idx[0], NULL);
	int type = opt_type_parse(ts);
	if (!type)
		return csvr_field_error(r, idx[0], e, "expected call or put '%s'", ts);
	double x[MAXCOL];
	for (int i = 1; i < nin; i++)
		if (csvr_get_double(r, idx[i], &x[i], e))
			return e->code;
	if (!o->allow_implausible && check_plausible(mi, r, idx, x, e))
		return e->code;
	const char *why = NULL;
	int ms = OPT_OK;
	opt_greeks g;
	*nres = 1;
	switch (mi) {
	case F_BLACK76:
	case F_BACHELIER:
		ms = (mi == F_BLACK76 ? black76 : bachelier)(type, x[1], x[2], x[3], x[4], x[5], &g, &why);
		res[0] = g.price, res[1] = g.delta, res[2] = g.gamma, res[3] = g.vega, res[4] = g.theta;
		*nres = 5;
		break;
	case F_KIRK: {
		double ratio = 1.0;
		if (opt[0] >= 0 && !csvr_is_empty(r, opt[0]) && csvr_get_double(r, opt[0], &ratio, e))
			return e->code;
		ms = kirk_price(type, x[1], x[2], x[3], x[4], x[5], x[6], ratio, x[7], x[8], &res[0], &why);
		break;
	}
	case F_ASIAN:
	case F_ASIAN_CURRAN: {
		double nf = x[8], pf = 0, pa = 0;
		if (nf != floor(nf) || nf < 1 || nf > 100000)
			return csvr_field_error(r, idx[8], e, "expected a whole number from 1 to 100000 '%s'",
						csvr_field(r, idx[8], NULL));
		if (opt[0] >= 0 && !csvr_is_empty(r, opt[0])) {
			if (csvr_get_double(r, opt[0], &pf, e))
				return e->code;
			if (pf != floor(pf) || pf < 0 || pf > nf)
				return csvr_field_error(r, opt[0], e, "expected a whole number from 0 to fixings '%s'",
							csvr_field(r, opt[0], NULL));
		}
		if (pf > 0) {
			if (opt[1] < 0)
				return csvr_field_error(r, opt[0], e, "past_fixings > 0 needs a past_average column");
			if (csvr_get_double(r, opt[1], &pa, e))
				return e->code;
		}
		int n = (int)nf, m = (int)pf;
		double *t = malloc(sizeof *t * (size_t)n);
		if (!t)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		ms = asian_grid(x[6], x[7], n, m, t, &why);
		if (!ms)
			ms = asian_price(mi == F_ASIAN ? ASIAN_TW : ASIAN_CURRAN, type, x[1], x[2], x[3],
					 x[4], x[5], n, m, pa, t, &res[0], &why);
		free(t);
		break;
	}
	case F_BLACK76_IV:
	case F_BACHELIER_IV:
		ms = (mi == F_BLACK76_IV ? iv_black76 : iv_bachelier)(type, x[1], x[2], x[3], x[4], x[5], &res[0], &why);
		break;
	case F_AMERICAN:
		ms = american_price(o->amer_method, type, x[1], x[2], x[3], x[4], x[5], x[6], &res[0], &why);
		break;
	}
	if (!ms) {
		/* an overflow (rate -1000: exp(750) = inf) is a failure of the
		 * row, never a value written */
		for (int i = 0; i < *nres; i++)
			if (!isfinite(res[i]))
				return qe_err_set(e, QE_NUMERIC, "%s:%ld:1: %s: non-finite %s '%s'",
						  csvr_name(r), csvr_line(r), models[mi].name,
						  models[mi].out[i],
						  isnan(res[i]) ? "nan" : res[i] > 0 ? "inf" : "-inf");
		return QE_OK;
	}
	int col = ms == OPT_EDOMAIN ? blame(mi, why, idx, x) : -1;
	if (col >= 0)
		return csvr_field_error(r, col, e, "%s '%s'", why, csvr_field(r, col, NULL));
	return qe_err_set(e, ms == OPT_EDOMAIN ? QE_DATA : QE_NUMERIC, "%s:%ld:1: %s: %s", csvr_name(r),
			  csvr_line(r), models[mi].name, why);
}

int formula_run(const char *model, const formula_opts *o, csv_reader *r, FILE *out,
		formula_report_fn report, void *ctx, long *nbad, qe_err *e)
{
	int mi = model_index(model), idx[MAXCOL], opt[MAXCOL];
	if (mi == F_NONE)
		return qe_err_set(e, QE_USAGE, "unknown model '%s'", model);
	int nin = count(models[mi].in), nopt = count(models[mi].opt);
	if (csvr_require(r, models[mi].in, nin, idx, e))
		return e->code;
	for (int i = 0; i < nopt; i++)
		opt[i] = csvr_col(r, models[mi].opt[i]);
	for (int i = 0; models[mi].out[i]; i++)
		if (csvr_col(r, models[mi].out[i]) >= 0)
			return qe_err_set(e, QE_DATA, "%s: input already has a column '%s'",
					  csvr_name(r), models[mi].out[i]);

	csv_writer w;
	csvw_init(&w, out);
	for (int c = 0; c < csvr_ncols(r); c++)
		csvw_str(&w, csvr_colname(r, c));
	for (int i = 0; models[mi].out[i]; i++)
		csvw_str(&w, models[mi].out[i]);
	csvw_end(&w);

	/* a bad row is reported and skipped; the worst code is returned */
	int worst = QE_OK;
	*nbad = 0;
	for (;;) {
		int st = csvr_next(r, e);
		if (st == CSVR_EOF)
			break;
		if (st == CSVR_FATAL)
			return e->code;
		double res[5];
		int nres = 0, rc = st == CSVR_BADROW ? e->code
			: price_row(mi, o, r, idx, opt, nin, res, &nres, e);
		if (rc == QE_INTERNAL)
			return rc;
		if (rc) {
			(*nbad)++;
			if (report)
				report(ctx, e);
			if (worst != QE_DATA)
				worst = rc;
			continue;
		}
		for (int c = 0; c < csvr_ncols(r); c++) {
			size_t len;
			const char *f = csvr_field(r, c, &len);
			csvw_strn(&w, f, len);
		}
		for (int i = 0; i < nres; i++)
			csvw_double(&w, res[i]);
		csvw_end(&w);
	}
	if (worst)
		qe_err_set(e, worst, "%s: %ld bad row%s not priced", csvr_name(r), *nbad,
			   *nbad == 1 ? "" : "s");
	return worst;
}
