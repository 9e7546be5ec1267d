/* Headline sentiment: the lexicon, the score of a headline, the headlines
 * file and the daily index per commodity. */
#include "forecast/sentiment.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"
#include "ingest/schema.h"
#include "io/formats.h"
#include "time/tz.h"

/* Room for element index `need` in *arr (elem bytes each, *cap of them):
 * doubles from `first`.  0, or -1 when out of memory (*arr kept). */
static int grow(void *arr, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need < *cap)
		return 0;
	size_t nc = *cap ? 2 * *cap : first;
	while (nc <= need)
		nc *= 2;
	void *p = realloc(*(void **)arr, nc * elem);
	if (!p)
		return -1;
	*(void **)arr = p;
	*cap = nc;
	return 0;
}

typedef struct sent_term {
	int kind;
	double weight;
} sent_term;

struct sent_lexicon {
	strindex *terms;     /* the terms' canonical text: tokens joined by ' ' */
	sent_term *term;     /* by index in terms */
	size_t cap;
	strindex *keywords;  /* the keywords' canonical text */
	int *keyword_of;     /* keyword -> commodity index */
	size_t kcap;
	strindex *commodities;
	int max_tokens;      /* of the longest term or keyword */
};

/* ---- tokens ------------------------------------------------------------ */

static int token_byte(unsigned char c)
{
	return isalnum(c) || c == '\'' || c >= 0x80;
}

typedef struct tokens {
	size_t n, cap;
	size_t *start, *len; /* into the lower-cased copy */
	char *text;
} tokens;

static void tokens_free(tokens *t)
{
	free(t->start);
	free(t->len);
	free(t->text);
	memset(t, 0, sizeof *t);
}

