/* The synthetic market as exchange settlement files (synth.h
 * synth_write_exchange), so the round trip synth -> exchange file ->
 * qe-ingest cme-settle/ice-settle -> curves and vols can be tested. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/num.h"
#include "price/american.h"
#include "price/black76.h"
#include "synth/synth.h"
#include "synth/synth_impl.h"

static const char cme_header[] =
	"BizDt,Sym,ID,StrkPx,SecTyp,MMY,MatDt,PutCall,Exch,Desc,LastTrdDt,BidPrice,OpeningPrice,"
	"SettlePrice,SettleDelta,HighLimit,LowLimit,DHighPrice,DLowPrice,HighBid,LowBid,PrevDayVol,"
	"PrevDayOI,FixingPrice,UndlyExch,UndlyID,UndlySecTyp,UndlyMMY,BankBusDay\n";
static const char ice_header[] =
	"TRADE DATE|HUB|PRODUCT|STRIP|CONTRACT|CONTRACT TYPE|STRIKE|SETTLEMENT PRICE|NET CHANGE|"
	"EXPIRATION DATE|PRODUCT_ID|OPTION_VOLATILITY|DELTA_FACTOR\n";
static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* The code of venue in a codes list "CME:NG ICE:B" (option lists carry
 * ":style" too): copies the first into code (and style), 0 when none. */
static int code_for(const char *list, const char *venue, char *code, size_t cap, int *american)
{
	size_t vl = strlen(venue);
	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (len > vl + 1 && strncasecmp(p, venue, vl) == 0 && p[vl] == ':') {
			const char *c = p + vl + 1;
			size_t cl = strcspn(c, ": ");
			if (cl >= cap)
				return 0;
			memcpy(code, c, cl);
			code[cl] = '\0';
			if (american)
				*american = c[cl] == ':' && strncasecmp(c + cl + 1, "american", 8) == 0;
			return 1;
		}
		p += len;
	}
	return 0;
}

static void us_date(char *buf, size_t cap, qe_date d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	snprintf(buf, cap, "%d/%d/%d", m, dd, y);
}

/* Writes one record of n fields joined by sep (no field this file writes
 * holds sep, a quote or a line end). */
static void put_record(FILE *fp, char sep, const char *const *f, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			putc(sep, fp);
		fputs(f[i], fp);
	}
	putc('\n', fp);
}

int synth_write_exchange(synth *s, const char *venue, int strikes, FILE *fp, qe_err *e)
{
	int cme = strcasecmp(venue, "cme") == 0;
	if (!cme && strcasecmp(venue, "ice") != 0)
		return qe_err_set(e, QE_USAGE, "unknown exchange layout '%s' (cme or ice)", venue);
	const char *vname = cme ? "CME" : "ICE";
	qe_date asof = s->cfg.asof;
	char today[16], uday[16];
	date_format(today, asof);
	us_date(uday, sizeof uday, asof);
	fputs(cme ? cme_header : ice_header, fp);
	for (int c = 0; c < synth_ncurves; c++) {
		const synth_curve *k = &synth_curves[c];
		const char *const *codes = synth_codes_of(k->curve);
		char fcode[32], ocode[32];
		int american = 0;
		if (!codes || !code_for(codes[1], vname, fcode, sizeof fcode, NULL))
			continue;
		int has_opt = code_for(codes[2], vname, ocode, sizeof ocode, &american);
		for (int m = 1; m <= s->nmonths; m++) {
			qe_date first = date_add_months_first(s->month0, m);
			qe_date exp = synth_option_expiry(s, c, first);
			if (exp <= asof)
				continue; /* its options (and maybe the future) are gone */
			int y, mo, dd;
			date_to_ymd(first, &y, &mo, &dd);
			double f = synth_fwd(s, c, m), t = (exp - asof) / 365.0;
			char fs[NUM_BUFSZ], es[16];
			num_format_double(fs, f);
			/* CME: the contract ID (code, YY, MM) and MMY (YYYYMM); ICE:
			 * the strip (Mon YY) and the product's description */
			char id[48], mmy[16], desc[64], strip[16];
			snprintf(id, sizeof id, "%s%02d%02d", fcode, y % 100, mo);
			snprintf(mmy, sizeof mmy, "%04d%02d", y, mo);
			snprintf(strip, sizeof strip, "%s%02d", mon[mo - 1], y % 100);
			if (cme) {
				date_format(es, exp);
				snprintf(desc, sizeof desc, "%s futures", fcode);
				const char *f[29] = {today, fcode, id, "", "FUT", mmy, "", "", "NYMEX", desc,
						     "", "", "", fs, "", "", "", "", "", "", "", "0", "0",
						     "", "", "", "", "", "Y"};
				put_record(fp, ',', f, 29);
			} else {
				us_date(es, sizeof es, exp);
				snprintf(desc, sizeof desc, "%s Futures", k->curve);
				const char *f[13] = {uday, k->curve, desc, strip, fcode, "F", "", fs, "0", es, "0", "", ""};
				put_record(fp, '|', f, 13);
			}
			if (!has_opt)
				continue;
			double atm = synth_atm_vol(c, t, mo);
			/* exchanges list strikes finer than the vols file's grid */
			double step = k->strike_step / 10;
			for (int j = 0; j < strikes; j++) {
				/* strikes from 0.6 to 1.4 times the forward */
				double x = strikes > 1 ? 0.6 + 0.8 * j / (strikes - 1) : 1.0;
				double K = synth_round(f * x, step);
				if (!(K > 0) || (j > 0 && K == synth_round(f * (0.6 + 0.8 * (j - 1) / (strikes - 1)), step)))
					continue;
				double v = synth_smile_vol(c, atm, f, K);
				char ks[NUM_BUFSZ], ps[NUM_BUFSZ];
				num_format_double(ks, K);
				for (int type = OPT_CALL; type >= OPT_PUT; type -= 2) {
					double p;
					const char *why;
					opt_greeks g;
					if (american) {
						if (american_price(AMER_BAW, type, f, K, v, 0.0, 0.0, t, &p, &why))
							continue;
					} else {
						if (black76(type, f, K, v, 0.0, t, &g, &why))
							continue;
						p = g.price;
					}
					num_format_double(ps, p);
					char oid[48], odesc[64], ivol[32];
					if (cme) {
						snprintf(oid, sizeof oid, "%s%02d%02d", ocode, y % 100, mo);
						snprintf(odesc, sizeof odesc, "%s option", ocode);
						const char *f[29] = {today, ocode, oid, ks, "OOF", mmy, es,
								     type == OPT_CALL ? "1" : "0", "NYMEX", odesc, es,
								     "", "", ps, "", "", "", "", "", "", "", "0", "0",
								     "", "NYMEX", fcode, "FUT", mmy, "Y"};
						put_record(fp, ',', f, 29);
					} else {
						/* ICE publishes the vol in percent, to 2 decimals */
						snprintf(ivol, sizeof ivol, "%.2f", 100 * v);
						snprintf(odesc, sizeof odesc, "%s Options", k->curve);
						const char *f[13] = {uday, k->curve, odesc, strip, ocode,
								     type == OPT_CALL ? "C" : "P", ks, ps, "0", es, "0",
								     ivol, "0"};
						put_record(fp, '|', f, 13);
					}
				}
			}
		}
	}
	return 0;
}
