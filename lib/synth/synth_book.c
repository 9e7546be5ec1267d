/* synth: the book - trades (streamed in parallel blocks), counterparties
 * and limits. */
#include "synth/synth_book.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/iban.h"
#include "core/lei.h"
#include "io/formats.h"
#include "price/black76.h"
#include "time/tz.h"
#include "synth/synth_impl.h"

enum { C_NG, C_CL, C_BRENT, C_HO, C_TTF, C_PJMP, C_PJMO, C_DEB, C_DEP, C_EUA };

/* ---- counterparties ----------------------------------------------------- */

static const char *const cp_first[] = {
	"Northwind", "Bluefjord", "Kestrel", "Ardent", "Solace", "Meridian", "Harrow", "Lumen",
	"Corvid", "Tamsin", "Osprey", "Valdor", "Quarry", "Brightwater", "Ironbark", "Sable",
	"Calder", "Westmark", "Halcyon", "Juniper"};
static const char *const cp_second[] = {
	"Energy Trading", "Power AG", "Gas Supply", "Commodities SA", "Utilities plc",
	"Resources Ltd", "Capital LLC", "Brewing Co", "Petroleum BV", "Metals GmbH"};
/* sector of each second name: the Shariah screen tests need banks
 * (interest-based finance), alcohol and gambling among the counterparties */
static const char *const cp_sector[] = {
	"trading", "utilities", "utilities", "trading", "utilities",
	"mining", "banking", "alcohol", "oil_gas", "mining"};
/* CFTC disaggregated COT category of each second name (qe-report cot) */
static const char *const cp_category[] = {
	"other_reportable", "producer_merchant", "producer_merchant", "managed_money", "producer_merchant",
	"producer_merchant", "swap_dealer", "other_reportable", "producer_merchant", "producer_merchant"};
static const char *const cp_country[] = {"US", "DE", "NL", "GB", "FR", "NO", "CH", "AE", "SA", "MY", "IT", "ES"};
static const char *const cp_lou[] = {"5493", "5299", "2138", "3912", "8156", "9695", "7245", "2549"};
/* counterparties whose LEI is deliberately broken (wrong check digits) */
static int cp_bad_lei(int i) { return i == 7 || i == 19 || i == 33; }

/* Counterparty table shared by trades and counterparties.csv. */
enum { SYNTH_NCPTY = 40 };

static const char *synth_cpty_id(int i, char buf[16])
{
	snprintf(buf, 16, "CP%03d", i + 1);
	return buf;
}

/* Clearing house of a venue ("CME_CLEARING" ...). */
static const char *synth_clearer(const char *venue)
{
	if (strcmp(venue, "NYMEX") == 0)
		return "CME_CLEARING";
	if (strcmp(venue, "EEX") == 0)
		return "EEX_ECC";
	return "ICE_CLEAR_EU";
}

/* The ISO 10383 MIC of an exchange of the curve master (operating MICs:
 * NYMEX, ICE Futures Europe, ICE Endex, EEX); XOFF for anything else. */
static const char *synth_mic(const char *venue)
{
	static const char *const map[][2] = {
		{"NYMEX", "XNYM"}, {"ICE", "IFEU"}, {"ICE_ENDEX", "NDEX"}, {"EEX", "XEEE"}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(venue, map[i][0]) == 0)
			return map[i][1];
	return "XOFF";
}

static void cp_lei(synth *s, int i, char lei[21])
{
	static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	qe_rng r;
	char check[3];
	rng_init(&r, s->cfg.seed, synth_stream(STREAM_CPTY, 1000 + (uint64_t)i));
	memcpy(lei, cp_lou[rng_below(&r, 8)], 4);
	lei[4] = lei[5] = '0';
	for (int k = 6; k < 18; k++)
		lei[k] = alnum[rng_below(&r, 36)];
	lei[18] = '\0';
	lei_check_digits(lei, check);
	if (cp_bad_lei(i))
		check[1] = (char)('0' + (check[1] - '0' + 1) % 10);
	lei[18] = check[0];
	lei[19] = check[1];
	lei[20] = '\0';
}

/* counterparties whose bank details are deliberately wrong, so that qe-settle
 * pay has payments to hold back: wrong IBAN check digits, a BIC of the wrong
 * shape, an IBAN cut short */
static int cp_bad_bank(int i) { return i == 11 ? 1 : i == 26 ? 2 : i == 36 ? 3 : 0; }

/* The bank details of counterparty i: an IBAN of its country (of GB when
 * its country has no IBAN: a sterling/euro account in London) with valid
 * check digits, and its bank's BIC; a separate stream, so the other
 * columns are those of seeds before bank details existed. */
static void cp_bank(synth *s, int i, const char *country, char iban[40], char bic[16])
{
	static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	qe_rng r;
	char cc[3], bank[5], bban[36], check[3];
	rng_init(&r, s->cfg.seed, synth_stream(STREAM_CPTY, 2000 + (uint64_t)i));
	snprintf(cc, sizeof cc, "%s", iban_country_length(country) ? country : "GB");
	int len = iban_country_length(cc);
	for (int k = 0; k < 4; k++)
		bank[k] = letters[rng_below(&r, 26)];
	bank[4] = '\0';
	/* GB and NL BBANs open with the bank's four letters; digits elsewhere */
	int lead = strcmp(cc, "GB") == 0 || strcmp(cc, "NL") == 0 ? 4 : 0;
	memcpy(bban, bank, (size_t)lead);
	for (int k = lead; k < len - 4; k++)
		bban[k] = (char)('0' + rng_below(&r, 10));
	bban[len - 4] = '\0';
	iban_check_digits(cc, bban, check);
	snprintf(iban, 40, "%s%s%s", cc, check, bban);
	snprintf(bic, 16, "%s%s%c%cXXX", bank, cc, letters[rng_below(&r, 26)],
		 (char)('0' + rng_below(&r, 10)));
	switch (cp_bad_bank(i)) {
	case 1: iban[3] = (char)('0' + (iban[3] - '0' + 1) % 10); break;
	case 2: bic[9] = '\0'; break; /* 9 characters */
	case 3: iban[len - 2] = '\0'; break;
	default: break;
	}
}

