#!/usr/bin/env bats
# The end-of-day pipeline (pipelines/eod.mk) on a scratch copy of the
# tree's data, pipelines and tools: outputs, manifest digests, idempotence,
# and which steps a change to each input reruns.  The whole pipeline runs
# once per file (setup_file, under strace, so that the files each tool
# really opens are known); the other runs redo only a few steps, and the
# dependency checks ask make (its data base, `make -p`, and `make -t`, which
# marks what a run would redo) instead of running the tools.

load helpers

eod_make() {
	make --no-print-directory -C "$QE_TOP" -f pipelines/eod.mk QE_BIN="$QE_BIN" "$@"
}

# make in the scratch tree $TREE (its own data/, pipelines/ and bin/)
tree_make() {
	make --no-print-directory -C "$TREE" -f pipelines/eod.mk QE_BIN="$TREE/bin" OUT="$EOD" "$@"
}

setup_file() {
	export TREE="$BATS_FILE_TMPDIR/tree" EOD="$BATS_FILE_TMPDIR/eod"
	mkdir -p "$TREE/bin"
	cp -r "$QE_TOP/data" "$QE_TOP/pipelines" "$TREE/"
	# copies, so that a test can change a tool's time stamp
	cp -p "$QE_BIN"/qe-ingest "$QE_BIN"/qe-price "$QE_BIN"/qe-var "$QE_BIN"/qe-optimize \
		"$QE_BIN"/qe-forecast "$QE_BIN"/qe-screen "$QE_BIN"/qe-settle "$QE_BIN"/qe-report "$TREE/bin/"
	# LeakSanitizer cannot run under ptrace (make sanitize): leaks are
	# checked on the untraced runs of the later tests
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f --seccomp-bpf -qq -e trace=openat,execve -e signal=none -o "$BATS_FILE_TMPDIR/trace" \
		make --no-print-directory -C "$TREE" -f pipelines/eod.mk QE_BIN="$TREE/bin" OUT="$EOD" \
		> "$BATS_FILE_TMPDIR/first.log" 2>&1 || true
}

# The files each qe-* process of the traced run opened, as lines
# "read PATH" / "wrote PATH" / "exec PATH" after a line "process N"; paths
# in the scratch tree (relative, as the pipeline names them) or under $EOD;
# temporary names (NAME.tmp.XXXXXX, NAME.new, NAME.tmp) mapped to the file
# they become.
traced_files() {
	"$PYORACLE" - "$BATS_FILE_TMPDIR/trace" "$TREE" "$EOD" <<'PY'
import re, sys
trace, tree, eod = sys.argv[1:]
# a pid names the process that holds it now (pids are reused on a busy
# machine): cur maps it to that process's entry of procs
procs = []
cur = {}
for line in open(trace):
    m = re.match(r'(\d+)\s+(execve|openat)\((.*)', line)
    if not m or re.search(r'= -1 ', line):
        continue
    pid, call, rest = m.groups()
    path = re.match(r'(?:AT_FDCWD, )?"([^"]*)"', rest).group(1)
    if call == 'execve':
        if re.search(r'/qe-[a-z]+$', path):
            procs.append((pid, [('exec', path[len(tree) + 1:] if path.startswith(tree + '/') else path)]))
            cur[pid] = len(procs) - 1
        else:
            cur.pop(pid, None)
        continue
    if pid not in cur or 'O_DIRECTORY' in rest:
        continue
    if path.startswith(tree + '/'):
        path = path[len(tree) + 1:]
    elif path.startswith('/'):
        if not path.startswith(eod + '/'):
            continue
    # the commit journal of a multi-output commit (io/outfile) is the
    # tools' own bookkeeping, neither an input nor an output of the step
    if '.qe-journal' in path:
        continue
    path = re.sub(r'\.tmp(\.[0-9]+)?\.[A-Za-z0-9]{6}$', '', path)
    path = re.sub(r'\.(new|tmp)$', '', path)
    path = re.sub(r'\.(new|tmp)$', '', path)
    # the files of an output directory are written into DIR.new/ first
    path = re.sub(r'\.new/', '/', path)
    kind = 'wrote' if re.search(r'O_WRONLY|O_RDWR|O_CREAT', rest) else 'read'
    procs[cur[pid]][1].append((kind, path))
for pid, files in procs:
    print('process', pid)
    for kind, path in sorted(set(files)):
        print(kind, path)
PY
}

@test "eod: runs on the bundled data and says where the results are" {
	run cat "$BATS_FILE_TMPDIR/first.log"
	assert_output --partial "results in $EOD/"
	for f in trades curves fixings vols rates history counterparties limits meters weather markets; do
		assert_file_exists "$EOD/ingest/$f.csv"
	done
	assert_file_exists "$EOD/manifest.csv"
}

@test "eod: the reports: positions, risk against limits, the summary in 80 columns and a self-contained dashboard" {
	for f in position.csv risk.csv summary.txt dashboard.html pnl.csv pnl-explain.csv cot.csv; do
		assert_file_exists "$EOD/report/$f"
	done
	grep -q '^P&L [-+0-9,]* USD, unexplained ' "$EOD/report/summary.txt"
	grep -q 'id=chart-pnl' "$EOD/report/dashboard.html"
	grep -q "ALERT: report: a VaR is above its limit" "$BATS_FILE_TMPDIR/first.log"
	awk 'length > 80 { bad = 1 } END { exit bad }' "$EOD/report/summary.txt"
	grep -Eq '^POWER_EU +var_99_1d .* BREACH$' "$EOD/report/summary.txt"
	grep -q '^Compliance: breach [1-9]' "$EOD/report/summary.txt"
	"$PYORACLE" - "$EOD" <<'PY'
import csv, sys
eod = sys.argv[1]
s = open(eod + '/report/dashboard.html').read()
assert '<script' not in s and 'http' not in s and 'id=breach-counts' in s and 'id=chart-var' in s
# the position report is the ladder summed over books
lad = {}
for r in csv.DictReader(open(eod + '/price/ladder.csv')):
    k = (r['curve'], r['month']); lad[k] = lad.get(k, 0.0) + float(r['delta'])
pos = {(r['curve'], r['month']): float(r['delta']) for r in csv.DictReader(open(eod + '/report/position.csv')) if r['level'] == 'curve'}
assert pos.keys() == lad.keys() and all(abs(pos[k] - lad[k]) <= 1e-9 * max(1, abs(lad[k])) for k in lad)
PY
}

