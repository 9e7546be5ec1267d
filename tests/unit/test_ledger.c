/*
 * Unit tests of lib/settle/ledger: the holdings (blocks split and merged,
 * every invariant refused without a change), the entry checks, the
 * content an entry signs, the hex spelling, and the header against
 * io/formats.
 */
#include <stdlib.h>
#include <string.h>

#include "io/formats.h"
#include "settle/ledger.h"
#include "settle/ledger_key.h"
#include "unit.h"

static ledger_entry mk(int kind, const char *from, const char *to, const char *unit, int vintage, int64_t first,
		       int64_t last)
{
	ledger_entry en;
	memset(&en, 0, sizeof en);
	en.kind = kind;
	snprintf(en.from, sizeof en.from, "%s", from);
	snprintf(en.to, sizeof en.to, "%s", to);
	snprintf(en.unit, sizeof en.unit, "%s", unit);
	en.vintage = vintage;
	en.first = first;
	en.last = last;
	en.quantity = last - first + 1;
	snprintf(en.time, sizeof en.time, "2026-12-01T00:00:00Z");
	return en;
}

/* The balance row of account/unit/vintage, or NULL. */
static const ledger_balance *row(const ledger_balance *b, size_t n, const char *acct, const char *unit, int v)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(b[i].account, acct) && !strcmp(b[i].unit, unit) && b[i].vintage == v)
			return &b[i];
	return NULL;
}

static void test_state(void)
{
	ledger_state *s = ledger_state_new();
	qe_err e;
	ledger_entry en = mk(LEDGER_ISSUE, "", "A", "EUA", 2026, 1, 100);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), 0, "issue 1-100 to A");
	en = mk(LEDGER_ISSUE, "", "A", "EUA", 2026, 100, 120);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), QE_DATA, "issuing serial 100 again is refused");
	UT_CHECK(strstr(e.msg, "already issued") != NULL, "... as already issued");
	en = mk(LEDGER_ISSUE, "", "A", "UKA", 2026, 1, 10);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), 0, "the same serials of another unit are another thing");
	en = mk(LEDGER_TRANSFER, "A", "B", "EUA", 2026, 41, 60);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), 0, "transfer from the middle of a block");
	en = mk(LEDGER_TRANSFER, "A", "B", "EUA", 2026, 50, 70);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), QE_DATA, "double spend of 50-60 refused");
	UT_CHECK(strstr(e.msg, "serials 50-60 of EUA are held by B, not A") != NULL, "... naming the serials");
	en = mk(LEDGER_TRANSFER, "B", "A", "EUA", 2026, 41, 60);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), 0, "and back: the blocks merge again");
	en = mk(LEDGER_TRANSFER, "A", "C", "EUA", 2026, 1, 100);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), 0, "the merged block moves whole");
	en = mk(LEDGER_TRANSFER, "C", "A", "EUA", 2026, 95, 105);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), QE_DATA, "past the issued serials: negative balance");
	UT_CHECK(strstr(e.msg, "serials 101-105 of EUA were never issued") != NULL, "... naming the gap");
	en = mk(LEDGER_RETIRE, "C", "", "EUA", 2026, 91, 100);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), 0, "retire 91-100");
	en = mk(LEDGER_SURRENDER, "C", "", "EUA", 2026, 81, 90);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), 0, "surrender 81-90");
	en = mk(LEDGER_TRANSFER, "C", "A", "EUA", 2026, 85, 95);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), QE_DATA, "retired or surrendered units never move");
	UT_CHECK(strstr(e.msg, "surrendered by C") != NULL, "... surrendered named first");
	en = mk(LEDGER_TRANSFER, "C", "A", "EUA", 2025, 1, 5);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), QE_DATA, "wrong vintage refused");
	ledger_balance *b;
	size_t n;
	UT_EQ_INT(ledger_state_balances(s, &b, &n, &e), 0, "balances");
	UT_EQ_INT(n, 2, "two rows: C's EUA, A's UKA");
	const ledger_balance *c = row(b, n, "C", "EUA", 2026);
	UT_CHECK(c && c->held == 80 && c->surrendered == 10 && c->retired == 10, "C: 80 held, 10 surrendered, 10 retired");
	UT_CHECK(row(b, n, "A", "UKA", 2026) && row(b, n, "A", "UKA", 2026)->held == 10, "A: 10 UKA");
	UT_EQ_STR(b[0].account, "A", "sorted by account");
	free(b);
	ledger_state_free(s);
}

