/* qe-forecast sentiment: a score, label and commodities per headline from
 * the lexicon (forecast/sentiment.h), and the daily index per commodity. */
#include <stdlib.h>

#include "cli.h"
#include "forecast/forecast_cmd.h"
#include "forecast/sentiment.h"
#include "io/csvio.h"

static const char usage[] =
	"usage: qe-forecast sentiment [OPTIONS] [FILE|-]\n"
	"Score each headline of the headlines FILE (timestamp,source,headline; or\n"
	"standard input) in [-1, 1] with the energy-market lexicon; write\n"
	"timestamp,source,headline,score,label,commodities.\n\n"
	"Lexicon:\n"
	"  --lexicon FILE      terms (term,kind,weight; default data/sentiment_lexicon.csv,\n"
	"                      else the installed one)\n"
	"  --commodities FILE  commodity keywords (keyword,commodity;\n"
	"                      default data/sentiment_commodities.csv, else the installed one)\n"
	"  --window N          negation, intensifier and subject window in words (default 3)\n"
	"  --alpha A           score = S / sqrt(S^2 + A) (default 4)\n"
	"  --threshold T       positive above T, negative below -T (default 0.1)\n"
	"Output:\n"
	"  --daily FILE        the daily index date,commodity,n,mean_score,pos,neg,neu\n"
	FORECAST_SHARED_HELP;

enum { O_LEXICON = FORECAST_OPT_OWN, O_COMMODITIES, O_WINDOW, O_ALPHA, O_THRESHOLD, O_DAILY };

static const struct option longopts[] = {
	FORECAST_SHARED_OPTIONS,
	{"lexicon", required_argument, NULL, O_LEXICON},
	{"commodities", required_argument, NULL, O_COMMODITIES},
	{"window", required_argument, NULL, O_WINDOW},
	{"alpha", required_argument, NULL, O_ALPHA},
	{"threshold", required_argument, NULL, O_THRESHOLD},
	{"daily", required_argument, NULL, O_DAILY},
	{0},
};

int cmd_forecast_sentiment(int argc, char **argv)
{
	forecast_opts o;
	const char *lexicon = NULL, *commodities = NULL;
	const char *daily_path = NULL;
	sent_params p;
	int c;
	qe_err e;
	csv_writer w, dw;
	sent_params_default(&p);
	forecast_opts_init(&o, "sentiment", usage);
	while ((c = forecast_getopt(&o, argc, argv, NULL, longopts)) != -1) {
		switch (c) {
		case O_LEXICON: lexicon = optarg; break;
		case O_COMMODITIES: commodities = optarg; break;
		case O_WINDOW: p.window = (int)cli_int("--window", optarg, 1, 100); break;
		case O_ALPHA:
			p.alpha = cli_double("--alpha", optarg);
			if (!(p.alpha > 0))
				forecast_usage_error(&o, "option --alpha: '%s' not positive", optarg);
			break;
		case O_THRESHOLD:
			p.threshold = cli_double("--threshold", optarg);
			if (!(p.threshold >= 0 && p.threshold < 1))
				forecast_usage_error(&o, "option --threshold: '%s' not in [0, 1)", optarg);
			break;
		case O_DAILY: daily_path = optarg; break;
		default: cli_die(QE_INTERNAL, "sentiment: option %d has no handler", c);
		}
	}
	const char *input = forecast_input(&o, argc, argv);
	if (!lexicon)
		lexicon = cli_bundled_data("sentiment_lexicon.csv", 0);
	if (!commodities)
		commodities = cli_bundled_data("sentiment_commodities.csv", 1);
	sent_lexicon *lx = sent_lexicon_load(lexicon, commodities, &e);
	if (!lx)
		cli_die_err(&e);
	sent_daily *daily = daily_path ? sent_daily_new() : NULL;
	if (daily_path && !daily)
		cli_die(QE_INTERNAL, "out of memory");
	csvw_init(&w, cli_out_open(o.output)->fp);
	if (daily_path)
		csvw_init(&dw, cli_out_open(daily_path)->fp);
	if (sent_score_file(lx, &p, input, &w, daily, &e))
		cli_die_err(&e);
	if (daily && sent_daily_write(daily, lx, &dw, &e))
		cli_die_err(&e);
	cli_info("%zu lexicon terms, %d commodities", sent_lexicon_count(lx), sent_ncommodities(lx));
	sent_daily_free(daily);
	sent_lexicon_free(lx);
	return forecast_commit();
}
