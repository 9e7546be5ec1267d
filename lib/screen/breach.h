/*
 * breach: the findings of qe-screen check, as the rows of qe-formats(5)
 * BREACHES (asof,rule_set,rule,severity,entity_type,entity_id,value,
 * limit,utilisation,message), collected in rule order and written at the
 * end, with the count per severity for the summary and the exit code.
 *
 * Owns the list and copies of every string added; breach_list_free()
 * releases them.  Never prints: the command layer writes the summary.
 */
#ifndef QE_BREACH_H
#define QE_BREACH_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"
#include "io/csvio.h"

enum breach_severity { BREACH_INFO, BREACH_WARNING, BREACH_BREACH, BREACH_NSEV };

typedef struct breach {
	const char *rule_set; /* static: the rule set's name */
	char *rule;           /* the rule's name (a copy: profile files name rules) */
	int severity;         /* enum breach_severity */
	const char *entity_type; /* static: trade, counterparty, book, trader, curve */
	char *entity_id;
	double value, limit;  /* NaN: not applicable (empty field) */
	char *message;
} breach;

typedef struct breach_list {
	breach *v;
	size_t n, cap;
	size_t count[BREACH_NSEV];
	qe_date asof;
} breach_list;

void breach_list_init(breach_list *l, qe_date asof);
void breach_list_free(breach_list *l);

/* "info", "warning", "breach". */
const char *breach_severity_name(int severity);
/* The severity named s, or -1. */
int breach_severity_parse(const char *s);

/* Appends a row; the message is printf-style.  QE_INTERNAL (e filled) when
 * out of memory. */
int breach_add(breach_list *l, const char *rule_set, const char *rule, int severity, const char *entity_type,
	       const char *entity_id, double value, double limit, qe_err *e, const char *fmt, ...)
	__attribute__((format(printf, 10, 11)));

/* value / limit when both are finite and limit is not 0, else NaN. */
double breach_utilisation(double value, double limit);

/* Writes the header and every row (utilisation computed from value and
 * limit; NaN fields empty). */
void breach_write(const breach_list *l, csv_writer *w);

/* Rows of severity at least min. */
size_t breach_at_least(const breach_list *l, int min);

#endif
