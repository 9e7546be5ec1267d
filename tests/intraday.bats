#!/usr/bin/env bats
# The intraday run (pipelines/intraday.mk) after an EOD of a small
# synthetic book (qe-synth, 60 trades): flash P&L against a recomputation
# from the CSVs, positions, limits, the pre-deal VaR on the EOD's scenario
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
	run "$PYORACLE" - "$EOD" "$TMP/out" "$TMP/in" <<'PY'
import csv, math, sys
from collections import defaultdict
eod, out, d = sys.argv[1:]
ida, idb, curve, ds, de = open(f"{d}/expect").read().split()
val_eod = {r["trade_id"]: r for r in csv.DictReader(open(f"{eod}/price/valuations.csv"))}
val_now = {r["trade_id"]: r for r in csv.DictReader(open(f"{out}/price/valuations.csv"))}
flash = list(csv.DictReader(open(f"{out}/pnl/flash.csv")))
close = lambda x, y: math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9)
# trade rows: npv now less npv at the EOD (0 for a new trade)
trows = {r["trade_id"]: r for r in flash if r["level"] == "trade"}
assert set(trows) == set(val_eod) | set(val_now), set(trows) ^ (set(val_eod) | set(val_now))
books, totals = defaultdict(float), defaultdict(float)
for k, r in trows.items():
    now = float(val_now[k]["npv"]) if k in val_now else 0.0
    was = float(val_eod[k]["npv"]) if k in val_eod else 0.0
    assert close(float(r["flash_pnl"]), now - was), (k, r, now, was)
    books[(r["book"], r["currency"])] += now - was
    totals[r["currency"]] += now - was
got_books = {(r["book"], r["currency"]): float(r["flash_pnl"]) for r in flash if r["level"] == "book"}
assert got_books.keys() == books.keys(), (got_books, books)
for k in books:
    assert close(got_books[k], books[k]), (k, got_books[k], books[k])
got_tot = {r["currency"]: float(r["flash_pnl"]) for r in flash if r["level"] == "total"}
assert got_tot.keys() == totals.keys()
for c in totals:
    assert close(got_tot[c], totals[c]), (c, got_tot[c], totals[c])
# the new trades are priced as the trades they copy; they had no EOD value
assert trows["NEW0001"]["npv_eod"] == "" and trows["NEW0002"]["npv_eod"] == ""
assert close(float(trows["NEW0001"]["flash_pnl"]), float(val_now[ida]["npv"]))
assert close(float(trows["NEW0002"]["flash_pnl"]), float(val_now[idb]["npv"]))
# a forward is linear in its price: P&L = dF / (F - K) * npv at the EOD
trades = {t["trade_id"]: t for t in csv.DictReader(open(f"{out}/book/trades.csv"))}
F = {(c["curve"], c["delivery_start"], c["delivery_end"]): float(c["price"])
     for c in csv.DictReader(open(f"{eod}/ingest/curves.csv"))}
a = trades[ida]
f0 = F[(curve, ds, de)]
expect = 2.5 / (f0 - float(a["price"])) * float(val_eod[ida]["npv"])
assert math.isclose(float(trows[ida]["flash_pnl"]), expect, rel_tol=1e-9), (trows[ida], expect)
# a trade on another curve did not move
others = [k for k, t in trades.items() if t["curve"] != curve and k in val_eod and k in val_now]
assert others and all(float(trows[k]["flash_pnl"]) == 0 for k in others)
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
	run awk -F, 'NR > 1 && $7 != 0' "$TMP/o1/pnl/flash.csv"
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
	grep -q '^trade,[^,]*,NEW0001,' "$TMP/o2/pnl/flash.csv"
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
