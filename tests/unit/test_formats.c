/*
 * Unit tests of lib/io/formats: the tables agree with man/qe-formats.5, so
 * the page and the code cannot drift apart.
 *
 * The page gives a kind's columns either as a tag list (.Bl -tag with one
 * .It per column or ".It a , b" per pair: MARKETS, TRADES, PRICES) or as
 * header lines ".Ql a,b,c" in the kind's section; a kind's header is one
 * such line or several of them in order (COUNTERPARTIES spreads its
 * columns over two, the summaries of qe-optimize hedge and portfolio add
 * theirs to the common ones).  Every header line of the page must in turn
 * belong to some kind.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/schema.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "io/h5table.h"
#include "unit.h"

#define MAXSEC 128
#define MAXPIECE 16
#define MAXTAG 64

typedef struct section {
	char title[64];
	int npiece;
	char *piece[MAXPIECE]; /* ".Ql a,b,c" headers, in page order */
	int ntag;
	char *tag[MAXTAG];     /* column names of the first tag list */
} section;

static section secs[MAXSEC];
static int nsec;
static char version_nd[16];

/* 1 if s is "a,b,c": at least two comma-separated identifiers. */
static int is_header(const char *s)
{
	int parts = 1, start = 1;
	for (; *s; s++) {
		if (*s == ',') {
			if (start)
				return 0;
			parts++;
			start = 1;
		} else if (isalpha((unsigned char)*s) || *s == '_' || (!start && isdigit((unsigned char)*s))) {
			start = 0;
		} else {
			return 0;
		}
	}
	return !start && parts >= 2;
}

static int load_page(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	char line[1024];
	section *cur = NULL;
	int depth = 0, lists = 0, first_tag = 0;
	while (fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\n")] = '\0';
		const char *v;
		if (!strncmp(line, ".Nd ", 4) && (v = strstr(line, "schema version ")))
			snprintf(version_nd, sizeof version_nd, "%s", v + strlen("schema version "));
		if (!strncmp(line, ".Ss ", 4) && nsec < MAXSEC) {
			cur = &secs[nsec++];
			snprintf(cur->title, sizeof cur->title, "%s", line + 4);
			depth = lists = first_tag = 0;
			continue;
		}
		if (!strncmp(line, ".Sh ", 4))
			cur = NULL;
		if (!cur)
			continue;
		if (!strncmp(line, ".Bl ", 4)) {
			if (depth++ == 0 && lists++ == 0)
				first_tag = strstr(line, "-tag") != NULL;
		} else if (!strncmp(line, ".El", 3)) {
			depth--;
		} else if (depth == 1 && lists == 1 && first_tag && !strncmp(line, ".It ", 4)) {
			char *save, *tok = strtok_r(line + 4, " ", &save);
			for (; tok && cur->ntag < MAXTAG; tok = strtok_r(NULL, " ", &save))
				if (strcmp(tok, ","))
					cur->tag[cur->ntag++] = strdup(tok);
		} else if (!strncmp(line, ".Ql ", 4)) {
			char *tok = line + 4;
			tok[strcspn(tok, " ")] = '\0';
			if (is_header(tok) && cur->npiece < MAXPIECE)
				cur->piece[cur->npiece++] = strdup(tok);
		}
	}
	fclose(fp);
	return 0;
}

static const section *find_section(const char *title)
{
	for (int i = 0; i < nsec; i++)
		if (!strcmp(secs[i].title, title))
			return &secs[i];
	return NULL;
}

static void header_of(const formats_table *t, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < t->ncols && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? "," : "", t->cols[i].name);
}

/* 1 if hdr is the concatenation of pieces chosen in order from p[from..n). */
static int match_pieces(const char *hdr, char *const *p, int from, int n)
{
	if (!*hdr)
		return 1;
	for (int i = from; i < n; i++) {
		size_t len = strlen(p[i]);
		if (!strncmp(hdr, p[i], len) && (hdr[len] == '\0' || hdr[len] == ',') &&
		    match_pieces(hdr[len] ? hdr + len + 1 : hdr + len, p, i + 1, n))
			return 1;
	}
	return 0;
}

static int match_tags(const formats_table *t, const section *s)
{
	if (s->ntag != t->ncols)
		return 0;
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(s->tag[i], t->cols[i].name))
			return 0;
	return 1;
}

/* 1 if the page documents t's columns, in order, in t's section. */
static int documented(const formats_table *t)
{
	const section *s = find_section(t->section);
	char hdr[2048];
	header_of(t, hdr, sizeof hdr);
	return s && (match_tags(t, s) || match_pieces(hdr, s->piece, 0, s->npiece));
}

