/* qe-feed: subscribes to smart-meter readings on an MQTT broker
 * (libmosquitto) and writes them into period files (lib/feed/store). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "cli.h"
#include "feed/store.h"

static const char usage[] =
	"usage: qe-feed -d DIR [--host H] [--port P] [--topic T]... [--client-id ID]\n"
	"               [--qos 0|1|2] [--credentials FILE] [--cafile FILE]\n"
	"               [--flush-interval S] [--period 15|30|60] [--grace S] [--keep S]\n"
	"\n"
	"Subscribes to smart-meter readings (METERS rows as CSV, or one JSON object\n"
	"per message) with a persistent session, validates them as qe-ingest meters\n"
	"does, drops redelivered duplicates (meter_id, timestamp) and writes\n"
	"DIR/meters-<UTC period start>.csv atomically; late readings go to\n"
	"DIR/late-<start>.csv, bad payloads to DIR/rejects-<start>.csv with the\n"
	"reason.  Runs until SIGTERM or SIGINT, then writes what it holds and exits 0.\n"
	"\n"
	"  -d, --dir DIR          output directory (must exist)\n"
	"  -H, --host H           broker host (default localhost)\n"
	"  -p, --port P           broker port (default 1883, 8883 with --cafile)\n"
	"  -t, --topic T          topic filter, repeatable (default meters/+/readings)\n"
	"  -i, --client-id ID     session id kept by the broker (default qe-feed)\n"
	"      --qos Q            subscription QoS (default 1)\n"
	"      --credentials FILE username on line 1, password on line 2; the file\n"
	"                         must not be readable by group or others\n"
	"      --cafile FILE      TLS: CA certificate(s) the broker's is checked against\n"
	"  -f, --flush-interval S seconds between writes (default 1): what a crash loses\n"
	"      --period M         settlement period, minutes: 15, 30 or 60 (default 60)\n"
	"      --grace S          a period closes S seconds after its end (default 300)\n"
	"      --keep S           keys of a closed period kept S seconds (default 86400)\n"
	"      --max-backoff S    longest wait between reconnects (default 30)\n"
	"  -q, --quiet            no connection messages or summary on stderr\n"
	"  -h, --help             this help\n"
	"  -V, --version          version\n"
	"\n"
	"Exit status: 0 stopped by a signal, 2 usage, 3 a file in DIR is not valid,\n"
	"4 I/O error or the broker refused us (bad credentials, TLS, subscription).\n";

enum { MAX_TOPICS = 32 };

static volatile sig_atomic_t stop_signal;
static void on_stop(int sig) { stop_signal = sig; }

typedef struct run {
	feed_store *store;
	const char *const *topics;
	int ntopics, qos;
	int connected;  /* CONNACK accepted */
	int fatal;      /* exit code when the broker refused us or a write failed */
	qe_err err;
} run;

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	run *R = obj;
	if (rc != 0) {
		/* refused: bad credentials, not authorised, bad client id */
		qe_err_set(&R->err, QE_IO, "broker refused the connection: %s", mosquitto_connack_string(rc));
		R->fatal = QE_IO;
		return;
	}
	R->connected = 1;
	/* one SUBSCRIBE for every filter: one SUBACK says they are all live */
	if (mosquitto_subscribe_multiple(m, NULL, R->ntopics, (char *const *)R->topics, R->qos, 0, NULL) !=
	    MOSQ_ERR_SUCCESS) {
		qe_err_set(&R->err, QE_IO, "cannot send the subscription");
		R->fatal = QE_IO;
	}
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	(void)m, (void)mid;
	run *R = obj;
	for (int i = 0; i < n; i++)
		if (granted[i] > 2) {
			qe_err_set(&R->err, QE_IO, "broker refused the subscription to '%s' (not authorised?)",
				   i < R->ntopics ? R->topics[i] : "?");
			R->fatal = QE_IO;
			return;
		}
	cli_info("connected; subscribed to %d topic%s", n, n > 1 ? "s" : "");
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	(void)m;
	run *R = obj;
	if (R->fatal)
		return;
	int rc = feed_store_message(R->store, msg->topic, msg->payload, (size_t)msg->payloadlen, now_s(),
				    &R->err);
	if (rc)
		R->fatal = rc;
}