@test "eod: the manifest lists every input and output with its SHA-256 (checked with hashlib)" {
	run "$PYORACLE" - "$EOD/manifest.csv" "$TREE" <<'EOF'
import csv, hashlib, os, sys
rows = list(csv.DictReader(open(sys.argv[1])))
os.chdir(sys.argv[2])
roles = {r["role"] for r in rows}
assert {"run", "input", "output", "tool", "step"} <= roles <= {"run", "previous", "input", "output", "tool", "step"}, roles
rows = [r for r in rows if r["role"] in ("input", "output")]
for r in rows:
    data = open(r["path"], "rb").read()
    assert hashlib.sha256(data).hexdigest() == r["sha256"], r["path"]
    assert len(data) == int(r["bytes"]), r["path"]
ins = [r["path"] for r in rows if r["role"] == "input"]
mine = {f"data/{k}.csv" for k in ("markets", "trades", "curves", "fixings", "vols", "rates", "history",
                                  "counterparties", "limits", "meters", "weather", "hedges", "fx",
                                  "vol_history")}
mine |= {f"data/{k}.csv" for k in ("currencies", "payment_terms", "sharia_profiles", "sharia_instruments",
                                   "spot_month_limits")}
mine |= {"data/calendars/EEX.txt", "data/calendars/ICE_EU.txt", "data/calendars/NYMEX.txt",
         "data/calendars/TARGET2.txt", "data/calendars/FED.txt", "pipelines/var-shocks.csv"}
assert mine <= set(ins), sorted(mine - set(ins))
assert len(set(r["path"] for r in rows)) == len(rows), "a file listed twice"
print(len(rows))
EOF
	assert_success
	[ "$output" -ge 50 ]
}

@test "eod: the manifest lists every file the run wrote (rejects and errors included) and every file a tool read" {
	assert_file_exists "$EOD/ingest/counterparties.rejects.csv"
	assert_file_exists "$EOD/price/errors.csv"
	# written: every file under the output directory but the manifest and
	# the pipeline's bookkeeping (.qe/: content-hash stamps, step records)
	find "$EOD" -path "$EOD/.qe" -prune -o -type f ! -name manifest.csv -print | sort > written
	grep '^output,' "$EOD/manifest.csv" | cut -d, -f2 | sort > outputs
	run diff written outputs
	assert_success
	# read: what the traced run's tools opened, less the outputs of earlier steps
	traced_files > traced
	[ "$(grep -c '^process' traced)" -ge 20 ]
	sed -n 's/^read //p' traced | sort -u | grep -v "^$EOD/" > read
	grep '^input,' "$EOD/manifest.csv" | cut -d, -f2 | sort > inputs
	run comm -23 read inputs
	assert_output ""
	grep -qx data/trades.csv read
	grep -qx data/calendars/NYMEX.txt read
	grep -qx pipelines/var-shocks.csv read
	grep -qx data/payment_terms.csv read
	grep -qx data/sharia_profiles.csv read
}

# reruns_after_change FILE...: for each file (relative to the scratch
# tree), a line "FILE: STEP STEP ..." with the steps a run would redo after
# the file changed, sorted.  A byte is appended to the file (steps judge
# inputs by content: pipelines/eod.mk's SHA-256 stamps) and `make -t`
# marks what a real run would redo as done without running it, with real
# time stamps, so that what depends on a redone step is redone too; the
# file, the stamps and every time stamp of the tree and the outputs are
# put back after each file.
reruns_after_change() {
	"$PYORACLE" - "$TREE" "$EOD" "$@" <<'EOF'
import os, re, subprocess, sys
tree, eod, files = sys.argv[1], sys.argv[2], sys.argv[3:]
def times():
    t = {}
    for top in (tree, eod):
        for d, _, names in os.walk(top):
            for n in names:
                p = os.path.join(d, n)
                t[p] = os.stat(p).st_mtime_ns
    return t
def step(path):
    f = path[len(eod) + 1:]
    if f == "manifest.csv":
        return "manifest"
    if f.startswith(("price/", "hedge/", "forecast/", "screen/", "settle/", "report/")):
        return f.split("/")[0]
    return re.sub(r"(\.rejects)?\.csv$", "", f)
saved = times()
stamps = {p: open(p, "rb").read() for p in saved if "/.qe/hash/" in p}
for f in files:
    path = f if f.startswith("/") else os.path.join(tree, f)
    content = open(path, "rb").read()
    with open(path, "ab") as fp:
        fp.write(b"\n")
    r = subprocess.run(["make", "--no-print-directory", "-C", tree, "-f", "pipelines/eod.mk",
                        "QE_BIN=" + tree + "/bin", "OUT=" + eod, "ASOF=2026-11-25", "-t"],
                       capture_output=True, text=True)
    with open(path, "wb") as fp:
        fp.write(content)
    for p, data in stamps.items():
        if open(p, "rb").read() != data:
            with open(p, "wb") as fp:
                fp.write(data)
    for p, ns in saved.items():
        if os.stat(p).st_mtime_ns != ns:
            os.utime(p, ns=(ns, ns))
    if r.returncode != 0:
        print(f"{f}: make -t failed (exit {r.returncode}): {r.stderr.strip()}")
        continue
    touched = re.findall(r"^touch (.*)$", r.stdout, re.M)
    print(f + ":", " ".join(sorted({step(p) for p in touched})))
EOF
}

@test "eod: every file a step's tool opens (strace) is a prerequisite of every file it writes" {
	run tree_make -q "$EOD/manifest.csv"
	assert_success
	traced_files > traced
	[ "$(grep -c '^process' traced)" -ge 20 ]
	# make's data base: each target with its prerequisites
	tree_make -pq > database 2>&1 || true
	run "$PYORACLE" - traced database "$TREE" <<'EOF'
import os, re, sys
traced, database, tree = sys.argv[1:]
# a step depends on the content-hash stamps of the files it reads
# (pipelines/eod.mk: $(OUT)/.qe/hash/{out,bin,abs,src}/FILE.sha256)
eod = os.environ["EOD"]
def unstamp(p):
    m = re.match(re.escape(eod) + r"/\.qe/hash/(out|bin|abs|src)/(.*)\.sha256$", p)
    if not m:
        return p
    root, f = m.groups()
    return {"out": eod + "/" + f, "bin": tree + "/bin/" + f, "abs": "/" + f, "src": f}[root]
prereqs = {}
for line in open(database):
    m = re.match(r"^(/\S+): (.*)$", line.rstrip("\n"))
    if m and not line.startswith("#"):
        prereqs[m.group(1)] = {unstamp(p) for p in m.group(2).replace("|", " ").split()}
procs = []
for line in open(traced):
    kind, path = line.rstrip("\n").split(" ", 1)
    if kind == "process":
        procs.append(([], []))
    elif kind in ("exec", "read"):
        # make names the tools by their full path, data files relative to the tree
        procs[-1][0].append(tree + "/" + path if path.startswith("bin/") else path)
    else:
        procs[-1][1].append(path)
bad, pairs = [], 0
for reads, writes in procs:
    # the manifest step asks each tool for its version (-V): no file
    if not writes and len(reads) == 1:
        continue
    assert writes, reads
    for w in writes:
        # a page of an output directory DIR/ (invoices/) is written by the
        # rule of DIR.csv (pipelines/eod.mk, EOD_OUTPUT_DIRS)
        if w not in prereqs and os.path.dirname(w) + ".csv" in prereqs:
            w = os.path.dirname(w) + ".csv"
        if w not in prereqs:
            bad.append(f"{w} (written with {reads[0]}) is not a target of the pipeline")
            continue
        for r in reads:
            pairs += 1
            if r not in prereqs[w]:
                bad.append(f"{w} does not depend on {r}, which its tool read")
print("\n".join(bad) or f"{pairs} pairs")
EOF
	assert_success
	assert_output --regexp '^[0-9]+ pairs$'
	[ "${output% pairs}" -ge 100 ]
}

