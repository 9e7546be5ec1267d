#!/usr/bin/env bats
# Operations of the end-of-day pipeline (pipelines/ops.sh, qe(7)
# OPERATIONS) on a small qe-synth book (200 trades, one GARCH series) so
# that the whole file stays near two minutes: content-hash reruns, the run
# manifest and its hash chain (qe-report audit), alerts and QE_ALERT_CMD,
# Prometheus metrics (promtool), failing and SIGKILLed steps, and two runs
# at once.  The bundled book's alerts are checked in eod.bats.

load helpers

TOOLS="qe-ingest qe-forecast qe-price qe-var qe-report"

# the pipeline as `make eod` runs it (ops.sh run: the lock, the last line)
# in the scratch tree, on the day directory $1
ops_eod() {
	local out=$1
	shift
	EOD_LOCK="$BATS_FILE_TMPDIR/eod.lock" sh "$TREE/pipelines/ops.sh" run \
		make --no-print-directory -C "$TREE" -f pipelines/eod.mk QE_BIN="${KBIN:-$TREE/bin}" \
		OUT="$out" FORECAST_CURVES=NG_HH FORECAST_TENORS=1 -j2 "$@"
}

setup_file() {
	export TREE="$BATS_FILE_TMPDIR/tree" EOD="$BATS_FILE_TMPDIR/eod"
	export DAY="$EOD/2026-11-25"
	mkdir -p "$TREE/bin"
	cp -r "$QE_TOP/pipelines" "$TREE/"
	for t in $TOOLS; do cp -p "$QE_BIN/$t" "$TREE/bin/"; done
	"$QE_BIN/qe-synth" -q --seed 7 --trades 200 --calendars "$QE_TOP/data/calendars" -d "$TREE/data"
	cp -r "$QE_TOP/data/calendars" "$TREE/data/"
	cp "$QE_TOP/data/fx.csv" "$TREE/data/"
	ops_eod "$DAY" > "$BATS_FILE_TMPDIR/first.log" 2>&1 || true
}

# path mtime of every file of a day but the bookkeeping (.qe/)
mtimes() {
	(cd "$1" && find . -path ./.qe -prune -o -type f -printf '%P %T@\n' | sort)
}

@test "ops: the small book runs end to end, with a manifest, alerts, metrics and an audit entry" {
	run cat "$BATS_FILE_TMPDIR/first.log"
	assert_output --partial "results in $DAY/"
	for f in manifest.csv alerts.csv metrics.prom var/var.csv var/pla.csv report/summary.txt; do
		assert_file_exists "$DAY/$f"
	done
	[ "$(wc -l < "$EOD/audit.log")" -eq 2 ]
}

@test "ops: content hashes: a touched, a re-delivered identical input and a rebuilt identical tool rerun nothing" {
	before=$(mtimes "$DAY")
	touch "$TREE/data/trades.csv" "$TREE/data/calendars/EEX.txt"
	cp "$TREE/data/history.csv" "$TMP/h" && rm "$TREE/data/history.csv" && cp "$TMP/h" "$TREE/data/history.csv"
	cp "$TREE/bin/qe-var" "$TMP/v" && rm "$TREE/bin/qe-var" && cp "$TMP/v" "$TREE/bin/qe-var"
	touch "$TREE/pipelines/var-shocks.csv"
	run ops_eod "$DAY"
	assert_success
	assert_output --partial "results in $DAY/"
	[ "$(mtimes "$DAY")" = "$before" ]
	[ "$(wc -l < "$EOD/audit.log")" -eq 2 ]
}