static double round_to(double x, double step) { return round(x / step) * step; }

int synth_write_counterparties(synth *s, FILE *fp, qe_err *e)
{
	(void)e;
	static const char *const clearers[][3] = {
		{"CME_CLEARING", "CME Clearing House", "US"},
		{"ICE_CLEAR_EU", "ICE Clear Europe", "GB"},
		{"EEX_ECC", "European Commodity Clearing", "DE"}};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_COUNTERPARTIES);
	for (int i = 0; i < SYNTH_NCPTY + 3; i++) {
		qe_rng r;
		char id[16], name[96], lei[21], iban[40], bic[16];
		const char *sector, *country, *category = "nonreportable"; /* a CCP: the anonymous market */
		rng_init(&r, s->cfg.seed, synth_stream(STREAM_CPTY, (uint64_t)i));
		if (i < SYNTH_NCPTY) {
			int a = i % 20, b = (i * 7 + i / 20) % 10;
			snprintf(name, sizeof name, "%s %s", cp_first[a], cp_second[b]);
			synth_cpty_id(i, id);
			sector = cp_sector[b];
			category = cp_category[b];
			country = cp_country[rng_below(&r, 12)];
		} else {
			snprintf(id, sizeof id, "%s", clearers[i - SYNTH_NCPTY][0]);
			snprintf(name, sizeof name, "%s", clearers[i - SYNTH_NCPTY][1]);
			sector = "clearing";
			country = clearers[i - SYNTH_NCPTY][2];
		}
		cp_lei(s, i, lei);
		cp_bank(s, i, country, iban, bic);
		const char *ccy = (strcmp(country, "US") == 0) ? "USD" : "EUR";
		double assets = round_to(exp(log(5e8) + rng_uniform(&r) * log(160.0)), 1e6);
		double mcap = round_to(assets * (0.3 + 1.2 * rng_uniform(&r)), 1e6);
		double debt = round_to(mcap * (0.05 + 0.55 * rng_uniform(&r)), 1e6);
		double cash = round_to(mcap * (0.02 + 0.38 * rng_uniform(&r)), 1e6);
		double recv = round_to(mcap * (0.05 + 0.55 * rng_uniform(&r)), 1e6);
		double revenue = round_to(assets * (0.2 + rng_uniform(&r)), 1e6);
		double npi_share = strcmp(sector, "banking") == 0 || strcmp(sector, "alcohol") == 0
					   ? 0.5 + 0.4 * rng_uniform(&r)
					   : 0.08 * rng_uniform(&r);
		double npi = round_to(revenue * npi_share, 1e5);
		double limit = i < SYNTH_NCPTY ? round_to(5e6 + 195e6 * rng_uniform(&r), 5e6) : 1e9;
		int netting = rng_uniform(&r) < 0.8 || i >= SYNTH_NCPTY;
		/* trailing averages (drawn last, so the figures above keep
		 * their values): within -20%/+20% (24 months) and -30%/+30% (36) */
		double mcap24 = round_to(mcap * (0.8 + 0.4 * rng_uniform(&r)), 1e6);
		double mcap36 = round_to(mcap * (0.7 + 0.6 * rng_uniform(&r)), 1e6);
		/* CP012 is CP011's subsidiary: one beneficial owner on purpose */
		char owner[16], parent[16] = "";
		snprintf(owner, sizeof owner, "%s", id);
		if (i == 11) {
			synth_cpty_id(10, parent);
			snprintf(owner, sizeof owner, "%s", parent);
		}
		csvw_str(&w, id);
		csvw_str(&w, name);
		csvw_str(&w, lei);
		csvw_str(&w, country);
		csvw_str(&w, sector);
		csvw_double(&w, limit);
		csvw_str(&w, ccy);
		csvw_str(&w, netting ? "yes" : "no");
		csvw_double(&w, assets);
		csvw_double(&w, mcap);
		csvw_double(&w, debt);
		csvw_double(&w, cash);
		csvw_double(&w, recv);
		csvw_double(&w, revenue);
		csvw_double(&w, npi);
		csvw_str(&w, owner);
		csvw_str(&w, parent);
		csvw_double(&w, mcap24);
		csvw_double(&w, mcap36);
		csvw_str(&w, iban);
		csvw_str(&w, bic);
		csvw_str(&w, category);
		csvw_end(&w);
	}
	return 0;
}

/* ---- books and traders -------------------------------------------------- */

enum { B_GAS_US, B_GAS_EU, B_POWER_EU, B_POWER_US, B_OIL, B_CARBON, B_ISLAMIC, NBOOKS };
static const struct {
	const char *name;
	double weight;
	const char *traders[3];
} books[NBOOKS] = {
	{"GAS_US", 0.20, {"jharper", "mokafor", "lchen"}},
	{"GAS_EU", 0.12, {"svandijk", "pmuller", "aricci"}},
	{"POWER_EU", 0.22, {"kbauer", "fschmidt", "ewagner"}},
	{"POWER_US", 0.14, {"rdiaz", "tnguyen", "bwalsh"}},
	{"OIL", 0.18, {"hnasser", "gcampbell", "ypetrov"}},
	{"CARBON", 0.08, {"mlindqvist", "cdubois", "ahansen"}},
	{"ISLAMIC", 0.06, {"fhaddad", "iyusuf", "zrahman"}},
};

