/* Meter-data VEE and settlement aggregation; see meters.h for the rules. */
#include "ingest/meters.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One reading of the current meter as buffered. */
struct rd {
	int64_t utc;
	int interval; /* minutes */
	double energy;
	char quality;
	unsigned flags;
	int valid; /* 0 once rejected (negative, quality M) */
	long line;
};

/* One item of the cleaned time line: a reading or an estimate (valid), or a
 * flag-only marker for the period of a rejected reading (valid = 0). */
struct item {
	int64_t utc;
	int interval;
	double energy;
	char quality;
	unsigned flags;
	int valid;
};

struct meter_agg {
	meter_opts o;
	char *cur;            /* current meter id, NULL before the first reading */
	struct rd *rd;
	size_t nrd, caprd;
	struct item *it;
	size_t nit, capit;
	meter_row *q;         /* queued rows */
	size_t nq, capq, qhead;
	char **seen;          /* hash set of finished meter ids; owns them, and
	                       * queued rows point into it */
	size_t nseen, capseen;
	double *win;          /* scratch for medians */
	meter_counts c;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * size);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int seen_has(const meter_agg *m, const char *id)
{
	if (!m->capseen)
		return 0;
	for (size_t i = hash_str(id) & (m->capseen - 1);; i = (i + 1) & (m->capseen - 1)) {
		if (!m->seen[i])
			return 0;
		if (strcmp(m->seen[i], id) == 0)
			return 1;
	}
}

static int seen_add(meter_agg *m, char *id)
{
	if (2 * (m->nseen + 1) > m->capseen) {
		size_t nc = m->capseen ? 2 * m->capseen : 64;
		char **ns = calloc(nc, sizeof *ns);
		if (!ns)
			return -1;
		for (size_t k = 0; k < m->capseen; k++)
			if (m->seen[k]) {
				size_t i = hash_str(m->seen[k]) & (nc - 1);
				while (ns[i])
					i = (i + 1) & (nc - 1);
				ns[i] = m->seen[k];
			}
		free(m->seen);
		m->seen = ns;
		m->capseen = nc;
	}
	size_t i = hash_str(id) & (m->capseen - 1);
	while (m->seen[i])
		i = (i + 1) & (m->capseen - 1);
	m->seen[i] = id;
	m->nseen++;
	return 0;
}

