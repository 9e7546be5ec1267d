#include "screen/rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "core/strindex.h"
#include "market/curvemaster.h"
#include "time/calendar.h"
#include "screen/leicheck.h"
#include "screen/live.h"
#include "screen/mandate.h"
#include "screen/optdelta.h"
#include "screen/regulatory.h"
#include "screen/rtable.h"
#include "screen/unsettled.h"

/* --- shared inputs -------------------------------------------------- */

enum { CP_ID, CP_LEI, CP_SECTOR, CP_LIMIT, CP_CCY, CP_NETTING, CP_FIGURES };
static const char *const cpty_cols[] = {
	"counterparty", "lei", "sector", "credit_limit", "currency", "netting", "total_assets",
	"market_cap", "debt", "cash", "receivables", "revenue", "nonpermissible_income",
	"market_cap_24m", "market_cap_36m",
};
/* the trailing averages are newer: files without them still read */
static const int cpty_optional[] = {[13] = 1, [14] = 1};
#define CP_NCOLS ((int)(sizeof cpty_cols / sizeof cpty_cols[0]))

static int read_cpty(const rules_inputs *in, rtable *t, qe_err *e)
{
	if (!in->counterparties)
		return qe_err_set(e, QE_USAGE, "no counterparties file given");
	return rtable_read(in->counterparties, cpty_cols, cpty_optional, CP_NCOLS, t, e);
}

static int is_islamic(const rules_inputs *in, const char *book)
{
	for (int i = 0; i < in->nislamic; i++)
		if (strcmp(in->islamic_books[i], book) == 0)
			return 1;
	return 0;
}

/* --- limits ----------------------------------------------------------- */

enum { LI_ID, LI_TYPE, LI_SCOPE, LI_KEY, LI_METRIC, LI_LIMIT, LI_UNIT, LI_NCOLS };
static const char *const limit_cols[] = {"limit_id", "type", "scope", "key", "metric", "limit", "unit"};

enum { VR_PORTFOLIO, VR_METHOD, VR_ALPHA, VR_HORIZON, VR_VAR, VR_CCY, VR_NCOLS };
static const char *const var_cols[] = {"portfolio", "method", "alpha", "horizon", "var", "currency"};
/* qe-var whatif's WHATIF file: the VaR with the new trades, no method or
 * horizon (the run's --horizon, which must be the limits') */
static const char *const whatif_var_cols[] = {"portfolio", "method", "alpha", "horizon", "var_after", "currency"};
static const int whatif_var_optional[] = {0, 1, 0, 1, 0, 0};

/* metric var_PP_Nd: alpha PP/100 (PP may have a fraction: var_97.5_1d),
 * horizon "Nd".  0, or -1 when the metric is not of that form. */
static int var_metric(const char *m, double *alpha, char horizon[16])
{
	if (strncmp(m, "var_", 4) != 0)
		return -1;
	const char *p = m + 4, *u = strchr(p, '_');
	if (!u || (size_t)(u - p) >= 16 || strlen(u + 1) >= 16 || strlen(u + 1) < 2)
		return -1;
	double pct;
	if (num_parse_double(p, (size_t)(u - p), &pct) || !(pct > 0 && pct < 100))
		return -1;
	*alpha = pct / 100;
	strcpy(horizon, u + 1);
	return 0;
}