int synth_write_limits(synth *s, FILE *fp, qe_err *e)
{
	(void)e;
	/* net delta limits in commodity units, spot-month limits in lots
	 * (CFTC 17 CFR 150: NG 2,000, CL 6,000, HO 2,000 contracts) */
	static const double delta_limit[] = {5e7, 5e6, 5e6, 1e8, 2e6, 5e5, 5e5, 1e6, 5e5, 5e6, 1e8};
	_Static_assert(sizeof delta_limit / sizeof delta_limit[0] == SYNTH_NCURVES, "a limit per curve");
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_LIMITS);
	int id = 0;
	char buf[32];
	for (int c = 0; c < synth_ncurves; c++) {
		snprintf(buf, sizeof buf, "L%04d", ++id);
		csvw_str(&w, buf);
		csvw_str(&w, "position");
		csvw_str(&w, "curve");
		csvw_str(&w, synth_curves[c].curve);
		csvw_str(&w, "net_delta");
		csvw_double(&w, delta_limit[c]);
		csvw_str(&w, synth_curves[c].unit);
		csvw_end(&w);
	}
	static const struct { const char *curve; double lots; } spot_month[] = {
		{"NG_HH", 2000}, {"CL_WTI", 6000}, {"HO_ULSD", 2000}};
	for (int i = 0; i < 3; i++) {
		snprintf(buf, sizeof buf, "L%04d", ++id);
		csvw_str(&w, buf);
		csvw_str(&w, "position");
		csvw_str(&w, "curve");
		csvw_str(&w, spot_month[i].curve);
		csvw_str(&w, "spot_month_lots");
		csvw_double(&w, spot_month[i].lots);
		csvw_str(&w, "lots");
		csvw_end(&w);
	}
	qe_rng r;
	rng_init(&r, s->cfg.seed, synth_stream(STREAM_CPTY, 5000));
	for (int b = 0; b < NBOOKS; b++) {
		snprintf(buf, sizeof buf, "L%04d", ++id);
		csvw_str(&w, buf);
		csvw_str(&w, "var");
		csvw_str(&w, "book");
		csvw_str(&w, books[b].name);
		csvw_str(&w, "var_99_1d");
		csvw_double(&w, round_to(5e5 + 4.5e6 * rng_uniform(&r), 1e5));
		csvw_str(&w, b == B_GAS_EU || b == B_POWER_EU || b == B_CARBON ? "EUR" : "USD");
		csvw_end(&w);
	}
	for (int i = 0; i < SYNTH_NCPTY; i += 4) {
		char cp[16];
		snprintf(buf, sizeof buf, "L%04d", ++id);
		csvw_str(&w, buf);
		csvw_str(&w, "credit");
		csvw_str(&w, "counterparty");
		csvw_str(&w, synth_cpty_id(i, cp));
		csvw_str(&w, "exposure");
		csvw_double(&w, round_to(2e6 + 48e6 * rng_uniform(&r), 1e6));
		csvw_str(&w, "USD");
		csvw_end(&w);
	}
	for (int b = 0; b < NBOOKS; b++)
		for (int t = 0; t < 3; t++) {
			snprintf(buf, sizeof buf, "L%04d", ++id);
			csvw_str(&w, buf);
			csvw_str(&w, "trader");
			csvw_str(&w, "trader");
			csvw_str(&w, books[b].traders[t]);
			csvw_str(&w, "max_trade_notional");
			csvw_double(&w, round_to(5e6 + 45e6 * rng_uniform(&r), 1e6));
			csvw_str(&w, b == B_GAS_EU || b == B_POWER_EU || b == B_CARBON ? "EUR" : "USD");
			csvw_end(&w);
		}
	return 0;
}

/* ---- trades ------------------------------------------------------------- */

#define NO_DATE INT32_MIN

typedef struct trade {
	char id[24];
	int version;
	const char *status;
	qe_date trade_date;
	const char *book, *trader;
	char cpty[16];
	const char *instrument;
	int c, c2;
	int buy;
	double qty;
	const char *unit;
	double price;
	qe_date ds, de;
	const char *shape;
	const char *otype; /* NULL: not an option */
	double strike;
	const char *exercise;
	qe_date expiry, avg_s, avg_e;
	double ratio;
	const char *model;
	const char *venue;  /* MIC: the exchange's for cleared trades, XOFF bilateral */
	int64_t exec_ms;    /* execution (of this version) in ms since 1970 UTC */
} trade;

/* The LEI our UTIs start with (qe-report remit --reporting-lei). */
#define SYNTH_OUR_LEI "5493001KJTIIGC8Y1R12"

/* A plausible traded premium per unit: the undiscounted Black-76 or
 * Bachelier value (lib/black76) at the as-of forward and a vol from the
 * surface.  The pricer values the book; this only has to look like a
 * price someone paid.  Out-of-domain inputs give 0 (then one tick). */
static double rough_premium(int call, int normal, double f, double k, double vol, double t)
{
	opt_greeks g;
	const char *why;
	if (t < 1.0 / 365)
		t = 1.0 / 365;
	int type = call ? OPT_CALL : OPT_PUT;
	int st = normal ? bachelier(type, f, k, vol * fabs(f), 0, t, &g, &why)
			: black76(type, f, k, vol, 0, t, &g, &why);
	return st == OPT_OK && g.price > 0 ? g.price : 0;
}

static int pick_weighted(qe_rng *r, const double *w, int n)
{
	double u = rng_uniform(r), acc = 0;
	for (int i = 0; i < n; i++) {
		acc += w[i];
		if (u < acc)
			return i;
	}
	return n - 1;
}

/* Front-weighted delivery month 1..max. */
static int pick_month(qe_rng *r, int max)
{
	double u = rng_uniform(r);
	int m = 1 + (int)(max * u * u);
	return m > max ? max : m;
}

static qe_date month_first(const synth *s, int m) { return date_add_months_first(s->month0, m); }

static qe_date past_trade_date(const synth *s, qe_rng *r, int c, int max_days)
{
	qe_date d = s->cfg.asof - (qe_date)rng_below(r, (uint64_t)max_days + 1);
	return cal_preceding(s->cal[c], d);
}

static const char *shape_for(int c, qe_rng *r)
{
	if (c == C_PJMO)
		return rng_uniform(r) < 0.6 ? "7x8" : "2x16";
	return synth_curves[c].shape;
}

/* Option-like fields: strike near the forward, expiry from the contract
 * rules, premium from the vol surface. */
static void make_option(const synth *s, qe_rng *r, trade *t, int m, int normal)
{
	const synth_curve *k = &synth_curves[t->c];
	double f = synth_fwd(s, t->c, m);
	int call = rng_uniform(r) < 0.5;
	t->otype = call ? "call" : "put";
	t->strike = synth_round(f * exp(0.15 * rng_normal(r)), k->strike_step);
	if (t->strike <= 0)
		t->strike = k->strike_step;
	t->expiry = synth_option_expiry(s, t->c, t->ds);
	double yrs = (t->expiry - s->cfg.asof) / 365.0;
	int cm;
	{
		int y, d;
		date_to_ymd(t->ds, &y, &cm, &d);
	}
	double vol = synth_atm_vol(t->c, yrs, cm);
	t->price = synth_round(rough_premium(call, normal, f, t->strike, vol, yrs), k->tick);
	if (t->price <= 0)
		t->price = k->tick;
}