@test "ops: content hashes: a changed calendar reruns exactly what reads it, a changed shock file only the stress step" {
	before=$(mtimes "$DAY")
	# a holiday inside the history: the calendar's content changes
	echo "2026-06-30" >> "$TREE/data/calendars/EEX.txt"
	run ops_eod "$DAY"
	assert_success
	changed=$(join <(echo "$before") <(mtimes "$DAY") | awk '$2 != $3 { print $1 }' | tr '\n' ' ')
	# the ingest of trades (option expiries) reads the holiday files: it
	# reran; the inputs the calendars do not touch did not
	case " $changed " in *" ingest/trades.csv "*) ;; *) echo "changed: $changed"; false ;; esac
	case " $changed " in *" var/cov.csv "*) ;; *) echo "changed: $changed"; false ;; esac
	for f in ingest/curves.csv ingest/history.csv ingest/vols.csv forecast/garch.csv; do
		case " $changed " in *" $f "*) echo "$f reran: $changed"; false ;; esac
	done
	# a changed shock file: the stress step and the reports after it only
	before=$(mtimes "$DAY")
	echo 'carbon-double,EUA,,1.0,rel' >> "$TREE/pipelines/var-shocks.csv"
	run ops_eod "$DAY"
	assert_success
	changed=$(join <(echo "$before") <(mtimes "$DAY") | awk '$2 != $3 { print $1 }' | tr '\n' ' ')
	[ "$changed" = "alerts.csv manifest.csv metrics.prom report/dashboard.html report/risk.csv report/summary.txt var/stress.csv " ]
}

@test "ops: the manifest records the run id, the previous manifest, the tools with -V and every step's time and memory" {
	echo 'ops-x,EUA,,0.5,rel' >> "$TREE/pipelines/var-shocks.csv"
	export QE_RUN_ID=rerun-1
	run ops_eod "$DAY"
	unset QE_RUN_ID
	assert_success
	run "$PYORACLE" - "$DAY/manifest.csv" "$EOD" "$TREE" <<'PY'
import csv, hashlib, os, subprocess, sys
man, eod, tree = sys.argv[1:]
rows = list(csv.DictReader(open(man)))
sha = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
run = [r for r in rows if r['role'] == 'run']
assert len(run) == 1 and 'run_id=rerun-1' in run[0]['note'] and 'status=ok' in run[0]['note'], run
# the chain: the previous row is the log's entry before, whose copy hashes to it
log = list(csv.DictReader(open(eod + '/audit.log')))
assert [int(e['seq']) for e in log] == list(range(1, len(log) + 1))
for a, b in zip(log, log[1:]):
    assert b['previous'] == a['sha256']
    assert sha(eod + '/manifests/' + a['sha256'] + '.csv') == a['sha256']
prev = [r for r in rows if r['role'] == 'previous']
assert len(prev) == 1 and prev[0]['sha256'] == log[-2]['sha256'] == sha(prev[0]['path'])
assert log[-1]['sha256'] == sha(man) and log[-1]['run_id'] == 'rerun-1'
# tools: digest and the first line of -V
tools = {os.path.basename(r['path']): r for r in rows if r['role'] == 'tool'}
assert set(tools) >= {'qe-ingest', 'qe-price', 'qe-var', 'qe-report'}, tools
for t, r in tools.items():
    assert r['sha256'] == sha(r['path'])
    v = subprocess.run([r['path'], '-V'], capture_output=True, text=True).stdout.splitlines()[0]
    assert r['note'] == v, (r['note'], v)
# this run's steps: the stress step with its time, CPU and peak memory
steps = {r['path']: dict(kv.split('=', 1) for kv in r['note'].split()) for r in rows if r['role'] == 'step'}
s = steps['var/stress.csv']
assert s['exit'] == '0' and float(s['wall_s']) > 0 and float(s['cpu_s']) >= 0 and int(s['max_rss_kb']) > 1000, s
assert s['tool'] == 'qe-var'
# inputs and outputs: digests of the files as they are
for r in rows:
    if r['role'] in ('input', 'output'):
        p = r['path'] if r['path'].startswith('/') else os.path.join(tree, r['path'])
        assert sha(p) == r['sha256'] and os.path.getsize(p) == int(r['bytes']), p
print(len(log))
PY
	assert_success
	# the first run's seeded step (qe-var mc --seed 1) in its own manifest
	first=$(awk -F, 'NR == 2 { print $NF }' "$EOD/audit.log")
	grep -q '^step,var/mc.csv,,,exit=0 .* tool=qe-var seed=1$' "$EOD/manifests/$first.csv"
}