static int limit_var(const rules_inputs *in, const rtable *lim, size_t i, const rtable *var, const live_fx *fx,
		     breach_list *l, qe_err *e)
{
	double alpha, limit;
	char horizon[16];
	if (var_metric(rtable_get(lim, i, LI_METRIC), &alpha, horizon))
		return rtable_error(lim, i, LI_METRIC, e, "a var limit's metric is var_PP_Nd (var_99_1d), not '%s'",
				    rtable_get(lim, i, LI_METRIC));
	if (rtable_num(lim, i, LI_LIMIT, 0, &limit, e))
		return e->code;
	const char *scope = rtable_get(lim, i, LI_SCOPE), *key = rtable_get(lim, i, LI_KEY);
	const char *portfolio = strcmp(scope, "firm") == 0 ? "total" : key;
	const char *unit = rtable_get(lim, i, LI_UNIT);
	int found = 0;
	(void)in;
	for (size_t r = 0; r < var->n; r++) {
		double a, v, vc;
		if (strcmp(rtable_get(var, r, VR_PORTFOLIO), portfolio) != 0 ||
		    (*rtable_get(var, r, VR_HORIZON) && strcmp(rtable_get(var, r, VR_HORIZON), horizon) != 0))
			continue;
		if (rtable_num(var, r, VR_ALPHA, 0, &a, e) || rtable_num(var, r, VR_VAR, 0, &v, e))
			return e->code;
		if (fabs(a - alpha) > 1e-12)
			continue;
		found = 1;
		char where[600];
		snprintf(where, sizeof where, "%s:%ld", var->file, var->line[r]);
		if (live_fx_convert(fx, v, rtable_get(var, r, VR_CCY), unit, &vc, where, e))
			return e->code;
		if (vc > limit &&
		    breach_add(l, "limits", "var", BREACH_BREACH, "book", key, vc, limit, e,
			       "%s VaR %s of %s is %.0f %s, above limit %s of %.0f %s",
			       *rtable_get(var, r, VR_METHOD) ? rtable_get(var, r, VR_METHOD) : "what-if", rtable_get(lim, i, LI_METRIC), key, vc, unit,
			       rtable_get(lim, i, LI_ID), limit, unit))
			return e->code;
	}
	if (!found && breach_add(l, "limits", "var", BREACH_WARNING, "book", key, NAN, limit, e,
				 "no VaR at alpha %g horizon %s for %s in %s: limit %s not checked", alpha,
				 horizon, portfolio, var->file, rtable_get(lim, i, LI_ID)))
		return e->code;
	return 0;
}

enum { VA_ID, VA_CCY, VA_NPV, VA_NCOLS };
static const char *const val_cols[] = {"trade_id", "currency", "npv"};

/* Credit exposure per counterparty of cp, in its own currency: positive
 * MTM, netted (max(0, sum)) when netting is yes, else gross (sum of the
 * positive values). */
static int credit_exposure(const rules_inputs *in, const rtable *cp, const live_fx *fx, double *expo,
			   qe_err *e)
{
	rtable val;
	live_set own;
	const live_set *live;
	if (live_get(in->trades, in->new_trades, in->live, &own, &live, e))
		return e->code;
	if (rtable_read(in->valuations, val_cols, NULL, VA_NCOLS, &val, e)) {
		live_free(&own);
		return e->code;
	}
	double *sum = calloc(cp->n + 1, sizeof *sum), *pos = calloc(cp->n + 1, sizeof *pos);
	double *recv = calloc(cp->n + 1, sizeof *recv), *pay = calloc(cp->n + 1, sizeof *pay);
	strindex *ids = sidx_new();
	int rc = 0;
	if (!sum || !pos || !recv || !pay || !ids) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < cp->n; i++) {
		const char *id = rtable_get(cp, i, CP_ID);
		if (sidx_add(ids, id, strlen(id), NULL) != (long)i) {
			rc = rtable_error(cp, i, CP_ID, e, "counterparty '%s' listed twice", id);
			goto done;
		}
	}
	for (size_t r = 0; r < val.n; r++) {
		const char *tid = rtable_get(&val, r, VA_ID);
		long k = sidx_find(live->ids, tid, strlen(tid));
		if (k < 0 || live->best[k] < 0) {
			rc = rtable_error(&val, r, VA_ID, e, "trade '%s' is not a live trade of %s", tid,
					  live->t.file);
			goto done;
		}
		const char *cid = rtable_get(&live->t, (size_t)live->best[k], TR_CPTY);
		long c = sidx_find(ids, cid, strlen(cid));
		if (c < 0) {
			rc = rtable_error(&live->t, (size_t)live->best[k], TR_CPTY, e,
					  "counterparty '%s' is not in %s", cid, cp->file);
			goto done;
		}
		double npv, x;
		char where[600];
		snprintf(where, sizeof where, "%s:%ld", val.file, val.line[r]);
		if ((rc = rtable_num(&val, r, VA_NPV, 0, &npv, e)) ||
		    (rc = live_fx_convert(fx, npv, rtable_get(&val, r, VA_CCY), rtable_get(cp, (size_t)c, CP_CCY), &x,
				     where, e)))
			goto done;
		sum[c] += x;
		if (x > 0)
			pos[c] += x;
	}
	if (in->flows &&
	    (rc = unsettled_add(in->flows, in->currencies, in->asof, cp, CP_ID, CP_CCY, fx, recv, pay, e)))
		goto done;
	for (size_t i = 0; i < cp->n; i++) {
		const char *net = rtable_get(cp, i, CP_NETTING);
		if (strcmp(net, "yes") != 0 && strcmp(net, "no") != 0) {
			rc = rtable_error(cp, i, CP_NETTING, e, "netting is yes or no, not '%s'", net);
			goto done;
		}
		/* unsettled: receivables add; payables offset only under netting */
		double x = sum[i] + recv[i] - pay[i];
		expo[i] = strcmp(net, "yes") == 0 ? (x > 0 ? x : 0) : pos[i] + recv[i];
	}