/* 1 if piece is a run of consecutive columns of some kind. */
static int piece_known(const char *piece)
{
	for (int k = 0; k < FMT_COUNT; k++) {
		char hdr[2048];
		header_of(formats_get(k), hdr, sizeof hdr);
		const char *at = hdr;
		size_t len = strlen(piece);
		while ((at = strstr(at, piece))) {
			if ((at == hdr || at[-1] == ',') && (at[len] == '\0' || at[len] == ','))
				return 1;
			at++;
		}
	}
	return 0;
}

static void test_page(void)
{
	const char *top = getenv("QE_TOP");
	char path[4096];
	snprintf(path, sizeof path, "%s/man/qe-formats.5", top ? top : ".");
	int rc = load_page(path);
	UT_EQ_INT(rc, 0, "man/qe-formats.5 is readable");
	if (rc)
		return;
	UT_EQ_INT(atoi(version_nd), FORMATS_VERSION, "schema version of the page is FORMATS_VERSION");
	UT_EQ_INT(H5TAB_SCHEMA_VERSION, FORMATS_VERSION, "HDF5 schema_version is FORMATS_VERSION");
	for (int k = 0; k < FMT_COUNT; k++) {
		const formats_table *t = formats_get(k);
		char name[160];
		snprintf(name, sizeof name, "%s: columns as in qe-formats(5) %s", t->name, t->section);
		UT_CHECK(documented(t), name);
	}
	for (int i = 0; i < nsec; i++)
		for (int j = 0; j < secs[i].npiece; j++) {
			char name[300];
			snprintf(name, sizeof name, "qe-formats(5) %s: '%s' is a kind's columns",
				 secs[i].title, secs[i].piece[j]);
			UT_CHECK(piece_known(secs[i].piece[j]), name);
		}
}

/* The matcher itself: a wrong order or a missing column is not a match. */
static void test_matcher(void)
{
	char *p[] = {"a,b,c", "d,e", "f"};
	UT_CHECK(match_pieces("a,b,c", p, 0, 3), "matcher: one piece");
	UT_CHECK(match_pieces("a,b,c,d,e", p, 0, 3), "matcher: two pieces");
	UT_CHECK(match_pieces("a,b,c,f", p, 0, 3), "matcher: pieces in order, one skipped");
	UT_CHECK(!match_pieces("a,b", p, 0, 3), "matcher: part of a piece");
	UT_CHECK(!match_pieces("d,e,a,b,c", p, 0, 3), "matcher: pieces out of order");
	UT_CHECK(!match_pieces("a,b,c,d", p, 0, 3), "matcher: a piece cut short");
	UT_CHECK(is_header("trade_id,reason") && !is_header("2027-01-01,2027-01-31") &&
			 !is_header("curve") && !is_header("a,,b"),
		 "matcher: header lines");
}

static void test_tables(void)
{
	int names_ok = 1, keys_ok = 1;
	for (int k = 0; k < FMT_COUNT; k++) {
		const formats_table *t = formats_get(k);
		names_ok &= t && t->kind == k && formats_find(t->name) == t;
		for (int i = 0; t && i < t->nkey; i++)
			keys_ok &= t->key[i] >= 0 && t->key[i] < t->ncols;
		for (int i = 0; t && i < t->ncols; i++)
			names_ok &= formats_colidx(t, t->cols[i].name) == i;
	}
	UT_CHECK(names_ok, "every kind is found by its name, every column by its name");
	UT_CHECK(keys_ok, "key columns are columns");
	UT_CHECK(!formats_get(-1) && !formats_get(FMT_COUNT) && !formats_find("nosuch"), "unknown kinds");
	UT_EQ_STR(formats_colname(FMT_TRADES, FMT_TR_VERSION), "version", "trades column index");
	UT_EQ_STR(formats_colname(FMT_MARKETS, FMT_MK_LOT), "lot_size", "markets column index");
	UT_EQ_STR(formats_colname(FMT_VOLS, FMT_VO_TYPE), "vol_type", "vols column index");
	UT_EQ_STR(formats_colname(FMT_FX_RATES, FMT_FX_RATE), "rate", "fx column index");
	UT_CHECK(!formats_colname(FMT_FIXINGS, 3), "column out of range");
	/* qe-ingest validates the inputs and meter periods, nothing else */
	UT_CHECK(schema_find("trades") && schema_find("meter_periods") && !schema_find("valuations") &&
			 !schema_get(FMT_REJECTS),
		 "schema_find: only the kinds qe-ingest validates");
}

