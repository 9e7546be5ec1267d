/*
 * sharia2: the per-trade contract terms of Islamic trades (rules.h
 * sharia_terms), read from an ISLAMIC TERMS file and checked against
 * AAOIFI Shariah Standard 20 and the standards on murabaha (8), salam
 * (10), istisna (11) and arboun: a murabaha sells an owned commodity at
 * a disclosed mark-up; a salam is paid in full at the contract; an
 * arboun has a down payment; no contract carries late-payment interest
 * (riba).  The prepayment thresholds come from the SCREEN THRESHOLDS
 * file.  Owns nothing beyond a call; never prints.
 */
#include "screen/rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"
#include "screen/live.h"
#include "screen/params.h"
#include "screen/rtable.h"

enum { IT_ID, IT_CONTRACT, IT_OWNED, IT_MARKUP, IT_PREPAID, IT_LATE, IT_NCOLS };
static const char *const terms_cols[] = {
	"trade_id", "contract", "owned_commodity", "markup_disclosed", "prepaid_fraction", "late_payment_interest",
};

enum { ST_ID, ST_VERSION, ST_STATUS, ST_BOOK, ST_NCOLS };
static const char *const sterm_trade_cols[] = {"trade_id", "version", "status", "book"};

/* The yes/no cell (row, col) as 1/0; QE_DATA (as -QE_DATA) otherwise. */
static int yes_no(const rtable *t, size_t row, int col, qe_err *e)
{
	const char *s = rtable_get(t, row, col);
	if (!strcmp(s, "yes"))
		return 1;
	if (!strcmp(s, "no"))
		return 0;
	rtable_error(t, row, col, e, "yes or no, not '%s'", s);
	return -1;
}

static int islamic_book(const rules_inputs *in, const char *book)
{
	if (!in->nislamic)
		return 1;
	for (int i = 0; i < in->nislamic; i++)
		if (!strcmp(in->islamic_books[i], book))
			return 1;
	return 0;
}

static int check_terms(const rtable *it, size_t r, const char *tid, double salam_min, double arboun_min,
		       breach_list *l, qe_err *e)
{
	const char *kind = rtable_get(it, r, IT_CONTRACT);
	int owned = yes_no(it, r, IT_OWNED, e), markup = yes_no(it, r, IT_MARKUP, e), late = yes_no(it, r, IT_LATE, e);
	double prepaid;
	if (owned < 0 || markup < 0 || late < 0 || rtable_num(it, r, IT_PREPAID, 0, &prepaid, e))
		return e->code;
	if (prepaid < 0 || prepaid > 1)
		return rtable_error(it, r, IT_PREPAID, e, "a fraction from 0 to 1, not %g", prepaid);
	int rc = 0;
	if (!strcmp(kind, "murabaha")) {
		if (!owned)
			rc = breach_add(l, "sharia", "murabaha_owned", BREACH_BREACH, "trade", tid, NAN, NAN, e,
					"%s: murabaha of a commodity the seller does not own (Standard 8)", tid);
		if (!rc && !markup)
			rc = breach_add(l, "sharia", "murabaha_markup", BREACH_BREACH, "trade", tid, NAN, NAN, e,
					"%s: murabaha without a disclosed mark-up (Standard 8)", tid);
	} else if (!strcmp(kind, "salam")) {
		if (prepaid < salam_min)
			rc = breach_add(l, "sharia", "salam_prepaid", BREACH_BREACH, "trade", tid, prepaid, salam_min, e,
					"%s: salam paid %g of the price at the contract, not in full (Standard 10)", tid,
					prepaid);
	} else if (!strcmp(kind, "arboun")) {
		if (!(prepaid > arboun_min))
			rc = breach_add(l, "sharia", "arboun_down_payment", BREACH_WARNING, "trade", tid, prepaid, arboun_min,
					e, "%s: arboun with a down payment of %g, not above %g", tid, prepaid, arboun_min);
	} else if (strcmp(kind, "istisna") && strcmp(kind, "wa'd")) {
		return rtable_error(it, r, IT_CONTRACT, e, "murabaha, salam, istisna, wa'd or arboun, not '%s'", kind);
	}
	if (!rc && late)
		rc = breach_add(l, "sharia", "late_payment_interest", BREACH_BREACH, "trade", tid, NAN, NAN, e,
				"%s: %s with late-payment interest (riba, Standard 20)", tid, kind);
	return rc;
}

int sharia_terms(const rules_inputs *in, breach_list *l, qe_err *e)
{
	screen_params p = {0};
	rtable it = {0}, t = {0};
	strindex *ids = NULL;
	size_t *live = NULL, nlive = 0;
	double salam_min, arboun_min;
	int rc;
	if (!in->trades)
		return qe_err_set(e, QE_USAGE, "rule set sharia: the Islamic terms need the trades file");
	if ((rc = params_read(in->thresholds, "rule set sharia (Islamic terms)", &p, e)) ||
	    (rc = params_get(&p, "sharia", "salam_prepaid", "min_fraction", &salam_min, e)) ||
	    (rc = params_get(&p, "sharia", "arboun_down_payment", "above_fraction", &arboun_min, e)) ||
	    (rc = rtable_read(in->islamic_terms, terms_cols, NULL, IT_NCOLS, &it, e)) ||
	    (rc = rtable_read(in->trades, sterm_trade_cols, NULL, ST_NCOLS, &t, e)) ||
	    (rc = live_versions(&t, ST_ID, ST_VERSION, ST_STATUS, &live, &nlive, NULL, NULL, e)))
		goto done;
	if (!(ids = sidx_new())) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	for (size_t r = 0; r < it.n; r++) {
		const char *id = rtable_get(&it, r, IT_ID);
		if (sidx_add(ids, id, strlen(id), NULL) != (long)r) {
			rc = rtable_error(&it, r, IT_ID, e, "trade '%s' has terms twice", id);
			goto done;
		}
	}
	for (size_t k = 0; k < nlive && !rc; k++) {
		size_t i = live[k];
		const char *tid = rtable_get(&t, i, ST_ID);
		if (!islamic_book(in, rtable_get(&t, i, ST_BOOK)))
			continue;
		long r = sidx_find(ids, tid, strlen(tid));
		if (r >= 0)
			rc = check_terms(&it, (size_t)r, tid, salam_min, arboun_min, l, e);
		else if (in->nislamic)
			rc = breach_add(l, "sharia", "terms", BREACH_WARNING, "trade", tid, NAN, NAN, e,
					"%s in Islamic book %s has no contract terms in %s", tid,
					rtable_get(&t, i, ST_BOOK), it.file);
	}
done:
	if (ids)
		sidx_free(ids);
	free(live);
	rtable_free(&it);
	rtable_free(&t);
	params_free(&p);
	return rc;
}
