/* Business-day calendars from holiday files; see calendar.h. */
#include "time/calendar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "io/infile.h"

struct qe_calendar {
	char name[64];
	char source[256];
	int nerc;        /* rule-based NERC holidays instead of a list */
	int first_year, last_year;
	size_t n;
	qe_date *hol;    /* sorted, unique */
};

static int cmp_date(const void *a, const void *b)
{
	qe_date x = *(const qe_date *)a, y = *(const qe_date *)b;
	return (x > y) - (x < y);
}

static void sort_unique(qe_calendar *c)
{
	if (c->n == 0)
		return;
	qsort(c->hol, c->n, sizeof *c->hol, cmp_date);
	size_t k = 1;
	for (size_t i = 1; i < c->n; i++)
		if (c->hol[i] != c->hol[k - 1])
			c->hol[k++] = c->hol[i];
	c->n = k;
}

static int year_of(qe_date d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	return y;
}

qe_calendar *cal_from_dates(const char *name, const qe_date *holidays, size_t n, int first_year,
			    int last_year)
{
	qe_calendar *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->hol = malloc((n ? n : 1) * sizeof *c->hol);
	if (!c->hol) {
		free(c);
		return NULL;
	}
	if (n)
		memcpy(c->hol, holidays, n * sizeof *holidays);
	c->n = n;
	sort_unique(c);
	snprintf(c->name, sizeof c->name, "%s", name ? name : "");
	c->first_year = first_year;
	c->last_year = last_year;
	return c;
}

void cal_free(qe_calendar *cal)
{
	if (!cal)
		return;
	free(cal->hol);
	free(cal);
}

const char *cal_name(const qe_calendar *cal)
{
	return cal->name;
}

const char *cal_source(const qe_calendar *cal)
{
	return cal->source;
}

int cal_covers(const qe_calendar *cal, qe_date d)
{
	int y = year_of(d);
	return y >= cal->first_year && y <= cal->last_year;
}

/* Trims spaces/tabs/CR at both ends in place; returns the start. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* "# key: value" header lines. */
static int header_value(const char *line, const char *key, const char **val)
{
	const char *p = line + 1;
	while (*p == ' ')
		p++;
	size_t k = strlen(key);
	if (strncmp(p, key, k) != 0 || p[k] != ':')
		return 0;
	p += k + 1;
	while (*p == ' ')
		p++;
	*val = p;
	return 1;
}