/* The HDF5 tables of qe-price keep their layout. */
static void test_h5_specs(void)
{
	h5tab_colspec c[16];
	UT_EQ_INT(h5tab_colspecs(FMT_VALUATIONS, c, 16), 12, "valuations: 12 HDF5 columns");
	UT_CHECK(c[0].kind == H5TAB_STRING && c[4].kind == H5TAB_STRING && c[5].kind == H5TAB_DOUBLE &&
			 c[10].kind == H5TAB_DOUBLE && c[11].kind == H5TAB_STRING && !c[5].units,
		 "valuations: strings, doubles, model string");
	UT_EQ_INT(h5tab_colspecs(FMT_SENSITIVITIES, c, 16), 12, "sensitivities: 12 HDF5 columns");
	UT_CHECK(c[9].kind == H5TAB_DOUBLE && c[10].kind == H5TAB_STRING && c[11].kind == H5TAB_INT64,
		 "sensitivities: theta, curve2, tenor2");
	UT_CHECK(c[3].kind == H5TAB_DATE && c[4].kind == H5TAB_DATE && c[5].kind == H5TAB_INT64 &&
			 c[5].units && !strcmp(c[5].units, "months"),
		 "sensitivities: dates, tenor in months");
	UT_EQ_INT(h5tab_colspecs(FMT_TRADES, c, 16), -1, "too many columns for the buffer");
}

static void test_csv_header(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_LADDER);
	csvw_header_of(&w, FMT_REJECTS);
	fclose(fp);
	UT_EQ_STR(buf, "book,curve,month,delta,unit\nline,column,value,reason,record\n", "csvw_header_of");
	free(buf);
}

/* --- the bundled data files keep their contract ------------------------
 * Every CSV file of data/ and data/prev/ of a registered kind passes the row
 * validator of its kind as qe-store load applies it (header mapped, every
 * record checked), with curves checked against data/markets.csv.  A file
 * is the kind of its name, but for the ones below; a new file of no kind
 * fails here until it is listed. */
static const struct {
	const char *file, *kind; /* kind NULL: no kind of qe-formats(5) */
} bundled_kinds[] = {
	{"curves", "prices"},   {"vol_history", "vol-history"}, {"fx", "fx_rates"},
	{"accounts", "debtor_accounts"}, {"hedges", "hedge_menu"},
	{"demand", NULL}, /* date,value: qe-forecast's series, no kind */
	{"weather_forecast", "weather"}, /* the days ahead, in weather's columns */
};

/* The failures of path against t: how many records fail, and how many of
 * them only as 'bad_col' with a reason starting 'bad_why' (NULL: none
 * expected). */
static long check_bundled(const char *path, const formats_table *t, const schema_markets *m, const char *bad_col,
			  const char *bad_why, long *expected)
{
	qe_err e;
	qe_err_clear(&e);
	csv_reader *r = csvr_open(path, &e);
	if (!r) {
		printf("# %s\n", e.msg);
		return -1;
	}
	int n = csvr_ncols(r), colmap[64], unknown[64];
	csvscan_field hdr[64], f[64];
	for (int i = 0; i < n && i < 64; i++) {
		hdr[i].p = csvr_colname(r, i);
		hdr[i].len = strlen(hdr[i].p);
	}
	long bad = 0;
	*expected = 0;
	if (n > 64 || schema_map_header(t, hdr, n, colmap, unknown, path, 1, &e)) {
		printf("# %s\n", n > 64 ? "too many columns" : e.msg);
		csvr_close(r);
		return -1;
	}
	schema_ctx ctx = {.s = t, .markets = m, .colmap = colmap};
	strbuf out = {0};
	int st;
	while ((st = csvr_next(r, &e)) == CSVR_ROW || st == CSVR_BADROW) {
		row_check rc;
		int nf = csvr_nfields(r);
		for (int i = 0; i < nf && i < 64; i++)
			f[i].p = csvr_field(r, i, &f[i].len);
		out.len = 0;
		if (st == CSVR_BADROW) {
			printf("# %s\n", e.msg);
			bad++;
		} else if (schema_check_row(&ctx, f, nf < 64 ? nf : 64, &out, &rc)) {
			char why[400];
			schema_reject_text(t, &rc, why, sizeof why);
			int ok = bad_col && rc.col >= 0 && !strcmp(t->cols[rc.col].name, bad_col) &&
				 !strncmp(rc.reason, bad_why, strlen(bad_why));
			if (!ok)
				printf("# %s:%ld: %s\n", path, csvr_line(r), why);
			*expected += ok;
			bad++;
		}
	}
	if (st != CSVR_EOF) {
		printf("# %s\n", e.msg);
		bad++;
	}
	strbuf_free(&out);
	csvr_close(r);
	return bad;
}

