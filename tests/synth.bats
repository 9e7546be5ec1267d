#!/usr/bin/env bats
# qe-synth: determinism, the bundled data, consistency between files, the
# statistics of the history (checked with numpy), LEIs (checked with an
# independent MOD 97 in Python), bad options and I/O failures.

load helpers

export QE_CALENDAR_DIR="$QE_TOP/data/calendars"

small() {
	qe-synth -q --seed 7 --trades 500 --history-days 120 "$@"
}

@test "synth: the bundled data regenerates byte for byte (command from data/README.md)" {
	cmd=$(grep '^qe-synth ' "$DATA/README.md" | head -1)
	[ -n "$cmd" ] || fail "no qe-synth command line in data/README.md"
	cmd=${cmd% -d data}
	[[ "$cmd" == qe-synth* ]] || fail "odd command: $cmd"
	# as written, from the top of the tree
	run env -u QE_CALENDAR_DIR bash -c "cd '$QE_TOP' && $cmd -d '$TMP/re'"
	assert_success
	n=0
	for f in "$TMP"/re/*.csv; do
		b=$(basename "$f")
		cmp "$f" "$DATA/$b" || fail "$b differs from data/$b"
		n=$((n + 1))
	done
	[ "$n" -eq 16 ] || fail "expected 16 files, got $n"
	for f in "$TMP"/re/prev/*.csv; do
		b=prev/$(basename "$f")
		cmp "$f" "$DATA/$b" || fail "$b differs from data/$b"
		n=$((n + 1))
	done
	[ "$n" -eq 22 ] || fail "expected 22 files with prev/, got $n"
}

@test "synth: same seed, same bytes for any OMP_NUM_THREADS; another seed differs" {
	OMP_NUM_THREADS=1 qe-synth -q --seed 3 --trades 20000 --only trades -o t1.csv
	OMP_NUM_THREADS=2 qe-synth -q --seed 3 --trades 20000 --only trades -o t2.csv
	OMP_NUM_THREADS=5 qe-synth -q --seed 3 --trades 20000 --only trades > t5.csv
	cmp t1.csv t2.csv
	cmp t1.csv t5.csv
	[ "$(wc -l < t1.csv)" -gt 20000 ]
	qe-synth -q --seed 4 --trades 20000 --only trades -o t4.csv
	! cmp -s t1.csv t4.csv
	OMP_NUM_THREADS=1 small -d a
	OMP_NUM_THREADS=2 small -d b
	run diff -r a b
	assert_success
}

@test "synth: --only KIND equals the file written by -d, for every kind" {
	small -d all
	for k in markets prices vols rates history fixings trades counterparties limits meters weather fx_history headlines load; do
		f=$k.csv
		[ "$k" = prices ] && f=curves.csv
		small --only "$k" -o "one-$k.csv"
		cmp "one-$k.csv" "all/$f" || fail "--only $k differs"
	done
	small --only curves | cmp - all/curves.csv
}

@test "synth: history ends on the as-of forward curve; fixings come from the history" {
	run "$PYORACLE" - "$DATA" <<'EOF'
import sys, pandas as pd
d = sys.argv[1]
h = pd.read_csv(f"{d}/history.csv", dtype={"date": str})
c = pd.read_csv(f"{d}/curves.csv", dtype={"asof": str, "delivery_start": str})
f = pd.read_csv(f"{d}/fixings.csv", dtype={"date": str})
asof = c["asof"].iloc[0]
last = h[h.date == asof]
ncurves = len(pd.read_csv(f"{d}/markets.csv"))
assert len(last) == ncurves * 37, len(last)
months = c[c.delivery_start.str.endswith("-01")]
for curve, g in months.groupby("curve"):
    fwd = list(g.sort_values("delivery_start").price[:36])
    hist = list(last[last.curve == curve].sort_values("tenor").price[1:37])
    assert fwd == hist, (curve, fwd, hist)
# balance of month quote present for every curve
assert (c.delivery_start == "2026-11-26").sum() == ncurves
# fixings: the history's tenor 0 for every curve (spot or day-ahead for
# power, TTF, EUA; the front-month future for NG, WTI, Brent, HO)
m = f.merge(h[h.tenor == 0], on=["curve", "date"])
assert len(m) == len(f), (len(m), len(f))
assert (m.price_x == m.price_y).all()
# every business day of the as-of month up to the as-of date is fixed
nov = f[(f.date >= "2026-11-01") & (f.date <= asof)]
assert nov.groupby("curve").size().min() >= 16, nov.groupby("curve").size()
assert f.date.min() <= "2026-08-03" and f.date.max() == asof
print("ok")
EOF
	assert_success
	assert_output "ok"
}

# front_month_agrees CURVE: on every date of the bundled history, the
# contract the exchange rule (tests/price/frontmonth.py, written from the
# rulebooks) makes front month is the one the fixings and the history's
# tenor 0 price: tenor 0 equals tenor j, the contract delivering j months
# after the date's month, for the j of the rule; the fixing equals both;
# on the as-of date it is that contract's quote in curves.csv.
front_month_agrees() {
	run "$PYORACLE" - "$DATA" "$1" "$QE_TOP/tests/price" <<'EOF'
import sys, datetime as dt, pandas as pd
d, curve = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
from frontmonth import Rules, RULES
R = Rules(d); cal = RULES[curve][1]
h = pd.read_csv(f"{d}/history.csv", dtype={"date": str}); h = h[h.curve == curve]
p = h.pivot_table(index="date", columns="tenor", values="price")
f = pd.read_csv(f"{d}/fixings.csv", dtype={"date": str}); f = f[f.curve == curve].set_index("date").price
c = pd.read_csv(f"{d}/curves.csv", dtype={"delivery_start": str}); c = c[c.curve == curve].set_index("delivery_start").price
rolls, distinct = set(), 0
for day, row in p.iterrows():
    x = dt.date.fromisoformat(day)
    assert R.bday(cal, x), (curve, day, "history on a holiday")
    y, m = R.front(curve, x)
    j = (y - x.year) * 12 + m - x.month
    assert 1 <= j <= 2, (curve, day, j)
    assert row[0] == row[j], (curve, day, "tenor 0 is not the front month", j, list(row[:4]))
    distinct += row[1] != row[2]
    if day in f.index:
        assert f[day] == row[0], (curve, day, f[day], row[0])
    rolls.add(j)
fixed = [x for x in f.index if x not in p.index]
assert not fixed, (curve, "fixings without history", fixed[:3])
asof = p.index.max()
y, m = R.front(curve, dt.date.fromisoformat(asof))
assert p.loc[asof, 0] == c["%04d-%02d-01" % (y, m)], (curve, asof)
# most days tell the two candidate contracts apart (neighbouring months
# may round to the same price)
assert distinct > 0.8 * len(p), (curve, distinct, len(p))
print(curve, len(p), sorted(rolls), distinct)
EOF
	echo "$output"
	assert_success
}

@test "data: NG_HH fixings, history tenor 0 and the NYMEX NG expiry rule name the same contract every day" {
	front_month_agrees NG_HH
}

@test "data: CL_WTI fixings, history tenor 0 and the NYMEX WTI expiry rule name the same contract every day" {
	front_month_agrees CL_WTI
}

@test "data: BRENT fixings, history tenor 0 and the ICE Brent expiry rule name the same contract every day" {
	front_month_agrees BRENT
	# the expired Dec-26 future settles on its last trading day, Fri 30 Oct
	# 2026, at the Dec-26 price: tenor 2 of that day, not Nov-26's tenor 1
	run "$PYORACLE" -c '
import pandas as pd
h = pd.read_csv("'"$DATA"'/history.csv"); f = pd.read_csv("'"$DATA"'/fixings.csv")
day = h[(h.curve == "BRENT") & (h.date == "2026-10-30")].set_index("tenor").price
fx = float(f[(f.curve == "BRENT") & (f.date == "2026-10-30")].price.iloc[0])
assert fx == day[2] != day[1], (fx, day[1], day[2])'
	assert_success
}

@test "data: HO_ULSD fixings, history tenor 0 and the NYMEX heating oil expiry rule name the same contract every day" {
	front_month_agrees HO_ULSD
}

@test "data: RBOB fixings, history tenor 0 and the NYMEX RBOB expiry rule name the same contract every day" {
	front_month_agrees RBOB
}

@test "data: spot-index curves (TTF, power, EUA) fix on their history's tenor 0, a spot price no month equals" {
	run "$PYORACLE" - "$DATA" <<'EOF'
import sys, pandas as pd
d = sys.argv[1]
h = pd.read_csv(f"{d}/history.csv", dtype={"date": str}); f = pd.read_csv(f"{d}/fixings.csv", dtype={"date": str})
for curve in ("TTF", "EUA", "DE_BASE", "DE_PEAK", "PJM_WH_PEAK", "PJM_WH_OFFPEAK"):
    p = h[h.curve == curve].pivot_table(index="date", columns="tenor", values="price")
    fx = f[f.curve == curve].set_index("date").price
    assert len(fx) > 50 and (fx == p.loc[fx.index, 0]).all(), curve
    # a spot series, not a listed month's: it differs from tenor 1 on most days
    assert (p[0] != p[1]).mean() > 0.9, curve
print("ok")
EOF
	assert_success
}

@test "synth: history returns have the intended vols and correlations (numpy)" {
	run "$PYORACLE" - "$DATA" <<'EOF'
import sys, numpy as np, pandas as pd
h = pd.read_csv(sys.argv[1] + "/history.csv", parse_dates=["date"])
p = h.pivot_table(index="date", columns=["curve", "tenor"], values="price")
mon = p.index.to_period("M")
same_month = np.asarray(mon[1:] == mon[:-1])  # no contract roll in the return
def ret(c, k, log=True):
    x = p[(c, k)].to_numpy()
    r = np.diff(np.log(x)) if log else np.diff(x)
    return r[same_month]
def vol(c, k):
    r = ret(c, k); r = r[~np.isnan(r)]
    return r.std() * np.sqrt(252)
# intended: tenor-1 vol v_long + (v_front - v_long) = v_front
for c, v in [("CL_WTI", .36), ("BRENT", .33), ("NG_HH", .60), ("TTF", .65), ("EUA", .45)]:
    got = vol(c, 1)
    assert abs(got / v - 1) < 0.15, (c, got, v)
# Samuelson: tenor 12 calmer than tenor 1
assert vol("NG_HH", 12) < 0.75 * vol("NG_HH", 1)
def corr(a, b):
    x = np.vstack([a, b]); x = x[:, ~np.isnan(x).any(axis=0)]
    return np.corrcoef(x)[0, 1]
# across curves: 0.90 x matrix entry; across tenors: 0.90 + 0.10 x 0.95^|dk|
for (c1, c2, want) in [("CL_WTI", "BRENT", .855), ("DE_BASE", "DE_PEAK", .855), ("TTF", "DE_BASE", .63),
                       ("NG_HH", "CL_WTI", .225)]:
    got = corr(ret(c1, 1, c1 not in ("DE_BASE",)), ret(c2, 1, c2 not in ("DE_BASE", "DE_PEAK")))
    assert abs(got - want) < 0.1, (c1, c2, got, want)
got = corr(ret("NG_HH", 1), ret("NG_HH", 2))
assert got > 0.97, got
# power: absolute returns, negative day-ahead prices on some days, log curves never
for c in ("DE_BASE", "DE_PEAK", "PJM_WH_OFFPEAK"):
    assert (p[(c, 0)] < 0).sum() >= 3, c
for c in ("NG_HH", "CL_WTI", "BRENT", "HO_ULSD", "TTF", "EUA", "RBOB"):
    assert p[c].min().min() > 0, c
# spikes: fat-tailed spot returns (kurtosis well above normal); TTF's
# tenor 0 is its spot index (NG's is the front-month future)
r = np.diff(np.log(p[("TTF", 0)].to_numpy())); r = r[~np.isnan(r)]
k = ((r - r.mean())**4).mean() / r.var()**2
assert k > 5, k
print("ok")
EOF
	assert_success
	assert_output "ok"
}

@test "synth: LEIs pass ISO 7064 MOD 97-10 except the three broken on purpose" {
	run "$PYORACLE" - "$DATA/counterparties.csv" <<'EOF'
import csv, sys
bad = []
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    lei = r["lei"]
    assert len(lei) == 20 and lei.isalnum() and lei.upper() == lei
    n = int("".join(str(int(ch, 36)) for ch in lei))
    if n % 97 != 1:
        bad.append(r["counterparty"])
assert len(rows) == 43, len(rows)
print(" ".join(bad))
EOF
	assert_success
	assert_output "CP008 CP020 CP034"
}

@test "synth: the book has every instrument, book, lifecycle and special case" {
	run "$PYORACLE" - "$DATA" <<'EOF'
import sys, pandas as pd
d = sys.argv[1]
t = pd.read_csv(f"{d}/trades.csv", dtype=str, keep_default_na=False)
mk = pd.read_csv(f"{d}/markets.csv")
cp = pd.read_csv(f"{d}/counterparties.csv")
asof = "2026-11-25"
assert set(t.instrument) == {"future", "forward", "swap", "physical", "option", "asian", "spread", "spot"}, set(t.instrument)
assert set(t.book) == {"GAS_US", "GAS_EU", "POWER_EU", "POWER_US", "OIL", "CARBON", "ISLAMIC"}
assert set(t.curve) <= set(mk.curve) and set(t.curve2) - {""} <= set(mk.curve)
assert set(t.counterparty) <= set(cp.counterparty)
assert (t.status == "amend").sum() >= 30 and (t.status == "cancel").sum() >= 10
# versions are consecutive and start with new
for tid, g in t.groupby("trade_id"):
    assert list(g.version.astype(int)) == list(range(1, len(g) + 1)), tid
    assert g.status.iloc[0] == "new"
assert (t.delivery_start <= t.delivery_end).all()
assert (t.trade_date <= asof).all()
opt = t[t.instrument.isin(["option", "asian", "spread"])]
assert (opt.expiry > asof).all() and (opt.trade_date <= opt.expiry).all()
assert (opt.strike != "").all() and set(opt.option_type) == {"call", "put"}
o = t[t.instrument == "option"]
assert set(o.exercise) == {"european", "american"}
assert {"NG_HH", "CL_WTI", "BRENT", "TTF", "DE_BASE", "EUA"} <= set(o.curve)
assert (o.model == "bachelier").any()
sw = t[t.instrument == "swap"]
assert ((sw.delivery_start <= asof) & (sw.delivery_end > asof)).sum() >= 5   # partly fixed
a = t[t.instrument == "asian"]
assert (a.avg_start < asof).sum() >= 3 and (a.avg_start == a.delivery_start).all()
sp = t[t.instrument == "spread"]
assert set(zip(sp.curve, sp.curve2)) == {("DE_PEAK", "TTF"), ("HO_ULSD", "CL_WTI")}
spark = sp[sp.curve == "DE_PEAK"].ratio.astype(float)
assert spark.between(1.8, 2.2).all()
ph = t[t.instrument == "physical"]
assert {"base", "peak", "5x16", "7x8", "gasday"} <= set(ph["shape"])
assert {"MW", "MMBtu/d"} <= set(ph.unit)
isl = t[t.book == "ISLAMIC"]
assert isl.instrument.isin(["future", "option"]).any() and isl.instrument.isin(["physical", "spot"]).any()
print("ok")
EOF
	assert_success
	assert_output "ok"
}

@test "synth: meters cross both clock changes with gaps, duplicates, negatives and spikes (zoneinfo)" {
	run "$PYORACLE" - "$DATA/meters.csv" "$DATA/weather.csv" <<'EOF'
import sys, pandas as pd
from datetime import datetime
from zoneinfo import ZoneInfo
m = pd.read_csv(sys.argv[1], dtype=str)
zones = {"MTR_BER_001": "Europe/Berlin", "MTR_AMS_002": "Europe/Amsterdam", "MTR_MUC_003": "Europe/Berlin",
         "MTR_BER_004": "Europe/Berlin", "MTR_AMS_005": "Europe/Amsterdam", "MTR_MUC_006": "Europe/Berlin"}
assert set(m.meter_id) == set(zones)
days = set()
for mid, g in m.groupby("meter_id"):
    ts = [datetime.fromisoformat(x) for x in g.timestamp]
    # offsets are the zone's own at each instant (independent zoneinfo)
    for t in ts:
        assert t.utcoffset() == t.astimezone(ZoneInfo(zones[mid])).utcoffset(), (mid, t)
    assert len({t.utcoffset() for t in ts}) == 2, mid
    assert ts == sorted(ts), mid
    local = [t.astimezone(ZoneInfo(zones[mid])) for t in ts]
    days |= {(t.date(), t.utcoffset()) for t in local}
    e = g.energy.astype(float)
    assert (e < 0).sum() == 1, mid
    assert (e > 10 * e.median()).sum() == 1, mid
    assert g.timestamp.duplicated().sum() == 1, mid
    steps = pd.Series([(b - a).total_seconds() for a, b in zip(ts, ts[1:])])
    assert (steps == 900).mean() > 0.98 and (steps > 900).sum() == 2, mid
# both 2026 European clock changes are inside the data
import datetime as dt
assert {d for d, o in days} >= {dt.date(2026, 3, 29), dt.date(2026, 10, 25)}
w = pd.read_csv(sys.argv[2])
assert ((w.tmin <= w.tmean) & (w.tmean <= w.tmax)).all()
assert set(w.station) == {"EDDF", "EHAM", "KNYC", "KORD"}
print("ok")
EOF
	assert_success
	assert_output "ok"
}

@test "synth: usage errors exit 2 with a message" {
	run_split qe-synth --seed 1
	[ "$status" -eq 2 ] && [[ "$stderr" == *"-d DIR"* ]]
	run_split qe-synth --only nosuch
	[ "$status" -eq 2 ] && [[ "$stderr" == *"unknown kind 'nosuch'"* ]]
	run_split qe-synth --asof 2026-02-30 --only markets
	[ "$status" -eq 2 ] && [[ "$stderr" == *"2026-02-30"* ]]
	run_split qe-synth --trades -5 --only trades
	[ "$status" -eq 2 ]
	run_split qe-synth --trades 1e3 --only trades
	[ "$status" -eq 2 ]
	run_split qe-synth --months 0 --only prices
	[ "$status" -eq 2 ]
	run_split qe-synth -d x -o y
	[ "$status" -eq 2 ]
	run_split qe-synth --only trades extra
	[ "$status" -eq 2 ]
}

@test "synth: a history whose futures front months the holiday files do not cover is exit 3, no file" {
	echo keep > h.csv
	run_split qe-synth --asof 2036-12-20 --history-days 60 --calendars "$DATA/calendars" --only history -o h.csv
	[ "$status" -eq 3 ] || fail "exit $status"
	[[ "$stderr" == "qe-synth: NG_HH: front month on 2036-11-26: calendar NYMEX does not cover"* ]] || fail "$stderr"
	[ "$(cat h.csv)" = keep ]
	[ -z "$(temps_in .)" ]
	# the forward curves need no history: they still come out
	run_split qe-synth --asof 2036-12-20 --history-days 60 --calendars "$DATA/calendars" --only prices -o p.csv
	assert_success
}

@test "synth: write errors exit 4 and leave no partial or clobbered file" {
	run_split qe-synth --only trades -o /dev/full
	[ "$status" -eq 4 ] && [[ "$stderr" == *"qe-synth"* ]]
	run bash -c "qe-synth --only history > /dev/full"
	[ "$status" -eq 4 ]
	run_split qe-synth --only trades -o nodir/trades.csv
	[ "$status" -eq 4 ]
	[ ! -e nodir ]
	mkdir ro && echo keep > ro/trades.csv && chmod 555 ro
	if [ "$(id -u)" != 0 ]; then
		run_split qe-synth --only trades -o ro/trades.csv
		[ "$status" -eq 4 ]
	fi
	chmod 755 ro
	[ "$(cat ro/trades.csv)" = keep ]
	[ -z "$(ls ro | grep -v '^trades.csv$')" ]
	touch afile
	run_split qe-synth -d afile/sub
	[ "$status" -eq 4 ]
}

@test "synth: a missing or malformed holiday file is reported (exit 3)" {
	run_split qe-synth --calendars "$TMP/none" --only markets
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"NYMEX"* ]]
	[ -z "$output" ]
	mkdir cal && cp "$QE_CALENDAR_DIR"/*.txt cal/ && echo "2026-13-01" >> cal/EEX.txt
	run_split qe-synth --calendars cal --only markets
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"EEX"* ]]
	n=$(wc -l < cal/EEX.txt)
	[[ "$stderr" == *"cal/EEX.txt:$n:1: not an ISO date '2026-13-01'"* ]] || fail "$stderr"
}

@test "synth: a 1 MB line in a holiday file is one error at file:line:col; a gzip holiday file reads" {
	mkdir cal && cp "$QE_CALENDAR_DIR"/*.txt cal/
	qe-synth --calendars cal --only markets > plain.csv
	n=$(($(wc -l < cal/EEX.txt) + 1))
	head -c 1048576 /dev/zero | tr '\0' 7 >> cal/EEX.txt
	printf '\n2027-12-24\n' >> cal/EEX.txt
	run_split qe-synth --calendars cal --only markets
	[ "$status" -eq 3 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "${stderr:0:500}"
	[[ "$stderr" == *"cal/EEX.txt:$n:511: line longer than 510 bytes"* ]] || fail "${stderr:0:500}"
	[ -z "$output" ]
	cp "$QE_CALENDAR_DIR"/EEX.txt cal/EEX.txt
	gzip -c "$QE_CALENDAR_DIR"/NYMEX.txt > cal/NYMEX.txt
	qe-synth --calendars cal --only markets > gz.csv
	cmp plain.csv gz.csv
}

@test "synth: other dates and sizes work; numbers are locale-independent" {
	run qe-synth -q --asof 2027-03-31 --months 12 --history-days 60 --trades 50 -d d1
	assert_success
	[ "$(grep -c '^NG_HH,' d1/curves.csv)" -eq 12 ]   # no balance of month on a month end
	LC_ALL=de_DE.UTF-8 qe-synth -q --asof 2027-03-31 --months 12 --history-days 60 --trades 50 -d d2
	diff -r d1 d2
	run qe-synth --trades 0 --only trades
	assert_success
	[ "$(echo "$output" | wc -l)" -eq 1 ]
}

@test "synth: every bundled file passes qe-ingest; only the three bad LEIs are rejected" {
	for k in markets trades prices fixings vols rates history limits weather; do
		f=$k
		[ "$k" = prices ] && f=curves
		run_split qe-ingest "$k" "$DATA/$f.csv" --markets "$DATA/markets.csv" -o "$TMP/$f.csv" --rejects "$TMP/$f.rej"
		[ "$status" -eq 0 ] || fail "qe-ingest $k: exit $status: $stderr"
		[ "$(wc -l < "$TMP/$f.rej")" -le 1 ] || fail "qe-ingest $k: rejects"
	done
	run_split qe-ingest meters "$DATA/meters.csv" --tz Europe/Berlin -o "$TMP/meters.csv"
	[ "$status" -eq 0 ] || fail "meters: $stderr"
	# the planted defects are what the VEE step finds, no more, no less
	[[ "$stderr" == *"3954 read, 3954 written, 0 rejected"* ]] || fail "$stderr"
	[[ "$stderr" == *"6 duplicates, 6 negative, 6 outliers"* ]] || fail "$stderr"
	run_split qe-ingest counterparties "$DATA/counterparties.csv" -o cp.csv --rejects cp.rej
	[ "$status" -eq 3 ]
	[ "$(grep -c "invalid LEI" cp.rej)" -eq 3 ]
	[ "$(grep -o '"CP0[0-9][0-9],' cp.rej | tr -d '",' | tr '\n' ' ')" = "CP008 CP020 CP034 " ]
	run_split qe-ingest trades "$DATA/trades.csv" --markets "$DATA/markets.csv" --all-versions -o all.csv
	assert_success
	[ "$(wc -l < all.csv)" -eq "$(wc -l < "$DATA/trades.csv")" ]
}

@test "synth: a directory gets every file or none; no temporary file is left" {
	small -d d
	cp -r d prev
	rm d/trades.csv
	ln -s /dev/full d/trades.csv
	run_split small --seed 8 -d d
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"trades.csv: write error: No space left on device"* ]] || fail "$stderr"
	rm d/trades.csv
	mkdir d/trades.csv
	run_split small --seed 8 -d d
	[ "$status" -eq 4 ]
	rmdir d/trades.csv
	cp prev/trades.csv d/
	diff -r prev d || fail "a file was replaced by a failed run"
	[ -z "$(temps_in d)" ] || fail "temporary files left: $(temps_in d)"
}

@test "synth: SIGTERM or SIGINT during a run leaves the previous files and no temporary file" {
	small -d prev
	for sig in TERM INT; do
		cp -r prev "$sig"
		start_interruptible qe-synth -q --trades 2000000 -d "$sig"
		wait_temps "$sig" 3
		kill -"$sig" "$bg_pid"
		wait "$bg_pid" && st=0 || st=$?
		[ "$st" -eq $((128 + $(kill -l "$sig"))) ] || fail "SIG$sig: exit $st"
		diff -r prev "$sig" || fail "SIG$sig: previous files changed or temporary files left"
	done
	# an ignored SIGINT (a background job of a script) stays ignored
	mkdir ign
	qe-synth -q --trades 200000 -d ign &
	pid=$!
	wait_temps ign 3
	kill -INT "$pid"
	wait "$pid"
	[ "$(ls ign | wc -l)" -eq 16 ]
}

@test "synth: the market calls neither the book nor the sites; only synth.c calls all three" {
	cd "$QE_TOP/lib/synth"
	# the writers of the book and of the sites, and the public entry points
	upper='synth_write_\(trades\|counterparties\|limits\|meters\|weather\)\|synth_write(\|synth_kind_'
	run grep -n "$upper\|include \"synth/synth_\(book\|site\)\.h\"" synth_market.c synth_impl.h
	assert_failure
	run grep -n 'synth_write_\(meters\|weather\)\|include "synth/synth_site\.h"' synth_book.c
	assert_failure
	run grep -n 'synth_write_\(trades\|counterparties\|limits\)\|include "synth/synth_book\.h"\|synth_cpty_id\|synth_clearer' synth_site.c
	assert_failure
	grep -q 'synth_write_trades' synth.c && grep -q 'synth_write_meters' synth.c &&
		grep -q 'synth_write_markets' synth.c
}

@test "synth: progress on a terminal (file k of 16, percent, MB written, ETA) for a run over a second; never with -q or to a file" {
	on_tty "QE_PROGRESS_DELAY=0 qe-synth --calendars '$DATA/calendars' --trades 50000 -d d"
	assert_success
	[[ "$output" == *$'\r'"qe-synth: "*".csv ("*" of 16, "*"%)"*"ETA"* ]] || fail "no progress: $output"
	[[ "$output" == *$'\r'"qe-synth: wrote d "* ]] || fail "line not cleared before the summary: $output"
	on_tty "QE_PROGRESS_DELAY=0 qe-synth -q --calendars '$DATA/calendars' --trades 50000 -d d"
	[[ "$output" != *"ETA"* ]] || fail "-q: $output"
	on_tty "QE_PROGRESS_DELAY=0 qe-synth --calendars '$DATA/calendars' --trades 50000 -d d 2> err.txt"
	[[ "$output" != *"ETA"* ]] && ! grep -q ETA err.txt || fail "stderr to a file"
	# a short run (the default delay): 50 trades and a month of history
	# (the default history, 37 tenors, is 10 MB and may take a second to
	# write on a busy disk)
	on_tty "qe-synth --calendars '$DATA/calendars' --trades 50 --history-days 30 -d small"
	[[ "$output" != *"ETA"* ]] || fail "short run: $output"
}

@test "data: fx_history has EUR per USD on every date of history.csv, ends on fx.csv inverted, daily log-vol about 0.5%" {
	run "$PYORACLE" - "$DATA" <<'EOF2'
import sys, numpy as np, pandas as pd
d = sys.argv[1]
h = pd.read_csv(f"{d}/history.csv", dtype={"date": str})
x = pd.read_csv(f"{d}/fx_history.csv", dtype={"date": str})
q = pd.read_csv(f"{d}/fx.csv")
assert list(x.columns) == ["date", "currency", "rate"], list(x.columns)
# the book's currencies other than the base USD, from the curve master
m = pd.read_csv(f"{d}/markets.csv")
assert set(x.currency) == set(m.currency) - {"USD"}, (set(x.currency), set(m.currency))
e = x[x.currency == "EUR"]
assert list(e.date) == sorted(set(h.date)), "dates differ from history.csv"
usd_per_eur = float(q[q.currency == "EUR"].rate.iloc[0])
assert abs(e.rate.iloc[-1] - round(1 / usd_per_eur, 6)) < 1e-12, (e.rate.iloc[-1], 1 / usd_per_eur)
r = np.diff(np.log(e.rate.to_numpy()))
assert 0.004 < r.std(ddof=1) < 0.006, r.std(ddof=1)
assert (e.rate > 0.7).all() and (e.rate < 1.3).all()
print("ok")
EOF2
	assert_success
}

@test "synth: --prev adds the previous day (history's previous row, the book before today) and changes no other file" {
	small -d base
	small --prev -d withprev
	for f in base/*.csv; do
		cmp "$f" "withprev/$(basename "$f")" || fail "$f changed with --prev"
	done
	[ "$(ls withprev/prev | wc -l)" -eq 6 ]
	small --only prev-trades -o pt.csv
	cmp pt.csv withprev/prev/trades.csv
	"$PYORACLE" - "$DATA" <<'PY'
import csv, sys, math
d = sys.argv[1]
hist = {}
for r in csv.DictReader(open(d + "/history.csv")):
    if r["contract"]:
        hist[(r["date"], r["curve"], r["contract"])] = float(r["price"])
days = sorted({k[0] for k in hist})
d1, d0 = days[-1], days[-2]
assert (d0, d1) == ("2026-11-24", "2026-11-25"), (d0, d1)
n = 0
for r in csv.DictReader(open(d + "/prev/curves.csv")):
    assert r["asof"] == d0
    k = (d0, r["curve"], r["delivery_start"][:7])
    if r["delivery_start"].endswith("-01") and k in hist:
        assert float(r["price"]) == hist[k], (r, hist[k])
        n += 1
assert n > 300, n
# the book before today: no trade dated today, versions a prefix of today's
def versions(p):
    v = {}
    for t in csv.DictReader(open(p)):
        v.setdefault(t["trade_id"], []).append(t)
    return v
v1, v0 = versions(d + "/trades.csv"), versions(d + "/prev/trades.csv")
assert set(v0) == {k for k, t in v1.items() if t[0]["trade_date"] < d1}
cut = [k for k in v0 if len(v0[k]) < len(v1[k])]
assert all(v0[k] == v1[k][:len(v0[k])] for k in v0)
cancels = [k for k in cut if v1[k][-1]["status"] == "cancel"]
assert len(cut) >= 6 and len(cancels) >= 3, (len(cut), len(cancels))
# fixings up to the previous day, the same prices
f1 = [r for r in csv.DictReader(open(d + "/fixings.csv"))]
f0 = [r for r in csv.DictReader(open(d + "/prev/fixings.csv"))]
assert f0 == [r for r in f1 if r["date"] <= d0]
# FX: the fx history's rate of the previous day, USD per EUR
fxh = {r["date"]: float(r["rate"]) for r in csv.DictReader(open(d + "/fx_history.csv"))}
fx0 = {r["currency"]: float(r["rate"]) for r in csv.DictReader(open(d + "/prev/fx.csv"))}
assert abs(fx0["EUR"] - 1 / fxh[d0]) < 2e-6 and fx0["USD"] == 1
# vols and rates of that day
assert {r["asof"] for r in csv.DictReader(open(d + "/prev/vols.csv"))} == {d0}
assert {r["asof"] for r in csv.DictReader(open(d + "/prev/rates.csv"))} == {d0}
PY
}