/* Many alternating single-serial moves, then all back: one block again. */
static void test_fragmentation(void)
{
	ledger_state *s = ledger_state_new();
	qe_err e;
	ledger_entry en = mk(LEDGER_ISSUE, "", "A", "EUA", 2030, 1, 10000);
	int bad = ledger_state_apply(s, &en, &e);
	for (int64_t i = 1; i <= 10000; i += 2) {
		en = mk(LEDGER_TRANSFER, "A", "B", "EUA", 2030, i, i);
		bad |= ledger_state_apply(s, &en, &e);
	}
	for (int64_t i = 1; i <= 10000; i += 2) {
		en = mk(LEDGER_TRANSFER, "B", "A", "EUA", 2030, i, i);
		bad |= ledger_state_apply(s, &en, &e);
	}
	UT_EQ_INT(bad, 0, "10,000 single-serial moves applied");
	en = mk(LEDGER_TRANSFER, "A", "B", "EUA", 2030, 1, 10000);
	UT_EQ_INT(ledger_state_apply(s, &en, &e), 0, "the whole range is A's again");
	ledger_balance *b;
	size_t n;
	ledger_state_balances(s, &b, &n, &e);
	UT_CHECK(n == 1 && !strcmp(b[0].account, "B") && b[0].held == 10000, "one row: B holds 10,000");
	free(b);
	ledger_state_free(s);
}

static void test_format(void)
{
	const formats_table *t = formats_get(FMT_LEDGER);
	char hdr[512] = "";
	for (int i = 0; i < t->ncols; i++)
		snprintf(hdr + strlen(hdr), sizeof hdr - strlen(hdr), "%s%s", i ? "," : "", t->cols[i].name);
	UT_EQ_STR(ledger_header, hdr, "ledger_header is the LEDGER columns of io/formats");
	ledger_entry en = mk(LEDGER_TRANSFER, "A-1", "B-2", "EUA", 2026, 201, 600);
	en.seq = 7;
	snprintf(en.reference, sizeof en.reference, "trade T1");
	char buf[LEDGER_LINE_MAX];
	size_t len = ledger_entry_content(&en, "0123456789abcdef", "ff", buf);
	UT_EQ_STR(buf, "7,2026-12-01T00:00:00Z,transfer,A-1,B-2,EUA,2026,400,201,600,trade T1,0123456789abcdef,ff",
		  "content: the fields up to prev_hash");
	UT_EQ_INT(len, strlen(buf), "content length");
	const char *col;
	qe_err e;
	UT_EQ_INT(ledger_entry_check(&en, &col, &e), 0, "a good transfer");
	en.quantity = 399;
	UT_EQ_INT(ledger_entry_check(&en, &col, &e), QE_DATA, "quantity must count the serials");
	UT_EQ_STR(col, "quantity", "... naming quantity");
	en.quantity = 400;
	snprintf(en.reference, sizeof en.reference, "a,b");
	UT_EQ_INT(ledger_entry_check(&en, &col, &e), QE_DATA, "no comma in a reference");
	en.reference[0] = '\0';
	snprintf(en.to, sizeof en.to, "A-1");
	UT_EQ_INT(ledger_entry_check(&en, &col, &e), QE_DATA, "no transfer to itself");
	en = mk(LEDGER_ISSUE, "X", "A", "EUA", 2026, 1, 1);
	UT_EQ_INT(ledger_entry_check(&en, &col, &e), QE_DATA, "an issue has no from_account");
	en = mk(LEDGER_RETIRE, "A", "", "EUA", 1989, 1, 1);
	UT_EQ_INT(ledger_entry_check(&en, &col, &e), QE_DATA, "vintage 1989 refused");
	en = mk(LEDGER_RETIRE, "A", "", "EUA", 2026, 0, 1);
	UT_EQ_INT(ledger_entry_check(&en, &col, &e), QE_DATA, "serial 0 refused");

	unsigned char raw[4] = {0x00, 0xab, 0x7f, 0xff}, back[4];
	char hex[9];
	ledger_hex(raw, 4, hex);
	UT_EQ_STR(hex, "00ab7fff", "hex is lowercase");
	UT_EQ_INT(ledger_unhex(hex, 8, back, 4), 0, "hex reads back");
	UT_CHECK(!memcmp(raw, back, 4), "... to the same bytes");
	UT_EQ_INT(ledger_unhex("00AB7FFF", 8, back, 4), -1, "upper case refused: one spelling per hash");
	UT_EQ_INT(ledger_unhex("00ab7ff", 7, back, 4), -1, "odd length refused");
}

int main(void)
{
	test_state();
	test_fragmentation();
	test_format();
	return ut_done();
}
