#include "risk/exposure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "market/fxrate.h"
#include "risk/fxhist.h"
#include "risk/riskfactor.h"

void expo_free(exposure *x)
{
	for (size_t p = 0; p < x->npf && x->name; p++) {
		free(x->name[p]);
		free(x->label[p]);
		free(x->ccy[p]);
	}
	free(x->name);
	free(x->label);
	free(x->ccy);
	free(x->fccy);
	sidx_free(x->currencies);
	free(x->delta);
	free(x->gamma);
	free(x->cross);
	free(x->theta);
	memset(x, 0, sizeof *x);
}

struct srow {
	long grp, ccy, f;
	long f2;   /* a cross-gamma row: the second factor; -1 otherwise */
	long line; /* in the sensitivities */
	double d, g, th;
};

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Room for npf portfolios' names, currencies and labels (NULL-filled). */
static int alloc_names(exposure *x, size_t npf)
{
	x->name = calloc(npf + 1, sizeof *x->name);
	x->label = calloc(npf + 1, sizeof *x->label);
	x->ccy = calloc(npf + 1, sizeof *x->ccy);
	return x->name && x->label && x->ccy ? 0 : -1;
}

/* Appends portfolio (name, ccy) at x->npf. */
static int add_portfolio(exposure *x, const char *name, const char *ccy)
{
	size_t p = x->npf;
	x->name[p] = dupn(name, strlen(name));
	x->ccy[p] = dupn(ccy, strlen(ccy));
	x->npf++;
	return x->name[p] && x->ccy[p] ? 0 : -1;
}

/* The labels: the name, or "name/CCY" when another portfolio of the same
 * kind (total or group) has the same name, i.e. the name spans several
 * currencies. */
static int make_labels(exposure *x)
{
	for (size_t p = 0; p < x->npf; p++) {
		int dup = 0;
		for (size_t q = 0; q < x->npf && !dup; q++)
			dup = q != p && expo_is_total(x, q) == expo_is_total(x, p) &&
			      strcmp(x->name[q], x->name[p]) == 0;
		size_t n = strlen(x->name[p]) + strlen(x->ccy[p]) + 2;
		if (!(x->label[p] = malloc(n)))
			return -1;
		snprintf(x->label[p], n, dup ? "%s/%s" : "%s", x->name[p], x->ccy[p]);
	}
	return 0;
}

/* 1 when a group value would read as the total in the outputs: EXPO_TOTAL
 * itself, or EXPO_TOTAL "/..." (the total's label per currency). */
static int name_is_reserved(const char *s, size_t n)
{
	size_t k = sizeof EXPO_TOTAL - 1;
	return n >= k && memcmp(s, EXPO_TOTAL, k) == 0 && (n == k || s[k] == '/');
}

/* What expo_read() holds while it reads: the sensitivities file, the
 * lookups of the curve master and the FX rates, and the rows so far. */
typedef struct expo_reading {
	csv_reader *r;
	FILE *fp;                    /* expo_read_stream(): read this, named name */
	const char *name;
	int idx[3];                  /* curve, tenor, delta */
	int gc, byc;                 /* gamma and group-by columns, -1 absent */
	int vc;                      /* vega column, -1 absent */
	int use_vega;                /* the factors include vol factors: vega rows count */
	int thc, c2c, t2c;           /* theta, curve2, tenor2 columns, -1 absent */
	size_t ncross;               /* cross-gamma rows */
	const char *by;
	const curvemaster *cm;       /* the curve master, or NULL */
	int has_ccy;                 /* currencies from the curve master */
	int by_master;               /* group by a column of the curve master */
	const expo_fx *fx;
	strindex *fxc;               /* currency -> FX rate */
	double *fxr;
	strindex *groups;            /* group names in order of appearance */
	long *pfline;                /* [p] line of a group portfolio's first row */
	struct srow *rows;
	size_t n, cap;
} expo_reading;

static void reading_free(expo_reading *g)
{
	free(g->rows);
	free(g->pfline);
	free(g->fxr);
	sidx_free(g->groups);
	sidx_free(g->fxc);
	csvr_close(g->r);
}