@test "eod: a change to each input reruns exactly the steps that read it and the steps after them" {
	run tree_make -q "$EOD/manifest.csv"
	assert_success
	ingest="ingest/markets ingest/trades ingest/curves ingest/fixings ingest/vols ingest/rates"
	ingest="$ingest ingest/history ingest/counterparties ingest/limits ingest/meters ingest/weather"
	# (the headlines, for the sentiment of the forecast step)
	ingest="$ingest ingest/headlines"
	var="var/var var/param var/mc var/components var/stress var/cov var/series var/backtest"
	# the price step and all after it: the risk steps on its sensitivities
	# (not var/cov, which reads only the history), the hedge on its ladder
	# with the full-revaluation steps on the trades it could price
	full="var/var-full var/cube-full var/pla"
	# after var: the screen gate (on var/var.csv, the valuations and the
	# ladder) and the settle steps and the hedge proposal after it (on the
	# findings, the trades, fixings and history; the ladder and covariance)
	gated="screen settle hedge"
	# (the margin of the settle steps reprices the book the price step could
	# price: var/priced-trades.csv of varfull.mk)
	# the reports: on the ladder, the VaR outputs, the limits, FX, the
	# screen's findings, the settlement and the forecast (so every input of
	# the settle and forecast steps reruns report too)
	gated="$gated report"
	priced="price var/var var/param var/mc var/components var/stress var/series var/backtest manifest"
	priced="$priced var/priced-trades $full $gated"
	# qe-ingest trades (option expiries), qe-price, qe-var (the history's last
	# date), qe-optimize hedge, qe-screen (spot months) and qe-settle (value
	# dates) read the holiday files; qe-forecast reads the history, the
	# demand series, the weather, its forecast and the EEX holidays (demand)
	# and the headlines with the lexicon (sentiment)
	while read -r input steps; do
		echo "$input $(printf '%s\n' $steps | sort | tr '\n' ' ' | sed 's/ $//')"
	done > expected <<-EOF
	data/markets.csv: $ingest price $var $full var/priced-trades forecast $gated manifest
	data/trades.csv: ingest/trades $priced
	data/curves.csv: ingest/curves $priced
	data/fixings.csv: ingest/fixings $priced
	data/vols.csv: ingest/vols $priced
	data/rates.csv: ingest/rates $priced
	data/history.csv: ingest/history $var $full forecast $gated manifest
	data/vol_history.csv: var/var var/param var/mc var/components var/stress var/series var/backtest $gated manifest
	data/counterparties.csv: ingest/counterparties $gated manifest
	data/limits.csv: ingest/limits $gated manifest
	data/meters.csv: ingest/meters manifest
	data/weather.csv: ingest/weather forecast manifest
	data/demand.csv: forecast manifest
	data/weather_forecast.csv: forecast manifest
	data/headlines.csv: ingest/headlines forecast report manifest
	data/sentiment_lexicon.csv: forecast report manifest
	data/sentiment_commodities.csv: forecast report manifest
	data/hedges.csv: hedge manifest
	data/fx.csv: $gated manifest
	data/sharia_profiles.csv: $gated manifest
	data/sharia_instruments.csv: $gated manifest
	data/spot_month_limits.csv: $gated manifest
	data/currencies.csv: settle report manifest
	data/prev/trades.csv: report manifest
	data/prev/curves.csv: report manifest
	data/prev/vols.csv: report manifest
	data/prev/rates.csv: report manifest
	data/prev/fixings.csv: report manifest
	data/prev/fx.csv: report manifest
	data/payment_terms.csv: settle report manifest
	data/accounts.csv: settle report manifest
	data/span_ranges.csv: settle report manifest
	data/calendars/EEX.txt: ingest/trades $priced var/cov forecast
	data/calendars/ICE_EU.txt: ingest/trades $priced var/cov
	data/calendars/NYMEX.txt: ingest/trades $priced var/cov
	data/calendars/UK_BANK.txt: ingest/trades $priced var/cov
	data/calendars/TARGET2.txt: ingest/trades $priced var/cov
	data/calendars/FED.txt: ingest/trades $priced var/cov
	pipelines/var-shocks.csv: var/stress report manifest
	bin/qe-ingest: $ingest price $var $full var/priced-trades forecast $gated manifest
	bin/qe-price: $priced
	bin/qe-var: $var $full $gated manifest
	bin/qe-optimize: hedge manifest
	bin/qe-forecast: forecast report manifest
	bin/qe-screen: $gated manifest
	bin/qe-settle: settle report manifest
	bin/qe-report: report manifest
	pipelines/eod.mk: $ingest price $var $full var/priced-trades forecast $gated manifest
	pipelines/price.mk: $priced
	pipelines/var.mk: $var $gated manifest
	pipelines/hedge.mk: hedge manifest
	pipelines/varfull.mk: var/priced-trades $full report settle manifest
	pipelines/forecast.mk: ingest/headlines forecast report manifest
	pipelines/screen.mk: $gated manifest
	pipelines/settle.mk: settle report manifest
	pipelines/report.mk: report manifest
	EOF
	[ "$(wc -l < expected)" -eq 56 ]
	reruns_after_change $(cut -d: -f1 expected) > got
	run diff -u expected got
	assert_success
	run tree_make -q "$EOD/manifest.csv"
	assert_success
}