done:
	free(sum);
	free(pos);
	free(recv);
	free(pay);
	if (ids)
		sidx_free(ids);
	rtable_free(&val);
	live_free(&own);
	return rc;
}

static int credit_breach(breach_list *l, const char *cid, double expo, double limit, const char *ccy,
			 const char *source, qe_err *e)
{
	if (!(expo > limit))
		return 0;
	return breach_add(l, "limits", "credit", BREACH_BREACH, "counterparty", cid, expo, limit, e,
			  "credit exposure of %s is %.0f %s, %.1f%% of its limit %.0f (%s)", cid, expo, ccy,
			  100 * expo / limit, limit, source);
}

static int limits_credit(const rules_inputs *in, const rtable *lim, const live_fx *fx, breach_list *l,
			 qe_err *e)
{
	rtable cp;
	if (read_cpty(in, &cp, e))
		return e->code;
	double *expo = calloc(cp.n + 1, sizeof *expo);
	int rc = 0;
	if (!expo) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	if ((rc = credit_exposure(in, &cp, fx, expo, e)))
		goto done;
	for (size_t i = 0; i < cp.n; i++) {
		double limit, x;
		if ((rc = rtable_num(&cp, i, CP_LIMIT, 1, &limit, e)))
			goto done;
		const char *cid = rtable_get(&cp, i, CP_ID), *ccy = rtable_get(&cp, i, CP_CCY);
		if (isfinite(limit) && (rc = credit_breach(l, cid, expo[i], limit, ccy, "credit_limit", e)))
			goto done;
		for (size_t j = 0; lim && j < lim->n; j++) {
			if (strcmp(rtable_get(lim, j, LI_TYPE), "credit") != 0 ||
			    strcmp(rtable_get(lim, j, LI_KEY), cid) != 0)
				continue;
			char where[600];
			snprintf(where, sizeof where, "%s:%ld", lim->file, lim->line[j]);
			if ((rc = rtable_num(lim, j, LI_LIMIT, 0, &limit, e)) ||
			    (rc = live_fx_convert(fx, expo[i], ccy, rtable_get(lim, j, LI_UNIT), &x, where, e)) ||
			    (rc = credit_breach(l, cid, x, limit, rtable_get(lim, j, LI_UNIT),
						rtable_get(lim, j, LI_ID), e)))
				goto done;
		}
	}
done:
	free(expo);
	rtable_free(&cp);
	return rc;
}

enum { LA_CURVE, LA_DELTA, LA_NCOLS };
static const char *const ladder_cols[] = {"curve", "delta"};

static int limit_position(const rtable *lim, size_t i, const rtable *lad, breach_list *l, qe_err *e)
{
	double limit, net = 0, d;
	if (rtable_num(lim, i, LI_LIMIT, 0, &limit, e))
		return e->code;
	const char *curve = rtable_get(lim, i, LI_KEY), *unit = rtable_get(lim, i, LI_UNIT);
	for (size_t r = 0; r < lad->n; r++) {
		if (strcmp(rtable_get(lad, r, LA_CURVE), curve) != 0)
			continue;
		if (rtable_num(lad, r, LA_DELTA, 0, &d, e))
			return e->code;
		net += d;
	}
	if (!(fabs(net) > limit))
		return 0;
	return breach_add(l, "limits", "position", BREACH_BREACH, "curve", curve, fabs(net), limit, e,
			  "net delta of %s is %s %.0f %s, above limit %s of %.0f", curve, net > 0 ? "long" : "short",
			  fabs(net), unit, rtable_get(lim, i, LI_ID), limit);
}