static void test_bundled_dir(const char *top, const char *sub, const schema_markets *m)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", top, sub);
	struct dirent **list = NULL;
	int nlist = scandir(dir, &list, NULL, alphasort); /* in name order */
	UT_CHECK(nlist > 0, sub);
	int files = 0;
	for (int li = 0; li < nlist; li++) {
		const struct dirent *de = list[li];
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".csv"))
			continue;
		char base[256], path[4400], name[512];
		snprintf(base, sizeof base, "%.*s", (int)(len - 4), de->d_name);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		const char *kind = base;
		int listed = 0;
		for (size_t i = 0; i < sizeof bundled_kinds / sizeof bundled_kinds[0]; i++)
			if (!strcmp(base, bundled_kinds[i].file))
				kind = bundled_kinds[i].kind, listed = 1;
		const formats_table *t = kind ? formats_find(kind) : NULL;
		snprintf(name, sizeof name, "%s/%s is a kind of qe-formats(5)", sub, de->d_name);
		if (listed && !kind)
			continue;
		UT_CHECK(t != NULL, name);
		if (!t)
			continue;
		/* three LEIs of the bundled counterparties are broken on purpose
		 * (qe-synth: qe-screen's LEI checks find them) */
		int cpty = t->kind == FMT_COUNTERPARTIES;
		long expected = 0, bad = check_bundled(path, t, m, cpty ? "lei" : NULL, "invalid LEI", &expected);
		snprintf(name, sizeof name, "%s/%s passes its contract (%s)%s", sub, de->d_name, t->name,
			 cpty ? " but for three LEIs" : "");
		UT_CHECK(cpty ? bad == 3 && expected == 3 : bad == 0, name);
		files++;
	}
	for (int li = 0; li < nlist; li++)
		free(list[li]);
	free(list);
	UT_CHECK(files > 0, "bundled files found");
}

/* CT_IDLIST (SHARIA PROFILES' fields): long lists pass, each name is an
 * identifier. */
static void test_idlist(void)
{
	const formats_table *t = formats_get(FMT_SHARIA_PROFILES);
	int colmap[6] = {0, 1, 2, 3, 4, 5};
	schema_ctx ctx = {.s = t, .colmap = colmap};
	char name65[66], long_list[300];
	memset(name65, 'x', 65), name65[65] = 0;
	snprintf(long_list, sizeof long_list, "%s", "banking;insurance;alcohol;pork;gambling;adult_entertainment;tobacco");
	struct {
		const char *fields, *reason; /* NULL: valid */
	} cases[] = {
		{long_list, NULL},
		{"receivables+cash", NULL},
		{"debt", NULL},
		{name65, "a name of the list is longer than 64 bytes"},
		{"banking;;pork", "empty item in a list of names"},
		{"banking;", "empty item in a list of names"},
		{"banking; pork", "leading or trailing blank in a name of the list"},
		{"x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;"
		 "x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;"
		 "x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x",
		 "longer than 256 bytes"},
	};
	UT_CHECK(strlen(long_list) > 64, "a list longer than an identifier");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *v[6] = {"P", "r", "sector", cases[i].fields, "", ""};
		csvscan_field f[6];
		for (int k = 0; k < 6; k++)
			f[k].p = v[k], f[k].len = strlen(v[k]);
		strbuf out = {0};
		row_check rc;
		int got = schema_check_row(&ctx, f, 6, &out, &rc);
		char name[160];
		snprintf(name, sizeof name, "fields '%.40s': %s", cases[i].fields,
			 cases[i].reason ? cases[i].reason : "valid");
		if (cases[i].reason)
			UT_CHECK(got != 0 && rc.col == 3 && !strcmp(rc.reason, cases[i].reason), name);
		else
			UT_CHECK(got == 0 && out.len == strlen(cases[i].fields) + 14, name);
		if (got && !cases[i].reason)
			printf("# %s\n", rc.reason);
		strbuf_free(&out);
	}
}

static void test_bundled(void)
{
	const char *top = getenv("QE_TOP");
	char path[4096];
	qe_err e;
	qe_err_clear(&e);
	top = top && *top ? top : ".";
	snprintf(path, sizeof path, "%s/data/markets.csv", top);
	schema_markets *m = schema_markets_load(path, &e);
	snprintf(path, sizeof path, "%s/data/calendars", top);
	UT_CHECK(m && schema_markets_load_calendars(m, path, &e) == 0, "the bundled curve master and calendars");
	if (!m) {
		printf("# %s\n", e.msg);
		return;
	}
	test_bundled_dir(top, "data", m);
	test_bundled_dir(top, "data/prev", m);
	schema_markets_free(m);
}

int main(void)
{
	test_matcher();
	test_tables();
	test_h5_specs();
	test_csv_header();
	test_page();
	test_idlist();
	test_bundled();
	return ut_done();
}