/* The currencies of the curve master and the FX rates. */
static int reading_load_currencies(expo_reading *g, qe_err *e)
{
	int rc;
	g->has_ccy = g->cm && curvemaster_has(g->cm, "currency") && curvemaster_count(g->cm) > 0;
	if (!(g->groups = sidx_new()) || !(g->fxc = sidx_new()))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (g->fx && g->fx->path) {
		if (!g->has_ccy)
			return qe_err_set(e, QE_USAGE, "--fx needs a curve master with a currency column (-m)");
		if ((rc = fx_rates_read(g->fx->path, g->fx->base, g->fxc, &g->fxr, e)))
			return rc;
	}
	return 0;
}

/* Opens the sensitivities and finds the column to group by: the file's,
 * else the curve master's. */
static int reading_open(expo_reading *g, const char *path, qe_err *e)
{
	static const char *const cols[] = {"curve", "tenor", "delta"};
	int rc;
	g->byc = -1;
	if (!(g->r = g->fp ? csvr_open_stream(g->fp, g->name, 0, e) : csvr_open(path, e)))
		return e->code;
	if ((rc = csvr_require(g->r, cols, 3, g->idx, e)))
		return rc;
	g->gc = csvr_col(g->r, "gamma");
	g->vc = csvr_col(g->r, "vega");
	g->thc = csvr_col(g->r, "theta");
	g->c2c = csvr_col(g->r, "curve2");
	g->t2c = csvr_col(g->r, "tenor2");
	if ((g->c2c < 0) != (g->t2c < 0))
		return qe_err_set(e, QE_DATA, "%s: columns curve2 and tenor2 go together", csvr_name(g->r));
	if (!g->by || (g->byc = csvr_col(g->r, g->by)) >= 0)
		return 0;
	if (!g->cm)
		return qe_err_set(e, QE_DATA, "%s: no column '%s' to group by", csvr_name(g->r), g->by);
	if (!curvemaster_has(g->cm, g->by))
		return qe_err_set(e, QE_DATA, "no column '%s' to group by in the sensitivities or in %s", g->by,
				  curvemaster_file(g->cm));
	g->by_master = 1;
	return 0;
}

/* The longest tenor of curve (curvelen bytes) among the factors, -1 when
 * it has none. */
static long longest_tenor(const strindex *factors, const char *curve, size_t curvelen)
{
	long best = -1;
	for (size_t f = 0; f < sidx_count(factors); f++) {
		size_t cl;
		long t;
		const char *name = sidx_name(factors, f);
		if (!risk_factor_parse(name, &cl, &t) && cl == curvelen && strncmp(name, curve, cl) == 0 && t > best)
			best = t;
	}
	return best;
}

/* The risk factor of the current row (riskfactor.h names it): the price
 * factor CURVE:TENOR, or with vol set the vol factor VOL:CURVE:TENOR of
 * its vega; a tenor beyond the longest the history has for the curve (or
 * its vols) goes to that one. */
static int row_factor(expo_reading *g, exposure *x, const strindex *factors, const char *curve,
		      int64_t tenor, int vol, long *f, qe_err *e)
{
	csv_reader *r = g->r;
	char name[RISK_FACTOR_NAMESZ];
	if (tenor < 0)
		return csvr_field_error(r, g->idx[1], e, "negative tenor '%lld'", (long long)tenor);
	if (strlen(curve) > RISK_CURVE_MAX)
		return csvr_field_error(r, g->idx[0], e, "curve name too long");
	char vc[RISK_CURVE_MAX + sizeof RISK_VOL_PREFIX];
	/* copied, not snprintf'd: once per sensitivity row */
	size_t pl = vol ? sizeof RISK_VOL_PREFIX - 1 : 0, cl0 = strlen(curve);
	memcpy(vc, RISK_VOL_PREFIX, pl);
	memcpy(vc + pl, curve, cl0 + 1);
	int cl = (int)(pl + cl0);
	int len = risk_factor_name(name, sizeof name, vc, (size_t)cl, tenor);
	if ((*f = sidx_find(factors, name, (size_t)len)) >= 0)
		return 0;
	long longest = longest_tenor(factors, vc, (size_t)cl);
	if (longest >= 0 && tenor > longest) {
		len = risk_factor_name(name, sizeof name, vc, (size_t)cl, longest);
		*f = sidx_find(factors, name, (size_t)len);
		x->capped += !vol;
		return 0;
	}
	return qe_err_set(e, QE_DATA, "%s:%ld: risk factor '%s' has no %s history", csvr_name(r), csvr_line(r),
			  name, vol ? "volatility" : "price");
}

