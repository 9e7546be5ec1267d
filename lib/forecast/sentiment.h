/*
 * sentiment: the headline sentiment of qe-forecast - a transparent
 * energy-market lexicon (qe-formats(5) SENTIMENT LEXICON: terms of one to
 * SENT_MAX_TERM_TOKENS words, each polar, a price direction, a subject
 * of supply, demand or price, a negator or an intensifier; and the
 * commodity keywords), the score in [-1, 1] of one headline, its label
 * and commodities, a headlines file (HEADLINES) scored row by row and
 * the daily index per commodity (SENTIMENT).
 *
 * The rule, as qe-forecast(1) documents it.  A headline is cut into
 * tokens (runs of letters, digits, apostrophes and bytes above 0x7f;
 * ASCII lower-cased); at each token the longest lexicon term starting
 * there is matched.  A polar term counts its weight; a direction term
 * (up: rises, surges; down: falls, cut) counts its weight times the sign
 * of the nearest subject term within the window (supply -1, demand and
 * price +1; none: +1, the price itself), so that "output falls" is
 * bullish and "demand falls" bearish.  A counted term is multiplied by
 * the weight of every intensifier within the window on either side, and
 * changes sign once for every negator that ends within the window before
 * it.  With S the sum, score = S / sqrt(S^2 + alpha); label positive
 * when score > threshold, negative when score < -threshold, else
 * neutral.  Commodities: every keyword (also whole terms) found.
 *
 * Owns the lexicon (sent_lexicon_free) and the daily index
 * (sent_daily_free).  Never prints; writes through io/csvio only.
 */
#ifndef QE_FORECAST_SENTIMENT_H
#define QE_FORECAST_SENTIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "io/csvio.h"

enum { SENT_MAX_TERM_TOKENS = 4, SENT_MAX_COMMODITIES = 32 };

/* The kinds of a lexicon term, in the order of the kind column's values. */
enum sent_kind {
	SENT_POLAR,
	SENT_UP,
	SENT_DOWN,
	SENT_SUPPLY,
	SENT_DEMAND,
	SENT_PRICE,
	SENT_NEGATOR,
	SENT_INTENSIFIER
};

typedef struct sent_lexicon sent_lexicon;

/* An empty lexicon; NULL when out of memory. */
sent_lexicon *sent_lexicon_new(void);
void sent_lexicon_free(sent_lexicon *lx);
/* Adds a term of kind (enum sent_kind) with weight (polar: any sign;
 * up, down: > 0; intensifier: > 0, a factor; the others: ignored).  A
 * term that has no token, more than SENT_MAX_TERM_TOKENS or is already
 * there is QE_DATA naming it (the caller adds the file position). */
int sent_lexicon_add(sent_lexicon *lx, const char *term, int kind, double weight, qe_err *e);
/* Adds a commodity keyword: QE_DATA when it has no token or too many, or
 * there would be more than SENT_MAX_COMMODITIES commodities. */
int sent_lexicon_add_keyword(sent_lexicon *lx, const char *keyword, const char *commodity, qe_err *e);
/* Loads a lexicon file and a commodity keyword file (qe-formats(5)
 * SENTIMENT LEXICON); a bad row is QE_DATA with file:line:col. */
sent_lexicon *sent_lexicon_load(const char *lexicon, const char *commodities, qe_err *e);
size_t sent_lexicon_count(const sent_lexicon *lx);
int sent_ncommodities(const sent_lexicon *lx);
const char *sent_commodity(const sent_lexicon *lx, int i);

typedef struct sent_params {
	int window;       /* tokens; SENT_WINDOW */
	double alpha;     /* normalization; SENT_ALPHA */
	double threshold; /* label threshold in [0, 1); SENT_THRESHOLD */
} sent_params;
#define SENT_WINDOW 3
#define SENT_ALPHA 4.0
#define SENT_THRESHOLD 0.1
void sent_params_default(sent_params *p);

enum sent_label { SENT_POSITIVE, SENT_NEGATIVE, SENT_NEUTRAL };

typedef struct sent_result {
	double raw;          /* S */
	double score;        /* S / sqrt(S^2 + alpha) */
	int label;           /* enum sent_label */
	uint32_t commodities; /* bit i: commodity i */
} sent_result;

/* Scores text[0..len).  0, or QE_INTERNAL when out of memory. */
int sent_score(const sent_lexicon *lx, const sent_params *p, const char *text, size_t len, sent_result *r,
	       qe_err *e);
/* The label's name: "positive", "negative", "neutral". */
const char *sent_label_name(int label);

/* The daily index: per local date of the headline's timestamp and
 * commodity, the count, mean score and label counts. */
typedef struct sent_daily sent_daily;
sent_daily *sent_daily_new(void);
void sent_daily_free(sent_daily *d);

/* Reads the headlines file at path ("-": stdin; qe-formats(5) HEADLINES,
 * checked as qe-ingest checks it), writes one SENTIMENT row per headline
 * to w, header first, and adds each to daily (may be NULL).  A bad row
 * is QE_DATA with file:line:col naming the column and value. */
int sent_score_file(const sent_lexicon *lx, const sent_params *p, const char *path, csv_writer *w,
		    sent_daily *daily, qe_err *e);
/* Writes the daily index (SENTIMENT daily) sorted by date, then
 * commodity name; each mean summed in input order.  Returns 0. */
int sent_daily_write(sent_daily *d, const sent_lexicon *lx, csv_writer *w, qe_err *e);
/* Headlines read so far into the index. */
size_t sent_daily_headlines(const sent_daily *d);

#endif