/* The entity type (static) of a limit's scope: firm-wide limits are the
 * book "total" of qe-var. */
static const char *entity_of_scope(const char *scope)
{
	static const char *const types[] = {"trader", "curve", "counterparty"};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(scope, types[i]) == 0)
			return types[i];
	return "book";
}

int rules_limits(const rules_inputs *in, breach_list *l, qe_err *e)
{
	rtable lim = {0}, var = {0}, lad = {0};
	live_fx fx;
	int rc;
	if (!in->limits)
		return qe_err_set(e, QE_USAGE, "rule set limits: no limits file given");
	if (!in->var && !in->valuations && !in->ladder && !in->mandates)
		return qe_err_set(e, QE_USAGE, "rule set limits: give VaR results, valuations, a ladder or mandates");
	if (in->flows && !in->valuations)
		return qe_err_set(e, QE_USAGE, "rule set limits: settlement flows add to the credit exposure of valuations");
	if (in->valuations && !in->trades)
		return qe_err_set(e, QE_USAGE, "rule set limits: valuations need the trades file");
	if ((rc = live_fx_load(in->fx, &fx, e)) || (rc = rtable_read(in->limits, limit_cols, NULL, LI_NCOLS, &lim, e)) ||
	    (in->var && (rc = rtable_read(in->var, in->var_is_whatif ? whatif_var_cols : var_cols,
					  in->var_is_whatif ? whatif_var_optional : NULL, VR_NCOLS, &var, e))) ||
	    (in->ladder && (rc = rtable_read(in->ladder, ladder_cols, NULL, LA_NCOLS, &lad, e))))
		goto done;
	for (size_t i = 0; i < lim.n; i++) {
		const char *type = rtable_get(&lim, i, LI_TYPE), *metric = rtable_get(&lim, i, LI_METRIC);
		const char *scope = rtable_get(&lim, i, LI_SCOPE);
		if (strcmp(type, "var") == 0 && in->var && (!strcmp(scope, "book") || !strcmp(scope, "firm")))
			rc = limit_var(in, &lim, i, &var, &fx, l, e);
		else if (strcmp(type, "position") == 0 && strcmp(scope, "curve") == 0 &&
			 strcmp(metric, "net_delta") == 0 && in->ladder)
			rc = limit_position(&lim, i, &lad, l, e);
		else if (strcmp(type, "credit") == 0 && strcmp(scope, "counterparty") == 0 && in->valuations)
			continue; /* below, with the counterparty master's limits */
		else
			rc = breach_add(l, "limits", "unchecked", BREACH_INFO, entity_of_scope(scope), rtable_get(&lim, i, LI_KEY), NAN,
					NAN, e, "limit %s (%s %s %s) not checked: %s", rtable_get(&lim, i, LI_ID),
					type, scope, metric, "no input given for it or metric not screened yet");
		if (rc)
			goto done;
	}
	if (in->valuations)
		rc = limits_credit(in, &lim, &fx, l, e);
	if (!rc && in->mandates)
		rc = mandate_check(in, l, e);
done:
	rtable_free(&lim);
	rtable_free(&var);
	rtable_free(&lad);
	live_fx_free(&fx);
	return rc;
}

/* --- sharia ------------------------------------------------------------ */

enum { SP_PROFILE, SP_RULE, SP_TEST, SP_FIELDS, SP_BASE, SP_THRESHOLD, SP_NCOLS };
static const char *const profile_cols[] = {"profile", "rule", "test", "fields", "base", "threshold"};
enum { SI_INSTR, SI_SEVERITY, SI_REASON, SI_NCOLS };
static const char *const instr_cols[] = {"instrument", "severity", "reason"};

static int cpty_figure_col(const char *name, size_t len)
{
	for (int j = CP_FIGURES; j < CP_NCOLS; j++)
		if (strlen(cpty_cols[j]) == len && strncmp(cpty_cols[j], name, len) == 0)
			return j;
	return -1;
}

/* The sum of the '+'-separated figures of fields for counterparty row i:
 * 0 and *sum, 1 when a figure is empty (*missing names it), or QE_DATA. */
