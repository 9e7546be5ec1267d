/* qe-var whatif: the pre-deal check - VaR, ES and incremental VaR of
 * each portfolio of the book with and without new trades, by full
 * revaluation of the new trades (and of the book, unless --cube gives
 * the book's scenario P&L of hs --full --cube). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/formats.h"
#include "risk/fullrev.h"
#include "risk/varmeas.h"
#include "var.h"

enum { OPT_NEW = VAR_OPT_OWN };

static const var_option options[] = {
	VAR_O_HISTORY,
	{OPT_NEW, "new", "FILE", "the new trades (trades format), priced with the book's market"},
	VAR_O_FULL_INPUTS,
	{VAR_OPT_CUBE, "cube", "FILE", "the book's P&L cube of hs --full --cube, not revalued"},
	{VAR_OPT_BY, "by", "COLUMN", "group portfolios: book (default), a curve master column, none"},
	{VAR_OPT_FX, "fx", "FILE", "currency,rate (units of --base per unit): convert P&L to"},
	{VAR_OPT_BASE, "base", "CCY", "the base currency before adding"},
	VAR_O_FX_HISTORY,
	VAR_O_WINDOW,
	VAR_O_HORIZON,
	VAR_O_ALPHA,
	VAR_O_QUANTILE,
	VAR_O_END,
};

static const var_command command = {
	"whatif", "--new FILE -H FILE -m FILE --asof DATE --trades FILE --curves FILE [OPTIONS]",
	"VaR/ES of the book with and without new trades (full revaluation).", options,
};

/* The row of portfolio label in cube c aligned to the scenarios of ref
 * (into out, ref->nsc values), or zeros when c lacks it and may. */
static void cube_row(const pnl_cube *c, const char *cname, const pnl_cube *ref, const char *label,
		     int must, double *out)
{
	long p = c->npf ? sidx_find(c->portfolios, label, strlen(label)) : -1;
	if (p < 0) {
		if (must)
			cli_die(QE_DATA, "%s: no P&L of portfolio '%s' of the book", cname, label);
		memset(out, 0, ref->nsc * sizeof *out);
		return;
	}
	for (size_t s = 0; s < ref->nsc; s++) {
		const char *sn = sidx_name(ref->scenarios, s);
		long k = sidx_find(c->scenarios, sn, strlen(sn));
		if (k < 0)
			cli_die(QE_DATA, "%s: no scenario %s (the cube of another window or as-of date?)", cname, sn);
		out[s] = c->pnl[(size_t)p * c->nsc + (size_t)k];
	}
}

/* The book's P&L cube: --cube, checked against the run, or revalued. */
static void book_cube(const var_args *a, const var_inputs *in, fullrev *fr, const risk_scenarios *vs,
		      pnl_cube *c)
{
	qe_err e;
	if (!a->cube) {
		if (fullrev_hs_cube(fr, in, vs, &a->sp, c, &e))
			cli_die_err(&e);
		return;
	}
	if ((pcube_is_hdf5(a->cube) ? pcube_read_hdf5(c, a->cube, &e) : pcube_read_csv(c, a->cube, &e)))
		cli_die_err(&e);
	if (c->has_asof && c->asof != in->asof) {
		char d1[16], d2[16];
		date_format(d1, c->asof);
		date_format(d2, in->asof);
		cli_die(QE_DATA, "%s: cube as of %s, the run as of %s", a->cube, d1, d2);
	}
}