#define RESERVED "reserved: the outputs name the total of the whole book '" EXPO_TOTAL "' (or '" EXPO_TOTAL "/CCY')"

/* The group of the current row (-1 when not grouping); a value reserved
 * for the total is an error. */
static int row_group(expo_reading *g, const char *curve, long *grp, qe_err *e)
{
	csv_reader *r = g->r;
	const char *gname;
	size_t gl;
	*grp = -1;
	if (g->by_master) {
		const curvemaster_curve *mc = curvemaster_find(g->cm, curve);
		if (!mc)
			return csvr_field_error(r, g->idx[0], e, "curve not in %s, cannot group by %s '%s'",
						curvemaster_file(g->cm), g->by, curve);
		gname = curvemaster_attr(g->cm, mc, g->by);
		gl = strlen(gname);
	} else if (g->byc >= 0) {
		if (!(gname = csvr_get_str(r, g->byc, e)))
			return QE_DATA;
		csvr_field(r, g->byc, &gl);
	} else {
		return 0;
	}
	if (name_is_reserved(gname, gl)) {
		if (g->by_master)
			return csvr_field_error(r, g->idx[0], e, "%s of curve '%s' in %s is '%s', " RESERVED, g->by,
						curve, curvemaster_file(g->cm), gname);
		return csvr_field_error(r, g->byc, e, "'%s' is " RESERVED "; rename this %s", gname, g->by);
	}
	if ((*grp = sidx_add(g->groups, gname, gl, NULL)) < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return 0;
}

/* The currency of the current row (into x->currencies), converting d and
 * g to the base currency when there are FX rates. */
static int row_currency(expo_reading *g, exposure *x, const char *curve, double *d, double *gm, double *th,
			long *ck, qe_err *e)
{
	csv_reader *r = g->r;
	const char *ccy = "";
	if (g->has_ccy) {
		const curvemaster_curve *mc = curvemaster_find(g->cm, curve);
		if (!mc)
			return csvr_field_error(r, g->idx[0], e, "curve not in %s, its currency is unknown '%s'",
						curvemaster_file(g->cm), curve);
		ccy = mc->currency;
	}
	if (g->fxr) {
		long k = sidx_find(g->fxc, ccy, strlen(ccy));
		if (k < 0)
			return qe_err_set(e, QE_DATA, "%s:%ld: no FX rate for currency '%s' (curve %s) in %s",
					  csvr_name(r), csvr_line(r), ccy, curve, g->fx->path);
		*d *= g->fxr[k];
		*gm *= g->fxr[k];
		*th *= g->fxr[k];
		ccy = g->fx->base;
	}
	if ((*ck = sidx_add(x->currencies, ccy, strlen(ccy), NULL)) < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return 0;
}

static int push_row(expo_reading *g, const struct srow *row, qe_err *e)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		struct srow *nr = realloc(g->rows, cap * sizeof *nr);
		if (!nr)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		g->rows = nr;
		g->cap = cap;
	}
	g->rows[g->n++] = *row;
	return 0;
}

/* Reads the current row into g->rows: its delta and gamma on the price
 * factor and, with vol factors, its vega on the vol factor (as a delta:
 * the P&L of a vol change dvol is vega dvol). */
