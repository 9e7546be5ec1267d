/* Unit tests for lib/risk/riskfactor (the one owner of factor names and
 * of the tenor cap) and lib/risk/covest's covariance CSV reader: qe-var
 * (expo_read, rh_read, cov_read_csv) and qe-optimize (hedge_read) name,
 * cap and read factors alike. */
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "opt/hedge.h"
#include "risk/covest.h"
#include "risk/exposure.h"
#include "risk/riskfactor.h"
#include "risk/riskhist.h"
#include "risk/volhist.h"
#include "ingest/schema.h"
#include "unit.h"

static char dir[] = "/tmp/qe-test-riskfactor-XXXXXX";

static const char *put(const char *name, const char *text)
{
	static char path[8][128];
	static int k;
	char *p = path[k++ % 8];
	snprintf(p, 128, "%s/%s", dir, name);
	FILE *fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	return p;
}

static void test_names(void)
{
	char buf[RISK_FACTOR_NAMESZ], small[6];
	size_t cl = 0;
	long t = -1;
	UT_EQ_INT(risk_factor_name(buf, sizeof buf, "NG_HH", 5, 3), 7, "name length");
	UT_EQ_STR(buf, "NG_HH:3", "CURVE:TENOR");
	UT_EQ_INT(risk_factor_name(buf, sizeof buf, "TTF_X", 3, 12), 6, "curve of a given length");
	UT_EQ_STR(buf, "TTF:12", "only curvelen bytes of the curve");
	UT_EQ_INT(risk_factor_name(small, sizeof small, "NG_HH", 5, 3), -1, "a name that does not fit is refused");
	UT_EQ_INT(risk_factor_name(small, sizeof small, "NG", 2, 10), 5, "a name that just fits");
	/* against libc's printf: every tenor width, both signs, the int64
	 * extremes, and every buffer size around the fit */
	const int64_t tenors[] = {0, 1, 9, 10, 99, 100, 12345, -1, -10, 1000000007,
				  INT64_MAX, INT64_MIN, INT64_MIN + 1};
	for (size_t k = 0; k < sizeof tenors / sizeof *tenors; k++)
		for (size_t bs = 1; bs < 32; bs++) {
			char want[64], got[64];
			int wn = snprintf(want, sizeof want, "%.*s:%lld", 4, "CL_WTI", (long long)tenors[k]);
			int gn = risk_factor_name(got, bs, "CL_WTI", 4, tenors[k]);
			if ((size_t)wn >= bs) {
				UT_EQ_INT(gn, -1, "does not fit: refused");
			} else {
				UT_EQ_INT(gn, wn, "length as printf's");
				UT_EQ_STR(got, want, "text as printf's");
			}
		}
	UT_EQ_INT(risk_factor_name(buf, sizeof buf, "NG\0XX", 5, 4), 4, "the curve ends at a NUL");
	UT_EQ_STR(buf, "NG:4", "as %.*s");

	UT_EQ_INT(risk_factor_parse("DE_BASE:11", &cl, &t), 0, "parse");
	UT_CHECK(cl == 7 && t == 11, "curve length and tenor");
	UT_EQ_INT(risk_factor_parse("A:B:007", &cl, &t), 0, "the last colon splits");
	UT_CHECK(cl == 3 && t == 7, "curve A:B, tenor 7");
	const char *bad[] = {"NG", ":3", "NG:", "NG:-1", "NG:+1", "NG:1a", "NG: 1", "NG:100001", "NG:99999999999999999999"};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
		UT_EQ_INT(risk_factor_parse(bad[k], &cl, &t), -1, bad[k]);
	UT_EQ_INT(risk_factor_parse("NG:100000", &cl, &t), 0, "tenor 100000 is the largest");

	UT_EQ_INT(risk_factor_canon("NG:03", buf, sizeof buf), 0, "canon");
	UT_EQ_STR(buf, "NG:3", "leading zeros go");
	UT_EQ_INT(risk_factor_canon("NG:0", buf, sizeof buf), 0, "canon of tenor 0");
	UT_EQ_STR(buf, "NG:0", "tenor 0 stays");
	UT_EQ_INT(risk_factor_canon("NG:x", buf, sizeof buf), -1, "canon refuses a bad name");
	UT_EQ_INT(risk_factor_curve_len("NG:3"), 2, "curve part");
	UT_EQ_INT(risk_factor_curve_len("NG"), 2, "no colon: all of it");

	UT_EQ_INT((int)risk_factor_tenor(0), 0, "tenor 0 stays");
	UT_EQ_INT((int)risk_factor_tenor(RISK_MAX_TENOR), RISK_MAX_TENOR, "the last tenor stays");
	UT_EQ_INT((int)risk_factor_tenor(RISK_MAX_TENOR + 1), RISK_MAX_TENOR, "one beyond is capped");
}