@test "ops: qe-report audit verifies the chain and the files and names the first mismatch" {
	run_split qe-report audit "$EOD"
	assert_success
	assert_output --regexp "^audit: $EOD/audit.log: [0-9]+ run\(s\), chain intact, [0-9]+ file\(s\) verified$"
	cp -r "$EOD" "$TMP/e"
	# outputs are checked against their day's latest manifest
	L=$(grep -n "^output,$DAY/var/var.csv," "$DAY/manifest.csv" | cut -d: -f1)
	h=$(tail -n 1 "$EOD/audit.log" | awk -F, '{ print $NF }')
	echo "tampered" >> "$DAY/var/var.csv"
	run_split qe-report audit "$EOD/audit.log"
	[ "$status" -eq 1 ]
	assert_equal "$stderr" "qe-report: $EOD/manifests/$h.csv:$L:3: column 'bytes': $DAY/var/var.csv has $(wc -c < "$DAY/var/var.csv") bytes, the manifest says $(( $(wc -c < "$DAY/var/var.csv") - 9 ))"
	rm -rf "$EOD" && cp -r "$TMP/e" "$EOD"
	# same size, other bytes: the digest
	sed -i '2s/[0-9]/7/' "$DAY/var/var.csv"
	cmp -s "$DAY/var/var.csv" "$TMP/e/2026-11-25/var/var.csv" || {
		run_split qe-report audit "$EOD"
		[ "$status" -eq 1 ]
		assert_output ""
		[[ "$stderr" == *"column 'sha256': $DAY/var/var.csv has SHA-256 "* ]]
	}
	rm -rf "$EOD" && cp -r "$TMP/e" "$EOD"
	# a rewritten log entry breaks the chain at the entry after it
	n=$(wc -l < "$EOD/audit.log")
	awk -F, -v OFS=, 'NR == 2 { $NF = "0000000000000000000000000000000000000000000000000000000000000000" } 1' \
		"$TMP/e/audit.log" > "$EOD/audit.log"
	run_split qe-report audit "$EOD"
	[ "$status" -eq 1 ]
	assert_regex "$stderr" "^qe-report: $EOD/audit.log:2:9: column 'sha256': the manifest's copy is missing: "
	# a removed entry
	sed '3d' "$TMP/e/audit.log" > "$EOD/audit.log"
	run_split qe-report audit "$EOD"
	[ "$status" -eq 1 ]
	assert_equal "$stderr" "qe-report: $EOD/audit.log:3:1: column 'seq': an entry is missing or out of sequence: expected seq 2"
	# an edited copy of a manifest
	cp "$TMP/e/audit.log" "$EOD/audit.log"
	first=$(awk -F, 'NR == 2 { print $NF }' "$EOD/audit.log")
	sed -i 's/status=ok/status=OK/' "$EOD/manifests/$first.csv"
	run_split qe-report audit "$EOD"
	[ "$status" -eq 1 ]
	assert_equal "$stderr" "qe-report: $EOD/audit.log:2:9: column 'sha256': the manifest's copy does not hash to the digest: $EOD/manifests/$first.csv"
	rm -rf "$EOD" && cp -r "$TMP/e" "$EOD"
	run qe-report audit "$EOD"
	assert_success
	# bad input: a malformed log (exit 3, file:line:col), none (exit 4), usage (2)
	printf 'seq,time\n1,x\n' > bad.log
	run_split qe-report audit bad.log
	[ "$status" -eq 3 ]
	assert_regex "$stderr" "^qe-report: bad.log:1:[0-9]+: "
	run_split qe-report audit nothing.log
	[ "$status" -eq 4 ]
	run_split qe-report audit a b
	[ "$status" -eq 2 ]
}