/* Splits s into tokens over a lower-cased copy; -1 when out of memory. */
static int tokenize(const char *s, size_t n, tokens *t)
{
	memset(t, 0, sizeof *t);
	if (!(t->text = malloc(n + 1)))
		return -1;
	for (size_t i = 0; i < n; i++)
		t->text[i] = (char)tolower((unsigned char)s[i]);
	t->text[n] = '\0';
	for (size_t i = 0; i < n;) {
		if (!token_byte((unsigned char)s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && token_byte((unsigned char)s[j]))
			j++;
		/* a leading or trailing apostrophe is a quote mark */
		size_t a = i, b = j;
		while (a < b && t->text[a] == '\'')
			a++;
		while (b > a && t->text[b - 1] == '\'')
			b--;
		if (b > a) {
			size_t cap = t->cap;
			if (grow(&t->start, &cap, t->n, sizeof *t->start, 32) ||
			    grow(&t->len, &t->cap, t->n, sizeof *t->len, 32))
				return -1;
			t->start[t->n] = a;
			t->len[t->n] = b - a;
			t->n++;
		}
		i = j;
	}
	return 0;
}

/* The canonical text of tokens [i, i + k) into buf (cap bytes): joined by
 * one blank.  Its length, or 0 when it does not fit. */
static size_t join_tokens(const tokens *t, size_t i, size_t k, char *buf, size_t cap)
{
	size_t len = 0;
	for (size_t j = i; j < i + k; j++) {
		if (len + t->len[j] + 2 > cap)
			return 0;
		if (j > i)
			buf[len++] = ' ';
		memcpy(buf + len, t->text + t->start[j], t->len[j]);
		len += t->len[j];
	}
	buf[len] = '\0';
	return len;
}

/* ---- the lexicon ------------------------------------------------------- */

sent_lexicon *sent_lexicon_new(void)
{
	sent_lexicon *lx = calloc(1, sizeof *lx);
	if (!lx)
		return NULL;
	lx->terms = sidx_new();
	lx->keywords = sidx_new();
	lx->commodities = sidx_new();
	if (!lx->terms || !lx->keywords || !lx->commodities) {
		sent_lexicon_free(lx);
		return NULL;
	}
	return lx;
}

void sent_lexicon_free(sent_lexicon *lx)
{
	if (!lx)
		return;
	sidx_free(lx->terms);
	sidx_free(lx->keywords);
	sidx_free(lx->commodities);
	free(lx->term);
	free(lx->keyword_of);
	free(lx);
}

size_t sent_lexicon_count(const sent_lexicon *lx)
{
	return sidx_count(lx->terms);
}

int sent_ncommodities(const sent_lexicon *lx)
{
	return (int)sidx_count(lx->commodities);
}

const char *sent_commodity(const sent_lexicon *lx, int i)
{
	return sidx_name(lx->commodities, (size_t)i);
}

enum { TERM_BUF = 512 };

/* The canonical text of a term or keyword into buf; its token count, or
 * QE_DATA when it has none or too many. */
static int canon_term(const char *what, const char *s, char *buf, size_t *len, int *ntok, qe_err *e)
{
	tokens t;
	if (tokenize(s, strlen(s), &t)) {
		tokens_free(&t);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	if (t.n == 0 || t.n > SENT_MAX_TERM_TOKENS) {
		size_t n = t.n;
		tokens_free(&t);
		return qe_err_set(e, QE_DATA, "%s '%s' has %zu words (1 to %d)", what, s, n, SENT_MAX_TERM_TOKENS);
	}
	*len = join_tokens(&t, 0, t.n, buf, TERM_BUF);
	*ntok = (int)t.n;
	tokens_free(&t);
	if (*len == 0)
		return qe_err_set(e, QE_DATA, "%s '%.40s...' longer than %d bytes", what, s, TERM_BUF - 2);
	return 0;
}

int sent_lexicon_add(sent_lexicon *lx, const char *term, int kind, double weight, qe_err *e)
{
	char buf[TERM_BUF];
	size_t len;
	int ntok, added, rc;
	if ((rc = canon_term("term", term, buf, &len, &ntok, e)))
		return rc;
	if ((kind == SENT_UP || kind == SENT_DOWN || kind == SENT_INTENSIFIER) && !(weight > 0))
		return qe_err_set(e, QE_DATA, "term '%s': weight %g not positive (a %s)", term, weight,
				  kind == SENT_INTENSIFIER ? "factor" : "direction's size");
	if (!isfinite(weight))
		return qe_err_set(e, QE_DATA, "term '%s': weight not finite", term);
	long i = sidx_add(lx->terms, buf, len, &added);
	if (i < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!added)
		return qe_err_set(e, QE_DATA, "term '%s' twice (as '%s')", term, buf);
	if (grow(&lx->term, &lx->cap, (size_t)i, sizeof *lx->term, 256))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	lx->term[i].kind = kind;
	lx->term[i].weight = weight;
	if (ntok > lx->max_tokens)
		lx->max_tokens = ntok;
	return 0;
}

int sent_lexicon_add_keyword(sent_lexicon *lx, const char *keyword, const char *commodity, qe_err *e)
{
	char buf[TERM_BUF];
	size_t len;
	int ntok, added, rc;
	if ((rc = canon_term("keyword", keyword, buf, &len, &ntok, e)))
		return rc;
	long c = sidx_find(lx->commodities, commodity, strlen(commodity));
	if (c < 0 && sidx_count(lx->commodities) >= SENT_MAX_COMMODITIES)
		return qe_err_set(e, QE_DATA, "commodity '%s': more than %d commodities", commodity,
				  SENT_MAX_COMMODITIES);
	if (c < 0 && (c = sidx_add(lx->commodities, commodity, strlen(commodity), NULL)) < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	long i = sidx_add(lx->keywords, buf, len, &added);
	if (i < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!added) {
		if (lx->keyword_of[i] != c)
			return qe_err_set(e, QE_DATA, "keyword '%s' of two commodities ('%s', '%s')", keyword,
					  sent_commodity(lx, lx->keyword_of[i]), commodity);
		return qe_err_set(e, QE_DATA, "keyword '%s' twice for '%s'", keyword, commodity);
	}
	if (grow(&lx->keyword_of, &lx->kcap, (size_t)i, sizeof *lx->keyword_of, 64))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	lx->keyword_of[i] = (int)c;
	if (ntok > lx->max_tokens)
		lx->max_tokens = ntok;
	return 0;
}

/* Reads one file of the lexicon: every row through add_row. */
static int load_rows(sent_lexicon *lx, const char *path, int kind_of_file, qe_err *e)
{
	const formats_table *t = formats_get(kind_of_file);
	const char *names[3];
	int idx[3], rc = 0, st;
	int ncols = kind_of_file == FMT_SENTIMENT_LEXICON ? 3 : 2;
	for (int i = 0; i < ncols; i++)
		names[i] = t->cols[i].name;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	/* the weight column is optional */
	if ((rc = csvr_require(r, names, ncols == 3 ? 2 : 2, idx, e)))
		goto out;
	idx[2] = ncols == 3 ? csvr_col(r, names[2]) : -1;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		const char *a = csvr_get_str(r, idx[0], e), *b;
		if (!a) {
			rc = e->code;
			goto out;
		}
		const char *why = schema_text_problem(a, strlen(a), SCHEMA_TEXT_MAX);
		if (why) {
			rc = csvr_field_error(r, idx[0], e, "%s '%s'", why, a);
			goto out;
		}
		if (kind_of_file == FMT_SENTIMENT_COMMODITIES) {
			if (!(b = csvr_get_str(r, idx[1], e))) {
				rc = e->code;
				goto out;
			}
			if ((why = schema_text_problem(b, strlen(b), SCHEMA_ID_MAX))) {
				rc = csvr_field_error(r, idx[1], e, "%s '%s'", why, b);
				goto out;
			}
			if ((rc = sent_lexicon_add_keyword(lx, a, b, e))) {
				if (rc == QE_DATA)
					rc = csvr_field_error(r, idx[0], e, "%s", e->msg);
				goto out;
			}
			continue;
		}
		if (!(b = csvr_get_str(r, idx[1], e))) {
			rc = e->code;
			goto out;
		}
		int kind = -1;
		for (int k = 0; t->cols[FMT_SL_KIND].values[k]; k++)
			if (strcmp(b, t->cols[FMT_SL_KIND].values[k]) == 0)
				kind = k;
		if (kind < 0) {
			rc = csvr_field_error(r, idx[1], e,
					      "unknown kind '%s' (expected polar, up, down, supply, demand, price, "
					      "negator or intensifier)",
					      b);
			goto out;
		}
		double w = 1;
		if (idx[2] >= 0 && !csvr_is_empty(r, idx[2]) && (rc = csvr_get_double(r, idx[2], &w, e)))
			goto out;
		if (kind == SENT_POLAR && (idx[2] < 0 || csvr_is_empty(r, idx[2]))) {
			rc = csvr_field_error(r, idx[2] >= 0 ? idx[2] : idx[1], e, "a polar term needs a weight");
			goto out;
		}
		if ((rc = sent_lexicon_add(lx, a, kind, w, e))) {
			if (rc == QE_DATA)
				rc = csvr_field_error(r, idx[0], e, "%s", e->msg);
			goto out;
		}
	}
out:
	csvr_close(r);
	return rc;
}

sent_lexicon *sent_lexicon_load(const char *lexicon, const char *commodities, qe_err *e)
{
	sent_lexicon *lx = sent_lexicon_new();
	if (!lx) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	if (load_rows(lx, lexicon, FMT_SENTIMENT_LEXICON, e) ||
	    load_rows(lx, commodities, FMT_SENTIMENT_COMMODITIES, e)) {
		sent_lexicon_free(lx);
		return NULL;
	}
	return lx;
}

/* ---- the score --------------------------------------------------------- */

void sent_params_default(sent_params *p)
{
	p->window = SENT_WINDOW;
	p->alpha = SENT_ALPHA;
	p->threshold = SENT_THRESHOLD;
}

const char *sent_label_name(int label)
{
	return label == SENT_POSITIVE ? "positive" : label == SENT_NEGATIVE ? "negative" : "neutral";
}

typedef struct match {
	size_t first, end; /* tokens [first, end) */
	int kind;
	double weight;
} match;

/* Token distance between two matches (0 when adjacent). */
static size_t gap(const match *a, const match *b)
{
	return a->end <= b->first ? b->first - a->end : b->end <= a->first ? a->first - b->end : 0;
}

int sent_score(const sent_lexicon *lx, const sent_params *p, const char *text, size_t len, sent_result *r,
	       qe_err *e)
{
	tokens t;
	char buf[TERM_BUF];
	memset(r, 0, sizeof *r);
	r->label = SENT_NEUTRAL;
	if (tokenize(text, len, &t)) {
		tokens_free(&t);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	match *m = malloc((t.n ? t.n : 1) * sizeof *m);
	if (!m) {
		tokens_free(&t);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	size_t nm = 0, maxk = (size_t)lx->max_tokens;
	/* the commodity keywords, anywhere (they may overlap terms) */
	for (size_t i = 0; i < t.n; i++)
		for (size_t k = 1; k <= maxk && i + k <= t.n; k++) {
			size_t l = join_tokens(&t, i, k, buf, sizeof buf);
			long kw = l ? sidx_find(lx->keywords, buf, l) : -1;
			if (kw >= 0)
				r->commodities |= (uint32_t)1 << lx->keyword_of[kw];
		}
	/* the terms: longest match first, left to right */
	for (size_t i = 0; i < t.n;) {
		size_t k = maxk < t.n - i ? maxk : t.n - i;
		long found = -1;
		for (; k >= 1; k--) {
			size_t l = join_tokens(&t, i, k, buf, sizeof buf);
			if (l && (found = sidx_find(lx->terms, buf, l)) >= 0)
				break;
		}
		if (found < 0) {
			i++;
			continue;
		}
		m[nm].first = i;
		m[nm].end = i + k;
		m[nm].kind = lx->term[found].kind;
		m[nm].weight = lx->term[found].weight;
		nm++;
		i += k;
	}
	const size_t w = (size_t)p->window;
	double s = 0;
	for (size_t a = 0; a < nm; a++) {
		double v;
		if (m[a].kind == SENT_POLAR) {
			v = m[a].weight;
		} else if (m[a].kind == SENT_UP || m[a].kind == SENT_DOWN) {
			/* the nearest subject within the window, the earlier on a tie */
			size_t best = (size_t)-1, bestgap = 0;
			for (size_t b = 0; b < nm; b++) {
				if (m[b].kind != SENT_SUPPLY && m[b].kind != SENT_DEMAND && m[b].kind != SENT_PRICE)
					continue;
				size_t g = gap(&m[a], &m[b]);
				if (g < w && (best == (size_t)-1 || g < bestgap))
					best = b, bestgap = g;
			}
			double subject = best != (size_t)-1 && m[best].kind == SENT_SUPPLY ? -1 : 1;
			v = (m[a].kind == SENT_UP ? 1 : -1) * subject * m[a].weight;
		} else {
			continue;
		}
		for (size_t b = 0; b < nm; b++) {
			if (m[b].kind == SENT_INTENSIFIER && gap(&m[a], &m[b]) < w)
				v *= m[b].weight;
			/* a negator ending within the window before the term */
			if (m[b].kind == SENT_NEGATOR && m[b].end <= m[a].first && m[a].first - m[b].end < w)
				v = -v;
		}
		s += v;
	}
	free(m);
	tokens_free(&t);
	r->raw = s;
	r->score = s / sqrt(s * s + p->alpha);
	r->label = r->score > p->threshold ? SENT_POSITIVE : r->score < -p->threshold ? SENT_NEGATIVE : SENT_NEUTRAL;
	return 0;
}

/* ---- the headlines file and the daily index ----------------------------- */

typedef struct daily_obs {
	qe_date date;
	int commodity;
	int rank; /* of the commodity's name, set when writing */
	int label;
	size_t seq; /* input order, so that each group sums in it */
	double score;
} daily_obs;

struct sent_daily {
	daily_obs *o;
	size_t n, cap;
	size_t headlines;
};

sent_daily *sent_daily_new(void)
{
	return calloc(1, sizeof(sent_daily));
}

void sent_daily_free(sent_daily *d)
{
	if (d) {
		free(d->o);
		free(d);
	}
}

size_t sent_daily_headlines(const sent_daily *d)
{
	return d->headlines;
}

static int daily_add(sent_daily *d, qe_date date, const sent_result *r, int nc, qe_err *e)
{
	d->headlines++;
	for (int c = 0; c < nc; c++) {
		if (!(r->commodities & ((uint32_t)1 << c)))
			continue;
		if (grow(&d->o, &d->cap, d->n, sizeof *d->o, 1024))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		d->o[d->n] = (daily_obs){date, c, 0, r->label, d->n, r->score};
		d->n++;
	}
	return 0;
}

static int cmp_obs(const void *pa, const void *pb)
{
	const daily_obs *a = pa, *b = pb;
	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

int sent_daily_write(sent_daily *d, const sent_lexicon *lx, csv_writer *w, qe_err *e)
{
	int nc = sent_ncommodities(lx), rank[SENT_MAX_COMMODITIES];
	/* the rank of each commodity's name */
	for (int c = 0; c < nc; c++) {
		rank[c] = 0;
		for (int k = 0; k < nc; k++)
			rank[c] += strcmp(sent_commodity(lx, k), sent_commodity(lx, c)) < 0;
	}
	for (size_t i = 0; i < d->n; i++)
		d->o[i].rank = rank[d->o[i].commodity];
	if (d->n > 1) /* a null base of no rows is undefined */
		qsort(d->o, d->n, sizeof *d->o, cmp_obs);
	csvw_header_of(w, FMT_SENTIMENT_DAILY);
	for (size_t i = 0; i < d->n;) {
		size_t j = i;
		double sum = 0;
		int64_t cnt[3] = {0, 0, 0};
		while (j < d->n && d->o[j].date == d->o[i].date && d->o[j].commodity == d->o[i].commodity) {
			sum += d->o[j].score;
			cnt[d->o[j].label]++;
			j++;
		}
		csvw_date(w, d->o[i].date);
		csvw_str(w, sent_commodity(lx, d->o[i].commodity));
		csvw_int(w, (int64_t)(j - i));
		csvw_double(w, sum / (double)(j - i));
		csvw_int(w, cnt[SENT_POSITIVE]);
		csvw_int(w, cnt[SENT_NEGATIVE]);
		csvw_int(w, cnt[SENT_NEUTRAL]);
		csvw_end(w);
		i = j;
	}
	(void)e;
	return 0;
}

/* The floor of a / b for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int sent_score_file(const sent_lexicon *lx, const sent_params *p, const char *path, csv_writer *w,
		    sent_daily *daily, qe_err *e)
{
	const char *names[3] = {formats_colname(FMT_HEADLINES, FMT_HL_TS),
				formats_colname(FMT_HEADLINES, FMT_HL_SOURCE),
				formats_colname(FMT_HEADLINES, FMT_HL_HEADLINE)};
	int idx[3], rc, st;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if ((rc = csvr_require(r, names, 3, idx, e)))
		goto out;
	csvw_header_of(w, FMT_SENTIMENT);
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		size_t len;
		qe_ts ts;
		sent_result res;
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		const char *v = csvr_field(r, idx[0], &len);
		if (ts_parse(v, len, &ts)) {
			rc = csvr_field_error(r, idx[0], e,
					      len ? "invalid timestamp (expected YYYY-MM-DDTHH:MM:SS+HH:MM) '%s'"
						  : "empty value%s",
					      v);
			goto out;
		}
		for (int c = 1; c < 3; c++) {
			v = csvr_field(r, idx[c], &len);
			size_t k = 0;
			while (k < len && isspace((unsigned char)v[k]))
				k++;
			const char *why = len == 0 ? "empty value"
					  : k == len ? (c == 2 ? "blank headline" : "blank source")
						     : schema_text_problem(v, len, c == 2 ? SCHEMA_TEXT_MAX : SCHEMA_ID_MAX);
			if (why) {
				strbuf shown = {0};
				schema_show_value(&shown, v, len);
				rc = csvr_field_error(r, idx[c], e, "%s '%.*s'", why, (int)shown.len,
						      shown.p ? shown.p : "");
				strbuf_free(&shown);
				goto out;
			}
		}
		v = csvr_field(r, idx[2], &len);
		if ((rc = sent_score(lx, p, v, len, &res, e)))
			goto out;
		char tb[TS_BUFSZ];
		ts_format(tb, ts, 0);
		csvw_str(w, tb);
		csvw_str(w, csvr_field(r, idx[1], NULL));
		csvw_strn(w, v, len);
		csvw_double(w, res.score);
		csvw_str(w, sent_label_name(res.label));
		char list[SENT_MAX_COMMODITIES * (SCHEMA_ID_MAX + 1) + 1];
		size_t ll = 0;
		for (int c = 0; c < sent_ncommodities(lx); c++)
			if (res.commodities & ((uint32_t)1 << c)) {
				const char *name = sent_commodity(lx, c);
				size_t nl = strlen(name);
				if (ll)
					list[ll++] = ';';
				memcpy(list + ll, name, nl);
				ll += nl;
			}
		csvw_strn(w, list, ll);
		csvw_end(w);
		if (daily) {
			qe_date day = (qe_date)floor_div(ts.utc + ts.offset, 86400);
			if ((rc = daily_add(daily, day, &res, sent_ncommodities(lx), e)))
				goto out;
		}
	}
	rc = 0;
out:
	csvr_close(r);
	return rc;
}
