/* qe-ingest's exchange subcommands (cmd/ingest/settle.c). */
#ifndef QE_CMD_INGEST_SETTLE_H
#define QE_CMD_INGEST_SETTLE_H

/* qe-ingest cme-settle / ice-settle: argv[0] is the subcommand. */
int cmd_ingest_settle(int argc, char **argv);

/* Shared with cmd/qe-ingest.c, which defines them: a reject's message on
 * stderr, the first 100 of a run then one line saying the rest are in
 * --rejects (an ingest_sink's on_reject); and markets.csv in the input's
 * directory when there is one (malloc'd; NULL otherwise). */
void ingest_show_reject(void *ctx, const char *msg);
char *ingest_markets_beside(const char *input);

#endif
