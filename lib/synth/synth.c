/* synth: the public API of synth.h - configuration, the file kinds, and
 * synth_write, which hands each kind to the file that writes it.  The top
 * synth file: it calls the market (synth_market.c), the book
 * (synth_book.c) and the sites (synth_site.c); none of them calls it. */
#include "synth/synth.h"

#include <string.h>

#include "synth/synth_book.h"
#include "synth/synth_impl.h"
#include "synth/synth_site.h"

void synth_cfg_default(synth_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->seed = 1;
	cfg->trades = 1000;
	cfg->asof = date_from_ymd(2026, 11, 25);
	cfg->months = 36;
	cfg->history_days = 750;
}

static const char *const kind_names[SYNTH_NKINDS] = {
	"markets", "prices", "vols", "rates", "history", "fixings",
	"trades", "counterparties", "limits", "meters", "weather", "fx_history", "vol-history",
	"islamic_terms", "headlines", "load", "prev-prices", "prev-vols", "prev-rates",
	"prev-fixings", "prev-fx", "prev-trades"};
static const char *const kind_files[SYNTH_NKINDS] = {
	"markets.csv", "curves.csv", "vols.csv", "rates.csv", "history.csv", "fixings.csv",
	"trades.csv", "counterparties.csv", "limits.csv", "meters.csv", "weather.csv",
	"fx_history.csv", "vol_history.csv", "islamic_terms.csv", "headlines.csv", "load.csv",
	"prev/curves.csv", "prev/vols.csv", "prev/rates.csv", "prev/fixings.csv", "prev/fx.csv",
	"prev/trades.csv"};

const char *synth_kind_name(int kind)
{
	return kind >= 0 && kind < SYNTH_NKINDS ? kind_names[kind] : NULL;
}

const char *synth_kind_file(int kind)
{
	return kind >= 0 && kind < SYNTH_NKINDS ? kind_files[kind] : NULL;
}

int synth_kind_parse(const char *name)
{
	for (int k = 0; k < SYNTH_NKINDS; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	if (strcmp(name, "curves") == 0)
		return SYNTH_PRICES;
	return -1;
}

int synth_write(synth *s, int kind, FILE *fp, qe_err *e)
{
	switch (kind) {
	case SYNTH_MARKETS: return synth_write_markets(s, fp, e);
	case SYNTH_PRICES: return synth_write_prices(s, fp, e);
	case SYNTH_VOLS: return synth_write_vols(s, fp, e);
	case SYNTH_RATES: return synth_write_rates(s, fp, e);
	case SYNTH_HISTORY: return synth_write_history(s, fp, e);
	case SYNTH_FIXINGS: return synth_write_fixings(s, fp, e);
	case SYNTH_TRADES: return synth_write_trades(s, fp, e);
	case SYNTH_COUNTERPARTIES: return synth_write_counterparties(s, fp, e);
	case SYNTH_LIMITS: return synth_write_limits(s, fp, e);
	case SYNTH_METERS: return synth_write_meters(s, fp, e);
	case SYNTH_WEATHER: return synth_write_weather(s, fp, e);
	case SYNTH_LOAD: return synth_write_load(s, fp, e);
	case SYNTH_VOL_HISTORY: return synth_write_vol_history(s, fp, e);
	case SYNTH_FX_HISTORY: return synth_write_fx_history(s, fp, e);
	case SYNTH_ISLAMIC_TERMS: return synth_write_islamic_terms(s, fp, e);
	case SYNTH_HEADLINES: return synth_write_headlines(s, fp, e);
	case SYNTH_PREV_PRICES: return synth_write_prev_prices(s, fp, e);
	case SYNTH_PREV_VOLS: return synth_write_prev_vols(s, fp, e);
	case SYNTH_PREV_RATES: return synth_write_prev_rates(s, fp, e);
	case SYNTH_PREV_FIXINGS: return synth_write_prev_fixings(s, fp, e);
	case SYNTH_PREV_FX: return synth_write_prev_fx(s, fp, e);
	case SYNTH_PREV_TRADES: return synth_write_prev_trades(s, fp, e);
	}
	return qe_err_set(e, QE_INTERNAL, "unknown kind %d", kind);
}