static int figure_sum(const rtable *prof, size_t pr, int pcol, const rtable *cp, size_t i, double *sum,
		      const char **missing, qe_err *e)
{
	const char *p = rtable_get(prof, pr, pcol);
	*sum = 0;
	for (;;) {
		const char *q = strchr(p, '+');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		int c = cpty_figure_col(p, len);
		if (c < 0)
			return rtable_error(prof, pr, pcol, e, "'%.*s' is not a figure of the counterparties file",
					    (int)len, p);
		double x;
		if (rtable_num(cp, i, c, 1, &x, e))
			return e->code;
		if (isnan(x)) {
			*missing = cpty_cols[c];
			return 1;
		}
		*sum += x;
		if (!q)
			return 0;
		p = q + 1;
	}
}

static int sharia_screen_cpty(const rtable *prof, const char *profile, const rtable *cp, size_t i,
			      breach_list *l, qe_err *e)
{
	const char *cid = rtable_get(cp, i, CP_ID);
	int clean = 1, rc;
	for (size_t r = 0; r < prof->n; r++) {
		if (strcmp(rtable_get(prof, r, SP_PROFILE), profile) != 0)
			continue;
		const char *rule = rtable_get(prof, r, SP_RULE), *test = rtable_get(prof, r, SP_TEST);
		if (strcmp(test, "sector") == 0) {
			const char *sector = rtable_get(cp, i, CP_SECTOR);
			if (live_in_list(rtable_get(prof, r, SP_FIELDS), sector)) {
				clean = 0;
				if ((rc = breach_add(l, "sharia", "sector", BREACH_BREACH, "counterparty", cid, NAN,
						     NAN, e, "%s is in sector '%s', prohibited by profile %s (%s)",
						     cid, sector, profile, rule)))
					return rc;
			}
			continue;
		}
		if (strcmp(test, "ratio") != 0)
			return rtable_error(prof, r, SP_TEST, e, "test is sector or ratio, not '%s'", test);
		double num, base = 0, threshold;
		const char *missing = NULL;
		if ((rc = rtable_num(prof, r, SP_THRESHOLD, 0, &threshold, e)))
			return rc;
		int m = figure_sum(prof, r, SP_FIELDS, cp, i, &num, &missing, e);
		if (m < 0 || m > 1)
			return m;
		if (!m && (m = figure_sum(prof, r, SP_BASE, cp, i, &base, &missing, e)) > 1)
			return m;
		if (m == 1 || !(base > 0)) {
			clean = 0;
			if ((rc = breach_add(l, "sharia", rule, BREACH_WARNING, "counterparty", cid, NAN, threshold, e,
					     "%s cannot be screened for %s: %s", cid, rule,
					     m == 1 ? missing : "base not positive")))
				return rc;
			continue;
		}
		double ratio = num / base;
		if (ratio > threshold) {
			clean = 0;
			if ((rc = breach_add(l, "sharia", rule, BREACH_BREACH, "counterparty", cid, ratio, threshold,
					     e, "%s: %s / %s = %.4g, above %g (profile %s)", cid,
					     rtable_get(prof, r, SP_FIELDS), rtable_get(prof, r, SP_BASE), ratio,
					     threshold, profile)))
				return rc;
		}
	}
	/* purification: the non-permissible share of income, to be given
	 * away from what the counterparty pays (dividends, profit) */
	double npi, rev;
	if ((rc = rtable_num(cp, i, CP_FIGURES + 6, 1, &npi, e)) || (rc = rtable_num(cp, i, CP_FIGURES + 5, 1, &rev, e)))
		return rc;
	if (clean && npi > 0 && rev > 0)
		return breach_add(l, "sharia", "purification", BREACH_INFO, "counterparty", cid, npi / rev, NAN, e,
				  "purify %.4g%% of income received from %s (non-permissible income %.0f of revenue %.0f)",
				  100 * npi / rev, cid, npi, rev);
	return 0;
}