enum instr { IN_FUT, IN_FWD, IN_SWAP, IN_PHYS, IN_OPT, IN_ASIAN, IN_SPREAD, IN_SPOT, IN_N };

/* A trade with no optional field set. */
static void trade_init(trade *t, int64_t i)
{
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "T%08lld", (long long)(i + 1));
	t->version = 1;
	t->status = "new";
	t->strike = NAN;
	t->ratio = NAN;
	t->expiry = t->avg_s = t->avg_e = NO_DATE;
	t->c2 = -1;
	t->shape = "";
	t->model = "";
	t->exercise = "";
}

/* The curve a trade of book b is on (t->c) and the mix of instruments
 * the book trades on it (w[enum instr]). */
static void book_curve_mix(int b, qe_rng *r, trade *t, double w[IN_N])
{
	switch (b) {
	case B_GAS_US:
		t->c = C_NG;
		w[IN_FUT] = 0.30, w[IN_SWAP] = 0.25, w[IN_OPT] = 0.20, w[IN_ASIAN] = 0.10, w[IN_PHYS] = 0.15;
		break;
	case B_GAS_EU:
		t->c = C_TTF;
		w[IN_FUT] = 0.35, w[IN_PHYS] = 0.30, w[IN_OPT] = 0.25, w[IN_SWAP] = 0.10;
		break;
	case B_POWER_EU:
		t->c = rng_uniform(r) < 0.6 ? C_DEB : C_DEP;
		w[IN_FUT] = 0.30, w[IN_PHYS] = 0.25, w[IN_FWD] = 0.10, w[IN_OPT] = 0.15, w[IN_SPREAD] = 0.15,
		w[IN_SWAP] = 0.05;
		break;
	case B_POWER_US:
		t->c = rng_uniform(r) < 0.6 ? C_PJMP : C_PJMO;
		w[IN_FWD] = 0.35, w[IN_PHYS] = 0.30, w[IN_OPT] = 0.20, w[IN_SWAP] = 0.15;
		break;
	case B_OIL:
		t->c = rng_uniform(r) < 0.5 ? C_CL : C_BRENT;
		w[IN_FUT] = 0.30, w[IN_SWAP] = 0.25, w[IN_OPT] = 0.20, w[IN_ASIAN] = 0.15, w[IN_SPREAD] = 0.10;
		break;
	case B_CARBON:
		t->c = C_EUA;
		w[IN_SPOT] = 0.30, w[IN_FUT] = 0.45, w[IN_OPT] = 0.25;
		break;
	default: { /* ISLAMIC: commodity purchases (murabaha/salam-like) and a
		    * few conventional futures and options the screen must flag */
		static const int cs[] = {C_NG, C_BRENT, C_CL, C_TTF, C_EUA};
		t->c = cs[rng_below(r, 5)];
		w[IN_PHYS] = 0.40, w[IN_FWD] = 0.25, w[IN_SPOT] = 0.20, w[IN_FUT] = 0.10, w[IN_OPT] = 0.05;
		if (t->c == C_EUA)
			w[IN_PHYS] = 0, w[IN_FWD] = 0.25, w[IN_SPOT] = 0.60;
	}
	}
}

/* Delivery in month m after the as-of month: the whole calendar month. */
static void set_month(const synth *s, trade *t, int m)
{
	t->ds = month_first(s, m);
	t->de = synth_month_end(t->ds);
}

/* Futures: lots of the curve's contract; EUA trades December contracts. */
static void gen_future(const synth *s, qe_rng *r, trade *t, int m)
{
	const synth_curve *k = &synth_curves[t->c];
	t->instrument = "future";
	if (t->c == C_EUA) {
		int dec = 1;
		while (dec <= s->nmonths) {
			int y, mo, d;
			date_to_ymd(month_first(s, dec), &y, &mo, &d);
			if (mo == 12)
				break;
			dec++;
		}
		m = dec + 12 * (int)rng_below(r, 3);
		if (m > s->nmonths)
			m = dec;
		set_month(s, t, m);
		t->price = synth_round(synth_fwd(s, t->c, m) * exp(0.06 * rng_normal(r)), k->tick);
	}
	t->qty = (double)(1 + rng_below(r, 50));
	t->unit = "lots";
	t->shape = k->shape;
}

/* Forwards: power in MW of a shape (sometimes a quarter), gas per gas day. */
static void gen_forward(const synth *s, qe_rng *r, trade *t, int m)
{
	const synth_curve *k = &synth_curves[t->c];
	t->instrument = "forward";
	if (k->abs_returns) {
		t->qty = 5.0 * (double)(1 + rng_below(r, 10));
		t->unit = "MW";
		t->shape = shape_for(t->c, r);
		if (rng_uniform(r) < 0.3 && m + 2 <= s->nmonths) /* a quarter */
			t->de = synth_month_end(month_first(s, m + 2));
	} else if (strcmp(k->commodity, "gas") == 0) {
		t->qty = t->c == C_NG ? 2500.0 * (double)(1 + rng_below(r, 8)) : 5.0 * (double)(1 + rng_below(r, 10));
		t->unit = t->c == C_NG ? "MMBtu/d" : "MW";
		t->shape = "gasday";
	} else if (t->c == C_EUA) {
		t->qty = 1000.0 * (double)(1 + rng_below(r, 50));
		t->unit = "t";
	} else {
		t->qty = 1000.0 * (double)(5 + rng_below(r, 96));
		t->unit = k->unit;
	}
}