/* A position 20 months out lands on NG:12 in qe-var (the sensitivities
 * of qe-price, tenor 20) and in the hedge (the ladder, 20 months after
 * the as-of month); tenor 5 stays NG:5 in both. */
static void test_same_in_var_and_hedge(void)
{
	qe_err e;
	qe_err_clear(&e);
	risk_history rh;
	const char *hist = put("hist.csv", "date,curve,tenor,price\n"
					   "2026-11-24,NG,5,3.1\n2026-11-24,NG,12,3.5\n"
					   "2026-11-25,NG,5,3.2\n2026-11-25,NG,12,3.6\n");
	UT_EQ_INT(rh_read(&rh, hist, &e), 0, "history read");
	UT_EQ_INT(sidx_find(rh.factors, "NG:12", 5) >= 0, 1, "history names NG:12");

	exposure x;
	const char *sens = put("sens.csv", "trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega\n"
					   "T1,B,NG,2028-07-01,2028-07-31,20,100,0,0\n"
					   "T2,B,NG,2027-04-01,2027-04-30,5,7,0,0\n");
	UT_EQ_INT(expo_read(&x, sens, NULL, NULL, NULL, rh.factors, &e), 0, "sensitivities read");
	if (e.code)
		printf("# %s\n", e.msg);
	long f12 = sidx_find(rh.factors, "NG:12", 5), f5 = sidx_find(rh.factors, "NG:5", 4);
	UT_EQ_INT(x.capped, 1, "qe-var caps one row");
	UT_NEAR(x.delta[(size_t)f12], 100, 0, "qe-var puts tenor 20 on NG:12");
	UT_NEAR(x.delta[(size_t)f5], 7, 0, "qe-var keeps tenor 5 on NG:5");
	expo_free(&x);
	rh_free(&rh);

	hedge_args a = {0};
	hedge_problem h;
	a.ladder = put("l.csv", "book,curve,month,delta,unit\nB,NG,2028-07,100,MMBtu\nB,NG,2027-04,7,MMBtu\n");
	/* tenors written with leading zeros: the reader canonicalises */
	a.cov = put("c.csv", "factor1,factor2,cov\nNG:012,NG:12,0.02\nNG:5,NG:12,0.01\nNG:05,NG:5,0.03\n");
	a.hedges = put("h.csv", "instrument,curve,month,lot_size,cost_per_lot,min_lots,max_lots\n"
				"A,NG,2027-04,10,1,-5,5\n");
	a.asof = "2026-11-26";
	a.confidence = 0.99;
	a.cost_weight = 1;
	UT_EQ_INT(hedge_read(&h, &a, &e), 0, "hedge inputs read");
	if (e.code)
		printf("# %s\n", e.msg);
	UT_EQ_INT(h.nf, 2, "two factors");
	UT_EQ_INT(h.mapped, 1, "the hedge caps one row");
	int ok12 = 0, ok5 = 0;
	for (int k = 0; k < h.nf; k++) {
		ok12 |= strcmp(h.factor[k], "NG:12") == 0 && h.d0[k] == 100;
		ok5 |= strcmp(h.factor[k], "NG:5") == 0 && h.d0[k] == 7;
	}
	UT_CHECK(ok12, "the hedge puts month 2028-07 on NG:12, as qe-var");
	UT_CHECK(ok5, "the hedge puts month 2027-04 on NG:5, as qe-var");
	hedge_free(&h);
}