qe_calendar *cal_load(const char *path, qe_err *e)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		qe_err_set(e, errno == ENOENT ? QE_DATA : QE_IO, "%s: cannot open calendar: %s", path,
			   strerror(errno));
		return NULL;
	}
	if (!(fp = infile_wrap(fp, 1, NULL, e))) /* a gzip holiday file too */
		return NULL;
	qe_calendar *c = calloc(1, sizeof *c);
	size_t cap = 64;
	if (c)
		c->hol = malloc(cap * sizeof *c->hol);
	if (!c || !c->hol) {
		fclose(fp);
		cal_free(c);
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	/* default name: the file's base name without .txt */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(c->name, sizeof c->name, "%s", base);
	char *dot = strrchr(c->name, '.');
	if (dot)
		*dot = '\0';
	c->first_year = c->last_year = 0;
	int have_cover = 0;
	char line[512];
	long lineno = 0;
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(fp)) {
			qe_err_set(e, QE_DATA, "%s:%ld:%zu: line longer than %zu bytes", path, lineno,
				   sizeof line - 1, sizeof line - 2);
			goto fail;
		}
		char *s = trim(line);
		const char *v;
		if (*s == '\0')
			continue;
		if (*s == '#') {
			if (header_value(s, "calendar", &v))
				snprintf(c->name, sizeof c->name, "%s", v);
			else if (header_value(s, "source", &v))
				snprintf(c->source, sizeof c->source, "%s", v);
			else if (header_value(s, "covers", &v)) {
				int a, b, n = 0;
				if (sscanf(v, "%4d-%4d%n", &a, &b, &n) != 2 || v[n] != '\0' || a > b) {
					qe_err_set(e, QE_DATA, "%s:%ld:%td: bad covers line '%.64s' (want YYYY-YYYY)",
						   path, lineno, v - line + 1, v);
					goto fail;
				}
				c->first_year = a;
				c->last_year = b;
				have_cover = 1;
			}
			continue;
		}
		/* a date, optionally followed by blanks and a comment */
		size_t dl = strcspn(s, " \t#");
		qe_date d;
		const char *rest = s + dl;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (date_parse(s, dl, &d) || (*rest && *rest != '#')) {
			qe_err_set(e, QE_DATA, "%s:%ld:%td: not an ISO date '%.64s'", path, lineno,
				   s - line + 1, s);
			goto fail;
		}
		if (c->n == cap) {
			qe_date *nh = realloc(c->hol, 2 * cap * sizeof *nh);
			if (!nh) {
				qe_err_set(e, QE_INTERNAL, "out of memory");
				goto fail;
			}
			c->hol = nh;
			cap *= 2;
		}
		c->hol[c->n++] = d;
	}
	if (ferror(fp)) {
		infile_read_error(e, path, errno);
		goto fail;
	}
	fclose(fp);
	sort_unique(c);
	if (!have_cover && c->n) {
		c->first_year = year_of(c->hol[0]);
		c->last_year = year_of(c->hol[c->n - 1]);
	}
	if (have_cover && c->n &&
	    (year_of(c->hol[0]) < c->first_year || year_of(c->hol[c->n - 1]) > c->last_year)) {
		qe_err_set(e, QE_DATA, "%s: holidays outside the covered years %d-%d", path, c->first_year,
			   c->last_year);
		cal_free(c);
		return NULL;
	}
	return c;
fail:
	fclose(fp);
	cal_free(c);
	return NULL;
}

qe_calendar *cal_load_named(const char *name, const char *dir, qe_err *e)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 40) {
		qe_err_set(e, QE_DATA, "invalid calendar name '%s'", name ? name : "");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-')) {
			qe_err_set(e, QE_DATA, "invalid calendar name '%s'", name);
			return NULL;
		}
	}
	if (strcmp(name, "WEEKENDS") == 0 || strcmp(name, "NERC") == 0) {
		qe_calendar *c = cal_from_dates(name, NULL, 0, -9999, 9999);
		if (!c) {
			qe_err_set(e, QE_INTERNAL, "out of memory");
			return NULL;
		}
		c->nerc = name[0] == 'N';
		snprintf(c->source, sizeof c->source, "%s",
			 c->nerc ? "NERC holiday rule (built in)" : "weekends only (built in)");
		return c;
	}
	if (!dir || !*dir) {
		qe_err_set(e, QE_DATA, "unknown calendar '%s' (no calendar directory: give --calendars DIR)",
			   name);
		return NULL;
	}
	char path[4200];
	if (snprintf(path, sizeof path, "%s/%s.txt", dir, name) >= (int)sizeof path) {
		qe_err_set(e, QE_DATA, "%s: calendar directory name too long", dir);
		return NULL;
	}
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		qe_err_set(e, QE_DATA, "unknown calendar '%s' (no %s)", name, path);
		return NULL;
	}
	return cal_load(path, e);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *cal_dir_choose(const char *option, const char *env, const char *markets,
			   const char *sharedir, char *buf, size_t n)
{
	int len;
	if (option && *option)
		len = snprintf(buf, n, "%s", option);
	else if (env && *env)
		len = snprintf(buf, n, "%s", env);
	else {
		len = -1;
		if (markets && *markets && strcmp(markets, "-") != 0) {
			const char *slash = strrchr(markets, '/');
			if (!slash)
				len = snprintf(buf, n, "calendars");
			else if (slash == markets)
				len = snprintf(buf, n, "/calendars");
			else
				len = snprintf(buf, n, "%.*s/calendars", (int)(slash - markets), markets);
			if (len >= 0 && (size_t)len < n && !is_dir(buf))
				len = -1;
		}
		if (len < 0 && sharedir && *sharedir)
			len = snprintf(buf, n, "%s/calendars", sharedir);
	}
	return len >= 0 && (size_t)len < n ? buf : NULL;
}

