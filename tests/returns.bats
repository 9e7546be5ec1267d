#!/usr/bin/env bats
# qe-var: contract (roll-adjusted) against constant-maturity returns, the
# contract column of the history and positions beyond its longest tenor.
# Oracle: numpy under $PYORACLE, from the history file itself.

load helpers

# series_of CURVE TENOR MODE: the daily P&L of a delta of 1 on CURVE:TENOR
# over the last 300 days of the bundled history, returns MODE.
series_of() {
	printf 'trade_id,book,curve,tenor,delta\nT1,B,%s,%s,1\n' "$1" "$2" > "sens-$1-$2.csv"
	qe-var series -q -H "$DATA/history.csv" -m "$DATA/markets.csv" -s "sens-$1-$2.csv" \
		--returns "$3" --window 2 -a 0.5 --days 300 -o "$1-$2-$3.csv"
}

@test "returns: on a roll day tenor 1 compares two contracts under constant-maturity, one under contract (numpy)" {
	for c in CL_WTI DE_BASE; do
		series_of $c 1 contract
		series_of $c 1 constant-maturity
	done
	run "$PYORACLE" - "$DATA/history.csv" "$DATA/markets.csv" <<'PY'
import csv, sys, math
import numpy as np
rows = list(csv.DictReader(open(sys.argv[1])))
absret = {r["curve"]: r["returns"] == "abs" for r in csv.DictReader(open(sys.argv[2]))}
dates = sorted({r["date"] for r in rows})
for curve in ("CL_WTI", "DE_BASE"):
    px = {}      # (date, tenor) -> price
    byc = {}     # (date, contract) -> price, of forward tenors
    con = {}     # (date, tenor) -> contract
    for r in rows:
        if r["curve"] != curve:
            continue
        t = int(r["tenor"]); p = float(r["price"])
        px[r["date"], t] = p; con[r["date"], t] = r["contract"]
        if t >= 1:
            byc[r["date"], r["contract"]] = p
    a = max(d for d, t in px)                   # the as-of day of the curve
    F = px[a, 1]
    def change(now, then):
        return now - then if absret[curve] else F * math.expm1(math.log(now / then))
    cm, ct, prev = {}, {}, None
    for d in dates:
        if (d, 1) not in px:                    # exchange closed: no move
            cm[d] = ct[d] = 0.0
            continue
        if prev is not None:
            cm[d] = change(px[d, 1], px[prev, 1])
            ct[d] = change(px[d, 1], byc[prev, con[d, 1]])   # the same contract the day before
        prev = d
    for mode, want in (("constant-maturity", cm), ("contract", ct)):
        got = list(csv.DictReader(open("%s-1-%s.csv" % (curve, mode))))
        assert len(got) == 300, len(got)
        for g in got:
            w = want[g["date"]]
            assert abs(float(g["pnl"]) - w) <= 1e-9 * max(1.0, abs(w)), (curve, mode, g, w)
    # the roll days inside the series: the month of tenor 1 changed
    series = [g["date"] for g in csv.DictReader(open("%s-1-contract.csv" % curve))]
    roll = []
    last = None
    for d in dates:
        if (d, 1) in px:
            if last is not None and con[d, 1] != con[last, 1] and d in series:
                roll.append(d)
            last = d
    assert len(roll) >= 12, (curve, roll)
    # two neighbouring contracts can settle at one price by chance; most differ
    differ = [d for d in roll if abs(cm[d] - ct[d]) > 1e-6 * abs(F)]
    assert len(differ) >= len(roll) // 2, (curve, roll, differ)
    # off the roll days the two modes agree
    assert all(cm[d] == ct[d] for d in series if d not in roll), curve
    print(curve, "roll days", len(roll), "differ", len(differ))
PY
	echo "$output"
	assert_success
	assert_output --partial "CL_WTI roll days"
}
