/* Unit tests of lib/market/curvemaster: the one reader of markets.csv -
 * lookups, the curve -> product map (exact names), index definitions, unknown curves, and bad files reported at
 * file:line:col. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "market/curvemaster.h"
#include "time/period.h"
#include "unit.h"

static char path[] = "/tmp/qe_cm_XXXXXX";

static void put(const char *text)
{
	FILE *fp = fopen(path, "w");
	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* Loads text; returns the error code (0 when it loads) with e filled. */
static int load_fails(const char *text, qe_err *e)
{
	put(text);
	qe_err_clear(e);
	curvemaster *m = curvemaster_load(path, e);
	curvemaster_free(m);
	return m ? 0 : e->code;
}

/* e->msg contains "<path>:<where>" and what. */
static int says(const qe_err *e, const char *where, const char *what)
{
	char want[128];
	snprintf(want, sizeof want, "%s:%s", path, where);
	if (!strstr(e->msg, want) || !strstr(e->msg, what)) {
		printf("# %s\n", e->msg);
		return 0;
	}
	return 1;
}

static const char *product(const curvemaster *m, const char *curve)
{
	const curvemaster_curve *c = curvemaster_find(m, curve);
	return c && c->product ? c->product : "(none)";
}

static void lookups(void)
{
	qe_err e;
	put("curve,commodity,venue,unit,currency,timezone,calendar,shape,lot_size,returns,model,desk\n"
	    "NG_HH,gas,NYMEX,MMBtu,USD,America/Chicago,NYMEX,gasday,10000,log,Black76,us\n"
	    "RBOB,products,NYMEX,gal,USD,America/New_York,WEEKENDS,,42000,LOG,black76,oil\n"
	    "RB_NYH,products,OTC,gal,USD,America/New_York,WEEKENDS,,42000,log,black76,oil\n"
	    "DE_BASE,power,EEX,MWh,EUR,Europe/Berlin,EEX,base,1,abs,bachelier,eu\n"
	    "BRENT,crude,ICE,bbl,USD,Europe/London,ICE_EU,,1000,log,,oil\n");
	qe_err_clear(&e);
	curvemaster *m = curvemaster_load(path, &e);
	UT_CHECK(m != NULL, "a curve master loads");
	if (!m) {
		printf("# %s\n", e.msg);
		return;
	}
	UT_EQ_INT((int)curvemaster_count(m), 5, "five curves");
	const curvemaster_curve *ng = curvemaster_find(m, "NG_HH"), *de = curvemaster_find(m, "DE_BASE");
	UT_CHECK(ng && de, "found by name");
	if (!ng || !de)
		return;
	UT_EQ_STR(ng->commodity, "gas", "commodity");
	UT_EQ_STR(ng->venue, "NYMEX", "venue");
	UT_EQ_STR(ng->unit, "MMBtu", "unit");
	UT_EQ_STR(ng->currency, "USD", "currency");
	UT_EQ_STR(ng->timezone, "America/Chicago", "zone");
	UT_EQ_STR(ng->calendar, "NYMEX", "calendar");
	UT_EQ_INT(ng->shape, SHAPE_GASDAY, "shape");
	UT_NEAR(ng->lot_size, 10000, 0, "lot size");
	UT_EQ_STR(ng->model, "black76", "model in lower case");
	UT_EQ_INT(ng->returns_abs, 0, "NG log returns");
	UT_EQ_INT(de->returns_abs, 1, "DE_BASE absolute changes");
	UT_EQ_INT(curvemaster_find(m, "RBOB")->returns_abs, 0, "LOG is log");
	UT_EQ_INT(ng->line, 2, "line of the row");
	UT_EQ_INT((int)curvemaster_pos(m, de), 3, "file order");
	UT_CHECK(curvemaster_at(m, 3) == de && curvemaster_at(m, 5) == NULL, "by position");
	UT_EQ_STR(curvemaster_attr(m, de, "desk"), "eu", "any other column as text");
	UT_CHECK(curvemaster_attr(m, de, "book") == NULL && !curvemaster_has(m, "book") &&
			 curvemaster_has(m, "desk"),
		 "absent column");
	UT_CHECK(curvemaster_find(m, "NOPE") == NULL, "unknown curve: NULL");
	UT_CHECK(curvemaster_find(m, "ng_hh") == NULL, "exact lookup is case-sensitive");
	UT_CHECK(curvemaster_find_nocase(m, "ng_hhX", 5) == ng, "ingest's lookup ignores case");
	UT_CHECK(curvemaster_find_nocase(m, "NOPE", 4) == NULL, "unknown curve without case: NULL");
	UT_EQ_STR(curvemaster_find(m, "BRENT")->model, "", "empty model");

	/* one curve -> product map, exact names only */
	UT_EQ_STR(product(m, "NG_HH"), "NG", "NG_HH -> NG");
	UT_EQ_STR(product(m, "RBOB"), "RB", "RBOB -> RB (not its prefix RBOB)");
	UT_EQ_STR(product(m, "RB_NYH"), "(none)", "RB_NYH: no listed rule (no prefix match)");
	UT_EQ_STR(product(m, "BRENT"), "BRENT", "BRENT");
	UT_EQ_STR(product(m, "DE_BASE"), "(none)", "power: no listed rule");
	UT_EQ_INT(curvemaster_find(m, "BRENT")->cash_settled, 1, "Brent settles in cash");
	UT_EQ_INT(curvemaster_find(m, "RBOB")->cash_settled, 0, "RBOB delivers");
	UT_EQ_INT(de->cash_settled, 1, "power settles in cash on the spot index");
	UT_EQ_INT(curvemaster_find(m, "RB_NYH")->cash_settled, 0, "no listed rule, not power: delivers");
	UT_EQ_STR(curvemaster_index_name(ng->index), "lastday", "NG swaps: last day");
	UT_EQ_STR(curvemaster_index_name(curvemaster_find(m, "RBOB")->index), "front", "RBOB: front month");
	UT_EQ_STR(curvemaster_index_name(de->index), "spot", "power: spot index");

	/* requirements a reader asks for */
	static const char *const need[] = {"curve", "returns", "region"};
	UT_EQ_INT(curvemaster_require(m, need, 2, &e), 0, "has curve and returns");
	UT_EQ_INT(curvemaster_require(m, need, 3, &e), QE_DATA, "lacks region");
	UT_CHECK(says(&e, "1:", "missing required column 'region'"), "missing column at line 1");
	UT_EQ_INT(curvemaster_field_error(m, de, "lot_size", &e, "too big"), QE_DATA, "field error");
	UT_CHECK(says(&e, "5:9:", "column 'lot_size': too big"), "field error at file:line:col");

	/* last trading days by the product's rule on the curve's calendar */
	qe_date d = 0;
	UT_EQ_INT(curvemaster_last_trade(m, curvemaster_find(m, "RBOB"), date_from_ymd(2026, 11, 1), &d, &e),
		  QE_DATA, "no calendar loaded yet");
	char dir[] = "/tmp/qe_cmcal_XXXXXX";
	if (mkdtemp(dir)) {
		char f[64];
		snprintf(f, sizeof f, "%s/ICE_EU.txt", dir);
		FILE *fp = fopen(f, "w");
		if (fp) {
			fputs("# test calendar\n# covers: 2026-2027\n2026-12-25\n", fp);
			fclose(fp);
		}
		snprintf(f, sizeof f, "%s/NYMEX.txt", dir);
		UT_CHECK(curvemaster_load_calendars(m, dir, &e) != 0, "a missing calendar file");
		UT_CHECK(strstr(e.msg, path) != NULL, "names the curve master");
		fp = fopen(f, "w");
		if (fp) {
			fputs("# test calendar\n# covers: 2026-2027\n", fp);
			fclose(fp);
		}
		snprintf(f, sizeof f, "%s/EEX.txt", dir);
		fp = fopen(f, "w");
		if (fp) {
			fputs("# test calendar\n# covers: 2026-2027\n", fp);
			fclose(fp);
		}
		curvemaster_free(m);
		m = curvemaster_load(path, &e);
		int rc = curvemaster_load_calendars(m, dir, &e);
		UT_EQ_INT(rc, 0, "calendars load");
		if (rc)
			printf("# %s\n", e.msg);
		const curvemaster_curve *rb = curvemaster_find(m, "RBOB");
		UT_EQ_INT(curvemaster_last_trade(m, rb, date_from_ymd(2026, 11, 1), &d, &e), 0, "RBOB Nov-26");
		UT_EQ_INT(d, date_from_ymd(2026, 10, 30), "RBOB Nov-26: last business day of October");
		UT_EQ_INT(curvemaster_last_trade(m, curvemaster_find(m, "RB_NYH"), date_from_ymd(2026, 11, 1), &d, &e),
			  0, "RB_NYH Nov-26");
		UT_EQ_INT(d, date_from_ymd(2026, 10, 30), "no rule: the business day before delivery");
		UT_CHECK(curvemaster_calendar(m, rb) != NULL &&
				 curvemaster_calendar(m, rb) == curvemaster_calendar(m, curvemaster_find(m, "RB_NYH")),
			 "one calendar per name");
		snprintf(f, sizeof f, "rm -rf '%s'", dir);
		if (system(f) != 0)
			printf("# cleanup failed\n");
	}
	curvemaster_free(m);
}

