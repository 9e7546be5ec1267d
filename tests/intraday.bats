#!/usr/bin/env bats
# The intraday run (pipelines/intraday.mk) after an EOD of a small
# synthetic book (qe-synth, 60 trades): flash P&L (qe-report pnl from the
# EOD to now) against a recomputation from the CSVs, positions, limits, the pre-deal VaR on the EOD's scenario
# P&L, and that the EOD outputs (the scenario cube above all) are read,
# never rebuilt.  Also the crontab of pipelines/crontab.example.

load helpers

setup_file() {
	export BOOK="$BATS_FILE_TMPDIR/book" EOD="$BATS_FILE_TMPDIR/eod" WRAP="$BATS_FILE_TMPDIR/bin"
	"$QE_BIN/qe-synth" -q --seed 7 --trades 60 --calendars "$QE_TOP/data/calendars" -d "$BOOK"
	cp -r "$QE_TOP/data/calendars" "$BOOK/"
	for f in fx sharia_profiles sharia_instruments spot_month_limits currencies payment_terms; do
		cp "$QE_TOP/data/$f.csv" "$BOOK/"
	done
	make --no-print-directory -C "$QE_TOP" -f pipelines/eod.mk QE_BIN="$QE_BIN" DATA="$BOOK" \
		OUT="$EOD" HEDGE=0 FORECAST=0 > "$BATS_FILE_TMPDIR/eod.log" 2>&1 || true
	# the tools the intraday run calls, through wrappers that log each call
	mkdir -p "$WRAP"
	for t in qe-ingest qe-price qe-var qe-report qe-screen; do
		printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexec "%s/%s" "$@"\n' \
			"$t" "$BATS_FILE_TMPDIR" "$QE_BIN" "$t" > "$WRAP/$t"
		chmod +x "$WRAP/$t"
	done
}

# intraday_make DIR OUT [VAR=VALUE...]
intraday_make() {
	local dir=$1 out=$2
	shift 2
	make --no-print-directory -C "$QE_TOP" -f pipelines/intraday.mk QE_BIN="$WRAP" DATA="$BOOK" \
		EOD="$EOD" INTRADAY_DIR="$dir" OUT="$out" STAMP=1015 "$@"
}

