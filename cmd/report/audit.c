/* qe-report audit: verifies the end-of-day audit log (the hash chain of
 * the run manifests) and the files the manifests name. */
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"
#include "report.h"
#include "report/audit.h"

static const char usage[] =
	"usage: qe-report audit [DIR|LOG] [OPTIONS]\n"
	"\n"
	"Verifies the audit log of the end-of-day pipeline: each entry follows the\n"
	"one before, each run manifest hashes to its digest and names the one\n"
	"before it, and the files of each day's latest manifest (and the inputs and\n"
	"tools of the last run) have the bytes and SHA-256 it lists.  DIR is the\n"
	"directory of the log (DIR/audit.log; default out/eod).  Prints one line when\n"
	"everything holds; exit 1 and the first mismatch (file:line:col) when not.\n"
	"\n"
	"      --root DIR         resolve the manifests' relative paths under DIR\n"
	"                         (default: the directory each run was made from)\n"
	"  -o, --output FILE      write the line here (atomic) instead of stdout\n"
	"  -h, --help             this help\n";

enum { OPT_ROOT = 256 };

int cmd_report_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, OPT_ROOT},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct report_audit_in in = {0};
	const char *output = NULL;
	int c;
	while ((c = cli_sub_getopt("audit", argc, argv, "o:h", opts)) != -1) {
		switch (c) {
		case OPT_ROOT: in.root = optarg; break;
		case 'o': output = optarg; break;
		case 'h': cli_help(usage);
		}
	}
	if (argc - optind > 1)
		cli_sub_usage_error("audit", "unexpected argument '%s'", argv[optind + 1]);
	const char *where = optind < argc ? argv[optind] : "out/eod";
	char log[4096];
	struct stat st;
	if (stat(where, &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((size_t)snprintf(log, sizeof log, "%s/audit.log", where) >= sizeof log)
			cli_die(QE_USAGE, "%s: path too long", where);
		in.log = log;
	} else {
		in.log = where;
	}
	qe_err e;
	struct report_audit_result r;
	if (report_audit(&in, &r, &e))
		cli_die_err(&e);
	qe_out *o = cli_out_open(output);
	fprintf(o->fp, "audit: %s: %ld run(s), chain intact, %ld file(s) verified\n", in.log, r.runs, r.files);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	return QE_OK;
}
