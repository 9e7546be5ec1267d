#include "time/contract.h"

#include <stdlib.h>
#include <string.h>

#include "time/calendar.h"
#include "io/csvio.h"
#include "time/period.h"
#include "core/strindex.h"

struct contract_master {
	strindex *curves;  /* curve -> row */
	long *calof;       /* row -> index into cal */
	strindex *calnames;
	qe_calendar **cal;
	char *file;
};

void contract_master_free(contract_master *m)
{
	if (!m)
		return;
	for (size_t k = 0; m->calnames && k < sidx_count(m->calnames); k++)
		cal_free(m->cal[k]);
	sidx_free(m->curves);
	sidx_free(m->calnames);
	free(m->calof);
	free(m->cal);
	free(m->file);
	free(m);
}

contract_master *contract_master_load(const char *markets, const char *caldir, qe_err *e)
{
	static const char *const cols[] = {"curve", "calendar"};
	int idx[2], st;
	contract_master *m = calloc(1, sizeof *m);
	csv_reader *r = NULL;
	size_t cap = 0;
	char beside[4200];
	if (!caldir)
		caldir = cal_dir_choose(NULL, NULL, markets, NULL, beside, sizeof beside);
	if (!m || !(m->curves = sidx_new()) || !(m->calnames = sidx_new())) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		goto fail;
	}
	if (!(r = csvr_open(markets, e)))
		goto fail;
	if (!(m->file = strdup(csvr_name(r)))) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		goto fail;
	}
	if (csvr_require(r, cols, 2, idx, e))
		goto fail;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		const char *curve, *cname;
		int added;
		if (st != CSVR_ROW || !(curve = csvr_get_str(r, idx[0], e)) || !(cname = csvr_get_str(r, idx[1], e))) {
			if (!e->code)
				qe_err_set(e, QE_DATA, "%s: unreadable row", m->file);
			goto fail;
		}
		long row = sidx_add(m->curves, curve, strlen(curve), &added);
		if (row < 0) {
			qe_err_set(e, QE_INTERNAL, "out of memory");
			goto fail;
		}
		if (!added) {
			csvr_field_error(r, idx[0], e, "duplicate curve '%s'", curve);
			goto fail;
		}
		long c = sidx_find(m->calnames, cname, strlen(cname));
		if (c < 0) {
			qe_calendar *cal = cal_load_named(cname, caldir, e);
			if (!cal)
				goto fail;
			qe_calendar **nc = realloc(m->cal, (sidx_count(m->calnames) + 1) * sizeof *nc);
			if (!nc || (c = sidx_add(m->calnames, cname, strlen(cname), NULL)) < 0) {
				cal_free(cal);
				if (nc)
					m->cal = nc;
				qe_err_set(e, QE_INTERNAL, "out of memory");
				goto fail;
			}
			m->cal = nc;
			m->cal[c] = cal;
		}
		if ((size_t)row >= cap) {
			size_t ncap = cap ? 2 * cap : 32;
			long *nl = realloc(m->calof, ncap * sizeof *nl);
			if (!nl) {
				qe_err_set(e, QE_INTERNAL, "out of memory");
				goto fail;
			}
			m->calof = nl;
			cap = ncap;
		}
		m->calof[row] = c;
	}
	csvr_close(r);
	return m;
fail:
	if (r)
		csvr_close(r);
	contract_master_free(m);
	return NULL;
}

const char *contract_product(const char *curve)
{
	static const char *const map[][2] = {
		{"NG_HH", "NG"}, {"NG", "NG"},       {"CL_WTI", "CL"}, {"CL", "CL"},   {"WTI", "CL"},
		{"BRENT", "BRENT"}, {"B", "BRENT"}, {"HO_ULSD", "HO"}, {"HO", "HO"}, {"RBOB", "RB"},
		{"RB", "RB"},      {"EUA", "EUA"},
	};
	for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
		if (strcmp(curve, map[k][0]) == 0)
			return map[k][1];
	return NULL;
}

int contract_last_trade(const contract_master *m, const char *curve, qe_date month_first, qe_date *out,
			qe_err *e)
{
	long row = sidx_find(m->curves, curve, strlen(curve));
	if (row < 0)
		return qe_err_set(e, QE_DATA, "curve not in %s '%s'", m->file, curve);
	const qe_calendar *cal = m->cal[m->calof[row]];
	const char *product = contract_product(curve);
	if (product)
		return contract_expiry(product, month_first, cal, out, e);
	qe_date d = cal_prev_business_day(cal, month_first);
	if (!cal_covers(cal, d) || !cal_covers(cal, month_first))
		return qe_err_set(e, QE_DATA, "calendar %s does not cover the delivery month of '%s'", cal_name(cal),
				  curve);
	*out = d;
	return 0;
}