/* Swaps: one calculation month, sometimes the current (partly fixed) one. */
static void gen_swap(const synth *s, qe_rng *r, trade *t)
{
	const synth_curve *k = &synth_curves[t->c];
	t->instrument = "swap";
	if (rng_uniform(r) < 0.2 && s->cfg.asof < synth_month_end(s->cfg.asof)) {
		/* calculation period containing the as-of date: partly fixed */
		set_month(s, t, 0);
		t->trade_date = cal_preceding(s->cal[t->c], s->month0 - 1 - (qe_date)rng_below(r, 60));
		t->price = synth_round(synth_fwd(s, t->c, 0) * exp(0.05 * rng_normal(r)), k->tick);
	}
	if (k->abs_returns) {
		t->qty = 100.0 * (double)(10 + rng_below(r, 91));
		t->unit = "MWh";
	} else if (t->c == C_NG) {
		t->qty = 10000.0 * (double)(1 + rng_below(r, 50));
		t->unit = "MMBtu";
	} else if (t->c == C_TTF) {
		t->qty = 720.0 * (double)(1 + rng_below(r, 20));
		t->unit = "MWh";
	} else {
		t->qty = 1000.0 * (double)(5 + rng_below(r, 96));
		t->unit = k->unit;
	}
}

/* Physical delivery: power in MW, gas per gas day, EUA in t, oil in bbl. */
static void gen_physical(const synth *s, qe_rng *r, trade *t, int m)
{
	t->instrument = "physical";
	if (synth_curves[t->c].abs_returns) {
		t->qty = (double)(1 + rng_below(r, 50));
		t->unit = "MW";
		t->shape = shape_for(t->c, r);
		if (rng_uniform(r) < 0.25 && m + 2 <= s->nmonths)
			t->de = synth_month_end(month_first(s, m + 2));
	} else if (t->c == C_NG) {
		t->qty = 1000.0 * (double)(1 + rng_below(r, 30));
		t->unit = "MMBtu/d";
		t->shape = "gasday";
	} else if (t->c == C_TTF) {
		t->qty = (double)(1 + rng_below(r, 30));
		t->unit = "MW";
		t->shape = "gasday";
	} else if (t->c == C_EUA) {
		t->qty = 1000.0 * (double)(1 + rng_below(r, 20));
		t->unit = "t";
	} else {
		t->qty = 1000.0 * (double)(10 + rng_below(r, 91));
		t->unit = "bbl";
	}
}

/* Options on a month's future or forward, moved to a later month until
 * they have not expired; Bachelier for power and some TTF trades. */
static void gen_option(const synth *s, qe_rng *r, trade *t, int m)
{
	const synth_curve *k = &synth_curves[t->c];
	int power = k->abs_returns, normal = power;
	t->instrument = "option";
	if (t->c == C_TTF && rng_uniform(r) < 0.15) { /* per-trade override */
		t->model = "bachelier";
		normal = 1;
	}
	if (t->c == C_EUA) { /* options on the December future */
		int y, mo, d;
		date_to_ymd(t->ds, &y, &mo, &d);
		while (mo != 12 && m < s->nmonths) {
			m++;
			date_to_ymd(month_first(s, m), &y, &mo, &d);
		}
		set_month(s, t, m);
	}
	make_option(s, r, t, m, normal);
	while (t->expiry <= s->cfg.asof && m < s->nmonths) { /* expired: a later month */
		m++;
		set_month(s, t, m);
		make_option(s, r, t, m, normal);
	}
	t->exercise = (t->c == C_CL || t->c == C_BRENT || t->c == C_NG) && rng_uniform(r) < 0.35
			      ? "american" : "european";
	if (power) {
		t->qty = 5.0 * (double)(1 + rng_below(r, 10));
		t->unit = "MW";
		t->shape = shape_for(t->c, r);
	} else {
		t->qty = (double)(1 + rng_below(r, 50));
		t->unit = "lots";
		t->shape = k->shape;
	}
	if (t->trade_date > t->expiry)
		t->trade_date = cal_preceding(s->cal[t->c], t->expiry);
}

/* Asian options averaging one month (sometimes the current one), expiring
 * on its last business day. */
static void gen_asian(const synth *s, qe_rng *r, trade *t, int m)
{
	const synth_curve *k = &synth_curves[t->c];
	t->instrument = "asian";
	int started = rng_uniform(r) < 0.3 && s->cfg.asof < synth_month_end(s->cfg.asof);
	if (started) {
		m = 0;
		set_month(s, t, m);
		t->trade_date = cal_preceding(s->cal[t->c], s->month0 - 1 - (qe_date)rng_below(r, 60));
	} else if (m > 12) {
		m = 1 + m % 12;
		set_month(s, t, m);
	}
	t->avg_s = t->ds;
	t->avg_e = t->de;
	t->expiry = cal_preceding(s->cal[t->c], t->de);
	double fm = synth_fwd(s, t->c, m);
	int call = rng_uniform(r) < 0.5;
	t->otype = call ? "call" : "put";
	t->strike = synth_round(fm * exp(0.1 * rng_normal(r)), k->strike_step);
	double yrs = (t->expiry - s->cfg.asof) / 365.0;
	/* an average's vol is about the spot vol / sqrt(3) */
	t->price = synth_round(rough_premium(call, 0, fm, t->strike, synth_atm_vol(t->c, yrs, 6) * 0.6, yrs),
			       k->tick);
	if (t->price <= 0)
		t->price = k->tick;
	t->exercise = "european";
	t->qty = t->c == C_NG ? 10000.0 * (double)(1 + rng_below(r, 20)) : 1000.0 * (double)(5 + rng_below(r, 46));
	t->unit = k->unit;
}

/* Spread options: the spark spread for European power (book b), else the
 * heating-oil crack spread. */
