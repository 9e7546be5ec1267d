/* Unit tests for lib/time/contract (last trading days of monthly
 * contracts, asked through the curve master) and lib/riskfactor (the tenor -> factor mapping that
 * qe-var and qe-optimize hedge share).  Expected dates are the exchange
 * rules of DOMAIN.md worked by hand on the bundled holiday files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "market/curvemaster.h"
#include "time/contract.h"
#include "risk/exposure.h"
#include "risk/riskfactor.h"
#include "unit.h"

static const char *top(void)
{
	const char *t = getenv("QE_TOP");
	return t && *t ? t : ".";
}

static void last_trade(const curvemaster *m, const char *curve, int y, int mo, const char *want)
{
	qe_err e;
	qe_date d = 0;
	char got[16] = "error", name[96];
	qe_err_clear(&e);
	const curvemaster_curve *c = curvemaster_find(m, curve);
	if (!c)
		printf("# no curve %s\n", curve);
	else if (curvemaster_last_trade(m, c, date_from_ymd(y, mo, 1), &d, &e) == 0) {
		int yy, mm, dd;
		date_to_ymd(d, &yy, &mm, &dd);
		snprintf(got, sizeof got, "%04d-%02d-%02d", yy, mm, dd);
	} else {
		printf("# %s\n", e.msg);
	}
	snprintf(name, sizeof name, "%s %04d-%02d last trading day", curve, y, mo);
	UT_EQ_STR(got, want, name);
}

/* The front month on day (y, mo, dd) must be the contract delivering in
 * want ("YYYY-MM"). */
static void front(const curvemaster *m, const char *curve, int y, int mo, int dd, const char *want)
{
	qe_err e;
	qe_date f = 0;
	char got[16] = "error", name[96];
	qe_err_clear(&e);
	const curvemaster_curve *c = curvemaster_find(m, curve);
	if (c && curvemaster_front_month(m, c, date_from_ymd(y, mo, dd), &f, &e) == 0) {
		int yy, mm, d1;
		date_to_ymd(f, &yy, &mm, &d1);
		snprintf(got, sizeof got, "%04d-%02d", yy, mm);
		if (d1 != 1)
			snprintf(got, sizeof got, "not a first day");
	} else if (c) {
		printf("# %s\n", e.msg);
	}
	snprintf(name, sizeof name, "%s front month on %04d-%02d-%02d", curve, y, mo, dd);
	UT_EQ_STR(got, want, name);
}

int main(void)
{
	char markets[4096], cals[4096];
	qe_err e;
	qe_err_clear(&e);
	snprintf(markets, sizeof markets, "%s/data/markets.csv", top());
	snprintf(cals, sizeof cals, "%s/data/calendars", top());
	curvemaster *m = curvemaster_load(markets, &e);
	UT_CHECK(m != NULL && curvemaster_load_calendars(m, cals, &e) == 0, "curve master and calendars load");
	if (!m) {
		printf("# %s\n", e.msg);
		return ut_done();
	}
	/* Brent: last business day of the second month before: 30 Oct 2026 (Fri) */
	last_trade(m, "BRENT", 2026, 12, "2026-10-30");
	/* Brent Jan-27: last business day of November 2026 (Mon 30th) */
	last_trade(m, "BRENT", 2027, 1, "2026-11-30");
	/* WTI: 3 business days before Wed 25 Nov 2026: 20 Nov (Fri) */
	last_trade(m, "CL_WTI", 2026, 12, "2026-11-20");
	/* NG: 3 business days before 1 Dec 2026: Nov 30, 27, 25 (26th Thanksgiving) */
	last_trade(m, "NG_HH", 2026, 12, "2026-11-25");
	/* NG Jan-27: before Fri 1 Jan: Dec 31, 30, 29 */
	last_trade(m, "NG_HH", 2027, 1, "2026-12-29");
	/* HO: last business day of the month before delivery */
	last_trade(m, "HO_ULSD", 2026, 12, "2026-11-30");
	/* no listed rule (TTF, power): the business day before delivery */
	last_trade(m, "TTF", 2026, 12, "2026-11-30");
	last_trade(m, "DE_BASE", 2027, 3, "2027-02-26");
	/* front months: the expiring contract counts through its last
	 * trading day, the next one from the day after */
	front(m, "BRENT", 2026, 10, 30, "2026-12");
	front(m, "BRENT", 2026, 10, 31, "2027-01");
	front(m, "BRENT", 2026, 11, 2, "2027-01");
	front(m, "BRENT", 2026, 11, 30, "2027-01");
	front(m, "BRENT", 2026, 12, 1, "2027-02");
	front(m, "CL_WTI", 2026, 11, 2, "2026-12");
	front(m, "CL_WTI", 2026, 11, 20, "2026-12");
	front(m, "CL_WTI", 2026, 11, 23, "2027-01");
	front(m, "NG_HH", 2026, 11, 25, "2026-12");
	front(m, "NG_HH", 2026, 11, 26, "2027-01");
	front(m, "NG_HH", 2026, 11, 30, "2027-01");
	front(m, "HO_ULSD", 2026, 11, 30, "2026-12");
	front(m, "HO_ULSD", 2026, 12, 1, "2027-01");
	front(m, "TTF", 2026, 11, 30, "2026-12");
	front(m, "TTF", 2026, 12, 1, "2027-01");
	{
		const curvemaster_curve *ng = curvemaster_find(m, "NG_HH"), *ttf = curvemaster_find(m, "TTF");
		const curvemaster_curve *eua = curvemaster_find(m, "EUA"), *br = curvemaster_find(m, "BRENT");
		UT_CHECK(curvemaster_fixes_front(ng) && curvemaster_fixes_front(br) &&
				 !curvemaster_fixes_front(ttf) && !curvemaster_fixes_front(eua),
			 "futures-index curves fix on the front month, spot-index curves do not");
	}
	UT_CHECK(curvemaster_find(m, "TTF")->product == NULL &&
			 strcmp(curvemaster_find(m, "CL_WTI")->product, "CL") == 0,
		 "products from curve names");
	curvemaster_free(m);

	/* the rules themselves, with no curve in sight */
	qe_calendar *we = cal_load_named("WEEKENDS", NULL, &e);
	qe_date d = 0;
	UT_CHECK(we != NULL, "WEEKENDS calendar");
	UT_EQ_INT(contract_last_trade("rb", we, date_from_ymd(2026, 12, 1), &d, &e), 0, "RB rule, any case");
	UT_EQ_INT(d, date_from_ymd(2026, 11, 30), "RB Dec-26: last business day of November");
	UT_EQ_INT(contract_last_trade(NULL, we, date_from_ymd(2026, 12, 1), &d, &e), 0, "no listed rule");
	UT_EQ_INT(d, date_from_ymd(2026, 11, 30), "no rule: the business day before delivery");
	UT_EQ_INT(contract_last_trade("XX", we, date_from_ymd(2026, 12, 1), &d, &e), QE_DATA, "unknown rule");
	UT_EQ_INT(contract_last_trade("RBOB", we, date_from_ymd(2026, 12, 1), &d, &e), QE_DATA,
		  "rules are product codes, not curve names");
	cal_free(we);

	/* the hedge and the VaR map tenors alike */
	UT_EQ_INT((int)risk_factor_tenor(0), 0, "tenor 0 stays");
	UT_EQ_INT((int)risk_factor_tenor(12), 12, "tenor 12 stays");
	UT_EQ_INT((int)risk_factor_tenor(13), 12, "tenor 13 -> 12");
	UT_EQ_INT((int)risk_factor_tenor(400), 12, "tenor 400 -> 12");
	return ut_done();
}