int cmd_var_whatif(int argc, char **argv)
{
	var_args a;
	var_inputs in;
	struct val_options vo;
	vol_history vh;
	risk_scenarios vs;
	fullrev frb, frn;
	pnl_cube before, added;
	csv_writer w;
	qe_err e;
	const char *newpath = NULL;
	int c;
	var_args_init(&a, &command, argc, argv);
	while ((c = var_args_next(&a)) != -1)
		if (c == OPT_NEW)
			newpath = optarg;
	var_args_no_input(&a);
	a.full = 1;
	var_full_check(&a);
	if (!newpath)
		var_usage_error(&a, "missing --new FILE");
	var_load(&a, 0, &in);
	var_open_out(&a, &w);
	var_full_options(&a, &vo);
	var_full_vols(&a, &in, &vh, &vs);
	var_full_fx(&a, &in);
	const vol_history *vhp = a.vol_history ? &vh : NULL;
	const risk_scenarios *vsp = a.vol_history ? &vs : NULL;
	val_book *book = valuation_price(&vo, &e);
	if (!book || fullrev_init(&frb, book, &in.h, vhp, a.by, &a.fx, &e) ||
	    fullrev_set_horizon(&frb, var_full_hz_days(&a), &e))
		cli_die_err(&e);
	book_cube(&a, &in, &frb, vsp, &before);
	vo.trades = newpath;
	val_book *nb = valuation_price(&vo, &e);
	if (!nb || fullrev_init(&frn, nb, &in.h, vhp, a.by, &a.fx, &e) ||
	    fullrev_set_horizon(&frn, var_full_hz_days(&a), &e) ||
	    fullrev_hs_cube(&frn, &in, vsp, &a.sp, &added, &e))
		cli_die_err(&e);
	if (before.nsc != added.nsc)
		cli_die(QE_DATA, "%s: %zu scenarios, the window of the run has %zu", a.cube ? a.cube : "book",
			before.nsc, added.nsc);
	size_t ns = added.nsc;
	double *pb = malloc(ns * sizeof *pb + 1), *pa = malloc(ns * sizeof *pa + 1),
	       *pn = malloc(ns * sizeof *pn + 1), *scratch = malloc(2 * ns * sizeof *scratch + 1);
	if (!pb || !pa || !pn || !scratch)
		cli_die(QE_INTERNAL, "out of memory");
	csvw_header_of(&w, FMT_WHATIF);
	/* the portfolios of book and new trades, matched by name and
	 * currency (a label may differ: the new trades may bring a
	 * currency), the book's first */
	size_t nu = 0, cap = frb.x.npf + frn.x.npf + 1;
	struct upf { const char *name, *ccy, *lb, *ln; int total; } *u = calloc(cap, sizeof *u);
	if (!u)
		cli_die(QE_INTERNAL, "out of memory");
	for (int pass = 0; pass < 2; pass++) {
		const exposure *x = pass ? &frn.x : &frb.x;
		for (size_t p = 0; p < x->npf; p++) {
			size_t k = 0;
			while (k < nu && !(u[k].total == expo_is_total(x, p) && strcmp(u[k].name, x->name[p]) == 0 &&
					   strcmp(u[k].ccy, x->ccy[p]) == 0))
				k++;
			if (k == nu)
				u[nu++] = (struct upf){x->name[p], x->ccy[p], NULL, NULL, expo_is_total(x, p)};
			*(pass ? &u[k].ln : &u[k].lb) = x->label[p];
		}
	}
	for (size_t k = 0; k < nu; k++) {
		int dup = 0;
		char label[512];
		for (size_t j = 0; j < nu; j++)
			dup |= j != k && u[j].total == u[k].total && strcmp(u[j].name, u[k].name) == 0;
		snprintf(label, sizeof label, dup ? "%s/%s" : "%s", u[k].name, u[k].ccy);
		if (u[k].lb)
			cube_row(&before, a.cube ? a.cube : "book", &added, u[k].lb, a.cube != NULL, pb);
		else
			memset(pb, 0, ns * sizeof *pb);
		if (u[k].ln)
			cube_row(&added, newpath, &added, u[k].ln, 1, pn);
		else
			memset(pn, 0, ns * sizeof *pn);
		for (size_t s = 0; s < ns; s++)
			pa[s] = pb[s] + pn[s];
		for (int j = 0; j < a.sp.nalpha; j++) {
			double vb, eb, va, ea;
			if (var_measure(pb, ns, a.sp.alpha[j], a.sp.qdef, scratch, &vb, &eb, &e) ||
			    var_measure(pa, ns, a.sp.alpha[j], a.sp.qdef, scratch, &va, &ea, &e))
				cli_die(e.code, "portfolio '%s': %s", label, e.msg);
			csvw_str(&w, label);
			csvw_double(&w, a.sp.alpha[j]);
			csvw_double(&w, vb + 0.0);
			csvw_double(&w, va + 0.0);
			csvw_double(&w, va - vb + 0.0);
			csvw_double(&w, eb + 0.0);
			csvw_double(&w, ea + 0.0);
			csvw_str(&w, u[k].ccy);
			csvw_date(&w, in.asof);
			csvw_end(&w);
		}
	}
	free(u);
	free(pb), free(pa), free(pn), free(scratch);
	pcube_free(&before);
	pcube_free(&added);
	fullrev_free(&frb);
	fullrev_free(&frn);
	valuation_free(book);
	valuation_free(nb);
	volhist_free(&vh);
	rs_free(&vs);
	var_inputs_free(&in);
	return var_commit();
}
