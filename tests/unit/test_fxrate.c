/* Unit tests of lib/market/fxrate: FX rates (curve attributes are
 * test_curvemaster's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "market/fxrate.h"
#include "unit.h"

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
}

static int read_rates(const char *path, const char *text, const char *base, double *eur, qe_err *e)
{
	strindex *c = sidx_new();
	double *r = NULL;
	put(path, text);
	int rc = fx_rates_read(path, base, c, &r, e);
	long k = sidx_find(c, "EUR", 3);
	if (!rc && eur)
		*eur = k >= 0 ? r[k] : -1;
	free(r);
	sidx_free(c);
	return rc;
}

int main(void)
{
	char path[] = "/tmp/qe_fx_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	qe_err e;
	double eur = 0;
	UT_EQ_INT(read_rates(path, "currency,rate,note\nUSD,1,base\nEUR,1.05,sample\n", "USD", &eur, &e), 0,
		  "rates read");
	UT_NEAR(eur, 1.05, 0, "EUR rate");
	UT_EQ_INT(read_rates(path, "currency,rate\nUSD,1\nUSD,1\n", NULL, NULL, &e), QE_DATA, "duplicate");
	UT_CHECK(strstr(e.msg, ":3:") && strstr(e.msg, "duplicate currency"), "duplicate at line 3");
	UT_EQ_INT(read_rates(path, "currency,rate\nEUR,0\n", NULL, NULL, &e), QE_DATA, "zero rate");
	UT_EQ_INT(read_rates(path, "currency,rate\nEUR,nan\n", NULL, NULL, &e), QE_DATA, "NaN rate");
	UT_EQ_INT(read_rates(path, "currency,rate\nUSD,1.1\nEUR,1\n", "USD", NULL, &e), QE_DATA, "base not 1");
	UT_CHECK(strstr(e.msg, "base currency USD") != NULL, "base message");
	UT_EQ_INT(read_rates(path, "currency\nEUR\n", NULL, NULL, &e), QE_DATA, "missing rate column");

	unlink(path);
	return ut_done();
}