static int sharia_instruments(const rules_inputs *in, const live_set *live, breach_list *l, qe_err *e)
{
	rtable ins;
	int rc;
	if ((rc = rtable_read(in->instruments, instr_cols, NULL, SI_NCOLS, &ins, e)))
		return rc;
	for (size_t r = 0; r < ins.n; r++) {
		const char *sev = rtable_get(&ins, r, SI_SEVERITY);
		if (strcmp(sev, "none") != 0 && breach_severity_parse(sev) < 0) {
			rc = rtable_error(&ins, r, SI_SEVERITY, e, "severity is none, info, warning or breach, not '%s'",
					  sev);
			goto done;
		}
	}
	for (size_t k = 0; k < live->n; k++) {
		size_t i = live->row[k];
		if (!is_islamic(in, rtable_get(&live->t, i, TR_BOOK)))
			continue;
		const char *instr = rtable_get(&live->t, i, TR_INSTR), *tid = rtable_get(&live->t, i, TR_ID);
		long r = rtable_find(&ins, SI_INSTR, instr);
		if (r < 0)
			rc = breach_add(l, "sharia", "instrument", BREACH_WARNING, "trade", tid, NAN, NAN, e,
					"%s in Islamic book %s: instrument '%s' is not in %s", tid,
					rtable_get(&live->t, i, TR_BOOK), instr, ins.file);
		else if (strcmp(rtable_get(&ins, (size_t)r, SI_SEVERITY), "none") != 0)
			rc = breach_add(l, "sharia", "instrument",
					breach_severity_parse(rtable_get(&ins, (size_t)r, SI_SEVERITY)), "trade", tid,
					NAN, NAN, e, "%s in Islamic book %s: %s: %s", tid,
					rtable_get(&live->t, i, TR_BOOK), instr, rtable_get(&ins, (size_t)r, SI_REASON));
		if (rc)
			goto done;
	}
done:
	rtable_free(&ins);
	return rc;
}

int rules_sharia(const rules_inputs *in, breach_list *l, qe_err *e)
{
	rtable cp = {0}, prof = {0};
	live_set own = {0};
	const live_set *live = &own;
	strindex *islamic_cpty = NULL; /* the counterparties of the Islamic books' live trades */
	int rc;
	if (!in->profiles)
		return qe_err_set(e, QE_USAGE, "rule set sharia: no Shariah profiles file given");
	if (in->nislamic && (!in->trades || !in->instruments))
		return qe_err_set(e, QE_USAGE, "rule set sharia: Islamic books need the trades and instrument rules");
	if ((rc = read_cpty(in, &cp, e)) ||
	    (rc = rtable_read(in->profiles, profile_cols, NULL, SP_NCOLS, &prof, e)) ||
	    (in->nislamic && (rc = live_get(in->trades, in->new_trades, in->live, &own, &live, e))))
		goto done;
	const char *profile = in->profile ? in->profile : "AAOIFI";
	if (rtable_find(&prof, SP_PROFILE, profile) < 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no profile '%s'", prof.file, profile);
		goto done;
	}
	if (in->nislamic) {
		if (!(islamic_cpty = sidx_new())) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto done;
		}
		for (size_t k = 0; k < live->n; k++) {
			size_t i = live->row[k];
			const char *cid = rtable_get(&live->t, i, TR_CPTY);
			if (is_islamic(in, rtable_get(&live->t, i, TR_BOOK)) &&
			    sidx_add(islamic_cpty, cid, strlen(cid), NULL) < 0) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto done;
			}
		}
	}
	for (size_t i = 0; i < cp.n; i++) {
		const char *cid = rtable_get(&cp, i, CP_ID);
		int screened = !in->nislamic || sidx_find(islamic_cpty, cid, strlen(cid)) >= 0;
		if (screened && (rc = sharia_screen_cpty(&prof, profile, &cp, i, l, e)))
			goto done;
	}
	if (in->nislamic)
		rc = sharia_instruments(in, live, l, e);
	if (!rc && in->islamic_terms)
		rc = sharia_terms(in, l, e);
done:
	rtable_free(&cp);
	rtable_free(&prof);
	live_free(&own);
	if (islamic_cpty)
		sidx_free(islamic_cpty);
	return rc;
}

/* --- regulatory and quality ------------------------------------------- */

static int lei_rule(const rules_inputs *in, const char *set, int severity, breach_list *l, qe_err *e)
{
	rtable cp;
	int rc;
	if ((rc = read_cpty(in, &cp, e)))
		return rc;
	for (size_t i = 0; i < cp.n && !rc; i++) {
		const char *lei = rtable_get(&cp, i, CP_LEI);
		char buf[128];
		const char *why = leicheck_reason(lei, strlen(lei), buf, sizeof buf);
		if (why)
			rc = breach_add(l, set, "lei", severity, "counterparty", rtable_get(&cp, i, CP_ID), NAN, NAN,
					e, "LEI '%s' of %s is invalid: %s", lei, rtable_get(&cp, i, CP_ID), why);
	}
	rtable_free(&cp);
	return rc;
}