meter_agg *meter_agg_new(const meter_opts *opts, qe_err *e)
{
	meter_opts o = *opts;
	if (!o.tz) {
		qe_err_set(e, QE_USAGE, "meters: no time zone given");
		return NULL;
	}
	if (o.period_min == 0)
		o.period_min = 60;
	if (o.period_min != 15 && o.period_min != 30 && o.period_min != 60) {
		qe_err_set(e, QE_USAGE, "settlement period of %d minutes not supported (15, 30 or 60)",
			   o.period_min);
		return NULL;
	}
	if (o.max_gap_min == 0)
		o.max_gap_min = 60;
	if (o.outlier_window == 0)
		o.outlier_window = 97;
	if (o.outlier_window < 5 || o.outlier_window > 10001) {
		qe_err_set(e, QE_USAGE, "outlier window of %d readings not supported (5 to 10001)",
			   o.outlier_window);
		return NULL;
	}
	if (o.outlier_z == 0)
		o.outlier_z = 3.5;
	if (o.max_drift_s < 0 || o.max_drift_s > 300) {
		qe_err_set(e, QE_USAGE, "clock drift tolerance of %d s not supported (0 to 300)", o.max_drift_s);
		return NULL;
	}
	if (!isfinite(o.outlier_z)) {
		qe_err_set(e, QE_USAGE, "outlier threshold must be finite");
		return NULL;
	}
	meter_agg *m = calloc(1, sizeof *m);
	if (m)
		m->win = malloc((size_t)(o.outlier_window + 1) * sizeof *m->win);
	if (!m || !m->win) {
		free(m);
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	m->o = o;
	return m;
}

void meter_agg_free(meter_agg *m)
{
	if (!m)
		return;
	/* every finished id is in `seen`; the current one is `cur` */
	for (size_t i = 0; i < m->capseen; i++)
		free(m->seen[i]);
	free(m->seen);
	free(m->cur);
	free(m->rd);
	free(m->it);
	free(m->q);
	free(m->win);
	free(m);
}

void meter_get_counts(const meter_agg *m, meter_counts *out)
{
	*out = m->c;
}

/* --- period arithmetic ----------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Start (UTC) of the local-time-aligned period of `secs` seconds containing utc. */
static int64_t period_start(const qe_tz *tz, int64_t utc, int64_t secs)
{
	int64_t local = tz_utc_to_local(tz, utc);
	return utc - (local - floor_div(local, secs) * secs);
}

/* --- outliers --------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* First index p with v[p] >= x in sorted v[0..n). */
static size_t lower_bound(const double *v, size_t n, double x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* k-th smallest (0-based) of |v[j] - med| for sorted v: the deviations
 * grow outwards from med on both sides, so merge the two runs. */
static double kth_deviation(const double *v, size_t n, double med, size_t k)
{
	size_t r = lower_bound(v, n, med); /* next on the right: v[r] - med */
	size_t l = r;                       /* next on the left: med - v[l - 1] */
	double d = 0;
	for (size_t taken = 0; taken <= k; taken++) {
		double dl = l > 0 ? med - v[l - 1] : INFINITY;
		double dr = r < n ? v[r] - med : INFINITY;
		if (dl <= dr) {
			d = dl;
			l--;
		} else {
			d = dr;
			r++;
		}
	}
	return d;
}

/* Flags outliers among the valid readings (by energy per minute).  The
 * window is kept sorted as it slides (one delete and one insert per step),
 * so each reading costs O(window) instead of a sort.  -1 when out of memory. */
static int flag_outliers(meter_agg *m)
{
	if (m->o.outlier_z < 0)
		return 0;
	size_t nv = 0;
	for (size_t i = 0; i < m->nrd; i++)
		nv += m->rd[i].valid;
	if (nv < 5)
		return 0;
	size_t *idx = malloc(nv * sizeof *idx);
	double *x = malloc(nv * sizeof *x);
	if (!idx || !x) {
		free(idx);
		free(x);
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < m->nrd; i++)
		if (m->rd[i].valid) {
			idx[k] = i;
			x[k++] = m->rd[i].energy / m->rd[i].interval;
		}
	size_t w = (size_t)m->o.outlier_window;
	if (w > nv)
		w = nv;
	double *win = m->win; /* sorted copy of x[cur .. cur + w) */
	size_t cur = 0;
	memcpy(win, x, w * sizeof *x);
	qsort(win, w, sizeof *win, cmp_double);
	for (size_t i = 0; i < nv; i++) {
		/* centred window of w values, shifted inwards at the ends */
		size_t lo = i >= w / 2 ? i - w / 2 : 0;
		if (lo + w > nv)
			lo = nv - w;
		for (; cur < lo; cur++) {
			size_t out = lower_bound(win, w, x[cur]);
			memmove(win + out, win + out + 1, (w - out - 1) * sizeof *win);
			double in = x[cur + w];
			size_t at = lower_bound(win, w - 1, in);
			memmove(win + at + 1, win + at, (w - 1 - at) * sizeof *win);
			win[at] = in;
		}
		double med = median_sorted(win, w);
		double mad = w % 2 ? kth_deviation(win, w, med, w / 2)
				   : 0.5 * (kth_deviation(win, w, med, w / 2 - 1) +
					    kth_deviation(win, w, med, w / 2));
		double z = 0;
		if (mad > 0) {
			z = 0.6745 * (x[i] - med) / mad;
		} else if (x[i] != med) {
			/* MAD 0 and x off the median: the mean deviation is > 0 */
			double sum_abs = 0;
			for (size_t j = 0; j < w; j++)
				sum_abs += fabs(win[j] - med);
			z = (x[i] - med) / (1.2533 * sum_abs / (double)w);
		}
		if (fabs(z) > m->o.outlier_z) {
			m->rd[idx[i]].flags |= METER_F_OUTLIER;
			m->c.outliers++;
		}
	}
	free(idx);
	free(x);
	return 0;
}

/* --- the time line ------------------------------------------------------------ */

static int add_item(meter_agg *m, int64_t utc, int interval, double energy, char quality,
		    unsigned flags, int valid)
{
	if (grow((void **)&m->it, &m->capit, m->nit + 1, sizeof *m->it))
		return -1;
	struct item *it = &m->it[m->nit++];
	it->utc = utc;
	it->interval = interval;
	it->energy = energy;
	it->quality = quality;
	it->flags = flags;
	it->valid = valid;
	return 0;
}

/* Fills or leaves missing the gap between valid readings a and b (either
 * may be NULL at the ends of the series). */
static int fill_gap(meter_agg *m, const struct rd *a, const struct rd *b)
{
	if (!a || !b)
		return 0;
	int64_t g0 = a->utc + (int64_t)a->interval * 60, g1 = b->utc;
	if (g1 <= g0)
		return 0;
	int step = a->interval < b->interval ? a->interval : b->interval;
	int64_t k = (g1 - g0) / (step * 60);
	if (m->o.max_gap_min < 0 || g1 - g0 > (int64_t)m->o.max_gap_min * 60) {
		m->c.missing += k;
		return 0;
	}
	double ra = a->energy / a->interval, rb = b->energy / b->interval;
	for (int64_t j = 1; j <= k; j++) {
		double rate = ra + (rb - ra) * (double)j / (double)(k + 1);
		if (add_item(m, g0 + (j - 1) * step * 60, step, rate * step, 'E', METER_F_ESTIMATED, 1))
			return -1;
		m->c.filled++;
	}
	return 0;
}

static int queue_row(meter_agg *m, const char *id, int64_t start, double energy, char quality,
		     unsigned flags, int readings, int expected)
{
	if (grow((void **)&m->q, &m->capq, m->nq + 1, sizeof *m->q))
		return -1;
	meter_row *r = &m->q[m->nq++];
	r->meter_id = id;
	r->utc = start;
	r->offset = tz_offset_at(m->o.tz, start, NULL, NULL);
	r->period_min = m->o.period_min;
	r->energy = quality == 'M' ? NAN : energy;
	r->quality = quality;
	r->flags = flags;
	r->readings = readings;
	r->expected = expected;
	m->c.rows++;
	if (quality == 'M')
		m->c.rows_missing++;
	else if (quality == 'E')
		m->c.rows_estimated++;
	else
		m->c.rows_actual++;
	return 0;
}

static int by_utc(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->utc != y->utc)
		return (x->utc > y->utc) - (x->utc < y->utc);
	return (x->valid < y->valid) - (x->valid > y->valid);
}

static int process_meter(meter_agg *m, qe_err *e)
{
	if (!m->cur || m->nrd == 0)
		return 0;
	m->c.meters++;
	if (flag_outliers(m))
		goto oom;
	m->nit = 0;
	const struct rd *prev = NULL;
	for (size_t i = 0; i < m->nrd; i++) {
		const struct rd *r = &m->rd[i];
		if (!r->valid) {
			if (add_item(m, r->utc, r->interval, 0, 'M', r->flags, 0))
				goto oom;
			continue;
		}
		if (fill_gap(m, prev, r))
			goto oom;
		unsigned fl = r->flags | (r->quality == 'E' ? METER_F_INPUT_EST : 0);
		if (add_item(m, r->utc, r->interval, r->energy, r->quality, fl, 1))
			goto oom;
		prev = r;
	}
	/* estimates were appended after the rejected markers they cover */
	qsort(m->it, m->nit, sizeof *m->it, by_utc);

	const char *id = m->cur;
	const int64_t P = (int64_t)m->o.period_min * 60;
	int64_t last_start = period_start(m->o.tz, m->it[m->nit - 1].utc, P);
	size_t j = 0;
	int64_t ps = period_start(m->o.tz, m->it[0].utc, P);
	while (ps <= last_start) {
		/* re-aligned on the local grid, in case an offset change that
		 * is not a multiple of the period moved it */
		int64_t next = period_start(m->o.tz, ps + P, P);
		double sum = 0;
		int64_t covered = 0;
		int nread = 0, interval = 0;
		unsigned flags = 0;
		char quality = 'A';
		for (; j < m->nit && m->it[j].utc < next; j++) {
			const struct item *it = &m->it[j];
			flags |= it->flags;
			if (!interval)
				interval = it->interval;
			if (!it->valid)
				continue;
			sum += it->energy;
			covered += (int64_t)it->interval * 60;
			nread++;
			if (it->quality == 'E')
				quality = 'E';
		}
		if (!interval)
			interval = m->rd[0].interval;
		if (covered < next - ps) {
			quality = 'M';
			flags |= METER_F_GAP;
		}
		if (queue_row(m, id, ps, sum, quality, flags, nread, (int)((next - ps) / 60 / interval)))
			goto oom;
		ps = next;
	}
	m->nrd = 0;
	return 0;
oom:
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

static void fmt_ts(char *buf, const qe_tz *tz, int64_t utc)
{
	ts_format(buf, ts_in_zone(tz, utc), 0);
}

int meter_push(meter_agg *m, const meter_reading *r, qe_err *e)
{
	char b1[TS_BUFSZ], b2[TS_BUFSZ], where[48] = "";
	if (r->line > 0)
		snprintf(where, sizeof where, "line %ld: ", r->line);
	if (m->qhead == m->nq)
		m->nq = m->qhead = 0;
	int iv = r->interval_min;
	if (iv != 1 && iv != 5 && iv != 15 && iv != 30 && iv != 60)
		return qe_err_set(e, QE_DATA, "%sinterval of %d minutes not supported (1, 5, 15, 30 or 60)",
				  where, iv);
	if (m->o.period_min % iv)
		return qe_err_set(e, QE_DATA, "%sinterval of %d minutes does not divide the %d-minute settlement period",
				  where, iv, m->o.period_min);
	int64_t local = tz_utc_to_local(m->o.tz, r->utc);
	int64_t utc = r->utc;
	unsigned clock = 0;
	int64_t off_grid = local - floor_div(local + iv * 30, iv * 60) * iv * 60; /* to the nearest boundary */
	if (off_grid != 0) {
		if (off_grid > m->o.max_drift_s || -off_grid > m->o.max_drift_s) {
			fmt_ts(b1, m->o.tz, r->utc);
			return qe_err_set(e, QE_DATA, "%sreading at %s is not aligned on its %d-minute interval",
					  where, b1, iv);
		}
		utc -= off_grid; /* clock drift: snapped, and flagged */
		clock = METER_F_CLOCK;
	}
	if (r->quality != 'A' && r->quality != 'E' && r->quality != 'M')
		return qe_err_set(e, QE_DATA, "%squality '%c' is not A, E or M", where, r->quality);
	if (r->quality != 'M' && !isfinite(r->energy))
		return qe_err_set(e, QE_DATA, "%senergy is not a finite number", where);
	if (!r->meter_id || !*r->meter_id)
		return qe_err_set(e, QE_DATA, "%sempty meter id", where);

	if (!m->cur || strcmp(m->cur, r->meter_id) != 0) {
		if (seen_has(m, r->meter_id))
			return qe_err_set(e, QE_DATA,
					  "%smeter '%s' appears again after other meters (input must be sorted by meter, then time)",
					  where, r->meter_id);
		char *id = strdup(r->meter_id);
		if (!id)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		int rc = process_meter(m, e);
		if (!rc && m->cur && seen_add(m, m->cur))
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		if (rc) {
			free(id);
			return rc;
		}
		m->cur = id;
		m->nrd = 0;
	} else if (m->nrd) {
		struct rd *last = &m->rd[m->nrd - 1];
		if (utc < last->utc) {
			fmt_ts(b1, m->o.tz, utc);
			fmt_ts(b2, m->o.tz, last->utc);
			return qe_err_set(e, QE_DATA,
					  "%smeter '%s': reading at %s comes after %s (input must be sorted by meter, then time)",
					  where, r->meter_id, b1, b2);
		}
		if (utc < last->utc + (int64_t)last->interval * 60) {
			int same = utc == last->utc && r->interval_min == last->interval &&
				   r->quality == last->quality &&
				   (r->energy == last->energy || (isnan(r->energy) && isnan(last->energy)));
			m->c.readings++;
			m->c.duplicates++;
			if (!same)
				last->flags |= METER_F_DUPLICATE;
			last->flags |= clock;
			return 0;
		}
	}
	if (grow((void **)&m->rd, &m->caprd, m->nrd + 1, sizeof *m->rd))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	m->c.readings++;
	m->c.drifted += clock != 0;
	struct rd *d = &m->rd[m->nrd++];
	d->utc = utc;
	d->interval = iv;
	d->energy = r->energy;
	d->quality = r->quality;
	d->flags = clock;
	d->valid = r->quality != 'M';
	d->line = r->line;
	if (d->valid && r->energy < 0) {
		d->valid = 0;
		d->flags |= METER_F_NEGATIVE;
		m->c.negatives++;
	}
	return 0;
}

int meter_finish(meter_agg *m, qe_err *e)
{
	if (m->qhead == m->nq)
		m->nq = m->qhead = 0;
	int rc = process_meter(m, e);
	if (!rc && m->cur) {
		if (seen_add(m, m->cur))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		m->cur = NULL;
	}
	return rc;
}

int meter_next_row(meter_agg *m, meter_row *row)
{
	if (m->qhead >= m->nq)
		return 0;
	*row = m->q[m->qhead++];
	return 1;
}

void meter_flags_format(char *buf, unsigned flags)
{
	static const struct {
		unsigned bit;
		char ch;
	} f[] = {{METER_F_GAP, 'G'},      {METER_F_DUPLICATE, 'D'}, {METER_F_NEGATIVE, 'N'},
		 {METER_F_OUTLIER, 'O'},  {METER_F_ESTIMATED, 'E'}, {METER_F_INPUT_EST, 'I'},
		 {METER_F_CLOCK, 'C'}};
	int n = 0;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (flags & f[i].bit)
			buf[n++] = f[i].ch;
	buf[n] = '\0';
}

int meter_register_delta(double prev, double cur, double rollover, double *delta)
{
	if (!isfinite(prev) || !isfinite(cur) || !isfinite(rollover)) {
		*delta = NAN;
		return METER_REG_NEGATIVE;
	}
	if (cur >= prev) {
		*delta = cur - prev;
		return METER_REG_OK;
	}
	if (rollover > 0 && prev < rollover && cur >= 0) {
		double wrapped = rollover - prev + cur;
		if (wrapped <= rollover / 2) {
			*delta = wrapped;
			return METER_REG_ROLLOVER;
		}
	}
	*delta = cur - prev;
	return METER_REG_NEGATIVE;
}

double degree_days_heating(double mean, double base)
{
	return mean < base ? base - mean : 0.0;
}

double degree_days_cooling(double mean, double base)
{
	return mean > base ? mean - base : 0.0;
}

double degree_days_mean(double tmin, double tmax)
{
	return 0.5 * (tmin + tmax);
}
