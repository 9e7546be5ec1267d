/* Unit tests for lib/risk/exposure's expo_read: grouping by a column of
 * the file or of the curve master, portfolios per currency, FX
 * conversion, the tenor cap, and the file:line messages of bad rows. */
#include <stdlib.h>
#include <unistd.h>

#include "market/curvemaster.h"
#include "risk/exposure.h"
#include "unit.h"

static char dir[] = "/tmp/qe-test-exposure-XXXXXX";

static const char *put(const char *name, const char *text)
{
	static char path[64][128];
	static int k;
	char *p = path[k++ % 64];
	snprintf(p, 128, "%s/%s", dir, name);
	FILE *fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	return p;
}

static long pf(const exposure *x, const char *label)
{
	for (size_t p = 0; p < x->npf; p++)
		if (strcmp(x->label[p], label) == 0)
			return (long)p;
	return -1;
}

static double delta(const exposure *x, const char *label, const strindex *f, const char *factor)
{
	long p = pf(x, label), k = sidx_find(f, factor, strlen(factor));
	return p < 0 || k < 0 ? -999 : x->delta[(size_t)p * x->nf + (size_t)k];
}

/* expo_read fails with QE_DATA and a message containing want. */
static void bad(const char *sens, const char *by, const curvemaster *markets, const expo_fx *fx, const strindex *f,
		const char *want)
{
	exposure x;
	qe_err e;
	qe_err_clear(&e);
	int rc = expo_read(&x, put("bad.csv", sens), by, markets, fx, f, &e);
	UT_CHECK(rc == QE_DATA && strstr(e.msg, want) != NULL, want);
	if (rc != QE_DATA || !strstr(e.msg, want))
		printf("#   rc %d: %s\n", rc, e.msg);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	strindex *f = sidx_new();
	const char *names[] = {"NG:0", "NG:12", "TTF:0"};
	for (int k = 0; k < 3; k++)
		sidx_add(f, names[k], strlen(names[k]), NULL);
	qe_err le;
	curvemaster *mk = curvemaster_load(put("markets.csv", "curve,commodity,currency\nNG,gas,USD\nTTF,gas,EUR\n"), &le);
	if (!mk)
		return printf("# %s\n", le.msg), 1;
	const char *hdr = "trade_id,book,trader,curve,tenor,delta,gamma\n";
	char sens[512];
	snprintf(sens, sizeof sens, "%s%s", hdr,
		 "1,B1,ann,NG,0,10,1\n2,B2,bob,NG,30,5,\n3,B1,bob,TTF,0,7,0\n4,B2,ann,NG,0,-4,0\n");
	const char *sp = put("sens.csv", sens);
	exposure x;
	qe_err e;
	qe_err_clear(&e);

	UT_EQ_INT(expo_read(&x, sp, "trader", NULL, NULL, f, &e), 0, "grouped by a column of the file");
	UT_EQ_INT(x.rows, 4, "four rows");
	UT_EQ_INT(x.capped, 1, "tenor 30 capped");
	UT_EQ_INT(x.npf, 3, "total, ann, bob");
	UT_CHECK(strcmp(x.label[0], "total") == 0, "total first");
	UT_NEAR(delta(&x, "total", f, "NG:0"), 6, 0, "total NG:0");
	UT_NEAR(delta(&x, "bob", f, "NG:12"), 5, 0, "bob NG:12 from tenor 30");
	UT_NEAR(delta(&x, "ann", f, "NG:0"), 6, 0, "ann NG:0");
	UT_EQ_INT(x.has_gamma, 1, "a gamma seen");
	expo_free(&x);

	UT_EQ_INT(expo_read(&x, sp, "commodity", mk, NULL, f, &e), 0, "grouped by a column of the curve master");
	/* two currencies without FX: total and gas per currency */
	UT_EQ_INT(x.npf, 4, "total and gas, in USD and EUR");
	UT_CHECK(pf(&x, "total/USD") >= 0 && pf(&x, "gas/EUR") >= 0, "labels name the currency when needed");
	UT_NEAR(delta(&x, "gas/EUR", f, "TTF:0"), 7, 0, "gas/EUR TTF:0");
	UT_NEAR(delta(&x, "gas/USD", f, "NG:12"), 5, 0, "gas/USD NG:12");
	UT_EQ_INT(x.ntotal, 2, "a total per currency");
	UT_CHECK(expo_is_total(&x, 0) && expo_is_total(&x, 1) && !expo_is_total(&x, 2), "totals first");
	exposure sub;
	UT_EQ_INT(expo_subset(&x, "EUR", &sub, &e), 0, "subset of one currency");
	UT_EQ_INT(sub.npf, 2, "EUR: its total and gas");
	UT_CHECK(sub.ntotal == 1 && strcmp(sub.label[0], "total/EUR") == 0 && strcmp(sub.name[1], "gas") == 0,
		 "the subset's total first, labels as in the book");
	UT_NEAR(sub.delta[(size_t)sidx_find(f, "TTF:0", 5)], 7, 0, "EUR total TTF:0");
	expo_free(&sub);
	expo_free(&x);

	expo_fx fx = {.path = put("fx.csv", "currency,rate\nUSD,1\nEUR,2\n"), .base = "USD"};
	UT_EQ_INT(expo_read(&x, sp, "book", mk, &fx, f, &e), 0, "with FX rates");
	UT_EQ_INT(x.npf, 3, "one currency: total, B1, B2");
	UT_NEAR(delta(&x, "B1", f, "TTF:0"), 14, 0, "EUR converted to USD");
	UT_CHECK(strcmp(x.ccy[0], "USD") == 0, "in the base currency");
	expo_free(&x);

	UT_EQ_INT(expo_read(&x, sp, NULL, NULL, NULL, f, &e), 0, "no grouping");
	UT_EQ_INT(x.npf, 1, "only total");
	expo_free(&x);

	snprintf(sens, sizeof sens, "%s%s", hdr, "1,B1,ann,NG,-1,10,1\n");
	bad(sens, NULL, NULL, NULL, f, "bad.csv:2:5: column 'tenor': negative tenor '-1'");
	snprintf(sens, sizeof sens, "%s%s", hdr, "1,B1,ann,NG,0,10,1\n1,B1,ann,COAL,3,10,1\n");
	bad(sens, NULL, NULL, NULL, f, "bad.csv:3: risk factor 'COAL:3' has no price history");
	bad(sens, "desk", NULL, NULL, f, "bad.csv: no column 'desk' to group by");
	bad(sens, "desk", mk, NULL, f, "no column 'desk' to group by in the sensitivities or in");
	snprintf(sens, sizeof sens, "%s%s", hdr, "1,B1,ann,NG,0,10,1\n1,B1,ann,XX,0,10,1\n");
	sidx_add(f, "XX:0", 4, NULL);
	bad(sens, "commodity", mk, NULL, f, "bad.csv:3:4: column 'curve': curve not in");
	bad(sens, NULL, mk, NULL, f, "its currency is unknown 'XX'");
	expo_fx fx2 = {.path = put("fx2.csv", "currency,rate\nUSD,1\n"), .base = "USD"};
	snprintf(sens, sizeof sens, "%s%s", hdr, "1,B1,ann,TTF,0,10,1\n");
	bad(sens, NULL, mk, &fx2, f, "bad.csv:2: no FX rate for currency 'EUR' (curve TTF)");
	bad(hdr, NULL, NULL, NULL, f, "bad.csv: no sensitivities");
	/* the total is a slot of its own: a group named like it is refused,
	 * not added into it a second time */
	snprintf(sens, sizeof sens, "%s%s", hdr, "1,B1,ann,NG,0,10,1\n2,total,ann,NG,0,10,1\n");
	bad(sens, "book", NULL, NULL, f, "bad.csv:3:2: column 'book': 'total' is reserved");
	snprintf(sens, sizeof sens, "%s%s", hdr, "1,total/USD,ann,NG,0,10,1\n");
	bad(sens, "book", NULL, NULL, f, "bad.csv:2:2: column 'book': 'total/USD' is reserved");
	curvemaster *mt = curvemaster_load(put("mt.csv", "curve,commodity,currency\nNG,total,USD\n"), &le);
	snprintf(sens, sizeof sens, "%s%s", hdr, "1,B1,ann,NG,0,10,1\n");
	bad(sens, "commodity", mt, NULL, f, "bad.csv:2:4: column 'curve': commodity of curve 'NG' in");
	curvemaster_free(mt);
	/* group "a" in USD and EUR is labelled "a/USD" and "a/EUR": a group
	 * named "a/USD" would be the same portfolio in the cube */
	snprintf(sens, sizeof sens, "%s%s", hdr, "1,a,ann,NG,0,10,1\n2,a,ann,TTF,0,10,1\n3,a/USD,ann,NG,0,1,0\n");
	bad(sens, "book", mk, NULL, f, "bad.csv:4:2: column 'book': book 'a/USD' (USD) and book 'a' (USD) are both labelled 'a/USD'");
	snprintf(sens, sizeof sens, "%s%s", hdr, "1,Total,ann,NG,0,10,1\n2,totals,ann,NG,0,5,1\n");
	UT_EQ_INT(expo_read(&x, put("ok.csv", sens), "book", NULL, NULL, f, &e), 0, "'Total' and 'totals' are groups");
	UT_EQ_INT(x.npf, 3, "total, Total, totals");
	UT_NEAR(delta(&x, "total", f, "NG:0"), 15, 0, "each row once in the total");
	UT_NEAR(delta(&x, "Total", f, "NG:0"), 10, 0, "group Total");
	expo_free(&x);
	sidx_free(f);
	curvemaster_free(mk);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return ut_done();
}
