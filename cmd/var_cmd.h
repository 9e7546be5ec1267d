/* var_cmd: what cmd/qe-var.c shares with cmd/var_risk.c, the subcommands
 * that read a history and a book (linked into qe-var only, see mk/var.mk). */
#ifndef QE_VAR_CMD_H
#define QE_VAR_CMD_H

#include "io/csvio.h"
#include "io/outfile.h"
#include "risk/varcalc.h"

struct opts {
	var_spec sp;
	double significance;
	const char *output, *input, *history, *markets, *sens, *by, *cube, *portfolio, *shocks, *windows;
	int gaps, horizon, hmode, returns, hdf5, student, worst, timing;
	size_t days;
	expo_fx fx;          /* --fx FILE --base CCY */
	int have_asof;       /* --asof DATE given */
	qe_date asof;
};

/* Opens -o (or stdout) for a CSV table; exits on failure. */
void var_open_out(qe_out *out, const struct opts *o, csv_writer *w);
/* Commits the output; exits 4 on a write error.  Returns QE_OK. */
int var_commit(qe_out *out);

int var_cmd_model(const struct opts *o, const char *cmd); /* hs, param, mc */
int var_cmd_components(const struct opts *o);
int var_cmd_series(const struct opts *o);
int var_cmd_cov(const struct opts *o);
int var_cmd_stress(const struct opts *o);

#endif