static int read_row(expo_reading *g, exposure *x, const strindex *factors, qe_err *e)
{
	csv_reader *r = g->r;
	const char *curve;
	struct srow row = {.f2 = -1};
	int rc;
	int64_t tenor;
	double vega = 0;
	if (!(curve = csvr_get_str(r, g->idx[0], e)))
		return QE_DATA;
	if ((rc = csvr_get_int64(r, g->idx[1], &tenor, e)) || (rc = csvr_get_double(r, g->idx[2], &row.d, e)))
		return rc;
	if (g->gc >= 0 && !csvr_is_empty(r, g->gc) && (rc = csvr_get_double(r, g->gc, &row.g, e)))
		return rc;
	if (g->thc >= 0 && !csvr_is_empty(r, g->thc) && (rc = csvr_get_double(r, g->thc, &row.th, e)))
		return rc;
	if (g->use_vega && g->vc >= 0 && !csvr_is_empty(r, g->vc) && (rc = csvr_get_double(r, g->vc, &vega, e)))
		return rc;
	if (g->c2c >= 0 && !csvr_is_empty(r, g->c2c)) {
		/* a cross-gamma row: d2V/dF dF2 in gamma, nothing else */
		const char *curve2;
		int64_t tenor2;
		if (!(curve2 = csvr_get_str(r, g->c2c, e)))
			return QE_DATA;
		if ((rc = csvr_get_int64(r, g->t2c, &tenor2, e)))
			return rc;
		if (row.d != 0 || row.th != 0)
			return csvr_field_error(r, g->idx[2], e, "a cross-gamma row (curve2 %s) has a delta or theta",
						curve2);
		if ((rc = row_factor(g, x, factors, curve2, tenor2, 0, &row.f2, e)))
			return rc;
		g->ncross++;
	}
	if ((rc = row_factor(g, x, factors, curve, tenor, 0, &row.f, e)) || (rc = row_group(g, curve, &row.grp, e)) ||
	    (rc = row_currency(g, x, curve, &row.d, &row.g, &row.th, &row.ccy, e)))
		return rc;
	row.line = csvr_line(r);
	if ((rc = push_row(g, &row, e)))
		return rc;
	if (vega == 0)
		return 0;
	/* the vega on the vol factor, as a delta: the P&L of dvol is vega dvol */
	struct srow vrow = row;
	double none = 0, noth = 0;
	vrow.d = vega;
	vrow.g = 0;
	vrow.th = 0;
	vrow.f2 = -1;
	if ((rc = row_factor(g, x, factors, curve, tenor, 1, &vrow.f, e)) ||
	    (rc = row_currency(g, x, curve, &vrow.d, &none, &noth, &vrow.ccy, e)))
		return rc;
	return push_row(g, &vrow, e);
}

/* The portfolios: the total of each currency first, then each (group,
 * currency) pair in order of first use; pfmap[grp * nc + ccy] is its
 * index.  The totals are slots of their own, not groups: a row adds to
 * its currency's total by index and to its group's portfolio through
 * pfmap. */
static int add_portfolios(exposure *x, expo_reading *g, long **pfmap)
{
	size_t nc = sidx_count(x->currencies), ng = sidx_count(g->groups), npf = nc;
	long *map = *pfmap = malloc((ng * nc + 1) * sizeof *map);
	if (!map)
		return -1;
	for (size_t k = 0; k < ng * nc; k++)
		map[k] = -1;
	for (size_t i = 0; i < g->n; i++) {
		const struct srow *w = &g->rows[i];
		if (w->grp < 0)
			continue;
		size_t k = (size_t)w->grp * nc + (size_t)w->ccy;
		if (map[k] < 0)
			map[k] = (long)npf++; /* counts them; numbered again below */
	}
	if (alloc_names(x, npf) || !(g->pfline = calloc(npf + 1, sizeof *g->pfline)))
		return -1;
	x->ntotal = nc;
	for (size_t c = 0; c < nc; c++)
		if (add_portfolio(x, EXPO_TOTAL, sidx_name(x->currencies, c)))
			return -1;
	for (size_t k = 0; k < ng * nc; k++)
		map[k] = -1;
	for (size_t i = 0; i < g->n; i++) {
		const struct srow *w = &g->rows[i];
		if (w->grp < 0)
			continue;
		size_t k = (size_t)w->grp * nc + (size_t)w->ccy;
		if (map[k] >= 0)
			continue;
		map[k] = (long)x->npf;
		g->pfline[x->npf] = w->line;
		if (add_portfolio(x, sidx_name(g->groups, (size_t)w->grp), sidx_name(x->currencies, (size_t)w->ccy)))
			return -1;
	}
	return make_labels(x);
}

/* Two groups whose labels are the same (group "a" split by currency
 * labels its USD part "a/USD", as a group named "a/USD" is labelled)
 * would be one portfolio in the cube, stress and series: QE_DATA naming
 * the first row of the later one.  Totals never collide with a group
 * (row_group refuses their names). */
static int check_labels(const exposure *x, const expo_reading *g, qe_err *e)
{
	int col = g->by_master ? g->idx[0] : g->byc;
	for (size_t q = x->ntotal; q < x->npf; q++)
		for (size_t p = x->ntotal; p < q; p++)
			if (strcmp(x->label[p], x->label[q]) == 0)
				return qe_err_set(e, QE_DATA,
						  "%s:%ld:%d: column '%s': %s '%s' (%s) and %s '%s' (%s) are both "
						  "labelled '%s' in the outputs; rename one",
						  csvr_name(g->r), g->pfline[q], col + 1, csvr_colname(g->r, col), g->by,
						  x->name[q], x->ccy[q], g->by, x->name[p], x->ccy[p], x->label[q]);
	return 0;
}

