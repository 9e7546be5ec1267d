#include "opt/optout.h"

#include <math.h>

#include "io/csvio.h"

void optout_summary(FILE *fp, const opt_summary *s)
{
	static const char *const hdr[] = {"instance", "solver", "seed", "objective", "cut", "energy",
					  "time_to_best_s", "sweeps", "flips_per_s", "rounds",
					  "elapsed_s", "hit_target", "stop"};
	const anneal_result *r = s->r;
	csv_writer w;
	csvw_init(&w, fp);
	for (size_t k = 0; k < sizeof hdr / sizeof hdr[0]; k++)
		csvw_str(&w, hdr[k]);
	for (int k = 0; k < s->nx; k++)
		csvw_str(&w, s->xnames[k]);
	if (s->currency)
		csvw_str(&w, "currency");
	csvw_end(&w);
	csvw_str(&w, s->instance);
	csvw_str(&w, solver_name(s->solver));
	csvw_int(&w, (int64_t)s->seed);
	csvw_double(&w, s->objective);
	if (s->has_cut)
		csvw_double(&w, s->objective);
	else
		csvw_empty(&w);
	csvw_double(&w, r->energy);
	csvw_double(&w, r->time_to_best);
	csvw_int(&w, r->sweeps);
	csvw_double(&w, r->busy_seconds > 0 ? r->attempts / r->busy_seconds : 0);
	csvw_int(&w, r->rounds);
	csvw_double(&w, r->elapsed);
	if (s->has_target)
		csvw_int(&w, r->hit_target);
	else
		csvw_empty(&w);
	csvw_str(&w, anneal_stop_name(r->stop));
	for (int k = 0; k < s->nx; k++)
		if (isnan(s->xvals[k]))
			csvw_empty(&w);
		else
			csvw_double(&w, s->xvals[k]);
	if (s->currency)
		csvw_str(&w, s->currency);
	csvw_end(&w);
}

void optout_solution(FILE *fp, const opt_problem *p, const int8_t *spins)
{
	static const char *const hdr[] = {"variable", "value", NULL};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header(&w, hdr);
	for (int i = 0; i < p->n; i++) {
		csvw_int(&w, i + p->base);
		csvw_int(&w, p->kind == PROBLEM_ISING ? spins[i] : (spins[i] > 0));
		csvw_end(&w);
	}
}

void optout_hedge(FILE *fp, const hedge_problem *h, const int64_t *lots)
{
	static const char *const hdr[] = {"instrument", "curve", "month", "lots", "quantity", "cost", NULL};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header(&w, hdr);
	for (int k = 0; k < h->ni; k++) {
		const hedge_instr *in = &h->ins[k];
		csvw_str(&w, in->name);
		csvw_str(&w, in->curve);
		csvw_str(&w, in->month);
		csvw_int(&w, lots[k]);
		csvw_double(&w, (double)lots[k] * in->lot_size);
		csvw_double(&w, in->cost * (double)(lots[k] < 0 ? -lots[k] : lots[k]));
		csvw_end(&w);
	}
}

void optout_portfolio(FILE *fp, const portfolio_problem *pp, const int8_t *x)
{
	static const char *const hdr[] = {"asset", "selected", "price", "expected_return", NULL};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header(&w, hdr);
	for (int i = 0; i < pp->n; i++) {
		csvw_str(&w, pp->name[i]);
		csvw_int(&w, x[i] > 0);
		csvw_double(&w, pp->price[i]);
		csvw_double(&w, pp->mu[i]);
		csvw_end(&w);
	}
}