static void gen_spread(const synth *s, qe_rng *r, trade *t, int m, int b)
{
	t->instrument = "spread";
	if (b == B_POWER_EU) { /* spark spread: peak power vs TTF x heat rate */
		t->c = C_DEP;
		t->c2 = C_TTF;
		t->ratio = synth_round(1.8 + 0.4 * rng_uniform(r), 0.01);
		t->unit = "MWh";
		t->shape = "peak";
		t->qty = 100.0 * (double)(5 + rng_below(r, 46));
	} else { /* crack spread: heating oil (USD/gal) vs WTI per gallon */
		t->c = C_HO;
		t->c2 = C_CL;
		t->ratio = 1.0 / 42.0;
		t->unit = "gal";
		t->qty = 42000.0 * (double)(1 + rng_below(r, 20));
		t->shape = "";
	}
	const synth_curve *k = &synth_curves[t->c];
	if (m > 12)
		m = 1 + m % 12;
	set_month(s, t, m);
	t->expiry = cal_add_business_days(s->cal[t->c], t->ds, -2);
	while (t->expiry <= s->cfg.asof && m < s->nmonths) {
		m++;
		set_month(s, t, m);
		t->expiry = cal_add_business_days(s->cal[t->c], t->ds, -2);
	}
	double f1 = synth_fwd(s, t->c, m), f2 = synth_fwd(s, t->c2, m);
	double spread = f1 - t->ratio * f2;
	t->strike = synth_round(spread + 0.1 * fabs(spread) * rng_normal(r), t->c == C_HO ? 0.01 : 0.5);
	t->otype = rng_uniform(r) < 0.8 ? "call" : "put";
	t->exercise = "european";
	double yrs = (t->expiry - s->cfg.asof) / 365.0;
	double sv = synth_atm_vol(t->c, yrs, 6) * fabs(f1) / (fabs(spread) + 0.1 * fabs(f1));
	t->price = synth_round(rough_premium(t->otype[0] == 'c', 1, spread, t->strike, sv > 3 ? 3 : sv, yrs),
			       k->tick);
	if (t->price <= 0)
		t->price = k->tick;
}

/* Spot EUA, settled one or two business days after the as-of date. */
static void gen_spot(const synth *s, qe_rng *r, trade *t)
{
	t->instrument = "spot";
	t->c = C_EUA;
	const synth_curve *k = &synth_curves[t->c];
	t->trade_date = cal_preceding(s->cal[t->c], s->cfg.asof - (qe_date)rng_below(r, 2));
	t->ds = t->de = cal_add_business_days(s->cal[t->c], s->cfg.asof, 1 + (int)rng_below(r, 2));
	t->price = synth_round(synth_fwd(s, t->c, 0) * exp(0.01 * rng_normal(r)), k->tick);
	t->qty = 1000.0 * (double)(1 + rng_below(r, 50));
	t->unit = "t";
	t->shape = "";
	if (strcmp(t->book, "ISLAMIC") != 0)
		snprintf(t->cpty, sizeof t->cpty, "%s", "EEX_ECC");
}

/* Fills the first version of trade i.  The draws from r come in a fixed
 * order (book, trader, side, month, curve, instrument, counterparty, trade
 * date, price, then the instrument's own), which the output depends on. */
static void gen_trade(const synth *s, int64_t i, trade *t, qe_rng *r)
{
	static const double book_w[NBOOKS] = {0.20, 0.12, 0.22, 0.14, 0.18, 0.08, 0.06};
	trade_init(t, i);
	int b = pick_weighted(r, book_w, NBOOKS);
	t->book = books[b].name;
	t->trader = books[b].traders[rng_below(r, 3)];
	t->buy = rng_uniform(r) < 0.5;
	const int maxm = s->nmonths < 24 ? s->nmonths : 24;
	int m = pick_month(r, maxm);
	double w[IN_N] = {0};
	book_curve_mix(b, r, t, w);
	int inst = pick_weighted(r, w, IN_N);
	const synth_curve *k = &synth_curves[t->c];
	if (inst == IN_FUT || (inst == IN_OPT && !k->abs_returns)) /* exchange-traded */
		snprintf(t->cpty, sizeof t->cpty, "%s", synth_clearer(k->venue));
	else
		synth_cpty_id((int)rng_below(r, SYNTH_NCPTY), t->cpty);
	t->trade_date = past_trade_date(s, r, t->c, 250);
	set_month(s, t, m);
	t->price = synth_round(synth_fwd(s, t->c, m) * exp(0.06 * rng_normal(r)), k->tick);
	switch (inst) {
	case IN_FUT: gen_future(s, r, t, m); break;
	case IN_FWD: gen_forward(s, r, t, m); break;
	case IN_SWAP: gen_swap(s, r, t); break;
	case IN_PHYS: gen_physical(s, r, t, m); break;
	case IN_OPT: gen_option(s, r, t, m); break;
	case IN_ASIAN: gen_asian(s, r, t, m); break;
	case IN_SPREAD: gen_spread(s, r, t, m, b); break;
	default: gen_spot(s, r, t); break;
	}
	/* cleared trades were executed on the exchange, the others bilaterally */
	t->venue = strcmp(t->cpty, synth_clearer(k->venue)) == 0 ? synth_mic(k->venue) : "XOFF";
}

/* ms since 1970 UTC of local time h:m:s.ms of day d in curve c's zone. */
static int64_t exec_at_local(int c, qe_date d, int h, int m, int sec, int ms)
{
	const qe_tz *tz = tz_get(synth_curves[c].timezone, NULL);
	int64_t local = tz_local_make(d, h, m, sec), utc = local;
	if (tz)
		tz_local_to_utc(tz, local, TZ_EARLIER, &utc, NULL);
	return utc * 1000 + ms;
}

/* A time on the trade date within 08:00-17:00 local, from its own stream
 * so that the rest of the book keeps its draws. */
static int64_t exec_first(const trade *t, qe_rng *x)
{
	int sec = (int)rng_below(x, 9 * 3600);
	return exec_at_local(t->c, t->trade_date, 8 + sec / 3600, sec / 60 % 60, sec % 60, (int)rng_below(x, 1000));
}

/* A later version: 10 minutes to 2 hours after the previous one. */
static int64_t exec_later(int64_t prev, qe_rng *x)
{
	return prev + (600 + (int64_t)rng_below(x, 7200)) * 1000 + (int64_t)rng_below(x, 1000);
}