static void bad_files(void)
{
	qe_err e;
	UT_EQ_INT(load_fails("curve,lot_size\nNG,10\nTTF,0\n", &e), QE_DATA, "lot size 0");
	UT_CHECK(says(&e, "3:2:", "lot size must be positive '0'"), "lot size at file:line:col");
	UT_EQ_INT(load_fails("curve,lot_size\nNG,1O\n", &e), QE_DATA, "lot size not a number");
	UT_CHECK(says(&e, "2:2:", "column 'lot_size'"), "bad number at file:line:col");
	UT_EQ_INT(load_fails("curve,returns\nNG,log\nTTF,sqrt\n", &e), QE_DATA, "bad returns");
	UT_CHECK(says(&e, "3:2:", "expected log or abs, got 'sqrt'"), "returns at file:line:col");
	UT_EQ_INT(load_fails("unit,curve\nMWh,TTF\nMWh,ttf\n", &e), QE_DATA, "duplicate without case");
	UT_CHECK(says(&e, "3:2:", "duplicate curve 'ttf'"), "duplicate at file:line:col");
	UT_EQ_INT(load_fails("curve,model\nTTF,heston\n", &e), QE_DATA, "bad model");
	UT_CHECK(says(&e, "2:2:", "expected black76 or bachelier 'heston'"), "model at file:line:col");
	UT_EQ_INT(load_fails("curve,shape\nTTF,gasday\nDE,noon\n", &e), QE_DATA, "bad shape");
	UT_CHECK(says(&e, "3:2:", "unknown shape 'noon'"), "shape at file:line:col");
	UT_EQ_INT(load_fails("curve,unit\nNG,MMBtu\n,MWh\n", &e), QE_DATA, "empty curve name");
	UT_CHECK(says(&e, "3:1:", "empty value"), "empty curve at file:line:col");
	UT_EQ_INT(load_fails("curve,unit\nNG,MMBtu,x\n", &e), QE_DATA, "a row with too many fields");
	UT_CHECK(says(&e, "2:", "expected 2 fields"), "short row at file:line");
	UT_EQ_INT(load_fails("name,unit\nNG,MMBtu\n", &e), QE_DATA, "no curve column");
	UT_CHECK(says(&e, "1:", "missing required column 'curve'"), "missing curve column at line 1");
	qe_err_clear(&e);
	UT_CHECK(curvemaster_load("/nonexistent/markets.csv", &e) == NULL && e.code == QE_IO,
		 "a missing curve master is an I/O error");
}

int main(void)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	lookups();
	bad_files();
	unlink(path);
	return ut_done();
}
