/* qe-ingest's exchange subcommands (cmd/ingest/settle.c). */
#ifndef QE_CMD_INGEST_SETTLE_H
#define QE_CMD_INGEST_SETTLE_H

/* qe-ingest cme-settle / ice-settle: argv[0] is the subcommand. */
int cmd_ingest_settle(int argc, char **argv);

#endif
