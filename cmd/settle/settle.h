/*
 * settle: the subcommands of qe-settle, one file each in cmd/settle/ (as
 * git's builtin/), dispatched by cmd/qe-settle.c.  Only those use this.
 */
#ifndef QE_CMD_SETTLE_H
#define QE_CMD_SETTLE_H

/* qe-settle ledger append|verify|balance|show (cmd/settle/ledger.c);
 * argv[0] is "ledger". */
int settle_ledger_main(int argc, char **argv);

#endif