/* Sums the rows into the portfolios' deltas and gammas: each row once
 * into its currency's total and once into its group. */
static int sum_rows(exposure *x, const expo_reading *g, const long *pfmap)
{
	size_t nc = sidx_count(x->currencies);
	x->delta = calloc(x->npf * x->nf + 1, sizeof *x->delta);
	x->gamma = calloc(x->npf * x->nf + 1, sizeof *x->gamma);
	x->fccy = malloc((x->nf + 1) * sizeof *x->fccy);
	x->theta = calloc(x->npf + 1, sizeof *x->theta);
	x->cross = malloc((2 * g->ncross + 1) * sizeof *x->cross);
	if (!x->delta || !x->gamma || !x->fccy || !x->theta || !x->cross)
		return -1;
	for (size_t f = 0; f < x->nf; f++)
		x->fccy[f] = -1;
	for (size_t i = 0; i < g->n; i++) {
		const struct srow *w = &g->rows[i];
		size_t f = (size_t)w->f, tot = (size_t)w->ccy;
		x->fccy[f] = w->ccy;
		x->theta[tot] += w->th;
		if (w->grp >= 0)
			x->theta[pfmap[(size_t)w->grp * nc + (size_t)w->ccy]] += w->th;
		if (w->f2 >= 0) {
			x->cross[x->ncross++] = (struct expo_cross){tot, f, (size_t)w->f2, w->g};
			if (w->grp >= 0)
				x->cross[x->ncross++] = (struct expo_cross){
					(size_t)pfmap[(size_t)w->grp * nc + (size_t)w->ccy], f, (size_t)w->f2, w->g};
			if (w->g != 0)
				x->has_gamma = 1;
			continue;
		}
		x->delta[tot * x->nf + f] += w->d;
		x->gamma[tot * x->nf + f] += w->g;
		if (w->grp >= 0) {
			size_t pf = (size_t)pfmap[(size_t)w->grp * nc + (size_t)w->ccy];
			x->delta[pf * x->nf + f] += w->d;
			x->gamma[pf * x->nf + f] += w->g;
		}
		if (w->g != 0)
			x->has_gamma = 1;
	}
	return 0;
}

static int read_all(expo_reading *gp, exposure *x, const char *path, const strindex *factors, qe_err *e);

/* The FX rows of the valuations g->fx->valuations (after the
 * sensitivities, whose reader it replaces): each trade whose curve is in a
 * currency other than the base puts its npv, converted to the base at
 * today's rate, as a delta on the factor FX:CCY, in the portfolios its
 * sensitivities go to (grouped by the same rule). */
static int read_valuations(expo_reading *g, exposure *x, const strindex *factors, qe_err *e)
{
	static const char *const cols[] = {"curve", "npv"};
	int idx[2], rc, st;
	csvr_close(g->r);
	g->fp = NULL;
	if (!(g->r = csvr_open(g->fx->valuations, e)))
		return e->code;
	if ((rc = csvr_require(g->r, cols, 2, idx, e)))
		return rc;
	g->idx[0] = idx[0];
	if (!g->by_master && g->by && (g->byc = csvr_col(g->r, g->by)) < 0)
		return qe_err_set(e, QE_DATA, "%s: no column '%s' to group by (the sensitivities have it)",
				  csvr_name(g->r), g->by);
	while ((st = csvr_next(g->r, e)) != CSVR_EOF) {
		const char *curve;
		struct srow row = {.f2 = -1};
		double none = 0, noth = 0;
		if (st < 0)
			return e->code ? e->code : QE_DATA;
		if (!(curve = csvr_get_str(g->r, idx[0], e)))
			return QE_DATA;
		const curvemaster_curve *mc = curvemaster_find(g->cm, curve);
		if (!mc)
			return csvr_field_error(g->r, idx[0], e, "curve not in %s, its currency is unknown '%s'",
						curvemaster_file(g->cm), curve);
		if (strcmp(mc->currency, g->fx->base) == 0)
			continue; /* no FX risk */
		char name[16];
		snprintf(name, sizeof name, "%s%s", FXH_PREFIX, mc->currency);
		if ((row.f = sidx_find(factors, name, strlen(name))) < 0)
			return csvr_field_error(g->r, idx[0], e,
						"curve '%s' is in %s, which has no rate in the FX history (factor %s)",
						curve, mc->currency, name);
		if ((rc = csvr_get_double(g->r, idx[1], &row.d, e)) || (rc = row_group(g, curve, &row.grp, e)) ||
		    (rc = row_currency(g, x, curve, &row.d, &none, &noth, &row.ccy, e)))
			return rc;
		row.line = csvr_line(g->r);
		if ((rc = push_row(g, &row, e)))
			return rc;
	}
	return 0;
}