static void read_credentials(const char *path, char *user, char *pass, size_t cap)
{
	struct stat st;
	FILE *f = fopen(path, "r");
	if (!f)
		cli_die(QE_IO, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
		cli_die(QE_USAGE, "%s: credentials file is readable by group or others (chmod 600 it)", path);
	if (!fgets(user, (int)cap, f) || !fgets(pass, (int)cap, f))
		cli_die(QE_USAGE, "%s:1:1: expected a username line and a password line", path);
	fclose(f);
	user[strcspn(user, "\r\n")] = '\0';
	pass[strcspn(pass, "\r\n")] = '\0';
	if (!*user)
		cli_die(QE_USAGE, "%s:1:1: empty username", path);
}

/* Sleeps up to `seconds`, waking early on a stop signal. */
static void nap(double seconds)
{
	double end = mono() + seconds;
	while (!stop_signal && mono() < end) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static void flush(run *R)
{
	if (feed_store_flush(R->store, now_s(), &R->err))
		R->fatal = R->err.code;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'}, {"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'p'}, {"topic", required_argument, NULL, 't'},
		{"client-id", required_argument, NULL, 'i'}, {"qos", required_argument, NULL, 'Q'},
		{"credentials", required_argument, NULL, 'C'}, {"cafile", required_argument, NULL, 'A'},
		{"flush-interval", required_argument, NULL, 'f'}, {"period", required_argument, NULL, 'P'},
		{"grace", required_argument, NULL, 'g'}, {"keep", required_argument, NULL, 'k'},
		{"max-backoff", required_argument, NULL, 'B'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	const char *topics[MAX_TOPICS], *host = "localhost", *client_id = "qe-feed";
	const char *credentials = NULL, *cafile = NULL;
	feed_store_opts so = {.dir = NULL, .period_min = 60, .grace_s = 300, .keep_s = 86400};
	int ntopics = 0, port = 0, qos = 1, ch;
	double flush_s = 1, max_backoff = 30;

	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	while ((ch = cli_getopt(argc, argv, "d:H:p:t:i:f:qhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': so.dir = optarg; break;
		case 'H': host = optarg; break;
		case 'p': port = (int)cli_int("--port", optarg, 1, 65535); break;
		case 't':
			if (ntopics == MAX_TOPICS)
				cli_usage_error("more than %d --topic options", MAX_TOPICS);
			if (mosquitto_sub_topic_check(optarg) != MOSQ_ERR_SUCCESS)
				cli_usage_error("option --topic: not a valid topic filter '%s'", optarg);
			topics[ntopics++] = optarg;
			break;
		case 'i': client_id = optarg; break;
		case 'Q': qos = (int)cli_int("--qos", optarg, 0, 2); break;
		case 'C': credentials = optarg; break;
		case 'A': cafile = optarg; break;
		case 'f': flush_s = cli_double("--flush-interval", optarg); break;
		case 'P': so.period_min = (int)cli_int("--period", optarg, 15, 60); break;
		case 'g': so.grace_s = cli_int("--grace", optarg, 0, INT32_MAX); break;
		case 'k': so.keep_s = cli_int("--keep", optarg, 0, INT32_MAX); break;
		case 'B': max_backoff = cli_double("--max-backoff", optarg); break;
		default: cli_common_option(ch, usage);
		}
	}
	cli_no_operands(argc, argv);
	if (!so.dir)
		cli_usage_error("give the output directory with -d DIR");
	if (!(flush_s > 0 && flush_s <= 3600))
		cli_usage_error("option --flush-interval: expected 0 < seconds <= 3600");
	if (!(max_backoff >= 0.1 && max_backoff <= 3600))
		cli_usage_error("option --max-backoff: expected 0.1 to 3600 seconds");
	if (so.period_min != 15 && so.period_min != 30 && so.period_min != 60)
		cli_usage_error("option --period: expected 15, 30 or 60 minutes");
	if (!ntopics)
		topics[ntopics++] = "meters/+/readings";
	if (!port)
		port = cafile ? 8883 : 1883;

	run R = {.topics = topics, .ntopics = ntopics, .qos = qos};
	qe_err_clear(&R.err);
	if (!(R.store = feed_store_open(&so, &R.err)))
		cli_die_err(&R.err);

	/* the command layer's handlers would end the run: SIGTERM and SIGINT
	 * ask for a flush and a clean exit instead */
	struct sigaction sa = {0};
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	mosquitto_lib_init();
	/* clean_session false: the broker keeps our subscription and queues
	 * QoS 1 messages while we are away */
	struct mosquitto *m = mosquitto_new(client_id, false, &R);
	if (!m)
		cli_die(QE_USAGE, "cannot create an MQTT client (client id '%s')", client_id);
	if (credentials) {
		char user[512], pass[512];
		read_credentials(credentials, user, pass, sizeof user);
		if (mosquitto_username_pw_set(m, user, pass) != MOSQ_ERR_SUCCESS)
			cli_die(QE_USAGE, "%s: username or password not accepted by libmosquitto", credentials);
		memset(pass, 0, sizeof pass);
	}
	if (cafile && mosquitto_tls_set(m, cafile, NULL, NULL, NULL, NULL) != MOSQ_ERR_SUCCESS)
		cli_die(QE_IO, "%s: cannot use as a CA file", cafile);
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_message_callback_set(m, on_message);

	double backoff = 0.25, last_flush = mono();
	int link = 0, warned = 0; /* link: the socket is up (CONNACK may be pending) */
	int rc = mosquitto_connect(m, host, port, 30);
	link = rc == MOSQ_ERR_SUCCESS;
	while (!stop_signal && !R.fatal) {
		if (!link) {
			R.connected = 0;
			if (!warned++ || rc == MOSQ_ERR_TLS)
				cli_warnf("%s:%d: %s; reconnecting", host, port,
					  rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
			if (rc == MOSQ_ERR_TLS) {
				qe_err_set(&R.err, QE_IO, "%s:%d: TLS handshake failed (check --cafile and the host name)",
					   host, port);
				R.fatal = QE_IO;
				break;
			}
			nap(backoff);
			backoff = backoff * 2 > max_backoff ? max_backoff : backoff * 2;
			if (stop_signal)
				break;
			rc = mosquitto_reconnect(m);
			link = rc == MOSQ_ERR_SUCCESS;
		} else {
			rc = mosquitto_loop(m, 100, 1);
			if (rc != MOSQ_ERR_SUCCESS && !(rc == MOSQ_ERR_ERRNO && errno == EINTR))
				link = 0;
			if (R.connected && warned) {
				warned = 0;
				backoff = 0.25;
			}
		}
		if (mono() - last_flush >= flush_s) {
			flush(&R);
			last_flush = mono();
		}
	}
	/* everything received is written before we go */
	int fatal = R.fatal;
	qe_err ferr = R.err;
	R.fatal = 0;
	flush(&R);
	if (link)
		mosquitto_disconnect(m);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();

	feed_counts c;
	feed_store_counts(R.store, &c);
	feed_store_free(R.store);
	cli_info("%ld messages, %ld readings: %ld written, %ld duplicates, %ld late; %ld rejected",
		 c.messages, c.readings, c.written, c.duplicates, c.late, c.rejected);
	if (fatal)
		cli_die_err(&ferr);
	if (R.fatal)
		cli_die_err(&R.err);
	return 0;
}
