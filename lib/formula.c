#include "formula.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "american.h"
#include "asian.h"
#include "black76.h"
#include "kirk.h"

enum fmodel { F_BLACK76, F_BACHELIER, F_KIRK, F_ASIAN, F_ASIAN_CURRAN, F_AMERICAN, F_NONE };

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

int formula_run(const char *model, int amer_method, csv_reader *r, FILE *out, qe_err *e)
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

	for (;;) {
		int st = csvr_next(r, e);
		if (st == CSVR_EOF)
			break;
		if (st != CSVR_ROW)
			return e->code;
		const char *ts = csvr_field(r, idx[0], NULL);
		int type = opt_type_parse(ts);
		if (!type)
			return csvr_field_error(r, idx[0], e, "expected call or put '%s'", ts);
		double x[MAXCOL];
		for (int i = 1; i < nin; i++)
			if (csvr_get_double(r, idx[i], &x[i], e))
				return e->code;
		const char *why = NULL;
		double res[5];
		int nres = 1, ms = OPT_OK;
		opt_greeks g;
		switch (mi) {
		case F_BLACK76:
		case F_BACHELIER:
			ms = (mi == F_BLACK76 ? black76 : bachelier)(type, x[1], x[2], x[3], x[4], x[5], &g, &why);
			res[0] = g.price, res[1] = g.delta, res[2] = g.gamma, res[3] = g.vega, res[4] = g.theta;
			nres = 5;
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
					return qe_err_set(e, QE_DATA, "%s:%ld: past_fixings > 0 needs a past_average column",
							  csvr_name(r), csvr_line(r));
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
		case F_AMERICAN:
			ms = american_price(amer_method, type, x[1], x[2], x[3], x[4], x[5], x[6], &res[0], &why);
			break;
		}
		if (ms)
			return qe_err_set(e, ms == OPT_EDOMAIN ? QE_DATA : QE_NUMERIC, "%s:%ld: %s: %s",
					  csvr_name(r), csvr_line(r), model, why);
		for (int c = 0; c < csvr_ncols(r); c++) {
			size_t len;
			const char *f = csvr_field(r, c, &len);
			csvw_strn(&w, f, len);
		}
		for (int i = 0; i < nres; i++)
			csvw_double(&w, res[i]);
		csvw_end(&w);
	}
	return QE_OK;
}