static void test_cov_reader(void)
{
	qe_err e;
	strindex *f = sidx_new();
	double S[4];
	sidx_add(f, "NG:0", 4, NULL);
	sidx_add(f, "TTF:0", 5, NULL);
	qe_err_clear(&e);
	UT_EQ_INT(cov_read_csv(put("ok.csv", "factor1,factor2,cov\nNG:0,NG:0,4\nTTF:0,NG:0,1\nTTF:0,TTF:0,9\n"
					     "XX:1,XX:1,5\n"),
			       f, S, &e),
		  0, "one order of a pair is enough; other factors are ignored");
	UT_CHECK(S[0] == 4 && S[1] == 1 && S[2] == 1 && S[3] == 9, "symmetric matrix");

	UT_EQ_INT(cov_read_csv(put("miss.csv", "factor1,factor2,cov\nNG:0,NG:0,4\nTTF:0,TTF:0,9\n"), f, S, &e),
		  QE_DATA, "a missing pair is bad data");
	UT_CHECK(strstr(e.msg, "no covariance for factors 'TTF:0' and 'NG:0'") != NULL, e.msg);
	UT_EQ_INT(cov_read_csv(put("dup.csv", "factor1,factor2,cov\nNG:0,NG:0,4\nTTF:0,NG:0,1\nNG:0,TTF:0,2\n"
					      "TTF:0,TTF:0,9\n"),
			       f, S, &e),
		  QE_DATA, "a pair given twice with different values is bad data");
	UT_CHECK(strstr(e.msg, ":4: covariance of 'NG:0' and 'TTF:0' differs from line 3") != NULL, e.msg);
	UT_EQ_INT(cov_read_csv(put("neg.csv", "factor1,factor2,cov\nNG:0,NG:0,-4\n"), f, S, &e), QE_DATA,
		  "a negative variance is bad data");
	UT_CHECK(strstr(e.msg, "negative variance '-4'") != NULL, e.msg);
	UT_EQ_INT(cov_read_csv(put("nan.csv", "factor1,factor2,cov\nNG:0,NG:0,nan\n"), f, S, &e), QE_DATA,
		  "a non-finite covariance is bad data");

	cov_long c;
	UT_EQ_INT(cov_long_read(&c, put("canon.csv", "factor1,factor2,cov\nNG:7,NG:x,1\n"), "factor1", "factor2",
				risk_factor_canon, &e),
		  QE_DATA, "a factor name that is not CURVE:TENOR is bad data");
	UT_CHECK(strstr(e.msg, "want CURVE:TENOR 'NG:x'") != NULL, e.msg);
	UT_EQ_INT(cov_long_read(&c, put("assets.csv", "asset1,asset2,cov\nA,B,1\nA,A,2\nB,B,3\n"), "asset1",
				"asset2", NULL, &e),
		  0, "other column names, names taken as they are");
	UT_EQ_INT(c.n, 3, "three rows");
	cov_long_free(&c);
	sidx_free(f);
}

/* Vol factors: names, the contract field, reading and merging with the
 * price history on the union of their dates. */
