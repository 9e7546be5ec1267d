/* Unit tests for lib/lei and lib/synth. */
#include <stdlib.h>

#include "core/lei.h"
#include "core/num.h"
#include "synth/synth.h"
#include "synth/synth_impl.h"
#include "unit.h"

/* The source tree's holiday files (the library searches nowhere itself). */
static const char *caldir(void)
{
	static char dir[4096];
	const char *top = getenv("QE_TOP");
	snprintf(dir, sizeof dir, "%s/data/calendars", top && *top ? top : ".");
	return dir;
}

static void test_lei(void)
{
	char check[3];
	/* published examples: DOMAIN.md's LEI, and the ISO 13616 sample IBAN
	 * GB82 WEST 1234 5698 7654 32 rearranged (first four to the end) */
	UT_CHECK(lei_valid("5493001KJTIIGC8Y1R12", 20), "valid LEI accepted");
	UT_CHECK(!lei_valid("5493001KJTIIGC8Y1R13", 20), "changed check digit refused");
	UT_CHECK(!lei_valid("5493001KJTIIGC8Y1S12", 20), "changed letter refused");
	UT_CHECK(!lei_valid("5493001kjtiigc8y1r12", 20), "lower case refused");
	UT_CHECK(!lei_valid("5493001KJTIIGC8Y1R1", 19), "short refused");
	UT_CHECK(!lei_valid("5493001KJTIIGC8Y1RAB", 20), "letters as check digits refused");
	UT_EQ_INT(mod97_remainder("WEST12345698765432GB82", 22), 1, "IBAN GB82WEST... passes MOD 97-10");
	UT_EQ_INT(mod97_remainder("AB-1", 4), -1, "bad character");
	UT_EQ_INT(lei_check_digits("5493001KJTIIGC8Y1R", check), 0, "check digits computed");
	UT_EQ_STR(check, "12", "check digits of the DOMAIN.md LEI");
	UT_EQ_INT(lei_check_digits("5493001KJTIIGC8Y1", check), -1, "17-character prefix refused");
}

static char *write_kind(synth *s, int kind)
{
	char *buf = NULL;
	size_t len = 0;
	qe_err e;
	FILE *fp = open_memstream(&buf, &len);
	if (synth_write(s, kind, fp, &e) != 0) {
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	return buf;
}

static void test_synth(void)
{
	UT_EQ_INT(synth_kind_parse("prices"), SYNTH_PRICES, "kind prices");
	UT_EQ_INT(synth_kind_parse("curves"), SYNTH_PRICES, "kind curves is prices");
	UT_EQ_INT(synth_kind_parse("nope"), -1, "unknown kind");
	UT_EQ_STR(synth_kind_file(SYNTH_PRICES), "curves.csv", "prices go to curves.csv");
	for (int k = 0; k < SYNTH_NKINDS; k++)
		if (synth_kind_parse(synth_kind_name(k)) != k)
			UT_CHECK(0, "kind names round trip");

	synth_cfg cfg;
	qe_err e;
	synth_cfg_default(&cfg);
	cfg.months = 0;
	UT_CHECK(synth_new(&cfg, &e) == NULL && e.code == QE_USAGE, "months 0 refused");
	synth_cfg_default(&cfg);
	cfg.calendar_dir = "/nonexistent-qe-calendars";
	synth *s = synth_new(&cfg, &e);
	UT_CHECK(s == NULL && (e.code == QE_DATA || e.code == QE_IO), "missing calendars reported");
	synth_free(s);

	synth_cfg_default(&cfg);
	cfg.calendar_dir = caldir();
	cfg.trades = 300;
	cfg.history_days = 60;
	synth *a = synth_new(&cfg, &e), *b = synth_new(&cfg, &e);
	UT_CHECK(a && b, "synth_new with the holiday files");
	if (!a || !b) {
		synth_free(a);
		synth_free(b);
		return;
	}
	int same = 1;
	for (int k = 0; k < SYNTH_NKINDS; k++) {
		char *x = write_kind(a, k), *y = write_kind(b, k);
		if (!x || !y || strcmp(x, y) != 0)
			same = 0;
		free(x);
		free(y);
	}
	UT_CHECK(same, "same seed, same bytes for every kind");
	char *t1 = write_kind(a, SYNTH_TRADES);
	synth_free(b);
	cfg.seed = 2;
	b = synth_new(&cfg, &e);
	char *t2 = b ? write_kind(b, SYNTH_TRADES) : NULL;
	UT_CHECK(t1 && t2 && strcmp(t1, t2) != 0, "another seed, other trades");
	free(t2);
	synth_free(b);
	cfg.seed = 1;
	cfg.trades = 100;
	b = synth_new(&cfg, &e);
	t2 = b ? write_kind(b, SYNTH_TRADES) : NULL;
	UT_CHECK(t1 && t2 && strncmp(t1, t2, strlen(t2)) == 0, "100 trades are a prefix of 300");
	free(t1);
	free(t2);
	synth_free(a);
	synth_free(b);
}

static void test_helpers(void)
{
	char buf[32];
	num_format_double(buf, synth_round(0.1 + 0.2, 0.01));
	UT_EQ_STR(buf, "0.3", "rounding to a tick prints short");
	num_format_double(buf, synth_round(4.1169999, 0.001));
	UT_EQ_STR(buf, "4.117", "NG tick 0.001");
	num_format_double(buf, synth_round(-0.004, 0.01));
	UT_EQ_STR(buf, "0", "no negative zero");
	UT_EQ_INT(synth_add_months(date_from_ymd(2027, 1, 31), 1), date_from_ymd(2027, 2, 28), "Jan 31 + 1M clamps");
	UT_EQ_INT(synth_month_end(date_from_ymd(2028, 2, 10)), date_from_ymd(2028, 2, 29), "leap February end");
	UT_EQ_INT(synth_curve_index("TTF"), 4, "curve index");
	UT_EQ_INT(synth_curve_index("XX"), -1, "unknown curve");
	int ok = 1;
	for (int c = 0; c < synth_ncurves; c++)
		for (double k = 0.3; k < 3; k += 0.1)
			if (!(synth_smile_vol(c, 0.4, 1.0, k) > 0))
				ok = 0;
	UT_CHECK(ok, "smile vols positive across strikes");

	/* NG January 2027: the future's last trading day is 3 business days
	 * before 1 Jan (a holiday Friday): Tue 29 Dec 2026; the option expires
	 * the business day before, Mon 28 Dec 2026 (CME NG/LNE calendar) */
	synth_cfg cfg;
	qe_err e;
	synth_cfg_default(&cfg);
	cfg.calendar_dir = caldir();
	synth *s = synth_new(&cfg, &e);
	UT_CHECK(s != NULL, "synth_new");
	if (s) {
		UT_EQ_INT(synth_option_expiry(s, synth_curve_index("NG_HH"), date_from_ymd(2027, 1, 1)),
			  date_from_ymd(2026, 12, 28), "NG Jan-27 option expiry");
		UT_CHECK(synth_fwd(s, synth_curve_index("NG_HH"), 2) > synth_fwd(s, synth_curve_index("NG_HH"), 8),
			 "NG January above July (winter premium)");
		UT_CHECK(synth_fwd(s, synth_curve_index("DE_PEAK"), 2) > synth_fwd(s, synth_curve_index("DE_PEAK"), 7),
			 "DE peak January above June (solar summer)");
		synth_free(s);
	}
}

int main(void)
{
	test_helpers();
	test_lei();
	test_synth();
	return ut_done();
}