int cal_is_holiday(const qe_calendar *cal, qe_date d)
{
	if (cal->nerc)
		return cal_is_nerc_holiday(d);
	size_t lo = 0, hi = cal->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->hol[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cal->n && cal->hol[lo] == d;
}

int cal_is_business_day(const qe_calendar *cal, qe_date d)
{
	return date_weekday(d) < 6 && !cal_is_holiday(cal, d);
}

qe_date cal_next_business_day(const qe_calendar *cal, qe_date d)
{
	do
		d++;
	while (!cal_is_business_day(cal, d));
	return d;
}

qe_date cal_prev_business_day(const qe_calendar *cal, qe_date d)
{
	do
		d--;
	while (!cal_is_business_day(cal, d));
	return d;
}

qe_date cal_following(const qe_calendar *cal, qe_date d)
{
	return cal_is_business_day(cal, d) ? d : cal_next_business_day(cal, d);
}

qe_date cal_preceding(const qe_calendar *cal, qe_date d)
{
	return cal_is_business_day(cal, d) ? d : cal_prev_business_day(cal, d);
}

static int month_of(qe_date d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	return m;
}

qe_date cal_modified_following(const qe_calendar *cal, qe_date d)
{
	qe_date f = cal_following(cal, d);
	return month_of(f) == month_of(d) ? f : cal_preceding(cal, d);
}

qe_date cal_modified_preceding(const qe_calendar *cal, qe_date d)
{
	qe_date p = cal_preceding(cal, d);
	return month_of(p) == month_of(d) ? p : cal_following(cal, d);
}

qe_date cal_add_business_days(const qe_calendar *cal, qe_date d, int n)
{
	for (; n > 0; n--)
		d = cal_next_business_day(cal, d);
	for (; n < 0; n++)
		d = cal_prev_business_day(cal, d);
	return d;
}

int cal_business_days(const qe_calendar *cal, qe_date a, qe_date b)
{
	int n = 0;
	for (qe_date d = a; d <= b; d++)
		n += cal_is_business_day(cal, d);
	return n;
}

qe_date cal_last_business_day_of_month(const qe_calendar *cal, qe_date d)
{
	return cal_preceding(cal, date_add_months_first(d, 1) - 1);
}

qe_date cal_first_business_day_of_month(const qe_calendar *cal, qe_date d)
{
	return cal_following(cal, date_add_months_first(d, 0));
}

qe_date cal_easter_sunday(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
	return date_from_ymd(y, month, day);
}

qe_date cal_nth_weekday(int y, int m, int wd, int n)
{
	if (n < 0) {
		qe_date last = date_from_ymd(y, m, date_days_in_month(y, m));
		return last - (date_weekday(last) - wd + 7) % 7;
	}
	qe_date first = date_from_ymd(y, m, 1);
	return first + (wd - date_weekday(first) + 7) % 7 + 7 * (n - 1);
}

int cal_is_nerc_holiday(qe_date d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	/* fixed-date holidays, observed Monday when on a Sunday */
	static const int fixed[3][2] = {{1, 1}, {7, 4}, {12, 25}};
	for (int i = 0; i < 3; i++) {
		qe_date h = date_from_ymd(y, fixed[i][0], fixed[i][1]);
		if (date_weekday(h) == 7)
			h++;
		if (h == d)
			return 1;
	}
	if (m == 5 && d == cal_nth_weekday(y, 5, 1, -1))
		return 1; /* Memorial Day: last Monday of May */
	if (m == 9 && d == cal_nth_weekday(y, 9, 1, 1))
		return 1; /* Labor Day: first Monday of September */
	if (m == 11 && d == cal_nth_weekday(y, 11, 4, 4))
		return 1; /* Thanksgiving: fourth Thursday of November */
	return 0;
}