static void write_trade(csv_writer *w, const trade *t)
{
	const synth_curve *k = &synth_curves[t->c];
	csvw_str(w, t->id);
	csvw_int(w, t->version);
	csvw_str(w, t->status);
	csvw_date(w, t->trade_date);
	csvw_str(w, t->book);
	csvw_str(w, t->trader);
	csvw_str(w, t->cpty);
	csvw_str(w, t->instrument);
	csvw_str(w, k->curve);
	csvw_str(w, t->buy ? "buy" : "sell");
	csvw_double(w, t->qty);
	csvw_str(w, t->unit);
	csvw_double(w, t->price);
	csvw_str(w, k->currency);
	csvw_date(w, t->ds);
	csvw_date(w, t->de);
	csvw_str(w, t->shape);
	if (t->otype)
		csvw_str(w, t->otype);
	else
		csvw_empty(w);
	if (isnan(t->strike))
		csvw_empty(w);
	else
		csvw_double(w, t->strike);
	csvw_str(w, t->exercise);
	if (t->expiry == NO_DATE)
		csvw_empty(w);
	else
		csvw_date(w, t->expiry);
	if (t->avg_s == NO_DATE) {
		csvw_empty(w);
		csvw_empty(w);
	} else {
		csvw_date(w, t->avg_s);
		csvw_date(w, t->avg_e);
	}
	if (t->c2 < 0) {
		csvw_empty(w);
		csvw_empty(w);
	} else {
		csvw_str(w, synth_curves[t->c2].curve);
		csvw_double(w, t->ratio);
	}
	csvw_str(w, t->model);
	/* the trade report's fields: one UTI for every version of a trade */
	char uti[64], ts[TS_BUFSZ], out[TS_BUFSZ + 8];
	snprintf(uti, sizeof uti, "%s%s", SYNTH_OUR_LEI, t->id);
	csvw_str(w, uti);
	csvw_str(w, t->venue);
	const qe_tz *tz = tz_get(k->timezone, NULL);
	int64_t sec = t->exec_ms / 1000;
	ts_format(ts, tz ? ts_in_zone(tz, sec) : (qe_ts){sec, 0}, 0);
	/* the milliseconds go between the seconds and the offset */
	snprintf(out, sizeof out, "%.19s.%03d%s", ts, (int)(t->exec_ms % 1000), ts + 19);
	csvw_str(w, out);
	csvw_end(w);
}

/* Trade i and its later versions: ~3% amended, ~1% cancelled, ~0.5%
 * amended then cancelled.  With prev, the book of the previous as-of
 * date: none of a trade dated the as-of date, and without its last
 * version when that version is drawn as done on the as-of date (one in
 * four, from the trade's own prev stream). */
static void emit_trade(const synth *s, int64_t i, csv_writer *w, int prev)
{
	qe_rng r;
	trade t, v[3];
	int nv = 0;
	qe_rng x;
	rng_init(&r, s->cfg.seed, synth_stream(STREAM_TRADES, (uint64_t)i));
	rng_init(&x, s->cfg.seed, synth_stream(STREAM_EXEC, (uint64_t)i));
	gen_trade(s, i, &t, &r);
	t.exec_ms = exec_first(&t, &x);
	v[nv++] = t;
	double u = rng_uniform(&r);
	if (u < 0.045) {
		t.version = 2;
		if (u < 0.03 || u >= 0.04) {
			t.status = "amend";
			t.exec_ms = exec_later(t.exec_ms, &x);
			if (rng_uniform(&r) < 0.5 && strcmp(t.unit, "lots") == 0)
				t.qty = t.qty + 1;
			else if (strcmp(t.unit, "lots") != 0)
				t.qty = t.qty * 2;
			else
				t.price = synth_round(t.price + synth_curves[t.c].tick * (double)(1 + rng_below(&r, 20)),
						      synth_curves[t.c].tick);
			v[nv++] = t;
			if (u >= 0.04) {
				t.version = 3;
				t.status = "cancel";
				t.exec_ms = exec_later(t.exec_ms, &x);
				v[nv++] = t;
			}
		} else {
			t.status = "cancel";
			t.exec_ms = exec_later(t.exec_ms, &x);
			v[nv++] = t;
		}
	}
	if (prev) {
		if (v[0].trade_date >= s->cfg.asof)
			return;
		qe_rng p;
		rng_init(&p, s->cfg.seed, synth_stream(STREAM_PREV, (uint64_t)i));
		if (nv > 1 && rng_uniform(&p) < 0.25)
			nv--;
	}
	for (int k = 0; k < nv; k++)
		write_trade(w, &v[k]);
}

/* A book of at least this many trades gets the abuse cases (a small test
 * book stays as drawn). */
enum { SYNTH_ABUSE_MIN_TRADES = 1000 };

/* The deliberate market-abuse cases after the n generated trades, so
 * that qe-screen --rules abuse finds exactly them (qe-synth(1)):
 *   n+1, n+2  a wash pair: GAS_EU buys 20 MW of TTF physical from CP011 and
 *             sells the same at the same price to CP012 (one beneficial
 *             owner) 208.65 s later (wash_owner and wash_offset);
 *   n+3..n+5  layering: CARBON's cdubois books three EUA spot trades and
 *             amends and cancels each within 50 s (6 amend/cancel
 *             versions in a minute, above the bundled count of 5);
 *   n+6       a price outside the day's range: OIL sells 1 lot of WTI
 *             for next month at 3.5 times the forward. */
/* Version v of the k-th trade (index i) of the layering burst: version 2
 * is one tick up, version 3 cancels. */
static void layering_trade(const synth *s, trade *t, int64_t i, int k, int v)
{
	trade_init(t, i);
	t->book = "CARBON";
	t->trader = "cdubois";
	snprintf(t->cpty, sizeof t->cpty, "CP%03d", 5 + k);
	t->instrument = "spot";
	t->c = C_EUA;
	t->buy = 1;
	t->qty = 5000;
	t->unit = "t";
	t->trade_date = cal_preceding(s->cal[C_EUA], s->cfg.asof - 1);
	t->ds = t->de = t->trade_date + 2;
	t->price = synth_round(synth_fwd(s, C_EUA, 0), synth_curves[C_EUA].tick) +
		   (v == 2 ? synth_curves[C_EUA].tick : 0);
	t->venue = "XOFF";
	t->version = v;
	t->status = v == 1 ? "new" : v == 2 ? "amend" : "cancel";
}