@test "ops: metrics in Prometheus text format pass promtool and agree with the outputs" {
	run promtool check metrics < "$DAY/metrics.prom"
	assert_success
	run "$PYORACLE" - "$DAY" <<'PY'
import csv, re, sys, time
day = sys.argv[1]
m = {}
for line in open(day + '/metrics.prom'):
    if line.startswith('#') or not line.strip():
        continue
    name, value = line.rsplit(' ', 1)
    m[name] = float(value)
# VaR by book from var/var.csv
n = 0
for r in csv.DictReader(open(day + '/var/var.csv')):
    k = 'qe_eod_var{portfolio="%s",method="%s",alpha="%s",horizon="%s",currency="%s",measure="var"}' % (
        r['portfolio'], r['method'], r['alpha'], r['horizon'], r['currency'])
    assert abs(m[k] - float(r['var'])) <= 1e-9 * abs(float(r['var'])), k
    n += 1
assert n > 0
# rows in, out and rejected of the trades ingest and of the price step
out = sum(1 for _ in csv.DictReader(open(day + '/ingest/trades.csv')))
rej = sum(1 for _ in csv.DictReader(open(day + '/ingest/trades.rejects.csv')))
assert m['qe_eod_rows{step="ingest/trades",kind="out"}'] == out and \
       m['qe_eod_rows{step="ingest/trades",kind="in"}'] == out + rej
val = sum(1 for _ in csv.DictReader(open(day + '/price/valuations.csv')))
assert m['qe_eod_rows{step="price",kind="out"}'] == val
assert m['qe_eod_run_exit_code'] == 0
assert abs(m['qe_eod_last_success_timestamp_seconds'] - time.time()) < 3600
assert any(k.startswith('qe_eod_step_duration_seconds{step="var/stress.csv"}') for k in m)
assert any(k.startswith('qe_eod_step_max_rss_bytes{') for k in m)
PY
	assert_success
	# QE_METRICS_DIR: the node exporter's textfile directory, written atomically
	echo 'ops-y,EUA,,0.25,rel' >> "$TREE/pipelines/var-shocks.csv"
	mkdir textfile
	export QE_METRICS_DIR="$TMP/textfile"
	run ops_eod "$DAY"
	unset QE_METRICS_DIR
	assert_success
	cmp "$DAY/metrics.prom" textfile/qe_eod.prom
	[ "$(ls -A textfile)" = qe_eod.prom ]
}

@test "ops: alerts: unpriced trades and a failed step go to alerts.csv and to QE_ALERT_CMD on stdin" {
	cp -r "$TREE/data" "$TMP/data"
	# a trade beyond the forward curve: qe-price cannot price it
	L=$(sed -n 2p "$TMP/data/trades.csv")
	id=${L%%,*}
	echo "${L/$id/T99999999}" | sed 's/,20[0-9][0-9]-[0-9][0-9]-01,20[0-9][0-9]-[0-9][0-9]-[0-9][0-9],/,2035-01-01,2035-01-31,/' >> "$TMP/data/trades.csv"
	export QE_ALERT_CMD="cat >> '$TMP/got'"
	run ops_eod "$EOD/2026-11-27" DATA="$TMP/data"
	unset QE_ALERT_CMD
	assert_success
	run "$PYORACLE" - "$EOD/2026-11-27/alerts.csv" "$EOD/2026-11-27/price/errors.csv" "$TMP/got" <<'PY'
import csv, sys
alerts, errors, got = sys.argv[1:]
a = list(csv.DictReader(open(alerts)))
n = sum(1 for _ in csv.DictReader(open(errors)))
assert n >= 1
pe = [r for r in a if r['kind'] == 'price_errors']
assert len(pe) == 1 and pe[0]['message'].startswith(f'{n} trade(s)') and pe[0]['run_id'] == 'eod-2026-11-25', pe
# the command got each alert as a header and one row on stdin
lines = open(got).read().splitlines()
assert lines[0::2] == [open(alerts).readline().rstrip('\n')] * len(a)
assert lines[1::2] == open(alerts).read().splitlines()[1:]
PY
	assert_success
}