enum { SM_CURVE, SM_DAYS, SM_LIMIT, SM_INSTR, SM_NCOLS };
static const char *const spot_cols[] = {"curve", "days_left", "limit", "instruments"};

/* US federal spot-month limits (table of in->spot_limits): for each curve
 * of the table, its front contract on the as-of date; when the business
 * days left to its last trading day are at most the largest days_left of
 * the curve's rows, the row with the smallest days_left not below them
 * applies, to the net lots (long minus short, all books) of the live
 * trades of its instruments delivering in that contract's month (an
 * option with rows in od by the deltas of its rows of that month). */
static int spot_month(const rules_inputs *in, const live_set *live, optdelta *od, curvemaster *m,
		      breach_list *l, qe_err *e)
{
	rtable sm = {0};
	int rc;
	if ((rc = rtable_read(in->spot_limits, spot_cols, NULL, SM_NCOLS, &sm, e)))
		return rc;
	for (size_t r = 0; r < sm.n; r++) {
		const char *name = rtable_get(&sm, r, SM_CURVE);
		long first = rtable_find(&sm, SM_CURVE, name);
		if (first != (long)r)
			continue; /* each curve once, with all its rows */
		const curvemaster_curve *c = curvemaster_find(m, name);
		if (!c) {
			rc = rtable_error(&sm, r, SM_CURVE, e, "curve '%s' is not in %s", name, curvemaster_file(m));
			goto done;
		}
		const qe_calendar *cal = curvemaster_calendar(m, c);
		qe_date month, ltd;
		if (!cal) {
			rc = rtable_error(&sm, r, SM_CURVE, e, "curve '%s' has no calendar", name);
			goto done;
		}
		if ((rc = curvemaster_front_month(m, c, in->asof, &month, e)) ||
		    (rc = curvemaster_last_trade(m, c, month, &ltd, e)))
			goto done;
		int left = cal_business_days(cal, in->asof + 1, ltd);
		long row = -1;
		double best = INFINITY, d, limit;
		for (size_t k = (size_t)first; k < sm.n; k++) {
			if (strcmp(rtable_get(&sm, k, SM_CURVE), name) != 0)
				continue;
			if ((rc = rtable_num(&sm, k, SM_DAYS, 0, &d, e)))
				goto done;
			if (d >= left && d < best) {
				best = d;
				row = (long)k;
			}
		}
		if (row < 0)
			continue; /* the front contract is not in its spot period yet */
		if ((rc = rtable_num(&sm, (size_t)row, SM_LIMIT, 0, &limit, e)))
			goto done;
		double net = 0, lots = 0;
		for (size_t k = 0; k < live->n; k++) {
			size_t i = live->row[k];
			qe_date ds;
			const char *instr = rtable_get(&live->t, i, TR_INSTR);
			if (!live_in_list(rtable_get(&sm, (size_t)row, SM_INSTR), instr))
				continue;
			long o = od && optdelta_is_option(instr) ? optdelta_first(od, rtable_get(&live->t, i, TR_ID)) : -1;
			int by_delta = o >= 0;
			for (; o >= 0; o = od->next[o]) {
				if (strcmp(rtable_get(&od->t, (size_t)o, OD_CURVE), name) != 0 ||
				    date_month_index(od->start[o]) != date_month_index(month))
					continue;
				if ((rc = optdelta_position(od, o, c->lot_size, 1, &lots, e)))
					goto done;
				net += lots;
			}
			if (by_delta || strcmp(rtable_get(&live->t, i, TR_CURVE), name) != 0)
				continue;
			if (date_parse_z(rtable_get(&live->t, i, TR_DSTART), &ds)) {
				rc = rtable_error(&live->t, i, TR_DSTART, e, "not a date '%s'",
						  rtable_get(&live->t, i, TR_DSTART));
				goto done;
			}
			if (date_month_index(ds) != date_month_index(month))
				continue;
			if (od && optdelta_is_option(instr))
				optdelta_mark_qty(od, rtable_get(&live->t, i, TR_ID));
			if ((rc = live_position(live, i, c, 1, &lots, e)))
				goto done;
			net += lots;
		}
		char id[128], ms[16];
		date_format(ms, month);
		snprintf(id, sizeof id, "%s:%.7s", name, ms);
		if (fabs(net) > limit &&
		    (rc = breach_add(l, "regulatory", "spot_month", BREACH_BREACH, "curve", id, fabs(net), limit, e,
				     "net %s %.6g lots of %s in its spot month (%d business days to the last trade "
				     "%s), above the spot-month limit %.0f",
				     net > 0 ? "long" : "short", fabs(net), id, left, ms, limit)))
			goto done;
	}
done:
	rtable_free(&sm);
	return rc;
}