int expo_read(exposure *x, const char *path, const char *by, const curvemaster *cm,
	      const expo_fx *fx, const strindex *factors, qe_err *e)
{
	expo_reading g = {.by = by, .cm = cm, .fx = fx};
	return read_all(&g, x, path, factors, e);
}

int expo_read_stream(exposure *x, FILE *fp, const char *name, const char *by, const curvemaster *cm,
		     const expo_fx *fx, const strindex *factors, qe_err *e)
{
	expo_reading g = {.fp = fp, .name = name, .by = by, .cm = cm, .fx = fx};
	return read_all(&g, x, name, factors, e);
}

static int read_all(expo_reading *gp, exposure *x, const char *path, const strindex *factors, qe_err *e)
{
	expo_reading g = *gp;
	long *pfmap = NULL;
	int rc, st;

	memset(x, 0, sizeof *x);
	x->nf = sidx_count(factors);
	if (!(x->currencies = sidx_new())) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t f = 0; f < x->nf && !g.use_vega; f++)
		g.use_vega = risk_factor_is_vol(sidx_name(factors, f));
	if ((rc = reading_load_currencies(&g, e)) || (rc = reading_open(&g, path, e)))
		goto out;
	while ((st = csvr_next(g.r, e)) != CSVR_EOF) {
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if ((rc = read_row(&g, x, factors, e)))
			goto out;
		x->rows++;
	}
	if (g.n == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no sensitivities", csvr_name(g.r));
		goto out;
	}
	if (g.fx && g.fx->valuations && g.fxr && (rc = read_valuations(&g, x, factors, e)))
		goto out;
	if (add_portfolios(x, &g, &pfmap) || sum_rows(x, &g, pfmap))
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	else
		rc = check_labels(x, &g, e);
out:
	free(pfmap);
	reading_free(&g);
	if (rc)
		expo_free(x);
	return rc;
}

void expo_used(const exposure *x, unsigned char *used)
{
	for (size_t p = 0; p < x->npf; p++)
		for (size_t f = 0; f < x->nf; f++)
			if (x->delta[p * x->nf + f] != 0 || x->gamma[p * x->nf + f] != 0)
				used[f] = 1;
	for (size_t k = 0; k < x->ncross; k++)
		if (x->cross[k].g != 0)
			used[x->cross[k].f1] = used[x->cross[k].f2] = 1;
}

void expo_restrict(exposure *x, const unsigned char *keep)
{
	size_t m = 0;
	for (size_t f = 0; f < x->nf; f++)
		m += keep[f] != 0;
	for (size_t p = 0; p < x->npf; p++) {
		size_t j = 0;
		for (size_t f = 0; f < x->nf; f++)
			if (keep[f]) {
				x->delta[p * m + j] = x->delta[p * x->nf + f];
				x->gamma[p * m + j] = x->gamma[p * x->nf + f];
				j++;
			}
	}
	/* the cross-gammas of dropped factors go with them */
	size_t *to = malloc((x->nf + 1) * sizeof *to), kept = 0;
	for (size_t f = 0, j = 0; to && f < x->nf; f++)
		to[f] = keep[f] ? j++ : (size_t)-1;
	for (size_t k = 0; to && k < x->ncross; k++) {
		struct expo_cross c = x->cross[k];
		if (to[c.f1] != (size_t)-1 && to[c.f2] != (size_t)-1)
			x->cross[kept++] = (struct expo_cross){c.p, to[c.f1], to[c.f2], c.g};
	}
	x->ncross = to ? kept : 0;
	free(to);
	for (size_t f = 0, j = 0; f < x->nf; f++)
		if (keep[f])
			x->fccy[j++] = x->fccy[f];
	x->nf = m;
}