static void test_vol_history(void)
{
	char buf[RISK_FACTOR_NAMESZ];
	qe_err e;
	int64_t t = -1;
	UT_EQ_INT(risk_vol_factor_name(buf, sizeof buf, "NG_HH", 5, 3), 11, "VOL:NG_HH:3 length");
	UT_EQ_STR(buf, "VOL:NG_HH:3", "vol factor name");
	UT_CHECK(risk_factor_is_vol(buf) && !risk_factor_is_vol("NG_HH:3"), "is_vol");
	UT_EQ_STR(risk_factor_underlying(buf), "NG_HH:3", "underlying of a vol factor");
	UT_CHECK(schema_vol_contract_tenor("2027-02", 7, date_from_ymd(2026, 11, 30), &t) == NULL && t == 3,
		 "contract month 2027-02 on 2026-11-30 is tenor 3");
	UT_CHECK(schema_vol_contract_tenor("04", 2, date_from_ymd(2026, 11, 30), &t) == NULL && t == 4, "tenor 04");
	UT_CHECK(schema_vol_contract_tenor("2026-10", 7, date_from_ymd(2026, 11, 2), &t) != NULL, "expired month");
	UT_CHECK(schema_vol_contract_tenor("1201", 4, date_from_ymd(2026, 11, 2), &t) != NULL, "tenor > 1200");
	UT_CHECK(schema_vol_contract_tenor("", 0, date_from_ymd(2026, 11, 2), &t) != NULL, "empty");

	risk_history h;
	vol_history v;
	UT_EQ_INT(rh_read(&h, put("ph.csv", "date,curve,tenor,price\n2026-11-23,NG,1,3\n2026-11-25,NG,1,3.1\n"), &e), 0,
		  "price history");
	UT_EQ_INT(volhist_read(&v, put("vh.csv", "date,curve,contract,vol,vol_type\n2026-11-24,NG,2026-12,0.5,lognormal\n"
					    "2026-11-25,NG,1,0.52,LOGNORMAL\n"), &e), 0, e.msg);
	UT_EQ_INT((long)v.h.nf, 1, "one vol factor: the month and the tenor are the same");
	UT_EQ_STR(sidx_name(v.h.factors, 0), "VOL:NG:1", "its name");
	UT_EQ_INT(volhist_merge(&h, &v, &e), 0, "merged");
	UT_EQ_INT((long)h.nd, 3, "union of the dates");
	UT_EQ_INT((long)h.nf, 2, "two factors");
	UT_CHECK(h.abs[1] == 1 && isnan(h.price[0 * 2 + 1]) && h.price[1 * 2 + 1] == 0.5 && isnan(h.price[1 * 2 + 0]),
		 "vol factor absolute; NaN where a file lacks the date");
	UT_CHECK(h.contract && h.contract[1 * 2 + 1] == date_month_index(date_from_ymd(2026, 12, 1)) &&
			 h.contract[0 * 2 + 1] == RH_NO_CONTRACT && h.contract[1 * 2 + 0] == RH_NO_CONTRACT,
		 "a vol of tenor 1 quotes the next month's contract; none where a file lacks the date");
	UT_EQ_INT(volhist_merge(&h, &v, &e), QE_DATA, "a factor twice");
	volhist_free(&v);
	rh_free(&h);

	/* contract returns follow a vol across the roll: on 2026-12-01 tenor 1
	 * is January, whose vol was tenor 2's on 2026-11-30 */
	rh_roll_report rolls;
	UT_EQ_INT(rh_read(&h, put("ph2.csv", "date,curve,tenor,price\n2026-11-30,NG,1,3\n2026-12-01,NG,1,3.1\n"), &e), 0,
		  "price history");
	UT_EQ_INT(volhist_read(&v, put("vh4.csv", "date,curve,contract,vol,vol_type\n2026-11-30,NG,2026-12,0.5,lognormal\n"
					      "2026-11-30,NG,2027-01,0.6,lognormal\n2026-12-01,NG,2027-01,0.62,lognormal\n"), &e),
		  0, e.msg);
	UT_EQ_INT(volhist_merge(&h, &v, &e), 0, "merged");
	UT_EQ_INT(rh_contract_factors(&h, date_from_ymd(2026, 12, 1), &rolls, &e), 0, e.msg);
	long jan = sidx_find(h.factors, "VOL:NG:1", 8);
	UT_CHECK(jan >= 0 && fabs(h.price[1 * h.nf + (size_t)jan] - h.price[0 * h.nf + (size_t)jan] - 0.02) < 1e-12,
		 "the January vol's change, not tenor 1's (0.12)");
	volhist_free(&v);
	rh_free(&h);
	UT_EQ_INT(volhist_read(&v, put("vh2.csv", "date,curve,contract,vol,vol_type\n2026-11-24,NG,1,0.5,lognormal\n"
					     "2026-11-24,NG,1,0.6,lognormal\n"), &e), QE_DATA, "second vol of a factor on a date");
	UT_CHECK(strstr(e.msg, "vh2.csv:3: second vol for factor 'VOL:NG:1' on 2026-11-24") != NULL, e.msg);
	UT_EQ_INT(volhist_read(&v, put("vh3.csv", "date,curve,contract,vol,vol_type\n2026-11-24,NG,1,-0.5,lognormal\n"), &e),
		  QE_DATA, "negative vol");
	UT_CHECK(strstr(e.msg, "vh3.csv:2:4:") != NULL, e.msg);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_names();
	test_same_in_var_and_hedge();
	test_cov_reader();
	test_vol_history();
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return ut_done();
}