@test "ops: a failing step stops its dependents, names itself in the manifest, alerts and last line, and leaves the other day alone" {
	(cd "$DAY" && find . -type f ! -path './.qe/*' -exec sha256sum {} + | sort) > before
	cp -r "$TREE/data" "$TMP/data"
	echo 'not,a,limits,file' > "$TMP/data/limits.csv"
	n=$(wc -l < "$EOD/audit.log")
	export QE_ALERT_CMD="cat > '$TMP/alert'"
	run_split ops_eod "$EOD/2026-11-26" DATA="$TMP/data"
	unset QE_ALERT_CMD
	assert_failure
	last=$(echo "$stderr" | tail -n 1)
	assert_equal "$last" "eod: FAILED: step ingest/limits.csv (qe-ingest) exit 3; the steps after it did not run, earlier outputs are kept"
	grep -q '^run,.*status=failed step=ingest/limits.csv tool=qe-ingest exit=3$' "$EOD/2026-11-26/manifest.csv"
	grep -q ',step_failed,critical,ingest/limits.csv,step ingest/limits.csv (qe-ingest) failed with exit 3,' "$TMP/alert"
	grep -q '^qe_eod_run_exit_code 3$' "$EOD/2026-11-26/metrics.prom"
	assert_file_not_exists "$EOD/2026-11-26/ingest/limits.csv"
	assert_file_not_exists "$EOD/2026-11-26/report/risk.csv"
	[ "$(tail -n 1 "$EOD/audit.log" | cut -d, -f5)" = failed ]
	(cd "$DAY" && find . -type f ! -path './.qe/*' -exec sha256sum {} + | sort) > after
	cmp before after
	# fixed, the rerun completes and the chain holds
	cp "$TREE/data/limits.csv" "$TMP/data/limits.csv"
	run ops_eod "$EOD/2026-11-26" DATA="$TMP/data"
	assert_success
	grep -q '^run,.*status=ok$' "$EOD/2026-11-26/manifest.csv"
	run qe-report audit "$EOD"
	assert_success
}

@test "ops: SIGKILL of each step midway leaves no partial output; the rerun completes with the same results" {
	K="$BATS_FILE_TMPDIR/kill"
	export KBIN="$BATS_FILE_TMPDIR/killbin"
	RANDOM=20261125
	for victim in $TOOLS; do
		rm -rf "$KBIN" && mkdir "$KBIN"
		for t in $TOOLS; do ln -s "$TREE/bin/$t" "$KBIN/$t"; done
		rm "$KBIN/$victim"
		# the first run of the victim is killed after 10-90 ms (its other
		# runs, and the other tools, run as they are)
		cat > "$KBIN/$victim" <<-EOF
		#!/bin/sh
		mkdir "$KBIN/killed" 2>/dev/null || exec "$TREE/bin/$victim" "\$@"
		"$TREE/bin/$victim" "\$@" &
		pid=\$!
		sleep 0.0$((RANDOM % 9 + 1))
		kill -KILL \$pid 2>/dev/null
		wait \$pid
		exit 137
		EOF
		chmod +x "$KBIN/$victim"
		run_split ops_eod "$K/2026-11-25"
		[ "$status" -ne 0 ] || { echo "$victim: the run did not fail"; false; }
		assert_regex "$(echo "$stderr" | tail -n 1)" "^eod: FAILED: step .* \\($victim\\) exit 137;"
		grep -q "^run,.*status=failed step=.* tool=$victim exit=137$" "$K/2026-11-25/manifest.csv"
		# what is at an output's name is whole: the reference run's bytes
		"$PYORACLE" - "$DAY/manifest.csv" "$DAY" "$K/2026-11-25" <<-'PY'
		import csv, hashlib, os, sys
		man, ref, day = sys.argv[1:]
		for r in csv.DictReader(open(man)):
		    if r['role'] != 'output' or r['path'].endswith(('alerts.csv', 'metrics.prom')):
		        continue
		    p = day + r['path'][len(ref):]
		    if os.path.exists(p):
		        assert hashlib.sha256(open(p, 'rb').read()).hexdigest() == r['sha256'], p
		PY
	done
	unset KBIN
	run ops_eod "$K/2026-11-25"
	assert_success
	# no temporary file left, every output as in the reference run
	run find "$K/2026-11-25" -path '*/.qe' -prune -o \( -name '*.tmp*' -o -name '*.new' -o -name '*qe-journal*' \) -print
	assert_output ""
	diff <(grep '^output,' "$DAY/manifest.csv" | grep -v 'alerts.csv\|metrics.prom' |
		sed "s|$DAY/|/|" | cut -d, -f2-4) \
	     <(grep '^output,' "$K/2026-11-25/manifest.csv" | grep -v 'alerts.csv\|metrics.prom' |
		sed "s|$K/2026-11-25/|/|" | cut -d, -f2-4)
}