@test "eod: the VaR has vega risk: var/var.csv is HS on the vol history's VOL factors too" {
	# the same run by hand, with and without the vol history: the eod's
	# VaR is the one with it, and the vega of the book moves it
	common=(-q -H "$EOD/ingest/history.csv" -m "$EOD/ingest/markets.csv" --asof 2026-11-25
		--calendars "$TREE/data/calendars" -a 0.975,0.99 --window 500)
	qe-var hs "${common[@]}" -s "$EOD/price/sensitivities.csv" --vol-history "$TREE/data/vol_history.csv" -o with.csv
	qe-var hs "${common[@]}" -s "$EOD/price/sensitivities.csv" -o without.csv
	cmp with.csv "$EOD/var/var.csv"
	run cmp -s without.csv "$EOD/var/var.csv"
	[ "$status" -ne 0 ]
	# and the vol factors are in the scenarios: a vega-only copy of the
	# book has a VaR
	"$PYORACLE" - "$EOD/price/sensitivities.csv" <<'PY' > vega.csv
import csv, sys
r = csv.DictReader(open(sys.argv[1])); w = csv.DictWriter(sys.stdout, r.fieldnames, lineterminator="\n")
w.writeheader()
for x in r:
    x["delta"] = x["gamma"] = "0"
    w.writerow(x)
PY
	run_split qe-var hs "${common[@]}" -s vega.csv --vol-history "$TREE/data/vol_history.csv"
	assert_success
	echo "$output" | awk -F, 'NR > 1 && $6 > 0 { n++ } END { exit !(n > 0) }'
}

@test "eod: a second run recomputes nothing" {
	run tree_make -q "$EOD/manifest.csv"
	assert_success
	before=$(find "$EOD" -type f -printf '%p %T@\n' | sort)
	run tree_make
	assert_success
	assert_output --partial "results in $EOD/"
	[ "$(find "$EOD" -type f -printf '%p %T@\n' | sort)" = "$before" ]
}

@test "eod: a changed pipelines/var-shocks.csv reruns the stress step and the manifest and nothing else (real run)" {
	find "$EOD" -path "$EOD/.qe" -prune -o -type f -printf '%P %T@\n' | sort > before
	echo 'carbon-double,EUA,,1.0,rel' >> "$TREE/pipelines/var-shocks.csv"
	run tree_make
	assert_success
	find "$EOD" -path "$EOD/.qe" -prune -o -type f -printf '%P %T@\n' | sort > after
	run join before after
	[ "$(echo "$output" | awk '$2 != $3 { print $1 }' | tr '\n' ' ')" = "alerts.csv manifest.csv metrics.prom report/dashboard.html report/risk.csv report/summary.txt var/stress.csv " ]
	grep -q '^total/EUR,carbon-double,' "$EOD/var/stress.csv"
	grep -qx "input,pipelines/var-shocks.csv,[0-9]*,$(sha256sum < "$TREE/pipelines/var-shocks.csv" | cut -d' ' -f1)," \
		"$EOD/manifest.csv"
	# and a second run after it does nothing
	run tree_make -q "$EOD/manifest.csv"
	assert_success
}

