#include "screen/breach.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/formats.h"

static const char *const severity_names[BREACH_NSEV] = {"info", "warning", "breach"};

void breach_list_init(breach_list *l, qe_date asof)
{
	memset(l, 0, sizeof *l);
	l->asof = asof;
}

void breach_list_free(breach_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].entity_id);
		free(l->v[i].rule);
		free(l->v[i].message);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

const char *breach_severity_name(int severity)
{
	return severity >= 0 && severity < BREACH_NSEV ? severity_names[severity] : "?";
}

int breach_severity_parse(const char *s)
{
	for (int i = 0; i < BREACH_NSEV; i++)
		if (strcmp(s, severity_names[i]) == 0)
			return i;
	return -1;
}

int breach_add(breach_list *l, const char *rule_set, const char *rule, int severity, const char *entity_type,
	       const char *entity_id, double value, double limit, qe_err *e, const char *fmt, ...)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		breach *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	breach *b = &l->v[l->n];
	b->rule_set = rule_set;
	b->rule = strdup(rule);
	b->severity = severity;
	b->entity_type = entity_type;
	b->entity_id = strdup(entity_id);
	b->message = strdup(msg);
	b->value = value;
	b->limit = limit;
	if (!b->entity_id || !b->message || !b->rule) {
		free(b->rule);
		free(b->entity_id);
		free(b->message);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	l->n++;
	l->count[severity]++;
	return 0;
}

double breach_utilisation(double value, double limit)
{
	if (!isfinite(value) || !isfinite(limit) || limit == 0)
		return NAN;
	return value / limit;
}

static void write_num(csv_writer *w, double x)
{
	if (isfinite(x))
		csvw_double(w, x);
	else
		csvw_empty(w);
}

void breach_write(const breach_list *l, csv_writer *w)
{
	csvw_header_of(w, FMT_BREACHES);
	for (size_t i = 0; i < l->n; i++) {
		const breach *b = &l->v[i];
		csvw_date(w, l->asof);
		csvw_str(w, b->rule_set);
		csvw_str(w, b->rule);
		csvw_str(w, breach_severity_name(b->severity));
		csvw_str(w, b->entity_type);
		csvw_str(w, b->entity_id);
		write_num(w, b->value);
		write_num(w, b->limit);
		write_num(w, breach_utilisation(b->value, b->limit));
		csvw_str(w, b->message);
		csvw_end(w);
	}
}

size_t breach_at_least(const breach_list *l, int min)
{
	size_t n = 0;
	for (int s = min < 0 ? 0 : min; s < BREACH_NSEV; s++)
		n += l->count[s];
	return n;
}