@test "ops: two runs at once: the second refuses with a clear message, or waits with EOD_WAIT" {
	flock "$BATS_FILE_TMPDIR/eod.lock" sleep 4 3>&- &
	sleep 1
	run_split ops_eod "$DAY"
	[ "$status" -eq 75 ]
	assert_equal "$stderr" "eod: another run holds $BATS_FILE_TMPDIR/eod.lock; not started (EOD_WAIT=SECONDS waits for it)"
	export EOD_WAIT=30
	run_split ops_eod "$DAY"
	unset EOD_WAIT
	assert_success
	[[ "$stderr" == *"eod: another run holds $BATS_FILE_TMPDIR/eod.lock; waiting up to 30s"* ]]
	wait
}

@test "ops: a red backtest and a red P&L attribution book are alerts (ops.sh finish on crafted outputs)" {
	mkdir -p d/var
	printf 'observations,exceptions,expected,alpha,kupiec_lr,kupiec_p,ind_lr,ind_p,cc_lr,cc_p,zone,result,asof\n' > d/var/backtest.csv
	printf '250,12,2.5,0.99,1,0.001,0,1,1,0.001,red,reject,2026-11-25\n' >> d/var/backtest.csv
	printf 'asof,portfolio,scenarios,spearman,ks,zone,currency\n' > d/var/pla.csv
	printf '2026-11-25,POWER_EU,250,0.5,0.2,red,EUR\n2026-11-25,GAS_EU,250,0.99,0.01,green,EUR\n' >> d/var/pla.csv
	export QE_ALERT_CMD="cat >> '$TMP/got'"
	run env QE_EOD_OUT=d QE_EOD_ASOF=2026-11-25 QE_RUN_ID=t-1 QE_EOD_BIN="$TREE/bin" \
		QE_EOD_MK_DIR="$TREE/pipelines/" QE_EOD_AUDIT_LOG=audit/audit.log \
		QE_EOD_INPUTS= QE_EOD_OUTPUTS="d/var/backtest.csv d/var/pla.csv" QE_EOD_DIRS= \
		sh "$TREE/pipelines/ops.sh" finish ok
	unset QE_ALERT_CMD
	assert_success
	assert_output "eod: 2 alert(s) in d/alerts.csv"
	run cut -d, -f2- d/alerts.csv
	assert_output "run_id,asof,kind,severity,subject,message,file
t-1,2026-11-25,backtest_red,critical,backtest,VaR backtest rejected the model (red zone),d/var/backtest.csv
t-1,2026-11-25,pla_red,critical,POWER_EU,P&L attribution red (MAR32) for POWER_EU,d/var/pla.csv"
	[ "$(grep -c '^time,' got)" -eq 2 ]
	grep -q '^qe_eod_alerts{kind="pla_red"} 1$' d/metrics.prom
	run promtool check metrics < d/metrics.prom
	assert_success
	run qe-report audit audit
	assert_success
}
