#include "screen/regulatory.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/regid.h"
#include "market/curvemaster.h"
#include "screen/leicheck.h"
#include "screen/rtable.h"

/* --- position levels --------------------------------------------------- */

enum { PL_CURVE, PL_KIND, PL_LEVEL, PL_UNIT, PL_INSTR, PL_SOURCE, PL_NCOLS };
static const char *const level_cols[] = {"curve", "kind", "level", "unit", "instruments", "source"};

enum { K_SINGLE, K_ALL, K_REPORTABLE, K_EU_SPOT, K_EU_OTHER, K_N };
static const char *const kind_names[K_N] = {"accountability_single", "accountability_all", "reportable",
					     "eu_spot_month", "eu_other_months"};

static int kind_parse(const char *s)
{
	for (int k = 0; k < K_N; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

/* Net position per delivery month of the live trades on c whose
 * instrument is in instr: net[m - first] for months first..first+n-1. */
typedef struct month_net {
	long first;
	size_t n;
	double *net;
} month_net;

static int month_net_add(month_net *mn, long m, double x)
{
	if (!mn->n) {
		mn->net = calloc(1, sizeof *mn->net);
		if (!mn->net)
			return -1;
		mn->first = m;
		mn->n = 1;
	}
	if (m < mn->first || m >= mn->first + (long)mn->n) {
		long lo = m < mn->first ? m : mn->first;
		long hi = m >= mn->first + (long)mn->n ? m : mn->first + (long)mn->n - 1;
		double *v = calloc((size_t)(hi - lo + 1), sizeof *v);
		if (!v)
			return -1;
		memcpy(v + (mn->first - lo), mn->net, mn->n * sizeof *v);
		free(mn->net);
		mn->net = v;
		mn->first = lo;
		mn->n = (size_t)(hi - lo + 1);
	}
	mn->net[m - mn->first] += x;
	return 0;
}

/* Adds x to the months of [a, b], each by its days there. */
static int month_net_spread(month_net *mn, qe_date a, qe_date b, double x)
{
	double days = (double)(b - a + 1);
	for (long m = date_month_index(a); m <= date_month_index(b); m++) {
		qe_date lo = date_month_first(m), hi = date_month_first(m + 1) - 1;
		if (lo < a)
			lo = a;
		if (hi > b)
			hi = b;
		if (month_net_add(mn, m, x * (double)(hi - lo + 1) / days))
			return -1;
	}
	return 0;
}

/* An option with rows in od: the deltas of its rows on c; 1 when it has
 * none (it counts by its quantity), 0, or an error code. */
static int option_months(const live_set *live, size_t i, optdelta *od, const curvemaster_curve *c,
			 int in_lots, month_net *mn, qe_err *e)
{
	const rtable *t = &live->t;
	if (!od || !optdelta_is_option(rtable_get(t, i, TR_INSTR)))
		return 1;
	long r = optdelta_first(od, rtable_get(t, i, TR_ID));
	if (r < 0) {
		if (strcmp(rtable_get(t, i, TR_CURVE), c->name) == 0)
			optdelta_mark_qty(od, rtable_get(t, i, TR_ID));
		return 1;
	}
	for (; r >= 0; r = od->next[r]) {
		double pos;
		if (strcmp(rtable_get(&od->t, (size_t)r, OD_CURVE), c->name) != 0)
			continue;
		if (optdelta_position(od, r, c->lot_size, in_lots, &pos, e))
			return e->code;
		if (month_net_spread(mn, od->start[r], od->end[r], pos))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	return 0;
}

static int curve_months(const live_set *live, optdelta *od, const curvemaster_curve *c, const char *instr,
			int in_lots, month_net *mn, qe_err *e)
{
	const rtable *t = &live->t;
	for (size_t k = 0; k < live->n; k++) {
		size_t i = live->row[k];
		if (!live_in_list(instr, rtable_get(t, i, TR_INSTR)))
			continue;
		int rc = option_months(live, i, od, c, in_lots, mn, e);
		if (rc != 1) {
			if (rc)
				return rc;
			continue;
		}
		if (strcmp(rtable_get(t, i, TR_CURVE), c->name) != 0)
			continue;
		qe_date a, b;
		double pos;
		if (date_parse_z(rtable_get(t, i, TR_DSTART), &a))
			return rtable_error(t, i, TR_DSTART, e, "not a date '%s'", rtable_get(t, i, TR_DSTART));
		if (date_parse_z(rtable_get(t, i, TR_DEND), &b) || b < a)
			return rtable_error(t, i, TR_DEND, e, "not a date on or after delivery_start '%s'",
					    rtable_get(t, i, TR_DEND));
		if (live_position(live, i, c, in_lots, &pos, e))
			return e->code;
		/* a strip counts in each of its months by its days there */
		if (month_net_spread(mn, a, b, pos))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	return 0;
}

static void month_label(char *buf, size_t cap, const char *curve, long m)
{
	char d[16];
	date_format(d, date_month_first(m));
	snprintf(buf, cap, "%s:%.7s", curve, d);
}

static int level_row(const rules_inputs *in, const rtable *pl, size_t r, const live_set *live, optdelta *od,
		     curvemaster *m, breach_list *l, qe_err *e)
{
	const char *name = rtable_get(pl, r, PL_CURVE), *unit = rtable_get(pl, r, PL_UNIT);
	const char *src = rtable_get(pl, r, PL_SOURCE);
	int kind = kind_parse(rtable_get(pl, r, PL_KIND));
	if (kind < 0)
		return rtable_error(pl, r, PL_KIND, e,
				    "kind is accountability_single, accountability_all, reportable, eu_spot_month "
				    "or eu_other_months, not '%s'",
				    rtable_get(pl, r, PL_KIND));
	const curvemaster_curve *c = curvemaster_find(m, name);
	if (!c)
		return rtable_error(pl, r, PL_CURVE, e, "curve '%s' is not in %s", name, curvemaster_file(m));
	int in_lots = strcmp(unit, "lots") == 0;
	if (!in_lots && strcmp(unit, c->unit) != 0)
		return rtable_error(pl, r, PL_UNIT, e, "unit is lots or %s (the unit of %s), not '%s'", c->unit, name,
				    unit);
	double level;
	if (rtable_num(pl, r, PL_LEVEL, 0, &level, e))
		return e->code;
	if (!(level > 0))
		return rtable_error(pl, r, PL_LEVEL, e, "a level is positive, not '%s'", rtable_get(pl, r, PL_LEVEL));
	month_net mn = {0};
	int rc = curve_months(live, od, c, rtable_get(pl, r, PL_INSTR), in_lots, &mn, e);
	long spot = 0;
	if (!rc && kind >= K_EU_SPOT) {
		qe_date front;
		if ((rc = curvemaster_front_month(m, c, in->asof, &front, e)) == 0)
			spot = date_month_index(front);
	}
	char id[160];
	double all = 0;
	for (size_t k = 0; k < mn.n && !rc; k++) {
		long month = mn.first + (long)k;
		double x = mn.net[k], ax = fabs(x);
		const char *dir = x > 0 ? "long" : "short";
		month_label(id, sizeof id, name, month);
		if (kind == K_EU_OTHER && month != spot)
			all += x;
		else if (kind == K_ALL)
			all += x;
		if (kind == K_SINGLE && ax > level)
			rc = breach_add(l, "regulatory", "accountability_single", BREACH_WARNING, "curve", id, ax, level, e,
					"net %s %.6g %s of %s, above the single-month accountability level %.0f (%s)",
					dir, ax, unit, id, level, src);
		else if (kind == K_REPORTABLE && ax >= level)
			rc = breach_add(l, "regulatory", "reportable", BREACH_INFO, "curve", id, ax, level, e,
					"net %s %.6g %s of %s, at or above the reportable level %.0f: large-trader "
					"report due (%s)",
					dir, ax, unit, id, level, src);
		else if (kind == K_EU_SPOT && month == spot && ax > level)
			rc = breach_add(l, "regulatory", "eu_spot_month", BREACH_BREACH, "curve", id, ax, level, e,
					"net %s %.6g %s of %s in the spot month, above the EU position limit %.0f (%s)",
					dir, ax, unit, id, level, src);
	}
	if (!rc && (kind == K_ALL || kind == K_EU_OTHER) && fabs(all) > level) {
		int all_months = kind == K_ALL;
		rc = breach_add(l, "regulatory", kind_names[kind], all_months ? BREACH_WARNING : BREACH_BREACH, "curve",
				name, fabs(all), level, e, "net %s %.6g %s of %s in %s, above the %s %.0f (%s)",
				all > 0 ? "long" : "short", fabs(all), unit, name,
				all_months ? "all months" : "the months after the spot month",
				all_months ? "all-months accountability level" : "EU other-months position limit", level,
				src);
	}
	free(mn.net);
	return rc;
}

int regulatory_levels(const rules_inputs *in, const live_set *live, optdelta *od, curvemaster *m,
		      breach_list *l, qe_err *e)
{
	rtable pl = {0};
	int rc;
	if ((rc = rtable_read(in->levels, level_cols, NULL, PL_NCOLS, &pl, e)))
		return rc;
	for (size_t r = 0; r < pl.n && !rc; r++)
		rc = level_row(in, &pl, r, live, od, m, l, e);
	rtable_free(&pl);
	return rc;
}

int regulatory_no_delta(const rules_inputs *in, const live_set *live, const optdelta *od, breach_list *l,
			qe_err *e)
{
	const rtable *t = &live->t;
	for (size_t k = 0; k < live->n; k++) {
		size_t i = live->row[k];
		const char *tid = rtable_get(t, i, TR_ID), *instr = rtable_get(t, i, TR_INSTR);
		if (!optdelta_is_option(instr) || !optdelta_counted_by_qty(od, tid))
			continue;
		if (breach_add(l, "regulatory", "no_delta", BREACH_WARNING, "trade", tid, NAN, NAN, e,
			       "%s %s has no rows in %s (not priced?): the position rules count it by its quantity, "
			       "not its delta",
			       instr, tid, in->sensitivities))
			return e->code;
	}
	return 0;
}

/* --- reporting fields --------------------------------------------------- */

enum { RC_ID, RC_LEI, RC_NCOLS };
static const char *const rcpty_cols[] = {"counterparty", "lei"};

static int field_breach(breach_list *l, const char *rule, const char *tid, const char *field, const char *value,
			const char *why, qe_err *e)
{
	return breach_add(l, "regulatory", rule, BREACH_BREACH, "trade", tid, NAN, NAN, e,
			  "trade %s: %s '%s' cannot be reported: %s", tid, field, value, why);
}

int regulatory_report_fields(const rules_inputs *in, breach_list *l, qe_err *e)
{
	if (!in->trades || !in->counterparties)
		return qe_err_set(e, QE_USAGE, "rule set regulatory: reporting fields need the trades and counterparties");
	rtable cp = {0};
	live_set live = {0};
	int rc;
	char buf[256];
	const char *why = leicheck_reason(in->reporting_lei, strlen(in->reporting_lei), buf, sizeof buf);
	if (why && (rc = breach_add(l, "regulatory", "report_lei", BREACH_BREACH, "counterparty", in->reporting_lei, NAN,
				    NAN, e, "our LEI '%s' cannot be reported: %s", in->reporting_lei, why)))
		return rc;
	if ((rc = rtable_read(in->counterparties, rcpty_cols, NULL, RC_NCOLS, &cp, e)) ||
	    (rc = live_read(in->trades, in->new_trades, &live, e)))
		goto done;
	const rtable *t = &live.t;
	for (size_t k = 0; k < live.n && !rc; k++) {
		size_t i = live.row[k];
		const char *tid = rtable_get(t, i, TR_ID), *v;
		long c = rtable_find(&cp, RC_ID, rtable_get(t, i, TR_CPTY));
		v = c < 0 ? "" : rtable_get(&cp, (size_t)c, RC_LEI);
		why = c < 0 ? "the counterparty is not in the master" : leicheck_reason(v, strlen(v), buf, sizeof buf);
		if (why && (rc = field_breach(l, "report_cpty_lei", tid, "counterparty LEI", v, why, e)))
			break;
		v = rtable_get(t, i, TR_UTI);
		if ((why = regid_uti_reason(v, strlen(v), buf, sizeof buf)) && (rc = field_breach(l, "uti", tid, "UTI", v, why, e)))
			break;
		v = rtable_get(t, i, TR_VENUE);
		if ((why = regid_mic_reason(v, strlen(v))) && (rc = field_breach(l, "venue", tid, "venue", v, why, e)))
			break;
		v = rtable_get(t, i, TR_EXEC_TIME);
		if ((why = regid_timestamp_parse(v, strlen(v), NULL, NULL, NULL)) &&
		    (rc = field_breach(l, "exec_time", tid, "execution timestamp", v, why, e)))
			break;
	}
done:
	rtable_free(&cp);
	live_free(&live);
	return rc;
}