static void emit_abuse(const synth *s, int64_t n, csv_writer *w)
{
	trade t;
	const int m = 2;
	/* wash pair */
	trade_init(&t, n);
	t.book = "GAS_EU";
	t.trader = "svandijk";
	snprintf(t.cpty, sizeof t.cpty, "CP011");
	t.instrument = "physical"; /* within svandijk's mandate: the pair trips abuse only */
	t.c = C_TTF;
	t.buy = 1;
	t.qty = 20;
	t.unit = "MW";
	t.shape = "gasday";
	set_month(s, &t, m);
	t.price = synth_round(synth_fwd(s, C_TTF, m), synth_curves[C_TTF].tick);
	t.trade_date = cal_preceding(s->cal[C_TTF], s->cfg.asof - 2);
	t.venue = "XOFF";
	t.exec_ms = exec_at_local(C_TTF, t.trade_date, 10, 2, 13, 250);
	write_trade(w, &t);
	snprintf(t.id, sizeof t.id, "T%08lld", (long long)(n + 2));
	snprintf(t.cpty, sizeof t.cpty, "CP012");
	t.buy = 0;
	t.exec_ms += 208650;
	write_trade(w, &t);
	/* layering: three trades, each amended and cancelled, within 50 s */
	int64_t at = 0;
	for (int k = 0; k < 3; k++) {
		layering_trade(s, &t, n + 2 + k, k, 1);
		if (k == 0)
			at = exec_at_local(C_EUA, t.trade_date, 15, 30, 0, 125);
		t.exec_ms = at + k * 2000;
		write_trade(w, &t);
	}
	for (int k = 0; k < 3; k++)
		for (int v = 2; v <= 3; v++) {
			layering_trade(s, &t, n + 2 + k, k, v);
			t.exec_ms = at + 10000 + (int64_t)(k * 2 + v - 2) * 7000;
			write_trade(w, &t);
		}
	/* a price far outside the day's settlement range */
	trade_init(&t, n + 5);
	t.book = "OIL";
	t.trader = "hnasser";
	snprintf(t.cpty, sizeof t.cpty, "%s", synth_clearer(synth_curves[C_CL].venue));
	t.instrument = "future";
	t.c = C_CL;
	t.buy = 0;
	t.qty = 1;
	t.unit = "lots";
	set_month(s, &t, m);
	t.price = synth_round(3.5 * synth_fwd(s, C_CL, m), synth_curves[C_CL].tick);
	t.trade_date = cal_preceding(s->cal[C_CL], s->cfg.asof - 2);
	t.venue = synth_mic(synth_curves[C_CL].venue);
	t.exec_ms = exec_at_local(C_CL, t.trade_date, 11, 45, 30, 0);
	write_trade(w, &t);
}

static int write_book(synth *s, FILE *fp, int prev, qe_err *e)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_TRADES);
	/* Blocks of trades are formatted in parallel into memory and written
	 * in order: every trade has its own random stream, so the bytes do
	 * not depend on the thread count. */
	enum { BLOCK = 4096, BATCH = 16 };
	const int64_t n = s->cfg.trades;
	char *buf[BATCH];
	size_t len[BATCH];
	for (int64_t start = 0; start < n; start += (int64_t)BLOCK * BATCH) {
		int nb = (int)((n - start + BLOCK - 1) / BLOCK);
		if (nb > BATCH)
			nb = BATCH;
		int failed = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(| : failed)
		for (int b = 0; b < nb; b++) {
			buf[b] = NULL;
			len[b] = 0;
			FILE *m = open_memstream(&buf[b], &len[b]);
			if (!m) {
				failed = 1;
				continue;
			}
			csv_writer bw;
			csvw_init(&bw, m);
			int64_t lo = start + (int64_t)b * BLOCK, hi = lo + BLOCK < n ? lo + BLOCK : n;
			for (int64_t i = lo; i < hi; i++)
				emit_trade(s, i, &bw, prev);
			if (ferror(m))
				failed = 1;
			fclose(m);
		}
		for (int b = 0; b < nb; b++) {
			if (!failed && len[b] && fwrite(buf[b], 1, len[b], fp) != len[b])
				failed = 2;
			free(buf[b]);
		}
		if (failed == 1)
			return qe_err_set(e, QE_INTERNAL, "out of memory formatting trades");
		if (failed)
			return 0; /* write error: sticky in fp, reported at commit */
	}
	if (n >= SYNTH_ABUSE_MIN_TRADES)
		emit_abuse(s, n, &w);
	return 0;
}

int synth_write_trades(synth *s, FILE *fp, qe_err *e)
{
	return write_book(s, fp, 0, e);
}

int synth_write_prev_trades(synth *s, FILE *fp, qe_err *e)
{
	return write_book(s, fp, 1, e);
}

int synth_write_islamic_terms(synth *s, FILE *fp, qe_err *e)
{
	(void)e;
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_ISLAMIC_TERMS);
	int murabaha = 0, salam = 0;
	for (int64_t i = 0; i < s->cfg.trades; i++) {
		qe_rng r, u;
		trade t;
		rng_init(&r, s->cfg.seed, synth_stream(STREAM_TRADES, (uint64_t)i));
		gen_trade(s, i, &t, &r);
		if (strcmp(t.book, "ISLAMIC") != 0)
			continue;
		rng_init(&u, s->cfg.seed, synth_stream(STREAM_TERMS, (uint64_t)i));
		const char *kind = "istisna";
		if (!strcmp(t.instrument, "physical") || !strcmp(t.instrument, "forward") ||
		    !strcmp(t.instrument, "spot"))
			kind = rng_uniform(&u) < 0.7 ? "murabaha" : "salam";
		else if (!strcmp(t.instrument, "swap") || !strcmp(t.instrument, "future"))
			kind = "wa'd";
		else if (!strcmp(t.instrument, "option"))
			kind = "arboun";
		int odd = i % 7 == 0, owned = 1, late = 0;
		double prepaid = !strcmp(kind, "salam") ? 1 : !strcmp(kind, "arboun") ? 0.1 : 0;
		if (odd && !strcmp(kind, "murabaha") && !murabaha++)
			owned = 0;
		else if (odd && !strcmp(kind, "salam") && !salam++)
			prepaid = 0.5;
		else if (odd)
			late = 1;
		csvw_str(&w, t.id);
		csvw_str(&w, kind);
		csvw_str(&w, owned ? "yes" : "no");
		csvw_str(&w, "yes");
		csvw_double(&w, prepaid);
		csvw_str(&w, late ? "yes" : "no");
		csvw_end(&w);
	}
	return 0;
}