@test "eod: a failing step stops the pipeline, names itself and leaves no output" {
	mkdir "$TMP/data"
	cp -r "$QE_TOP"/data/*.csv "$QE_TOP/data/calendars" "$TMP/data/"
	echo 'not,a,limits,file' > "$TMP/data/limits.csv"
	run eod_make OUT="$TMP/eod3" DATA="$TMP/data"
	assert_failure
	assert_output --partial "eod: ingest limits: exit 3"
	assert_file_not_exists "$TMP/eod3/ingest/limits.csv"
	# the manifest of the failed run names the step (tests/ops.bats)
	grep -q '^run,.*status=failed step=ingest/limits.*csv tool=qe-ingest exit=3$' "$TMP/eod3/manifest.csv"
	# a rejected row beyond the expected ones fails the step too
	cp "$QE_TOP/data/limits.csv" "$TMP/data/limits.csv"
	sed -i '2s/,position,/,bogus,/' "$TMP/data/limits.csv"
	run eod_make OUT="$TMP/eod3" DATA="$TMP/data" "$TMP/eod3/ingest/limits.csv"
	assert_failure
	assert_output --partial "1 rejects"
	assert_file_not_exists "$TMP/eod3/ingest/limits.csv"
	# an unreadable as-of date is refused up front
	: > "$TMP/data/curves.csv"
	run eod_make OUT="$TMP/eod4" DATA="$TMP/data"
	assert_failure
	assert_output --partial "as-of"
}

@test "eod: unpriceable trades (qe-price exit 3) alert and the run goes on; real price failures stop it; errors.csv is never deleted" {
	mkdir "$TMP/data"
	cp -r "$QE_TOP"/data/*.csv "$QE_TOP/data/calendars" "$TMP/data/"
	# a trade beyond the forward curve: qe-price cannot price it (exit 3)
	L=$(sed -n 2p "$TMP/data/trades.csv")
	echo "${L/T00000001/T99999999}" | sed 's/,20[0-9][0-9]-[0-9][0-9]-01,20[0-9][0-9]-[0-9][0-9]-[0-9][0-9],/,2035-01-01,2035-01-31,/' >> "$TMP/data/trades.csv"
	out="$TMP/eod5"
	run eod_make OUT="$out" DATA="$TMP/data" HEDGE=0 FORECAST=0
	assert_success
	assert_output --partial "eod: ALERT: price: 1 trade(s) could not be priced (see $out/price/errors.csv)"
	assert_output --partial "results in $out/"
	run cat "$out/price/errors.csv"
	assert_line --index 1 --partial "T99999999,no forward price"
	[ "$(grep -c . "$out/price/valuations.csv")" -gt 2000 ]
	assert_file_exists "$out/var/var.csv"
	grep -q "^output,$out/price/errors.csv," "$out/manifest.csv"
	# a limit on unpriced trades stops the run but keeps errors.csv
	rm -f "$out/.qe/hash/out/ingest/trades.csv.sha256"   # a new stamp: what reads the trades reruns
	run eod_make OUT="$out" DATA="$TMP/data" HEDGE=0 FORECAST=0 PRICE_MAX_ERRORS=0
	assert_failure
	assert_output --partial "exceed PRICE_MAX_ERRORS=0"
	grep -q T99999999 "$out/price/errors.csv"
	# any other exit of qe-price stops make; errors.csv survives
	mkdir "$TMP/bin"
	for f in "$QE_BIN"/qe-*; do ln -s "$f" "$TMP/bin/"; done
	rm "$TMP/bin/qe-price"
	printf '#!/bin/sh\n"%s/qe-price" "$@"\nexit $FAKE_RC\n' "$QE_BIN" > "$TMP/bin/qe-price"
	chmod +x "$TMP/bin/qe-price"
	for rc in 2 4 5 70; do
		rm -f "$out/.qe/hash/out/ingest/trades.csv.sha256"   # a new stamp: what reads the trades reruns
		FAKE_RC=$rc run eod_make QE_BIN="$TMP/bin" OUT="$out" DATA="$TMP/data" HEDGE=0 FORECAST=0 "$out/price/valuations.csv"
		assert_failure
		assert_output --partial "eod: price: qe-price failed (exit $rc)"
		grep -q T99999999 "$out/price/errors.csv"
	done
	# exit 3 with nothing written (malformed market data) is a failure too
	rm -f "$out/.qe/hash/out/ingest/trades.csv.sha256"   # a new stamp: what reads the trades reruns
	echo 'NG_HH,2026-11-25,2027-01-01,2027-01-31,abc' >> "$out/ingest/curves.csv"
	run eod_make OUT="$out" DATA="$TMP/data" HEDGE=0 FORECAST=0
	assert_failure
	assert_output --partial "eod: price: qe-price failed (exit 3)"
	grep -q T99999999 "$out/price/errors.csv"
}

@test "eod: EXCHANGE_DIR builds curves, vols, fixings and history from the bundled exchange files before pricing" {
	out="$BATS_TEST_TMPDIR/eodx"
	make --no-print-directory -C "$TREE" -f pipelines/eod.mk QE_BIN="$TREE/bin" OUT="$out" \
		EXCHANGE_DIR=data/exchange "$out/ingest/curves.csv" "$out/ingest/vols.csv" \
		"$out/ingest/fixings.csv" "$out/ingest/history.csv" > log 2>&1 || { cat log; false; }
	[ "$(wc -l < "$out/exchange/rejects.csv")" -eq 1 ]
	# the exchange files are qe-synth --format of the bundled market: the
	# futures months they settle give the bundled forwards back, and the
	# other curves (OTC power) are still there
	run "$PYORACLE" - "$TREE/data" "$out" <<'EOF'
import sys, gzip, csv
data, out = sys.argv[1:]
want = {(r["curve"], r["delivery_start"]): r["price"] for r in csv.DictReader(open(f"{data}/curves.csv"))}
got = list(csv.DictReader(open(f"{out}/ingest/curves.csv")))
assert {(r["curve"], r["delivery_start"]) for r in got} == set(want)
assert all(r["price"] == want[(r["curve"], r["delivery_start"])] for r in got)
cme = [r for r in csv.DictReader(gzip.open(f"{data}/exchange/cme-settle.csv.gz", "rt")) if r["SecTyp"] == "OOF"]
vols = [r for r in csv.DictReader(open(f"{out}/ingest/vols.csv"))]
assert len(vols) > len(list(csv.DictReader(open(f"{data}/vols.csv")))), "no exchange vols merged"
assert len(cme) > 1000
hist = [r for r in csv.DictReader(open(f"{out}/ingest/history.csv")) if r["date"] == "2026-11-25"]
# the day keeps one row per curve and tenor of the bundled history
tenors = {r["tenor"] for r in csv.DictReader(open(f"{data}/history.csv")) if r["date"] == "2026-11-25"}
ncurves = len(list(csv.DictReader(open(f"{data}/markets.csv"))))
assert len(hist) == ncurves * len(tenors), (len(hist), len(tenors))
EOF
	assert_success
	grep -q "data/exchange/ice-settle.txt" <(make --no-print-directory -C "$TREE" -f pipelines/eod.mk \
		QE_BIN="$TREE/bin" OUT="$out" EXCHANGE_DIR=data/exchange -p -q "$out/exchange/curves.csv" 2>/dev/null || true)
}

@test "eod: full-revaluation VaR and the P&L attribution report, by book and total, with their columns" {
	head -1 "$EOD/var/var.csv" > want
	run head -1 "$EOD/var/var-full.csv"
	assert_output "$(cat want)"
	run "$PYORACLE" - "$EOD" <<'EOF'
import sys, csv
eod = sys.argv[1]
books = {r["book"] for r in csv.DictReader(open(f"{eod}/ingest/trades.csv"))}
full = list(csv.DictReader(open(f"{eod}/var/var-full.csv")))
sens = list(csv.DictReader(open(f"{eod}/var/var.csv")))
assert {r["method"] for r in full} == {"hs-full"}
key = lambda rows: sorted((r["portfolio"], r["alpha"], r["currency"], r["scenarios"]) for r in rows)
assert key(full) == key(sens), "full revaluation and sensitivities report other portfolios"
rows = list(csv.reader(open(f"{eod}/var/pla.csv")))
assert rows[0] == "asof,portfolio,scenarios,spearman,ks,zone,currency".split(","), rows[0]
pla = [dict(zip(rows[0], r)) for r in rows[1:]]
assert {r["portfolio"].split("/")[0] for r in pla} == books | {"total"}, pla
for r in pla:
    assert r["asof"] == "2026-11-25" and r["scenarios"] == "250", r
    assert r["zone"] in ("green", "amber", "red"), r
    assert -1 <= float(r["spearman"]) <= 1 and 0 <= float(r["ks"]) <= 1, r
print("ok")
EOF
	assert_output ok
	grep -q "^output,$EOD/var/pla.csv," "$EOD/manifest.csv"
	grep -q "^output,$EOD/var/var-full.csv," "$EOD/manifest.csv"
}

@test "eod: the linear books are green; a red book warns and the run goes on; another failure of pla stops it" {
	mkdir "$TMP/data"
	cp -r "$QE_TOP"/data/*.csv "$QE_TOP/data/calendars" "$TMP/data/"
	# only futures, forwards, swaps, physicals and spot: every book linear
	"$PYORACLE" - "$QE_TOP/data/trades.csv" "$TMP/data/trades.csv" <<'EOF'
import csv, sys
r = csv.DictReader(open(sys.argv[1]))
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), r.fieldnames, lineterminator="\n")
w.writeheader()
w.writerows(x for x in r if x["instrument"] in ("future", "forward", "swap", "physical", "spot"))
EOF
	out="$TMP/eodl"
	run eod_make OUT="$out" DATA="$TMP/data" "$out/var/pla.csv"
	assert_success
	refute_output --partial WARNING
	run "$PYORACLE" - "$TMP/data/trades.csv" "$out/var/pla.csv" <<'EOF'
import csv, sys
books = {r["book"] for r in csv.DictReader(open(sys.argv[1]))}
pla = list(csv.DictReader(open(sys.argv[2])))
assert {r["portfolio"].split("/")[0] for r in pla} == books | {"total"}, pla
print("\n".join("not green: %s" % r for r in pla if r["zone"] != "green") or "ok")
EOF
	assert_output ok
	# a red book (qe-var pla's exit 1, its report written): one warning line
	mkdir "$TMP/bin"
	for f in "$QE_BIN"/qe-*; do ln -s "$f" "$TMP/bin/"; done
	rm "$TMP/bin/qe-var"
	cat > "$TMP/bin/qe-var" <<EOF
#!/bin/sh
[ "\$1" = pla ] || exec "$QE_BIN/qe-var" "\$@"
"$QE_BIN/qe-var" "\$@" || exit \$?
prev=; for a in "\$@"; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
sed -i '4s/,green,/,red,/' "\$out"
exit \$FAKE_RC
EOF
	chmod +x "$TMP/bin/qe-var"
	FAKE_RC=1 run eod_make QE_BIN="$TMP/bin" OUT="$out" DATA="$TMP/data" "$out/var/pla.csv"
	assert_success
	red=$(awk -F, 'NR == 4 { print $2 }' "$out/var/pla.csv")
	[ "$(awk -F, '$6 == "red"' "$out/var/pla.csv" | wc -l)" -eq 1 ]
	assert_output --partial "eod: WARNING: P&L attribution red: $red (see $out/var/pla.csv)"
	# any other exit stops the run and leaves no report
	for rc in 3 4; do
		rm -f "$out/.qe/hash/out/var/priced-trades.csv.sha256"   # a new stamp: pla reruns
		FAKE_RC=$rc run eod_make QE_BIN="$TMP/bin" OUT="$out" DATA="$TMP/data" "$out/var/pla.csv"
		assert_failure
		assert_output --partial "eod: pla: qe-var failed (exit $rc)"
		assert_file_not_exists "$out/var/pla.csv"
	done
}

@test "eod: GATE=alert (default) raises the screen findings and runs the whole chain; alerts.csv is in the manifest" {
	run cat "$BATS_FILE_TMPDIR/first.log"
	assert_output --regexp "eod: ALERT: screen: [0-9]+ finding\(s\) at or above breach: .*regulatory/lei 3.* \(see $EOD/screen/breaches.csv\)"
	assert_output --partial "results in $EOD/"
	# alerts.csv: the breach rows of breaches.csv (csv module), the header kept
	run "$PYORACLE" - "$EOD" "$TREE/data" <<'EOF'
import csv, sys
eod, data = sys.argv[1:]
rows = list(csv.reader(open(f"{eod}/screen/breaches.csv")))
alerts = list(csv.reader(open(f"{eod}/screen/alerts.csv")))
head = "asof,rule_set,rule,severity,entity_type,entity_id,value,limit,utilisation,message".split(",")
assert rows[0] == head and alerts[0] == head
sev = head.index("severity")
assert alerts[1:] == [r for r in rows[1:] if r[sev] == "breach"]
sets = {r[1] for r in alerts[1:]}
# the bundled data breaches every rule set but quality (its LEI rule warns)
assert {"limits", "sharia", "regulatory"} <= sets, sets
assert {r[1] for r in rows[1:]} == {"limits", "sharia", "regulatory", "quality"}
# the three counterparties the ingest step rejects are the LEI findings
rejected = {r["record"].split(",")[0] for r in csv.DictReader(open(f"{eod}/ingest/counterparties.rejects.csv"))}
assert {r[5] for r in alerts[1:] if r[2] == "lei"} == rejected, rejected
print(len(alerts) - 1)
EOF
	assert_success
	[ "$output" -gt 0 ]
	for f in screen/breaches.csv screen/alerts.csv screen/gate.txt settle/flows.csv settle/payments.csv \
			settle/invoices.csv settle/pain001.xml settle/pay-rejects.csv settle/margin.csv \
			settle/margin-scenarios.csv forecast/garch.csv forecast/garch-path.csv; do
		grep -q "^output,$EOD/$f," "$EOD/manifest.csv"
	done
	[ "$(cat "$EOD/screen/gate.txt")" = GATE=alert ]
	# the run's alerts (pipelines/ops.sh): one per rule set of the gate's
	# findings, counted here from screen/alerts.csv
	"$PYORACLE" - "$EOD" <<'PY'
import csv, sys
eod = sys.argv[1]
n = {}
for r in csv.DictReader(open(eod + '/screen/alerts.csv')):
    n[r['rule_set']] = n.get(r['rule_set'], 0) + 1
a = [r for r in csv.DictReader(open(eod + '/alerts.csv')) if r['kind'] == 'screen_breach']
assert {r['subject']: int(r['message'].split()[0]) for r in a} == n and len(a) == len(n) > 0, (a, n)
assert all(r['file'] == eod + '/screen/breaches.csv' and r['run_id'] == 'eod-2026-11-25' for r in a)
PY
}

@test "eod: GATE=stop stops before the hedge proposal and settlement on the bundled breaches; GATE=alert then hedges and settles byte for byte as before" {
	# a copy of the run (time stamps kept) without its hedge and settle outputs
	out="$BATS_TEST_TMPDIR/eodg"
	cp -a "$EOD" "$out"
	rm -rf "$out/settle" "$out/hedge" "$out/manifest.csv"
	run tree_make OUT="$out" GATE=stop
	assert_failure
	assert_output --regexp "eod: GATE=stop: screen: [0-9]+ finding\(s\) at or above breach: .*; hedge proposal and settlement not run \(see $out/screen/breaches.csv\)"
	refute_output --partial "qe-settle:"
	refute_output --partial "eod: hedge: whole book"
	grep -q '^run,.*status=failed step=\(settle/flows.csv tool=qe-settle\|hedge/hedges.csv tool=qe-optimize\) exit=1$' "$out/manifest.csv"
	[ -z "$(find "$out/settle" "$out/hedge" -type f 2>/dev/null)" ]
	cmp "$EOD/screen/breaches.csv" "$out/screen/breaches.csv"
	[ "$(cat "$out/screen/gate.txt")" = GATE=stop ]
	# alert: the chain goes on, hedges and settles what the first run did
	run tree_make OUT="$out"
	assert_success
	assert_output --partial "eod: ALERT: screen:"
	assert_output --partial "eod: hedge: whole book"
	cmp "$EOD/hedge/hedges.csv" "$out/hedge/hedges.csv"
	# (summary.csv's relaxed bound may differ in its last digits between runs)
	[ "$(head -1 "$EOD/hedge/summary.csv")" = "$(head -1 "$out/hedge/summary.csv")" ]
	for f in flows.csv payments.csv invoices.csv pain001.xml pay-rejects.csv margin.csv margin-scenarios.csv \
			$(cd "$EOD/settle" && ls -d invoices/*); do
		cmp "$EOD/settle/$f" "$out/settle/$f"
	done
	# (hedge/summary.csv aside: its relaxed bound is not yet stable in the
	# last digits from run to run, a known defect of qe-optimize hedge)
	files_of() { grep '^\(input\|output\),' "$1" | grep -v '/alerts.csv,\|/metrics.prom,\|hedge/summary.csv,'; }
	diff <(files_of "$EOD/manifest.csv" | sed "s|$EOD/||") <(files_of "$out/manifest.csv" | sed "s|$out/||")
	# settled already: GATE=stop still stops (GATE is a prerequisite of the
	# hedge and settle steps) and leaves the outputs as they were
	before=$(find "$out/settle" "$out/hedge" -type f -printf '%p %T@\n' | sort)
	run tree_make OUT="$out" GATE=stop
	assert_failure
	assert_output --partial "hedge proposal and settlement not run"
	[ "$(find "$out/settle" "$out/hedge" -type f -printf '%p %T@\n' | sort)" = "$before" ]
	# screened for data quality alone (its LEI rule warns): nothing at or
	# above breach, and GATE=stop settles
	rm "$out/screen/breaches.csv"
	run tree_make OUT="$out" GATE=stop SCREEN_RULES=quality "$out/settle/flows.csv"
	assert_success
	refute_output --partial "ALERT"
	run tree_make OUT="$out" GATE=bogus
	assert_failure
	assert_output --partial "GATE=bogus: alert or stop"
}

@test "eod: settle: the flows of the as-of week, netted payments and invoices reconcile (python)" {
	run "$PYORACLE" - "$EOD" "$TREE/data" <<'EOF'
import csv, datetime, os, sys
from collections import defaultdict
eod, data = sys.argv[1:]
rd = lambda f: list(csv.DictReader(open(f)))
flows, pays, invs = rd(f"{eod}/settle/flows.csv"), rd(f"{eod}/settle/payments.csv"), rd(f"{eod}/settle/invoices.csv")
asof = datetime.date(2026, 11, 25)
lo, hi = asof.isoformat(), (asof + datetime.timedelta(days=7)).isoformat()
assert flows and all(lo <= f["value_date"] <= hi for f in flows)
assert {f["kind"] for f in flows} >= {"variation_margin", "option_premium"}
live = {r["trade_id"] for r in rd(f"{eod}/ingest/trades.csv")}
assert {f["trade_id"] for f in flows} <= live
sign = lambda r: int(r["amount_minor"]) * (1 if r["direction"] == "receive" else -1)
nets = {r["counterparty"]: r["netting"] == "yes" for r in rd(f"{data}/counterparties.csv")}
gross = defaultdict(int)
count = defaultdict(int)
for f in flows:
    k = (f["counterparty"], f["currency"], f["value_date"])
    gross[k] += sign(f)
    count[k] += 1
paid = defaultdict(int)
for p in pays:
    k = (p["counterparty"], p["currency"], p["value_date"])
    paid[k] += sign(p)
    if p["basis"] == "net":
        assert nets.get(p["counterparty"], True), p
        assert int(p["flows"]) == count[k] and p["trade_id"] == "", p
    else:
        assert p["trade_id"], p
# netted sums = gross flows, per counterparty, currency and value date
assert set(paid) == set(gross) and all(paid[k] == gross[k] for k in gross), \
    [(k, paid[k], gross[k]) for k in gross if paid[k] != gross[k]][:5]
# gross counterparties: one payment per flow
for cp in {k[0] for k in gross if not nets.get(k[0], True)}:
    assert sum(1 for p in pays if p["counterparty"] == cp) == sum(1 for f in flows if f["counterparty"] == cp)
# invoices: the lines are the flows, the totals the payments, per counterparty and currency
lines = defaultdict(int)
tot = defaultdict(int)
for r in invs:
    k = (r["counterparty"], r["currency"])
    if r["row"] == "line":
        lines[k] += sign(r)
    elif r["row"] == "total":
        tot[k] += sign(r)
        assert abs(float(r["amount"]) * 100 - sign(r)) < 1e-6, r
byccy = defaultdict(int)
for (cp, ccy, _), v in gross.items():
    byccy[(cp, ccy)] += v
assert dict(lines) == dict(byccy) and dict(tot) == dict(byccy)
ids = {r["invoice_id"] for r in invs}
assert sorted(i + ".html" for i in ids) == sorted(os.listdir(f"{eod}/settle/invoices"))
print(len(flows), len(pays), len(ids))
EOF
	assert_success
	[ "$(grep -c "^output,$EOD/settle/invoices/INV-20261125-.*\.html," "$EOD/manifest.csv")" -eq "${output##* }" ]
}

@test "eod: settle: the payment file validates, carries every payment we owe but the held-back ones; margin as run by hand" {
	xmllint --noout --schema "$TREE/data/schema/pain.001.001.09-subset.xsd" "$EOD/settle/pain001.xml"
	run "$PYORACLE" - "$EOD" <<'EOF'
import csv, sys
import xml.etree.ElementTree as ET
eod = sys.argv[1]
ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
rej = {(r["counterparty"], r["currency"], r["value_date"]) for r in csv.DictReader(open(f"{eod}/settle/pay-rejects.csv"))}
assert rej, "the bundled data has a counterparty with bad bank details"
want, n = {}, 0
for p in csv.DictReader(open(f"{eod}/settle/payments.csv")):
    k = (p["counterparty"], p["currency"], p["value_date"])
    if p["direction"] == "pay" and int(p["amount_minor"]) > 0 and k not in rej:
        want[p["currency"]] = want.get(p["currency"], 0) + int(p["amount_minor"])
        n += 1
doc = ET.parse(f"{eod}/settle/pain001.xml").getroot()
assert doc.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ns).text == "eod-2026-11-25"
got = {}
for a in doc.iterfind("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/p:Amt/p:InstdAmt", ns):
    got[a.get("Ccy")] = got.get(a.get("Ccy"), 0) + round(float(a.text) * 100)
assert got == want, (got, want)
assert int(doc.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", ns).text) == n
print(n)
EOF
	assert_success
	# the margin is qe-settle margin on the priced book and the ingested market
	qe-settle margin -q --asof 2026-11-25 --trades "$EOD/var/priced-trades.csv" --markets "$EOD/ingest/markets.csv" \
		--curves "$EOD/ingest/curves.csv" --vols "$EOD/ingest/vols.csv" --rates "$EOD/ingest/rates.csv" \
		--ranges "$TREE/data/span_ranges.csv" --calendars "$TREE/data/calendars" -o m.csv
	cmp m.csv "$EOD/settle/margin.csv"
	[ "$(wc -l < "$EOD/settle/margin.csv")" -gt 2 ]
}

@test "eod: settle: with LEDGER the day's EUA deliveries become ledger transfers, appended once" {
	out="$BATS_TEST_TMPDIR/eodl"
	cp -a "$EOD" "$out"
	openssl genpkey -algorithm ed25519 -out desk.pem 2>/dev/null
	# the desk and every counterparty of a delivery hold allowances
	"$PYORACLE" - "$EOD/settle/flows.csv" > issue.csv <<'EOF'
import csv, sys
print("kind,from_account,to_account,unit,vintage,quantity,serial_first,serial_last")
print("issue,,QE,EUA,2026,5000000,1,5000000")
cps = sorted({r["counterparty"] for r in csv.DictReader(open(sys.argv[1])) if r["kind"] == "eua_delivery"})
for i, c in enumerate(cps):
    print(f"issue,,{c},EUA,2026,5000000,{10_000_000 * (i + 1)},{10_000_000 * (i + 1) + 4999999}")
EOF
	qe-settle ledger append -q "$PWD/ets.csv" issue.csv --key desk.pem --time 2026-11-20T08:00:00Z
	L=(OUT="$out" LEDGER="$PWD/ets.csv" LEDGER_KEY="$PWD/desk.pem")
	run tree_make "${L[@]}"
	assert_success
	n=$(($(wc -l < "$out/settle/ledger-requests.csv") - 1))
	[ "$n" -ge "$(grep -c ',eua_delivery,' "$EOD/settle/flows.csv")" ]
	grep -q "^output,$out/settle/ledger-requests.csv," "$out/manifest.csv"
	qe-settle ledger verify -q ets.csv --no-signatures
	[ "$(($(wc -l < ets.csv) - 1))" -eq "$(($(wc -l < issue.csv) - 1 + n))" ]
	# made again (the ledger is an input of its own step, so the step
	# runs), nothing is appended twice
	run tree_make "${L[@]}"
	assert_success
	[ "$(wc -l < "$out/settle/ledger-requests.csv")" -eq 1 ]
	[ "$(($(wc -l < ets.csv) - 1))" -eq "$(($(wc -l < issue.csv) - 1 + n))" ]
	rm "$out/settle/ledger-requests.csv"
	run tree_make "${L[@]}"
	assert_success
	[ "$(wc -l < "$out/settle/ledger-requests.csv")" -eq 1 ]
	[ "$(($(wc -l < ets.csv) - 1))" -eq "$(($(wc -l < issue.csv) - 1 + n))" ]
}

@test "eod: GARCH forecasts for every log-return curve and tenor 1-3: likelihood and variance path recomputed in python" {
	run "$PYORACLE" - "$EOD" <<'EOF'
import csv, math, sys
from collections import defaultdict
eod = sys.argv[1]
logc = [r["curve"] for r in csv.DictReader(open(f"{eod}/ingest/markets.csv")) if r["returns"] == "log"]
fits = list(csv.DictReader(open(f"{eod}/forecast/garch.csv")))
want = [f"{c}:{t}" for c in logc for t in (1, 2, 3)]
assert [f["series"] for f in fits] == want, [f["series"] for f in fits]
prices = defaultdict(list)
for r in csv.DictReader(open(f"{eod}/ingest/history.csv")):
    prices[f'{r["curve"]}:{r["tenor"]}'].append(float(r["price"]))
paths = defaultdict(list)
for r in csv.DictReader(open(f"{eod}/forecast/garch-path.csv")):
    paths[r["series"]].append(r)
for f in fits:
    p = prices[f["series"]]
    r = [math.log(b / a) for a, b in zip(p, p[1:])]
    w, a, b = float(f["omega"]), float(f["alpha"]), float(f["beta"])
    assert f["model"] == "garch" and f["dist"] == "normal" and int(f["n"]) == len(r), f
    h = sum(x * x for x in r) / len(r)
    ll = 0.0
    for x in r:
        ll += -0.5 * (math.log(2 * math.pi) + math.log(h) + x * x / h)
        h = w + a * x * x + b * h
    assert abs(ll - float(f["loglik"])) < 1e-7 * abs(ll), (f["series"], ll, f["loglik"])
    path = paths[f["series"]]
    assert [int(x["day"]) for x in path] == list(range(1, 21)), f["series"]
    s = 0.0
    for k, x in enumerate(path, 1):
        s += h
        assert abs(float(x["variance"]) - h) <= 1e-9 * h, (f["series"], k)
        assert abs(float(x["vol"]) - math.sqrt(252 * h)) <= 1e-9, (f["series"], k)
        assert abs(float(x["term_vol"]) - math.sqrt(252 * s / k)) <= 1e-9, (f["series"], k)
        h = w + (a + b) * h
print(len(fits))
EOF
	assert_success
	assert_output 21
	# the per-series files are the rows of garch.csv
	for f in "$EOD"/forecast/garch/*-path.csv; do
		s=$(basename "$f" -path.csv)
		grep -q "^output,$f," "$EOD/manifest.csv"
		[ "$(tail -n +2 "${f%-path.csv}.csv")" = "$(grep "^${s%-*}:${s##*-}," "$EOD/forecast/garch.csv")" ]
	done
}

@test "eod: demand on the weather and headline sentiment: statsmodels' fit and forecast, the lexicon's scores recomputed" {
	f="$EOD/forecast"
	for x in "$f/demand.csv" "$f/demand-fit.csv" "$f/demand-forecast.csv" "$f/sentiment.csv" \
			"$f/sentiment-daily.csv" "$EOD/ingest/headlines.csv" "$EOD/ingest/headlines.rejects.csv"; do
		grep -q "^output,$x," "$EOD/manifest.csv"
	done
	for x in demand.csv weather_forecast.csv headlines.csv sentiment_lexicon.csv sentiment_commodities.csv; do
		grep -q "^input,data/$x," "$EOD/manifest.csv"
	done
	# EDDF's degree days (base 18 C), one lag, weekdays and the EEX
	# holidays, fitted by statsmodels; the 7 days of the weather forecast
	run "$PYORACLE" "$QE_TOP/tests/forecast/demand_oracle.py" demand-check "$f/demand.csv" "$f/demand-fit.csv" \
		"$f/demand-forecast.csv" "$EOD/ingest/weather.csv" "$TREE/data/weather_forecast.csv" \
		"$TREE/data/demand.csv" "$TREE/data/calendars/EEX.txt" EDDF c 18 1 0.95
	assert_success
	[ "$(cut -d, -f1 "$f/demand-forecast.csv" | tr '\n' ' ')" = "date $(seq -f '2026-11-%g' 26 30 | tr '\n' ' ')2026-12-01 2026-12-02 " ]
	# every headline scored by the lexicon's rule, and the daily index
	run "$PYORACLE" "$QE_TOP/tests/forecast/sentiment_ref.py" check "$TREE/data/sentiment_lexicon.csv" \
		"$TREE/data/sentiment_commodities.csv" "$EOD/ingest/headlines.csv" "$f/sentiment.csv"
	assert_success
	[ "$(wc -l < "$f/sentiment.csv")" -eq "$(wc -l < "$TREE/data/headlines.csv")" ]
	run "$PYORACLE" "$QE_TOP/tests/forecast/sentiment_ref.py" daily "$f/sentiment.csv" "$f/sentiment-daily.csv"
	assert_success
	grep -q '^eod: forecast: demand on EDDF weather: 10[0-9][0-9] days, R2 0\.[0-9]*, .*; 2026-11-26: ' "$BATS_FILE_TMPDIR/first.log"
	grep -q '^eod: forecast: sentiment on 2026-11-2[0-9]: ' "$BATS_FILE_TMPDIR/first.log"
}