# new_day DIR: two new trades (copies of two forwards of the book under new
# ids, so their value is known) and a price change of 2.5 on the curve row
# of the first one's delivery period; the ids and the row in DIR/expect.
new_day() {
	mkdir -p "$1"
	"$PYORACLE" - "$EOD" "$1" <<'PY'
import csv, sys
eod, d = sys.argv[1:]
trades = list(csv.DictReader(open(f"{eod}/var/priced-trades.csv")))
curves = list(csv.DictReader(open(f"{eod}/ingest/curves.csv")))
rows = {(c["curve"], c["delivery_start"], c["delivery_end"]): c for c in curves}
fwd = [t for t in trades if t["instrument"] == "forward"
       and (t["curve"], t["delivery_start"], t["delivery_end"]) in rows]
assert len(fwd) >= 2, "the book has two forwards on curve rows"
a, b = fwd[0], fwd[1]
fields = list(trades[0].keys())
with open(f"{d}/trades-0901.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fields, lineterminator="\n")
    w.writeheader()
    for t, nid in ((a, "NEW0001"), (b, "NEW0002")):
        n = dict(t)
        n["trade_id"], n["version"], n["status"] = nid, "1", "new"
        w.writerow(n)
row = dict(rows[(a["curve"], a["delivery_start"], a["delivery_end"])])
row["price"] = repr(float(row["price"]) + 2.5)
with open(f"{d}/prices.csv", "w", newline="") as f:
    w = csv.DictWriter(f, list(curves[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerow(row)
open(f"{d}/expect", "w").write(f"{a['trade_id']} {b['trade_id']} {row['curve']} {row['delivery_start']} {row['delivery_end']}\n")
PY
}

@test "intraday: the EOD of the small book ran, with its scenario P&L cube" {
	run tail -1 "$BATS_FILE_TMPDIR/eod.log"
	assert_output --partial "eod: as-of"
	assert_file_exists "$EOD/var/cube-full.csv"
	grep -q "^output,$EOD/var/cube-full.csv," "$EOD/manifest.csv"
}

@test "intraday: flash P&L equals a recomputation from the CSVs; the EOD outputs are read, not rebuilt" {
	new_day "$TMP/in"
	find "$EOD" -type f -printf '%p %s %T@\n' | sort > before
	sha256sum "$EOD/var/cube-full.csv" > cube.sha
	rm -f "$BATS_FILE_TMPDIR/calls"
	run intraday_make "$TMP/in" "$TMP/out"
	assert_success
	assert_output --partial "intraday: as-of"
	assert_output --regexp "intraday: flash P&L -?[0-9]+\.[0-9]{2} USD: delta -?[0-9]+\.[0-9]{2}, .*new -?[0-9]+\.[0-9]{2}"
	# nothing of the EOD changed, the cube least of all; no scenario build
	find "$EOD" -type f -printf '%p %s %T@\n' | sort > after
	run diff before after
	assert_success
	sha256sum -c --quiet cube.sha
	run grep -c '^qe-var ' "$BATS_FILE_TMPDIR/calls"
	assert_output 1
	grep '^qe-var whatif ' "$BATS_FILE_TMPDIR/calls" | grep -q -- "--cube $EOD/var/cube-full.csv"
	run grep -E '^qe-var (hs|pla|stress|series)' "$BATS_FILE_TMPDIR/calls"
	assert_failure
	# the flash P&L is qe-report pnl's, from the EOD's as-of to the same day
	asof=$(awk -F, 'NR == 2 { print $2; exit }' "$BOOK/curves.csv")
	grep '^qe-report pnl ' "$BATS_FILE_TMPDIR/calls" | grep -q -- "--from $asof --to $asof "
	run "$PYORACLE" - "$EOD" "$TMP/out" "$TMP/in" "$BOOK" <<'PY'
import csv, math, sys
from collections import defaultdict
from decimal import Decimal, ROUND_HALF_UP
eod, out, d, book = sys.argv[1:]
ida, idb, curve, ds, de = open(f"{d}/expect").read().split()
fx = {r["currency"]: float(r["rate"]) for r in csv.DictReader(open(f"{book}/fx.csv"))}
def cents(npv, ccy):
    # the value in USD at the FX file's rate, half away from zero to the cent
    return int(Decimal(npv * fx[ccy] * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
def c(x):
    return int(Decimal(x) * 100)
val_eod = {r["trade_id"]: r for r in csv.DictReader(open(f"{eod}/price/valuations.csv")) if r["npv"]}
val_now = {r["trade_id"]: r for r in csv.DictReader(open(f"{out}/price/valuations.csv")) if r["npv"]}
flash = list(csv.DictReader(open(f"{out}/pnl/flash.csv")))
parts = ["theta", "delta", "gamma", "vega", "fx", "new", "amended", "cancelled", "cash", "unexplained"]
# one row per trade of either book: its value now less its EOD value (0 for a new trade)
trows = {r["trade_id"]: r for r in flash}
assert len(trows) == len(flash) and set(trows) == set(val_eod) | set(val_now), set(trows) ^ (set(val_eod) | set(val_now))
books, total = defaultdict(int), 0
for k, r in trows.items():
    now = cents(float(val_now[k]["npv"]), val_now[k]["currency"]) if k in val_now else 0
    was = cents(float(val_eod[k]["npv"]), val_eod[k]["currency"]) if k in val_eod else 0
    assert r["currency"] == "USD" and (c(r["v0"]), c(r["v1"])) == (was, now), (k, r, was, now)
    assert c(r["total"]) == now - was == sum(c(r[p]) for p in parts), (k, r, now, was)
    assert r["change"] == ("new" if k not in val_eod else "unchanged"), r
    books[r["book"]] += now - was
    total += now - was
# the roll-ups: sums of the trades' cents
ex = list(csv.DictReader(open(f"{out}/pnl/flash-explain.csv")))
got_books = {r["key"]: c(r["total"]) for r in ex if r["level"] == "book"}
assert got_books == dict(books), (got_books, dict(books))
assert [c(r["total"]) for r in ex if r["level"] == "all"] == [total], total
# the new trades are priced as the trades they copy and are all "new"
for nid, src in (("NEW0001", ida), ("NEW0002", idb)):
    r = trows[nid]
    assert c(r["v0"]) == 0 and c(r["new"]) == c(r["total"]) == cents(float(val_now[src]["npv"]), val_now[src]["currency"]), r
# a forward is linear in its price: P&L = dF / (F - K) * npv at the EOD,
# all of it delta (to the cent of each rounding)
trades = {t["trade_id"]: t for t in csv.DictReader(open(f"{out}/book/trades.csv"))}
F = {(c_["curve"], c_["delivery_start"], c_["delivery_end"]): float(c_["price"])
     for c_ in csv.DictReader(open(f"{eod}/ingest/curves.csv"))}
a = trades[ida]
f0 = F[(curve, ds, de)]
expect = 2.5 / (f0 - float(a["price"])) * float(val_eod[ida]["npv"]) * fx[a["currency"]] * 100
ra = trows[ida]
assert abs(c(ra["total"]) - expect) <= 1 and abs(c(ra["delta"]) - expect) <= 1, (ra, expect)
assert abs(c(ra["unexplained"])) <= 1 and c(ra["gamma"]) == c(ra["vega"]) == 0, ra
# a trade on another curve did not move
others = [k for k, t in trades.items() if t["curve"] != curve and k in val_eod and k in val_now]
assert others and all(c(trows[k]["total"]) == 0 for k in others)
print(len(trows))
PY
	assert_success
}

@test "intraday: positions against the EOD ladder, limits, and the pre-deal VaR on the EOD cube" {
	new_day "$TMP/in"
	run intraday_make "$TMP/in" "$TMP/out"
	assert_success
	run "$PYORACLE" - "$EOD" "$TMP/out" <<'PY'
import csv, math, sys
eod, out = sys.argv[1:]
pos = list(csv.DictReader(open(f"{out}/report/position.csv")))
assert pos
for r in pos:
    if r["prev_delta"] and r["delta"]:
        assert math.isclose(float(r["change"]), float(r["delta"]) - float(r["prev_delta"]), rel_tol=1e-9, abs_tol=1e-6), r
# the ladder summed by curve and month against the report's curve rows
lad = {}
for r in csv.DictReader(open(f"{out}/price/ladder.csv")):
    lad[(r["curve"], r["month"])] = lad.get((r["curve"], r["month"]), 0) + float(r["delta"])
curve_rows = {(r["curve"], r["month"]): r for r in pos if r["level"] == "curve"}
for k, v in lad.items():
    assert math.isclose(float(curve_rows[k]["delta"]), v, rel_tol=1e-9, abs_tol=1e-6), (k, v)
br = list(csv.DictReader(open(f"{out}/screen/breaches.csv")))
assert all(r["rule_set"] == "limits" for r in br), br[:3]
# pre-deal VaR: "before" is the EOD's full-revaluation VaR (the cube's)
full = {(r["portfolio"], r["alpha"]): float(r["var"]) for r in csv.DictReader(open(f"{eod}/var/var-full.csv"))}
wi = list(csv.DictReader(open(f"{out}/var/whatif.csv")))
assert wi
hit = 0
for r in wi:
    k = (r["portfolio"], r["alpha"])
    if k in full:
        assert math.isclose(float(r["var_before"]), full[k], rel_tol=1e-12), (r, full[k])
        hit += 1
    assert math.isclose(float(r["incremental_var"]), float(r["var_after"]) - float(r["var_before"]), rel_tol=1e-9, abs_tol=1e-9)
assert hit >= 2, hit
print(hit)
PY
	assert_success
	# the manifest lists every output with its digest
	run awk -F, 'NR > 1 && $1 == "output"' "$TMP/out/manifest.csv"
	assert_output --partial "$TMP/out/pnl/flash.csv"
	assert_output --partial "$TMP/out/pnl/flash-explain.csv"
	assert_output --partial "$TMP/out/var/whatif.csv"
	sha=$(sha256sum "$TMP/out/pnl/flash.csv" | cut -d' ' -f1)
	grep -q ",$sha\$" "$TMP/out/manifest.csv"
	# a second run of the same slot does nothing
	run intraday_make "$TMP/in" "$TMP/out" -q "$TMP/out/manifest.csv"
	assert_success
}

@test "intraday: no new file is a flash P&L of zero; a bad new trade is an alert; no EOD is a clear stop" {
	mkdir -p "$TMP/empty"
	run intraday_make "$TMP/empty" "$TMP/o1"
	assert_success
	[ "$(wc -l < "$TMP/o1/pnl/flash.csv")" -gt 1 ]
	run awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["total"] != "0.00" || $c["change"] != "unchanged"' \
		"$TMP/o1/pnl/flash.csv"
	assert_output ""
	run wc -l < "$TMP/o1/var/whatif.csv"
	assert_output 1
	# one good and one bad trade (unknown curve): the good one goes on
	new_day "$TMP/in"
	rm "$TMP/in/prices.csv"
	awk -F, -v OFS=, 'NR == 3 { $1 = "BAD0001"; $9 = "NO_SUCH_CURVE" } NR != 2' "$TMP/in/trades-0901.csv" > "$TMP/in/trades-0902.csv"
	sed -i '3d' "$TMP/in/trades-0901.csv"
	run intraday_make "$TMP/in" "$TMP/o2"
	assert_success
	assert_output --partial "intraday: ALERT: 1 new trade(s) rejected"
	grep -q 'BAD0001,' "$TMP/o2/ingest/new-trades.rejects.csv"
	grep -q '^NEW0001,' "$TMP/o2/pnl/flash.csv"
	run grep -c BAD0001 "$TMP/o2/pnl/flash.csv"
	assert_output 0
	# no EOD for the day: one line naming make eod, nothing written
	run make --no-print-directory -C "$QE_TOP" -f pipelines/intraday.mk QE_BIN="$WRAP" DATA="$BOOK" \
		EOD="$TMP/no-eod" INTRADAY_DIR="$TMP/in" OUT="$TMP/o3"
	assert_failure
	assert_output --partial "run make eod for"
	assert_not_exist "$TMP/o3"
	run make --no-print-directory -C "$QE_TOP" -f pipelines/intraday.mk QE_BIN="$WRAP" DATA="$BOOK" EOD="$EOD"
	assert_failure
	assert_output --partial "INTRADAY_DIR is not set"
}

@test "intraday: a failing step leaves no partial output and the rerun completes" {
	new_day "$TMP/in"
	# a price row of an unknown curve: qe-ingest prices rejects it, nothing after runs
	awk -F, -v OFS=, 'NR == 2 { $1 = "NO_SUCH_CURVE" } 1' "$TMP/in/prices.csv" > "$TMP/bad.csv"
	cp "$TMP/bad.csv" "$TMP/in/prices.csv"
	run intraday_make "$TMP/in" "$TMP/out"
	assert_failure
	assert_output --partial "intraday: ingest prices"
	assert_not_exist "$TMP/out/ingest/prices.csv"
	grep -q NO_SUCH_CURVE "$TMP/out/ingest/prices.rejects.csv"
	assert_not_exist "$TMP/out/pnl/flash.csv"
	assert_not_exist "$TMP/out/manifest.csv"
	run sh -c "find '$TMP/out' -name '*.tmp*'"
	assert_output ""
	rm "$TMP/in/prices.csv"
	run intraday_make "$TMP/in" "$TMP/out"
	assert_success
	assert_file_exists "$TMP/out/manifest.csv"
}

@test "crontab.example: every entry has five time fields and a command whose programs exist" {
	run "$PYORACLE" - "$QE_TOP/pipelines/crontab.example" "$QE_TOP" <<'PY'
import os, re, shlex, shutil, sys
path, top = sys.argv[1:]
field = r"(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*"
ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
entries, env = [], {}
for n, line in enumerate(open(path), 1):
    s = line.strip()
    if not s or s.startswith("#"):
        continue
    m = re.match(r"^([A-Z_][A-Z0-9_]*)\s*=\s*(.*)$", s)
    if m:
        env[m.group(1)] = m.group(2)
        continue
    parts = s.split(None, 5)
    assert len(parts) == 6, f"{n}: not 5 time fields and a command: {s}"
    for f, (lo, hi) in zip(parts[:5], ranges):
        assert re.fullmatch(field, f), f"{n}: bad time field {f!r}"
        for num in re.findall(r"\d+", f.split("/")[0]):
            assert lo <= int(num) <= hi, f"{n}: {num} outside {lo}-{hi}"
    entries.append((n, parts[:5], parts[5]))
assert "MAILTO" in env, "MAILTO"
assert len(entries) >= 2
cmds = " ".join(c for _, _, c in entries)
assert "*/15" in " ".join(" ".join(t) for _, t, _ in entries), "an every-15-minutes entry"
assert re.search(r"\bmake eod\b", cmds) and re.search(r"\bmake intraday\b", cmds)
builtin = {"cd", "exec", "test", "["}
for n, times, cmd in entries:
    assert re.search(r"\bflock\b", cmd), f"{n}: runs never overlap: flock"
    if "intraday" in cmd:
        assert re.search(r"\bflock -n\b", cmd), f"{n}: an intraday slot never waits: flock -n"
    assert "QE_ALERT_CMD" in env, "the alert hook"
    # % is a newline to cron: it must be escaped in a command
    assert re.search(r"(?<!\\)%", cmd) is None, f"{n}: unescaped %"
    words = shlex.split(cmd)
    progs = [w for i, w in enumerate(words) if i == 0 or words[i - 1] in ("&&", "||", ";", "|")]
    assert "pipelines/cron-run" in words, f"{n}: through pipelines/cron-run"
    run = words[words.index("pipelines/cron-run") + 2:]
    progs += [run[0]] + [w for w in run if w in ("make",)]
    for p in progs:
        assert p in builtin or shutil.which(p) or os.path.exists(os.path.join(top, p)), f"{n}: no program {p}"
    for w in words:
        if w.startswith(("pipelines/", "bin/")):
            assert os.path.exists(os.path.join(top, w)), f"{n}: no {w}"
    # the make target it names exists
    if "make" in run:
        target = run[run.index("make") + 1]
        rules = open(os.path.join(top, "Makefile")).read() + "".join(
            open(os.path.join(top, "mk", f)).read() for f in os.listdir(os.path.join(top, "mk")) if f.endswith(".mk"))
        assert re.search(rf"^{target}:", rules, re.M), f"{n}: no make target {target}"
print(len(entries))
PY
	assert_success
	# cron-run: the exit code, the log, the alert hook on a failure only
	run sh "$QE_TOP/pipelines/cron-run" --help
	assert_success
	export QE_LOG_DIR="$TMP/log" QE_ALERT_CMD="cat > '$TMP/alert'"
	run sh "$QE_TOP/pipelines/cron-run" t1 sh -c 'echo working; exit 3'
	[ "$status" -eq 3 ]
	assert_output --regexp '^t1: FAILED: exit 3 at .* \(see .*/log/t1.log\)$'
	grep -q '^t1: FAILED: exit 3' "$TMP/alert"
	grep -q '^working$' "$TMP/alert"
	grep -q '^working$' "$TMP/log/t1.log"
	rm "$TMP/alert"
	run sh "$QE_TOP/pipelines/cron-run" t2 true
	assert_success
	assert_output ""
	assert_not_exist "$TMP/alert"
	# a slot that finds the lock held is skipped quietly; the waiting run
	# that times out is a failure with an alert
	flock "$TMP/lock" sleep 5 &
	sleep 0.5
	run sh "$QE_TOP/pipelines/cron-run" t3 flock -n -E 0 "$TMP/lock" sh -c 'echo ran'
	assert_success
	run grep -c '^ran$' "$TMP/log/t3.log"
	assert_output 0
	run sh "$QE_TOP/pipelines/cron-run" t4 flock -w 1 "$TMP/lock" true
	assert_failure
	assert_file_exists "$TMP/alert"
	wait
}
