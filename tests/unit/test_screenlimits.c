/* lib/screen: the reporting-field shapes (UTI, MIC, timestamp with
 * offset), a second trades file appended to the live set (amendments,
 * messages naming it), positions in lots and curve units.  The rules
 * themselves are tested in tests/screen.bats against python. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/regid.h"
#include "screen/live.h"
#include "screen/regulatory.h"
#include "unit.h"

static void test_shapes(void)
{
	char buf[256];
	const char *lei = "5493001KJTIIGC8Y1R12";
	char uti[64];
	snprintf(uti, sizeof uti, "%sTRADE0001", lei);
	UT_CHECK(regid_uti_reason(uti, strlen(uti), buf, sizeof buf) == NULL, "UTI: LEI then code");
	/* 52 characters is the longest: inside; 53 outside */
	snprintf(uti, sizeof uti, "%s%032d", lei, 7);
	UT_CHECK(regid_uti_reason(uti, strlen(uti), buf, sizeof buf) == NULL, "UTI of 52 characters");
	snprintf(uti, sizeof uti, "%s%033d", lei, 7);
	UT_EQ_STR(regid_uti_reason(uti, strlen(uti), buf, sizeof buf), "53 characters, more than 52", "UTI of 53");
	UT_EQ_STR(regid_uti_reason("", strlen(""), buf, sizeof buf), "empty", "empty UTI");
	snprintf(uti, sizeof uti, "%sabc", lei);
	UT_EQ_STR(regid_uti_reason(uti, strlen(uti), buf, sizeof buf), "character 21 'a' is not 0-9 or A-Z", "lower case");
	UT_CHECK(regid_uti_reason(lei, strlen(lei), buf, sizeof buf) != NULL, "an LEI alone is no UTI");
	UT_CHECK(regid_uti_reason("5493001KJTIIGC8Y1R13X1", strlen("5493001KJTIIGC8Y1R13X1"), buf, sizeof buf) != NULL &&
			 strstr(buf, "MOD 97-10"),
		 "bad LEI prefix");
	UT_CHECK(regid_mic_reason("XNYM", strlen("XNYM")) == NULL, "MIC XNYM");
	UT_CHECK(regid_mic_reason("XOFF", strlen("XOFF")) == NULL, "MIC XOFF (off venue)");
	UT_CHECK(regid_mic_reason("NDEX", strlen("NDEX")) == NULL, "MIC NDEX");
	UT_CHECK(regid_mic_reason("xnym", strlen("xnym")) != NULL, "lower-case MIC");
	UT_CHECK(regid_mic_reason("XNYME", strlen("XNYME")) != NULL, "five characters");
	UT_CHECK(regid_mic_reason("", strlen("")) != NULL, "empty MIC");
	UT_CHECK(regid_timestamp_parse("2026-11-25T14:03:07+01:00", strlen("2026-11-25T14:03:07+01:00"), NULL, NULL, NULL) == NULL, "offset +01:00");
	UT_CHECK(regid_timestamp_parse("2026-11-25T14:03:07.123456-05:00", strlen("2026-11-25T14:03:07.123456-05:00"), NULL, NULL, NULL) == NULL, "fraction, -05:00");
	UT_CHECK(regid_timestamp_parse("2026-11-25T14:03:07Z", strlen("2026-11-25T14:03:07Z"), NULL, NULL, NULL) == NULL, "Z");
	UT_CHECK(regid_timestamp_parse("2026-11-25T14:03:07", strlen("2026-11-25T14:03:07"), NULL, NULL, NULL) != NULL, "no offset");
	UT_CHECK(regid_timestamp_parse("2026-11-25 14:03:07+01:00", strlen("2026-11-25 14:03:07+01:00"), NULL, NULL, NULL) != NULL, "space for T");
	UT_CHECK(regid_timestamp_parse("2026-02-30T14:03:07+01:00", strlen("2026-02-30T14:03:07+01:00"), NULL, NULL, NULL) != NULL, "no 30 February");
	UT_CHECK(regid_timestamp_parse("2026-11-25T24:03:07+01:00", strlen("2026-11-25T24:03:07+01:00"), NULL, NULL, NULL) != NULL, "hour 24");
	UT_CHECK(regid_timestamp_parse("2026-11-25T14:03:07+0100", strlen("2026-11-25T14:03:07+0100"), NULL, NULL, NULL) != NULL, "offset without colon");
	UT_CHECK(regid_timestamp_parse("2026-11-25T14:03:07.+01:00", strlen("2026-11-25T14:03:07.+01:00"), NULL, NULL, NULL) != NULL, "empty fraction");
	/* the instants, offsets and fractions (epoch seconds from python's
	 * datetime.fromisoformat): DST days of 2026 in Europe and the US */
	static const struct {
		const char *s;
		int64_t utc;
		int32_t off, nanos;
	} when[] = {
		{"2026-03-29T03:00:00.250+02:00", 1774746000, 7200, 250000000},
		{"2026-10-25T02:30:00+01:00", 1792891800, 3600, 0},
		{"2026-11-01T01:30:00-05:00", 1793514600, -18000, 0},
		{"2026-07-07T14:03:12.123456789Z", 1783432992, 0, 123456789},
	};
	for (size_t k = 0; k < sizeof when / sizeof when[0]; k++) {
		int64_t utc = 0;
		int32_t off = 1, nanos = -1;
		UT_CHECK(regid_timestamp_parse(when[k].s, strlen(when[k].s), &utc, &off, &nanos) == NULL &&
				 utc == when[k].utc && off == when[k].off && nanos == when[k].nanos,
			 when[k].s);
	}
	UT_EQ_STR(regid_timestamp_parse("2026-07-07T14:03:12+14:01", 25, NULL, NULL, NULL), "UTC offset beyond +-14:00",
		  "offset beyond 14:00");
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_live_append(void)
{
	char dir[] = "/tmp/qe-ut-screenXXXXXX";
	if (!mkdtemp(dir)) {
		UT_CHECK(0, "mkdtemp");
		return;
	}
	char book[128], news[128], mk[128];
	snprintf(book, sizeof book, "%s/book.csv", dir);
	snprintf(news, sizeof news, "%s/new.csv", dir);
	snprintf(mk, sizeof mk, "%s/markets.csv", dir);
	write_file(book, "trade_id,version,status,book,counterparty,instrument,curve,side,quantity,unit\n"
			 "A,1,new,B1,C,future,NG_HH,buy,3,lots\n"
			 "B,1,new,B1,C,swap,NG_HH,sell,50000,MMBtu\n");
	/* another column order; B amended, a new trade N */
	write_file(news, "unit,quantity,side,curve,instrument,counterparty,book,status,version,trade_id\n"
			 "lots,2,sell,NG_HH,future,C,B1,amend,2,B\n"
			 "lots,x,buy,NG_HH,future,C,B1,new,1,N\n");
	write_file(mk, "curve,commodity,unit,currency,lot_size\nNG_HH,gas,MMBtu,USD,10000\n");
	live_set s;
	qe_err e;
	UT_EQ_INT(live_read(book, news, &s, &e), 0, "book plus new trades read");
	UT_EQ_INT(s.n, 3, "three live trades");
	curvemaster *m = curvemaster_load(mk, &e);
	UT_CHECK(m != NULL, "markets");
	if (m && s.n == 3) {
		const curvemaster_curve *c = curvemaster_find(m, "NG_HH");
		double x;
		UT_EQ_INT(live_position(&s, s.row[0], c, 1, &x, &e), 0, "A in lots");
		UT_NEAR(x, 3, 0, "A: 3 lots");
		UT_EQ_INT(live_position(&s, s.row[0], c, 0, &x, &e), 0, "A in MMBtu");
		UT_NEAR(x, 30000, 0, "A: 3 x 10,000 MMBtu");
		UT_EQ_INT(live_position(&s, s.row[1], c, 1, &x, &e), 0, "B's amendment");
		UT_NEAR(x, -2, 0, "B is version 2 of the new file: sell 2 lots");
		UT_CHECK(live_position(&s, s.row[2], c, 1, &x, &e) == QE_DATA, "N's quantity is bad");
		char want[256];
		snprintf(want, sizeof want, "%s:3:2: column 'quantity': not a finite number 'x'", news);
		UT_EQ_STR(e.msg, want, "the message names the new file, its line and its column");
	}
	curvemaster_free(m);
	live_free(&s);
	remove(book);
	remove(news);
	remove(mk);
	remove(dir);
}

int main(void)
{
	test_shapes();
	test_live_append();
	return ut_done();
}