/* The position rules: the live trades, the curve master and the
 * sensitivities read once for the spot-month limits and the levels. */
static int positions(const rules_inputs *in, breach_list *l, qe_err *e)
{
	live_set own = {0};
	const live_set *live = &own;
	optdelta od = {0};
	curvemaster *m = NULL;
	int rc = 0, have_od = 0;
	if (!in->trades || !in->markets)
		return qe_err_set(e, QE_USAGE, "rule set regulatory: %s need the trades and markets files",
				  in->spot_limits ? "spot-month limits" : "position levels");
	if (!(m = curvemaster_load(in->markets, e)) || curvemaster_load_calendars(m, in->calendars, e) ||
	    live_get(in->trades, in->new_trades, in->live, &own, &live, e)) {
		rc = e->code;
		goto done;
	}
	if (in->sensitivities) {
		if ((rc = optdelta_read(in->sensitivities, live->ids, live->best, in->trades, &od, e)))
			goto done;
		have_od = 1;
	}
	if (in->spot_limits && (rc = spot_month(in, live, have_od ? &od : NULL, m, l, e)))
		goto done;
	if (in->levels && (rc = regulatory_levels(in, live, have_od ? &od : NULL, m, l, e)))
		goto done;
	if (have_od)
		rc = regulatory_no_delta(in, live, &od, l, e);
done:
	if (have_od)
		optdelta_free(&od);
	live_free(&own);
	curvemaster_free(m);
	/* the market checks of quality, also asked for with the spot-month limits */
	if (!rc && in->spot_limits && (in->history || in->fixings))
		rc = quality_market(in, l, e);
	return rc;
}

int rules_regulatory(const rules_inputs *in, breach_list *l, qe_err *e)
{
	int rc = lei_rule(in, "regulatory", BREACH_BREACH, l, e);
	if (!rc && (in->spot_limits || in->levels))
		rc = positions(in, l, e);
	if (!rc && in->reporting_lei)
		rc = regulatory_report_fields(in, l, e);
	return rc;
}

int rules_quality(const rules_inputs *in, breach_list *l, qe_err *e)
{
	int rc;
	if (!in->trades || !in->markets)
		return qe_err_set(e, QE_USAGE, "rule set quality: needs the trades and markets files");
	if ((rc = lei_rule(in, "quality", BREACH_WARNING, l, e)))
		return rc;
	curvemaster *m = curvemaster_load(in->markets, e);
	if (!m)
		return e->code;
	live_set own;
	const live_set *live;
	if ((rc = live_get(in->trades, in->new_trades, in->live, &own, &live, e))) {
		curvemaster_free(m);
		return rc;
	}
	for (size_t k = 0; k < live->n && !rc; k++) {
		size_t i = live->row[k];
		for (int c = TR_CURVE; c <= TR_CURVE2 && !rc; c++) {
			const char *curve = rtable_get(&live->t, i, c);
			if ((*curve || c == TR_CURVE) && !curvemaster_find(m, curve))
				rc = breach_add(l, "quality", "unknown_curve", BREACH_BREACH, "trade",
						rtable_get(&live->t, i, TR_ID), NAN, NAN, e,
						"%s:%ld: trade %s is on curve '%s', not in %s", live->t.file,
						live->t.line[i], rtable_get(&live->t, i, TR_ID), curve,
						curvemaster_file(m));
		}
	}
	live_free(&own);
	curvemaster_free(m);
	if (!rc && (in->history || in->fixings))
		rc = quality_market(in, l, e);
	return rc;
}
