/* qe-screen lei: the ISO 17442 check of a CSV's column lei, every row
 * written back with valid and reason appended; exit 1 when any is
 * invalid. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "screen.h"
#include "screen/leicheck.h"

static const char usage[] =
	"usage: qe-screen lei [OPTIONS] [FILE|-]\n"
	"\n"
	"Checks column lei of a CSV (ISO 17442: 20 characters of 0-9 and A-Z, ISO 7064\n"
	"MOD 97-10 check digits) and writes every row with valid (true/false) and reason\n"
	"appended.  Exit 1 when any identifier is invalid.\n"
	"\n"
	"  -o, --output FILE   write here (atomic) instead of stdout\n"
	"  -q, --quiet         no summary on stderr\n"
	"  -h, --help          this help\n";

int cmd_screen_lei(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		default: cli_usage_error("see 'qe-screen lei --help'");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one input file at most");
	const char *input = optind < argc ? argv[optind] : "-";
	qe_err e;
	csv_reader *r = csvr_open(input, &e);
	if (!r)
		cli_die_err(&e);
	qe_out *o = cli_out_open(output);
	csv_writer w;
	csvw_init(&w, o->fp);
	long invalid = 0;
	if (leicheck_csv(r, &w, &invalid, &e)) {
		csvr_close(r);
		cli_die_err(&e);
	}
	long rows = csvr_records(r);
	csvr_close(r);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%ld identifiers, %ld invalid", rows, invalid);
	return invalid ? QE_NEGATIVE : QE_OK;
}