int expo_subset(const exposure *x, const char *ccy, exposure *sub, qe_err *e)
{
	memset(sub, 0, sizeof *sub);
	sub->nf = x->nf;
	sub->rows = x->rows;
	sub->has_gamma = x->has_gamma;
	size_t *pick = malloc((x->npf + 1) * sizeof *pick), np = 0;
	if (!pick || !(sub->currencies = sidx_new()))
		goto oom;
	for (size_t c = 0; c < sidx_count(x->currencies); c++) {
		const char *cn = sidx_name(x->currencies, c);
		if (sidx_add(sub->currencies, cn, strlen(cn), NULL) < 0)
			goto oom;
	}
	/* totals come first in x, so they do in sub */
	for (size_t p = 0; p < x->npf; p++)
		if (strcmp(x->ccy[p], ccy) == 0) {
			sub->ntotal += expo_is_total(x, p);
			pick[np++] = p;
		}
	sub->delta = calloc(np * x->nf + 1, sizeof *sub->delta);
	sub->gamma = calloc(np * x->nf + 1, sizeof *sub->gamma);
	sub->fccy = malloc((x->nf + 1) * sizeof *sub->fccy);
	if (!sub->delta || !sub->gamma || !sub->fccy || alloc_names(sub, np))
		goto oom;
	memcpy(sub->fccy, x->fccy, x->nf * sizeof *sub->fccy);
	for (size_t i = 0; i < np; i++) {
		size_t p = pick[i];
		/* labels as in the whole book */
		sub->label[i] = dupn(x->label[p], strlen(x->label[p]));
		if (add_portfolio(sub, x->name[p], x->ccy[p]) || !sub->label[i])
			goto oom;
		memcpy(sub->delta + i * x->nf, x->delta + p * x->nf, x->nf * sizeof *sub->delta);
		memcpy(sub->gamma + i * x->nf, x->gamma + p * x->nf, x->nf * sizeof *sub->gamma);
	}
	free(pick);
	return 0;
oom:
	free(pick);
	expo_free(sub);
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

int expo_groups(exposure *x, size_t n, const char *const *group, const char *const *ccy,
		const char *const *item, long *pf, qe_err *e)
{
	expo_reading g = {0};
	long *pfmap = NULL;
	int rc = 0;
	memset(x, 0, sizeof *x);
	if (!(x->currencies = sidx_new()) || !(g.groups = sidx_new()) ||
	    !(g.rows = calloc(n + 1, sizeof *g.rows)))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		struct srow *w = &g.rows[i];
		w->grp = -1;
		w->line = (long)i;
		if (group && group[i]) {
			size_t gl = strlen(group[i]);
			if (name_is_reserved(group[i], gl)) {
				rc = qe_err_set(e, QE_DATA, "%s: group '%s' is " RESERVED, item[i], group[i]);
				goto out;
			}
			if ((w->grp = sidx_add(g.groups, group[i], gl, NULL)) < 0)
				goto oom;
		}
		if ((w->ccy = sidx_add(x->currencies, ccy[i], strlen(ccy[i]), NULL)) < 0)
			goto oom;
	}
	g.n = n;
	x->rows = n;
	if (add_portfolios(x, &g, &pfmap) || !(x->fccy = malloc(sizeof *x->fccy)))
		goto oom;
	size_t nc = sidx_count(x->currencies);
	for (size_t i = 0; i < n; i++) {
		const struct srow *w = &g.rows[i];
		pf[2 * i] = w->ccy;
		pf[2 * i + 1] = w->grp < 0 ? -1 : pfmap[(size_t)w->grp * nc + (size_t)w->ccy];
	}
	for (size_t q = x->ntotal; q < x->npf && !rc; q++)
		for (size_t p = x->ntotal; p < q && !rc; p++)
			if (strcmp(x->label[p], x->label[q]) == 0)
				rc = qe_err_set(e, QE_DATA,
						"%s: group '%s' (%s) and group '%s' (%s) are both labelled '%s' in "
						"the outputs; rename one",
						item[g.pfline[q]], x->name[q], x->ccy[q], x->name[p], x->ccy[p],
						x->label[q]);
	goto out;
oom:
	rc = qe_err_set(e, QE_INTERNAL, "out of memory");
out:
	free(pfmap);
	reading_free(&g);
	if (rc)
		expo_free(x);
	return rc;
}
