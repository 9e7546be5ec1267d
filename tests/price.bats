#!/usr/bin/env bats
# qe-price: formula mode against QuantLib 1.29 and published tables, and
# book valuation (valuations, sensitivities, ladder, errors).

load helpers

ORACLE="$QE_TOP/tests/price/oracle.py"

# oracle_run MODEL N SEED [qe-price args...]: random cases with QuantLib's
# answers in ql_* columns, priced by qe-price, checked by the oracle.
oracle_run() {
	local model=$1 n=$2 seed=$3
	shift 3
	"$PYORACLE" "$ORACLE" gen "$model" "$n" "$seed" > cases.csv || fail "oracle gen failed"
	[ "$(wc -l < cases.csv)" -gt "$n" ] || fail "too few cases"
	qe-price formula "$@" cases.csv > out.csv || fail "qe-price exited $?"
	run "$PYORACLE" "$ORACLE" check "$model" out.csv
	echo "$output"
	assert_success
}

@test "black76: 1000 random cases, price and greeks within 1e-12 of QuantLib BlackCalculator" {
	oracle_run black76 1000 101 black76
}

@test "bachelier: 1000 random cases within 1e-12 of QuantLib bachelierBlackFormula; greeks vs finite differences" {
	oracle_run bachelier 1000 102 bachelier
}

@test "kirk: 1000 random spread options (ratio != 1 included) within 1e-10 of QuantLib KirkSpreadOptionEngine" {
	oracle_run kirk 1000 103 kirk
}

@test "asian: 1000 random cases, partly fixed included, within 1e-10 of QuantLib TurnbullWakemanAsianEngine" {
	oracle_run asian 1000 104 asian
}

@test "american bs1993: 1000 random cases within 1e-9 of QuantLib BjerksundStenslandApproximationEngine" {
	oracle_run bs1993 1000 105 american --method bs1993
}

@test "american baw: 1000 random cases within 1e-6 (x strike) of QuantLib BaroneAdesiWhaleyApproximationEngine" {
	oracle_run baw 1000 106 american --method baw
}

@test "american bs2002: 1000 random cases vs the published formulas (1e-9), below a converged FD American price" {
	oracle_run bs2002 1000 107 american --method bs2002
}

@test "black76: Haug's example (F = K = 19, T = 0.75, r = 10%, vol = 28%): put 1.7011" {
	printf 'type,forward,strike,vol,rate,expiry\nput,19,19,0.28,0.10,0.75\n' > c.csv
	run_split qe-price formula black76 c.csv
	assert_success
	[[ "${lines[1]}" == "put,19,19,0.28,0.10,0.75,1.7010"* ]] || fail "${lines[1]}"
}

@test "black76: put-call parity on 500 random pairs to 1e-12" {
	"$PYORACLE" - > pairs.csv <<'PY'
import random, math
rng = random.Random(9)
print("type,forward,strike,vol,rate,expiry,pair")
for i in range(500):
    F = math.exp(rng.uniform(0, 5.5)); K = F * math.exp(rng.uniform(-1, 1))
    v = rng.uniform(0.05, 3); r = rng.uniform(-0.02, 0.1); T = rng.randint(1, 3650) / 365
    for t in ("call", "put"):
        print(f"{t},{F!r},{K!r},{v!r},{r!r},{T!r},{i}")
PY
	qe-price formula black76 pairs.csv > o.csv
	run "$PYORACLE" -c '
import csv, math
rows = list(csv.DictReader(open("o.csv")))
assert len(rows) == 1000
for c, p in zip(rows[::2], rows[1::2]):
    F, K, r, T = (float(c[k]) for k in ("forward", "strike", "rate", "expiry"))
    lhs = float(c["price"]) - float(p["price"]); rhs = math.exp(-r * T) * (F - K)
    assert abs(lhs - rhs) <= 1e-12 * max(1, F, K), (c, lhs, rhs)
    assert abs(float(c["delta"]) - float(p["delta"]) - math.exp(-r * T)) <= 1e-12
    assert float(c["gamma"]) == float(p["gamma"]) and float(c["vega"]) == float(p["vega"])
'
	assert_success
}

@test "kirk: Haug's table (F1=28, F2=20, K=7 ... 19 cases) to 1e-4" {
	"$PYORACLE" - > k.csv <<'PY'
# Haug (2007) p. 214, as reproduced in QuantLib's test suite (T in days / 360)
cases = [(28, 20, 7, .05, .29, .36, .42, 90, 2.1670), (122, 120, 3, .10, .20, .20, -.5, 36, 4.7530),
 (122, 120, 3, .10, .20, .20, 0, 36, 3.7970), (122, 120, 3, .10, .20, .20, .5, 36, 2.5537),
 (122, 120, 3, .10, .20, .20, -.5, 180, 10.7517), (122, 120, 3, .10, .20, .20, 0, 180, 8.7020),
 (122, 120, 3, .10, .20, .20, .5, 180, 6.0257), (122, 120, 3, .10, .25, .20, -.5, 36, 5.4275),
 (122, 120, 3, .10, .25, .20, 0, 36, 4.3712), (122, 120, 3, .10, .25, .20, .5, 36, 3.0086),
 (122, 120, 3, .10, .25, .20, -.5, 180, 12.1941), (122, 120, 3, .10, .25, .20, 0, 180, 9.9340),
 (122, 120, 3, .10, .25, .20, .5, 180, 7.0067), (122, 120, 3, .10, .20, .25, -.5, 36, 5.4061),
 (122, 120, 3, .10, .20, .25, 0, 36, 4.3451), (122, 120, 3, .10, .20, .25, .5, 36, 2.9723),
 (122, 120, 3, .10, .20, .25, -.5, 180, 12.1483), (122, 120, 3, .10, .20, .25, 0, 180, 9.8780),
 (122, 120, 3, .10, .20, .25, .5, 180, 6.9284)]
print("type,forward1,forward2,strike,vol1,vol2,corr,rate,expiry,haug")
for F1, F2, K, r, v1, v2, rho, d, want in cases:
    print(f"call,{F1},{F2},{K},{v1},{v2},{rho},{r},{d / 360!r},{want}")
PY
	qe-price formula kirk k.csv > o.csv
	run "$PYORACLE" -c '
import csv
rows = list(csv.DictReader(open("o.csv")))
assert len(rows) == 19
for r in rows:
    assert abs(float(r["price"]) - float(r["haug"])) < 1e-4, r
'
	assert_success
}

@test "asian: Haug's Turnbull-Wakeman table 4-28 (flat vol) to 1e-4; Curran agrees within 0.2% of the forward" {
	printf 'type,forward,strike,vol,rate,expiry,avg_start,avg_end,fixings,haug\n' > a.csv
	for row in "call,80,19.5152" "put,80,0.0090" "call,90,10.1437" "put,90,0.3906"; do
		IFS=, read -r t k want <<< "$row"
		echo "$t,100,$k,0.2,0.05,0.5,0.019230769230769232,0.5,26,$want" >> a.csv
	done
	qe-price formula asian a.csv > tw.csv
	qe-price formula asian-curran a.csv > cu.csv
	run "$PYORACLE" -c '
import csv
tw = list(csv.DictReader(open("tw.csv"))); cu = list(csv.DictReader(open("cu.csv")))
for a, b in zip(tw, cu):
    assert abs(float(a["price"]) - float(a["haug"])) < 1e-4, a
    assert abs(float(a["price"]) - float(b["price"])) < 0.002 * float(a["forward"]), (a, b)
'
	assert_success
}

@test "asian: Curran cross-checks Turnbull-Wakeman on 300 moderate random cases (within 2% of forward x vol)" {
	"$PYORACLE" "$ORACLE" gen asian 300 77 > c.csv
	"$PYORACLE" -c '
import csv, sys
r = csv.DictReader(open("c.csv")); w = csv.DictWriter(sys.stdout, fieldnames=r.fieldnames, lineterminator="\n")
w.writeheader()
for row in r:
    if float(row["vol"]) <= 0.6:
        w.writerow(row)' > m.csv
	qe-price formula asian m.csv > tw.csv
	qe-price formula asian-curran m.csv > cu.csv
	run "$PYORACLE" -c '
import csv
n = 0
for a, b in zip(csv.DictReader(open("tw.csv")), csv.DictReader(open("cu.csv"))):
    F, v = float(a["forward"]), float(a["vol"])
    assert abs(float(a["price"]) - float(b["price"])) <= 0.02 * F * v, (a["price"], b["price"], a)
    n += 1
assert n > 40, n
print(n)'
	assert_success
}

@test "american: Haug's BAW table (b = 0) to 3e-3, BS1993 examples to 5e-5, BS2002 between BS1993 and FD on that grid" {
	printf 'type,spot,strike,vol,rate,carry,expiry,haug\n' > am.csv
	while IFS=, read -r t s v T want; do
		echo "$t,$s,100,$v,0.1,0,$T,$want" >> am.csv
	done <<'EOF2'
call,90,0.15,0.1,0.0206
call,100,0.15,0.1,1.8771
call,110,0.15,0.1,10.0089
call,90,0.25,0.1,0.3159
call,100,0.25,0.1,3.1280
call,110,0.25,0.1,10.3919
call,90,0.35,0.1,0.9495
call,100,0.35,0.1,4.3777
call,110,0.35,0.1,11.1679
call,90,0.15,0.5,0.8208
call,100,0.15,0.5,4.0842
call,110,0.15,0.5,10.8087
call,90,0.25,0.5,2.7437
call,100,0.25,0.5,6.8015
call,110,0.25,0.5,13.0170
call,90,0.35,0.5,5.0063
call,100,0.35,0.5,9.5106
call,110,0.35,0.5,15.5689
put,90,0.15,0.1,10.0000
put,100,0.15,0.1,1.8770
put,110,0.15,0.1,0.0410
put,90,0.25,0.1,10.2533
put,100,0.25,0.1,3.1277
put,110,0.25,0.1,0.4562
put,90,0.35,0.1,10.8787
put,100,0.35,0.1,4.3777
put,110,0.35,0.1,1.2402
put,90,0.15,0.5,10.5595
put,100,0.15,0.5,4.0842
put,110,0.15,0.5,1.0822
put,90,0.25,0.5,12.4419
put,100,0.25,0.5,6.8014
put,110,0.25,0.5,3.3226
put,90,0.35,0.5,14.6945
put,100,0.35,0.5,9.5104
put,110,0.35,0.5,5.8823
EOF2
	qe-price formula american --method baw am.csv > baw.csv
	qe-price formula american --method bs1993 am.csv > b93.csv
	qe-price formula american --method bs2002 am.csv > b02.csv
	printf 'type,spot,strike,vol,rate,carry,expiry\ncall,42,40,0.35,0.04,-0.04,0.75\nput,36,40,0.2,0.06,0.06,1\n' > bs.csv
	qe-price formula american --method bs1993 bs.csv > bs93.csv
	run "$PYORACLE" -c '
import csv, QuantLib as ql
baw = list(csv.DictReader(open("baw.csv"))); b93 = list(csv.DictReader(open("b93.csv")))
b02 = list(csv.DictReader(open("b02.csv")))
today = ql.Date(25, 11, 2026); ql.Settings.instance().evaluationDate = today
dc = ql.Actual360()   # 36 and 180 days are exactly 0.1 and 0.5 years
for a, lo, mid in zip(baw, b93, b02):
    assert abs(float(a["price"]) - float(a["haug"])) < 3e-3, a
    S, K, v, r, T = (float(a[k]) for k in ("spot", "strike", "vol", "rate", "expiry"))
    proc = ql.BlackScholesMertonProcess(ql.QuoteHandle(ql.SimpleQuote(S)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, r, dc)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, r, dc)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), v, dc)))
    opt = ql.VanillaOption(ql.PlainVanillaPayoff(ql.Option.Call if a["type"] == "call" else ql.Option.Put, K),
                           ql.AmericanExercise(today, today + int(round(T * 360))))
    opt.setPricingEngine(ql.FdBlackScholesVanillaEngine(proc, 800, 800))
    fd = opt.NPV()
    assert float(lo["price"]) <= float(mid["price"]) + 1e-12, (lo, mid)
    assert float(mid["price"]) <= fd + 1e-3, (mid, fd)
want = [5.2704, 4.4531]   # Haug (1998) p. 27 and VBA code
for r, w in zip(csv.DictReader(open("bs93.csv")), want):
    assert abs(float(r["price"]) - w) < 5e-5, (r, w)
'
	assert_success
}

@test "formula: bad input is exit 3 with file:line:col, column and value; the good rows are still written with -o" {
	printf 'type,forward,strike,vol,rate,expiry\ncall,19,19,0.28,0.10,0.75\ncall,19,1,5x,0.1,1\n' > bad.csv
	run_split qe-price formula black76 -o out.csv bad.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"bad.csv:3:4: column 'vol'"*"5x"* ]] || fail "$stderr"
	[ "$(wc -l < out.csv)" -eq 2 ]
	grep -q '^call,19,19,0.28,0.10,0.75,1.7' out.csv
	printf 'type,forward,strike,vol,rate,expiry\ncall,-19,19,0.28,0.10,0.75\n' > neg.csv
	run_split qe-price formula black76 neg.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"neg.csv:2"*"positive forward"* ]] || fail "$stderr"
	printf 'type,forward,strike,vol,rate,expiry\ncall,19,19,-0.2,0.10,0.75\n' > negvol.csv
	run_split qe-price formula bachelier negvol.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"negative volatility"* ]] || fail "$stderr"
	printf 'type,forward,strike,vol,rate,expiry\ncall,nan,19,0.2,0.10,0.75\ncall,1e400,1,1,1,1\n' > nan.csv
	run_split qe-price formula black76 nan.csv
	[ "$status" -eq 3 ]
	printf 'type,forward,strike,vol,rate\ncall,19,19,0.2,0.1\n' > miss.csv
	run_split qe-price formula black76 miss.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"expiry"* ]] || fail "$stderr"
	: > empty.csv
	run_split qe-price formula black76 empty.csv
	[ "$status" -eq 3 ]
	printf 'type,forward,strike,vol,rate,expiry\nmaybe,19,19,0.2,0.1,1\n' > typ.csv
	run_split qe-price formula black76 typ.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"column 'type'"*"maybe"* ]] || fail "$stderr"
	run_split qe-price formula nosuch bad.csv
	[ "$status" -eq 2 ]
	run_split qe-price formula american --method bs1999 bad.csv
	[ "$status" -eq 2 ]
}

@test "formula: every bad row is reported (file:line:col, column, value), every good row written, exit 3 at the end" {
	printf 'type,forward,strike,vol,rate,expiry\ncall,19,19,0.28,0.10,0.75\ncall,19,19,-1,0.1,1\ncall,19,1,5x,0.1,1\nput,19,19,0.28,0.10,0.75\nmaybe,1,1,1,1,1\ncall,-19,19,0.2,0.1,1\ncall,19,19\ncall,19,19,0.28,0.10,0.75\n' > m.csv
	run_split qe-price formula black76 < m.csv
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 4 ] || fail "$output"
	[[ "${lines[1]}" == "call,19,19,0.28,0.10,0.75,"* ]] || fail "${lines[1]}"
	[[ "${lines[2]}" == "put,19,19,0.28,0.10,0.75,1.7"* ]] || fail "${lines[2]}"
	[[ "${lines[3]}" == "call,19,19,0.28,0.10,0.75,"* ]] || fail "${lines[3]}"
	run grep -c . <<< "$stderr"
	[ "$output" -eq 6 ] || fail "$stderr"
	grep -qxF "qe-price: <stdin>:3:4: column 'vol': negative volatility '-1'" <<< "$stderr" || fail "$stderr"
	grep -qF "qe-price: <stdin>:4:4: column 'vol': " <<< "$stderr" || fail "$stderr"
	grep -qF "'5x'" <<< "$stderr" || fail "$stderr"
	grep -qF "qe-price: <stdin>:6:1: column 'type': expected call or put 'maybe'" <<< "$stderr" || fail "$stderr"
	grep -qxF "qe-price: <stdin>:7:2: column 'forward': Black-76 needs a positive forward '-19'" <<< "$stderr" || fail "$stderr"
	grep -qF "qe-price: <stdin>:8" <<< "$stderr" || fail "$stderr"
	grep -qF "5 bad rows not priced" <<< "$stderr" || fail "$stderr"
	# the column of a two-leg model is the leg at fault
	printf 'type,forward1,forward2,strike,vol1,vol2,corr,rate,expiry\ncall,30,20,5,0.3,-0.2,0.5,0.05,1\ncall,30,20,5,0.3,0.2,1.5,0.05,1\n' > k.csv
	run_split qe-price formula kirk k.csv
	[ "$status" -eq 3 ]
	grep -qxF "qe-price: k.csv:2:6: column 'vol2': negative volatility '-0.2'" <<< "$stderr" || fail "$stderr"
	grep -qxF "qe-price: k.csv:3:7: column 'corr': correlation outside [-1, 1] '1.5'" <<< "$stderr" || fail "$stderr"
	# -V is --version
	run qe-price -V
	assert_success
	[ "$output" = "$(qe-price --version)" ]
	run qe-price formula black76 -V
	assert_success
	# the synopsis says what the code requires
	run qe-price --help
	assert_success
	assert_line --index 0 "usage: qe-price --asof DATE --trades T --curves C --markets M [--vols V]"
	run_split qe-price --asof 2026-11-25 --trades t --curves c
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--markets"*"required"* ]] || fail "$stderr"
}

@test "formula: blocks of rows priced in parallel: same bytes and same errors in file order for 1 and 2 threads, a row per input row" {
	# 30,000 rows cross several blocks of 8,192; bad rows (a bad number,
	# a short record, a domain error, bad quoting) fall on both sides of
	# block and chunk boundaries; a quoted extra column is copied through
	/usr/bin/python3 - <<'PY'
import random
random.seed(7)
bad = {2, 127, 128, 129, 8191, 8192, 8193, 16385, 24575, 29999}
with open("many.csv", "w") as f:
    f.write('type,forward,strike,vol,rate,expiry,note\n')
    for i in range(30000):
        if i in bad:
            k = i % 4
            f.write(['call,1x,2,0.3,0.01,1,"a,b"\n', 'put,5,5\n', 'call,5,5,-0.2,0.01,1,x\n', 'put,5,5,0.2,0.01,1,"a"b\n'][k])
        else:
            f.write('%s,%r,%r,%r,%r,%r,"n, %d"\n' % (random.choice(["call", "put"]), random.uniform(1, 100),
                    random.uniform(1, 100), random.uniform(0.05, 1), random.uniform(0, 0.05), random.uniform(0.01, 3), i))
PY
	OMP_NUM_THREADS=1 qe-price formula black76 many.csv -o one.csv 2> one.err && fail "exit 0 with bad rows" || [ $? -eq 3 ]
	OMP_NUM_THREADS=2 qe-price formula black76 many.csv -o two.csv 2> two.err || [ $? -eq 3 ]
	cmp one.csv two.csv
	cmp one.err two.err
	# every good row once, in input order, each followed by its 5 results
	/usr/bin/python3 - <<'PY'
import csv
src = list(csv.reader(open("many.csv")))[1:]
out = list(csv.reader(open("one.csv")))
assert out[0][-5:] == ["price", "delta", "gamma", "vega", "theta"], out[0]
bad = {2, 127, 128, 129, 8191, 8192, 8193, 16385, 24575, 29999}
good = [r for i, r in enumerate(src) if i not in bad]
assert len(out) - 1 == len(good) == 29990, (len(out), len(good))
for a, b in zip(good, out[1:]):
    assert b[:7] == a, (a, b)
    assert len(b) == 12
PY
	# errors in line order, one per bad row, and the count
	errlines=$(grep -oE "many.csv:[0-9]+" one.err | cut -d: -f2 | paste -sd " ")
	[ "$errlines" = "4 129 130 131 8193 8194 8195 16387 24577 30001" ] || fail "$errlines"
	grep -qF "10 bad rows not priced" one.err || fail "$(cat one.err)"
}

@test "formula: every model, 1 and 2 threads: same bytes, every good row once in order, bad rows reported in line order" {
	# 20,000 rows per model cross three blocks of 8,192 (the pipeline
	# writes block k-1 while it prices block k and reads block k+1);
	# bad rows of every kind (bad number, nan, short or long record,
	# unknown type, negative expiry) fall anywhere, a note with a CR
	# makes the output quote that field, a quoted field late in the file
	# hands the rest to csvio.  The bad lines are known from the
	# generator, the good rows' text from the input.
	/usr/bin/python3 - <<'PY'
import math, random
random.seed(2112)
U = random.uniform
def ncdf(x): return 0.5 * math.erfc(-x / math.sqrt(2))
def black(w, F, K, v, r, T):
    s = v * math.sqrt(T); d1 = math.log(F / K) / s + s / 2
    return math.exp(-r * T) * w * (F * ncdf(w * d1) - K * ncdf(w * (d1 - s)))
def bach(w, F, K, v, r, T):
    s = v * math.sqrt(T); d = (F - K) / s
    return math.exp(-r * T) * (w * (F - K) * ncdf(w * d) + s * math.exp(-d * d / 2) / math.sqrt(2 * math.pi))
def iv(model):
    def g():
        w = random.choice([1, -1]); F = U(50, 150); K = F * U(0.8, 1.25); r = U(0, 0.05); T = U(0.1, 3)
        p = black(w, F, K, U(0.1, 0.8), r, T) if model == "black76" else bach(w, F, K, U(5, 40), r, T)
        return ["call" if w > 0 else "put", repr(F), repr(K), repr(r), repr(T), repr(p)]
    return g
def asian():
    T = U(0.2, 2); a0 = U(0, T / 2)
    return [random.choice(["call", "put"]), repr(U(50, 150)), repr(U(50, 150)), repr(U(0.1, 0.8)), repr(U(0, 0.05)),
            repr(T), repr(a0), repr(U(a0 + 0.01, T)), str(random.randint(1, 30))]
typ = lambda: random.choice(["call", "put", "Call", "PUT"])
models = {
    "black76": (["type", "forward", "strike", "vol", "rate", "expiry"],
                lambda: [typ(), repr(U(50, 150)), repr(U(50, 150)), repr(U(0.1, 0.8)), repr(U(0, 0.05)), repr(U(0.1, 3))]),
    "bachelier": (["type", "forward", "strike", "vol", "rate", "expiry"],
                  lambda: [typ(), repr(U(-50, 150)), repr(U(50, 150)), repr(U(5, 40)), repr(U(0, 0.05)), repr(U(0.1, 3))]),
    "kirk": (["type", "forward1", "forward2", "strike", "vol1", "vol2", "corr", "rate", "expiry"],
             lambda: [typ(), repr(U(50, 150)), repr(U(50, 150)), repr(U(0, 20)), repr(U(0.1, 0.8)), repr(U(0.1, 0.8)),
                      repr(U(-0.9, 0.9)), repr(U(0, 0.05)), repr(U(0.1, 3))]),
    "asian": (["type", "forward", "strike", "vol", "rate", "expiry", "avg_start", "avg_end", "fixings"], asian),
    "asian-curran": (["type", "forward", "strike", "vol", "rate", "expiry", "avg_start", "avg_end", "fixings"], asian),
    "american": (["type", "spot", "strike", "vol", "rate", "carry", "expiry"],
                 lambda: [typ(), repr(U(50, 150)), repr(U(50, 150)), repr(U(0.1, 0.8)), repr(U(0, 0.05)), repr(U(-0.02, 0.05)),
                          repr(U(0.1, 3))]),
    "black76-iv": (["type", "forward", "strike", "rate", "expiry", "price"], iv("black76")),
    "bachelier-iv": (["type", "forward", "strike", "rate", "expiry", "price"], iv("bachelier")),
}
def quote(f):
    return '"' + f.replace('"', '""') + '"' if any(c in f for c in ',"\r\n') else f
for name, (cols, gen) in models.items():
    rows, bad, good = [], [], []
    line = 2
    for i in range(20000):
        f = gen() + ["n%d" % i]
        if i % 211 == 0:
            f[-1] = "n\r%d" % i
        kind = random.randrange(40) if i < 19000 else random.randrange(45)
        if kind == 0: f[1] = "1x"
        elif kind == 1: f[2] = "nan"
        elif kind == 2: f = f[:3]
        elif kind == 3: f.append("extra")
        elif kind == 4: f[0] = "cal"
        elif kind == 5: f[cols.index("expiry")] = "-1"
        elif kind == 40: f[-1] = '"q,%d"' % i
        if 0 <= kind <= 5:
            bad.append(line)
        else:
            good.append(",".join(quote(x.strip('"')) if x.startswith('"') else quote(x) for x in f))
        rows.append(",".join(f) + random.choice(["\n", "\r\n"]))
        line += 1
        if i % 4999 == 0:
            rows.append("\n")
            line += 1
    open(name + ".csv", "w", newline="").write(",".join(cols) + ",note\n" + "".join(rows))
    open(name + ".good", "w", newline="").write("\n".join(good) + "\n")
    open(name + ".bad", "w").write(" ".join(map(str, bad)) + "\n")
PY
	for m in black76 bachelier kirk asian asian-curran american black76-iv bachelier-iv; do
		st1=0 st2=0
		OMP_NUM_THREADS=1 qe-price formula "$m" "$m.csv" -o "$m.1" 2> "$m.e1" || st1=$?
		OMP_NUM_THREADS=2 qe-price formula "$m" "$m.csv" -o "$m.2" 2> "$m.e2" || st2=$?
		[ "$st1" -eq 3 ] && [ "$st2" -eq 3 ] || fail "$m: exit $st1 and $st2: $(head -3 "$m.e1")"
		cmp "$m.1" "$m.2" || fail "$m: output depends on OMP_NUM_THREADS"
		cmp "$m.e1" "$m.e2" || fail "$m: messages depend on OMP_NUM_THREADS"
		/usr/bin/python3 - "$m" <<'PY' || fail "$m"
import re, sys
m = sys.argv[1]
nout = {"black76": 5, "bachelier": 5}.get(m, 1)
out = open(m + ".1", newline="").read().split("\n")
assert out[-1] == "", "no final line end"
good = open(m + ".good", newline="").read().split("\n")[:-1]
assert len(out) - 2 == len(good), (len(out) - 2, len(good))
for want, got in zip(good, out[1:-1]):
    assert got.startswith(want + ","), (want, got)
    tail = got[len(want) + 1:].split(",")
    assert len(tail) == nout and all(float(x) == float(x) for x in tail), got
err = open(m + ".e1").read().splitlines()
lines = [int(re.match(r"qe-price: %s\.csv:(\d+):\d+: " % re.escape(m), e).group(1)) for e in err[:-1]]
want = [int(x) for x in open(m + ".bad").read().split()]
assert lines == want, (m, [x for x in lines if x not in want][:5], [x for x in want if x not in lines][:5])
assert err[-1] == "qe-price: %s.csv: %d bad rows not priced" % (m, len(want)), err[-1]
PY
	done
}

@test "formula: the fast reader parses tricky numbers as Python's float does, keeps csvio's lines, blanks, CRLF and messages" {
	# Unquoted rows are split by the pricing threads (no libcsv) and their
	# numbers parsed by core/num's Eisel-Lemire path: every tricky text
	# (exponents, 17 to 25 digits, subnormals, -0, leading +) must price
	# exactly as its value's shortest repr (Python's float, correctly
	# rounded) does; refused texts give file:line:col; blank lines, CRLF,
	# a last line without a line end, and a quoted row after several
	# blocks (the rest read by csvio) keep their line numbers.
	/usr/bin/python3 - <<'PY'
import random
random.seed(13)
tricky = {
    1: ["19", "1.9e1", "+19", "190E-1", "0.0000000000000000019e19", "18.999999999999998",
        "19.000000000000004", "1.90000000000000000e+01", "19.0000000000000000000001",
        "18.99999999999999999999", "00000019.000", "1.9000000000000001e1", "19.00000000000000177635683940025046"],
    2: ["19", "2e1", "+1.8e+1", "17.999999999999996447286321199499070644378662109375", "21.000000000000004"],
    3: ["0.28", "2.8E-1", "+.28", "0.28000000000000002665", "0.27999999999999997", "28e-2"],
    4: ["0.10", "-0", "-0.0", "0e0", "+0", "1e-320", "-4.9406564584124654e-324", "2.2250738585072011e-308",
        "0.1000000000000000055511151231257827", "1E-1", "-1.5e-2"],
    5: ["0.75", "7.5e-1", ".75", "0.75000000000000000000001", "0.74999999999999994", "75e-2"],
}
refused = [(1, "19 ", "not a number"), (1, " 19", "not a number"), (2, "0x13", "not a number"),
           (3, "nan", "not a finite number"), (5, "inf", "not a finite number"),
           (1, "1e400", "number out of range"), (4, "1e-400", "number out of range"), (2, "1_9", "not a number")]
rows, expect_err = [], []
line = 2
ends = ["\n", "\r\n"]
def emit(fields, end="\n"):
    global line
    rows.append(",".join(fields) + end)
    line += 1
for i in range(30000):
    f = [random.choice(["call", "put"]), "19", "19", "0.28", "0.10", "0.75"]
    k = i % 7
    if k in (1, 2, 3, 4, 5) and i % 5 == 0:
        f[k] = random.choice(tricky[k])
        twin = list(f)
        twin[k] = repr(float(f[k]))
        emit(f, random.choice(ends))
        emit(twin, random.choice(ends))
        continue
    if i % 997 == 0:
        c, t, why = refused[(i // 997) % len(refused)]
        f[c] = t
        expect_err.append("qe-price: t.csv:%d:%d: column '%s': %s '%s'" % (line, c + 1,
                          ["type", "forward", "strike", "vol", "rate", "expiry"][c], why, t))
        emit(f)
        continue
    if i % 1009 == 0:
        rows.append(random.choice(["\n", "\r\n"]))
        line += 1
        continue
    if i % 1013 == 0:
        expect_err.append("qe-price: t.csv:%d:7: expected 6 fields, found 7" % line)
        emit(f + ["x"])
        continue
    if i == 25000:
        f.append('"q"')   # a quote: csvio reads from here on
        expect_err.append("qe-price: t.csv:%d:7: expected 6 fields, found 7" % line)
        emit(f)
        continue
    f[1] = repr(random.uniform(1, 100))
    f[2] = repr(random.uniform(1, 100))
    emit(f, random.choice(ends))
rows.append("call,19,19,0.28,0.10,0.75")   # no line end at the end
open("t.csv", "w", newline="").write("type,forward,strike,vol,rate,expiry\n" + "".join(rows))
open("want.err", "w").write("\n".join(expect_err) + "\n")
PY
	OMP_NUM_THREADS=1 qe-price formula black76 t.csv -o one.csv 2> one.err && fail "exit 0 with bad rows" || [ $? -eq 3 ]
	OMP_NUM_THREADS=2 qe-price formula black76 t.csv -o two.csv 2> two.err || [ $? -eq 3 ]
	cmp one.csv two.csv
	cmp one.err two.err
	grep -v "bad rows\? not priced" one.err > got.err
	diff want.err got.err
	/usr/bin/python3 - <<'PY'
import csv
src = [r for r in csv.reader(open("t.csv", newline="")) if r]
out = list(csv.reader(open("one.csv", newline="")))
good = [r for r in src[1:] if len(r) == 6 and not any(t in r for t in
        ("19 ", " 19", "0x13", "nan", "inf", "1e400", "1e-400", "1_9"))]
assert len(out) - 1 == len(good), (len(out), len(good))
assert out[-1][:6] == ["call", "19", "19", "0.28", "0.10", "0.75"], out[-1]
pairs = 0
for a, b in zip(good, out[1:]):
    assert b[:6] == a, (a, b)
# a tricky row and its repr twin (the next row) give the same results
rows = out[1:]
for i in range(len(rows) - 1):
    x, y = rows[i], rows[i + 1]
    d = [k for k in range(1, 6) if x[k] != y[k]]
    if len(d) == 1 and repr(float(x[d[0]])) == y[d[0]] and x[0] == y[0]:
        assert x[6:] == y[6:], (x, y)
        pairs += 1
assert pairs > 2000, pairs
PY
}

@test "formula: a 1 MB malformed line is one bad row; the good rows around it priced, none made from its tail" {
	printf 'type,forward,strike,vol,rate,expiry\nput,19,19,0.28,0.10,0.75\n' > good.csv
	long_lines good.csv c
	printf 'call,19,19,0.28,0.10,0.75\n' >> c.bad.csv
	run_split qe-price formula black76 c.bad.csv
	[ "$status" -eq 3 ] || fail "exit $status: ${stderr:0:500}"
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ] || fail "want header + 2 rows: ${output:0:500}"
	[[ "$output" == *$'\nput,19,19,0.28,0.10,0.75,'*$'\ncall,19,19,0.28,0.10,0.75,'* ]] || fail "${output:0:500}"
	one_diagnostic c.bad.csv 2:1 "malformed CSV record (bad quoting)"
	[[ "$stderr" == *"c.bad.csv: 1 bad row not priced"* ]] || fail "${stderr:0:500}"
	printf 'put,19,19,0.28,0.10,0.75\n' >> c.long.csv
	run_split qe-price formula black76 c.long.csv
	[ "$status" -eq 3 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ] || fail "want header + 1 row: ${output:0:500}"
	one_diagnostic c.long.csv 2:1 "column 'type': field longer than 65536 bytes"
	# gzip on stdin
	gzip -c good.csv | qe-price formula black76 > gz.out
	qe-price formula black76 good.csv > plain.out
	cmp gz.out plain.out
}

@test "formula: invalid UTF-8 and control characters in a value are escaped: one valid UTF-8 line" {
	printf 'type,forward,strike,vol,rate,expiry\nput,1\xff\xfe9\x01,19,0.28,0.10,0.75\nput,"x\ny",19,0.28,0.10,0.75\n' > u.csv
	run_split qe-price formula black76 u.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"u.csv:2:2: column 'forward': not a number '1\\xff\\xfe9\\x01'"* ]] || fail "$stderr"
	[[ "$stderr" == *"u.csv:3:2: column 'forward': not a number 'x\\x0ay'"* ]] || fail "$stderr"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 3 ] || fail "$stderr"
	printf '%s' "$stderr" | iconv -f UTF-8 -t UTF-8 > /dev/null || fail "not valid UTF-8"
}

@test "formula: stdin, '-', unknown columns copied, /dev/full is exit 4, decimal-comma locale changes nothing" {
	printf 'id,type,forward,strike,vol,rate,expiry,note\n7,call,19,19,0.28,0.10,0.75,"a,b"\n' > c.csv
	run_split qe-price formula black76 < c.csv
	assert_success
	assert_line --index 0 "id,type,forward,strike,vol,rate,expiry,note,price,delta,gamma,vega,theta"
	[[ "${lines[1]}" == '7,call,19,19,0.28,0.10,0.75,"a,b",1.7010507252362'* ]] || fail "${lines[1]}"
	expected=$output
	run_split qe-price formula black76 - < c.csv
	[ "$output" = "$expected" ]
	run_split env LC_ALL=de_DE.UTF-8 qe-price formula black76 c.csv
	[ "$output" = "$expected" ]
	run bash -c "qe-price formula black76 c.csv > /dev/full"
	[ "$status" -eq 4 ]
	run_split qe-price formula black76 -o /dev/full c.csv
	[ "$status" -eq 4 ]
}

@test "formula: Black-76 at expiry and zero vol give the discounted intrinsic value" {
	printf 'type,forward,strike,vol,rate,expiry\ncall,110,100,0.3,0.05,0\nput,90,100,0,0.05,1\ncall,90,100,0,0.05,1\n' > c.csv
	run_split qe-price formula black76 c.csv
	assert_success
	assert_line --index 1 "call,110,100,0.3,0.05,0,10,1,0,0,0.5"
	run "$PYORACLE" -c '
import csv, math, sys
rows = list(csv.DictReader(sys.stdin))
assert abs(float(rows[1]["price"]) - 10 * math.exp(-0.05)) < 1e-14
assert float(rows[2]["price"]) == 0 and float(rows[2]["delta"]) == 0
' <<< "$output"
	assert_success
}

@test "formula: a non-finite result is a numerical failure: file:line, the row skipped, the others written, exit 5" {
	printf 'type,forward,strike,vol,rate,expiry\ncall,19,19,0.28,0.10,0.75\nput,19,19,0.28,-1000,0.75\nput,19,19,0.28,0.10,0.75\n' > r.csv
	for model in black76 bachelier; do
		run_split qe-price formula "$model" --allow-implausible -o out.csv r.csv
		[ "$status" -eq 5 ] || fail "$model: exit $status: $stderr"
		grep -qxF "qe-price: r.csv:3:1: $model: non-finite price 'inf'" <<< "$stderr" || fail "$stderr"
		grep -qxF "qe-price: r.csv: 1 bad row not priced" <<< "$stderr" || fail "$stderr"
		[ "$(wc -l < out.csv)" -eq 3 ] || fail "$(cat out.csv)"
		grep -q '^call,19,19,0.28,0.10,0.75,' out.csv
		grep -q '^put,19,19,0.28,0.10,0.75,' out.csv
		run grep -c -- '-1000\|inf\|nan' out.csv
		[ "$output" -eq 0 ] || fail "$(cat out.csv)"
	done
	printf 'type,forward1,forward2,strike,vol1,vol2,corr,rate,expiry\ncall,30,20,5,0.3,0.2,0.5,-1000,1\ncall,30,20,5,0.3,0.2,0.5,0.05,1\n' > k.csv
	run_split qe-price formula kirk --allow-implausible k.csv
	[ "$status" -eq 5 ]
	grep -qxF "qe-price: k.csv:2:1: kirk: non-finite price 'inf'" <<< "$stderr" || fail "$stderr"
	[ "${#lines[@]}" -eq 2 ] && [[ "${lines[1]}" == "call,30,20,5,0.3,0.2,0.5,0.05,1,"* ]] || fail "$output"
	# without an implausible input: a Bachelier vol (price units, no bound)
	printf 'type,forward,strike,vol,rate,expiry\ncall,19,19,1e308,0.1,4\ncall,19,19,2,0.1,4\n' > b.csv
	run_split qe-price formula bachelier b.csv
	[ "$status" -eq 5 ]
	grep -qxF "qe-price: b.csv:2:1: bachelier: non-finite price 'inf'" <<< "$stderr" || fail "$stderr"
	[ "${#lines[@]}" -eq 2 ] && [[ "${lines[1]}" == "call,19,19,2,0.1,4,"* ]] || fail "$output"
	# a bad row of data as well: exit 3, both reported
	printf 'type,forward,strike,vol,rate,expiry\ncall,19,19,1e308,0.1,4\ncall,19,19,x,0.1,4\n' > b2.csv
	run_split qe-price formula bachelier b2.csv
	[ "$status" -eq 3 ]
	grep -qF "b2.csv:2:1: bachelier: non-finite" <<< "$stderr" || fail "$stderr"
	grep -qF "b2.csv:3:4: column 'vol'" <<< "$stderr" || fail "$stderr"
}

@test "formula: a vol or rate that looks like a percentage is bad data (exit 3) unless --allow-implausible" {
	printf 'type,forward,strike,vol,rate,expiry\ncall,19,19,0.28,0.10,0.75\nput,19,19,28,0.10,0.75\nput,19,19,0.28,10,0.75\nput,19,19,0.28,-1000,0.75\ncall,19,19,5,-0.5,0.75\n' > p.csv
	run_split qe-price formula black76 -o out.csv p.csv
	[ "$status" -eq 3 ]
	grep -qxF "qe-price: p.csv:3:4: column 'vol': lognormal vol above 5 (500%): a percentage? '28'" <<< "$stderr" || fail "$stderr"
	grep -qxF "qe-price: p.csv:4:5: column 'rate': rate of 100% or more in absolute value: a percentage? '10'" <<< "$stderr" || fail "$stderr"
	grep -qF "p.csv:5:5: column 'rate': rate of 100%" <<< "$stderr" || fail "$stderr"
	grep -qxF "qe-price: p.csv: 3 bad rows not priced" <<< "$stderr" || fail "$stderr"
	[ "$(wc -l < out.csv)" -eq 3 ] || fail "$(cat out.csv)"
	grep -q '^call,19,19,0.28,0.10,0.75,' out.csv
	grep -q '^call,19,19,5,-0.5,0.75,' out.csv
	# the same bounds as qe-ingest's vols and rates files
	printf 'curve,asof,delivery_start,delivery_end,strike,vol,vol_type\nX,2026-11-25,2027-01-01,2027-01-31,,28,lognormal\n' > v.csv
	run_split qe-ingest vols v.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"lognormal vol above 5 (500%): a percentage? '28'"* ]] || fail "$stderr"
	# accepted on request: the two plausible-looking rows are priced
	# (vol 28 and rate 10 are finite), rate -1000 overflows (exit 5)
	run_split qe-price formula black76 --allow-implausible p.csv
	[ "$status" -eq 5 ] || fail "exit $status: $stderr"
	[ "${#lines[@]}" -eq 5 ] || fail "$output"
	[[ "${lines[2]}" == "put,19,19,28,0.10,0.75,"* ]] || fail "$output"
	[[ "${lines[3]}" == "put,19,19,0.28,10,0.75,"* ]] || fail "$output"
	grep -qxF "qe-price: p.csv:5:1: black76: non-finite price 'inf'" <<< "$stderr" || fail "$stderr"
	head -4 p.csv > ok.csv
	run_split qe-price formula black76 ok.csv --allow-implausible
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	# every lognormal model checks its vols and its rate (and carry)
	printf 'type,forward1,forward2,strike,vol1,vol2,corr,rate,expiry\ncall,30,20,5,0.3,20,0.5,0.05,1\n' > k.csv
	run_split qe-price formula kirk k.csv
	[ "$status" -eq 3 ]
	grep -qF "k.csv:2:6: column 'vol2': lognormal vol above 5" <<< "$stderr" || fail "$stderr"
	run_split qe-price formula kirk --allow-implausible k.csv
	assert_success
	printf 'type,forward,strike,vol,rate,expiry,avg_start,avg_end,fixings\ncall,30,20,30,0.05,1,0.5,1,10\n' > a.csv
	run_split qe-price formula asian-curran a.csv
	[ "$status" -eq 3 ]
	grep -qF "a.csv:2:4: column 'vol': lognormal vol above 5" <<< "$stderr" || fail "$stderr"
	printf 'type,spot,strike,vol,rate,carry,expiry\nput,30,20,0.3,0.05,5,1\n' > am.csv
	run_split qe-price formula american am.csv
	[ "$status" -eq 3 ]
	grep -qF "am.csv:2:6: column 'carry': rate of 100%" <<< "$stderr" || fail "$stderr"
	# a Bachelier vol is in price units: 28 is plausible
	printf 'type,forward,strike,vol,rate,expiry\ncall,19,19,28,0.1,0.75\n' > n.csv
	run_split qe-price formula bachelier n.csv
	assert_success
}

# ---- book valuation ----------------------------------------------------------

book() {
	qe-price -q --asof 2026-11-25 --trades "${TRADES:-$DATA/trades.csv}" --curves "${CURVES:-$DATA/curves.csv}" \
		--vols "${VOLS:-$DATA/vols.csv}" --rates "$DATA/rates.csv" --markets "$DATA/markets.csv" \
		--fixings "${FIXINGS:-$DATA/fixings.csv}" --calendars "$DATA/calendars" "$@"
}

@test "book: the whole bundled book prices (every instrument), identically for any OMP_NUM_THREADS" {
	OMP_NUM_THREADS=2 book -o v2.csv --sensitivities s2.csv --ladder l2.csv --errors e2.csv
	OMP_NUM_THREADS=1 book -o v1.csv --sensitivities s1.csv --ladder l1.csv --errors e1.csv
	cmp v1.csv v2.csv && cmp s1.csv s2.csv && cmp l1.csv l2.csv
	run "$PYORACLE" -c '
import pandas as pd
v = pd.read_csv("v2.csv"); e = pd.read_csv("e2.csv"); t = pd.read_csv("'"$DATA"'/trades.csv")
assert len(e) == 0, e
last = t.sort_values("version").groupby("trade_id").tail(1)
live = last[last.status != "cancel"]
assert len(v) == len(live), (len(v), len(live))
assert set(v.instrument) == {"future", "forward", "swap", "physical", "option", "asian", "spread", "spot"}
assert set(v.model) >= {"black76", "bachelier", "bs2002", "turnbull-wakeman", "kirk", "swap", "future", "forward", "spot"}
assert v[["npv", "delta", "gamma", "vega", "theta"]].notna().all().all()
print(len(v))'
	assert_success
	assert_output "2973"
}

@test "book: a 1 MB malformed line or field in any input is one error at file:2:1, never a row made from its tail" {
	for k in trades curves vols rates fixings markets; do
		long_lines "$DATA/$k.csv" "$k"
		for v in bad long; do
			args=(--trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv"
			      --rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv")
			for i in "${!args[@]}"; do [ "${args[$i]}" = "--$k" ] && args[i+1]=$k.$v.csv; done
			run_split qe-price --asof 2026-11-25 "${args[@]}" --calendars "$DATA/calendars" \
				-o val.csv --errors err.csv
			[ "$status" -eq 3 ] || fail "$k.$v.csv: exit $status: ${stderr:0:500}"
			want="malformed CSV record (bad quoting)"
			[ "$v" = long ] && want="field longer than 65536 bytes"
			if [ "$k" = trades ]; then
				# the book is priced without the bad record: one error, the rest priced
				[ "$(wc -l < err.csv)" -eq 2 ] || fail "$k.$v.csv: errors: $(cut -c1-200 err.csv)"
				grep -q "^line 2,$k.$v.csv:2:1: .*$want" err.csv || fail "$(cut -c1-200 err.csv)"
				[[ "$stderr" == *"priced, 1 failed,"* ]] || fail "${stderr:0:500}"
			else
				one_diagnostic "$k.$v.csv" 2:1 "$want"
			fi
		done
	done
}

@test "book: a curve name too long in curves, fixings or markets is bad data at file:line:col" {
	long=$(printf 'Y%.0s' $(seq 40))
	for k in curves fixings markets; do
		sed "2s/^[^,]*,/$long,/" "$DATA/$k.csv" > "$k.csv"
		args=(--curves "$DATA/curves.csv" --fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv")
		for i in "${!args[@]}"; do [ "${args[$i]}" = "--$k" ] && args[i+1]=$k.csv; done
		run_split qe-price --asof 2026-11-25 --trades "$DATA/trades.csv" --vols "$DATA/vols.csv" \
			--rates "$DATA/rates.csv" "${args[@]}" --calendars "$DATA/calendars" -o never.csv
		[ "$status" -eq 3 ] || fail "$k: exit $status: $stderr"
		one_diagnostic "$k.csv" 2:1 "column 'curve': curve name too long '$long'"
		[ ! -e never.csv ]
	done
}

@test "book: every input may be gzip-compressed (by name or on stdin): the same valuations" {
	book -o plain.csv --errors e0.csv
	for k in trades curves vols rates fixings markets; do gzip -c "$DATA/$k.csv" > "$k.csv.gz"; done
	qe-price -q --asof 2026-11-25 --trades trades.csv.gz --curves curves.csv.gz --vols vols.csv.gz \
		--rates rates.csv.gz --fixings fixings.csv.gz --markets markets.csv.gz \
		--calendars "$DATA/calendars" -o gz.csv --errors e1.csv
	cmp plain.csv gz.csv
	gzip -c "$DATA/trades.csv" | TRADES=- book -o stdin.csv
	cmp plain.csv stdin.csv
	head -c 2000 trades.csv.gz > cut.gz
	TRADES=cut.gz run_split book -o never.csv
	[ "$status" -eq 3 ] && [[ "$stderr" == *"cut.gz: read error: truncated gzip data"* ]] || fail "$status $stderr"
	[ ! -e never.csv ]
}

@test "book: a semicolon-delimited trades file gets a hint naming the delimiter" {
	tr ',' ';' < "$DATA/trades.csv" > semi.csv
	TRADES=semi.csv run_split book -o never.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"semi.csv:1:1: header has 1 column; the file looks semicolon-delimited, qe reads comma-separated CSV"* ]] ||
		fail "$stderr"
	[ ! -e never.csv ]
}

@test "book: NPV change by book for a +-0.001 parallel shift reconciles with the ladder (delta P&L, 1e-6)" {
	book -o v0.csv --ladder lad.csv
	book --bump 0.001 -o up.csv
	book --bump -0.001 -o dn.csv
	run "$PYORACLE" -c '
import pandas as pd
up = pd.read_csv("up.csv"); dn = pd.read_csv("dn.csv"); lad = pd.read_csv("lad.csv")
d = (up.groupby("book").npv.sum() - dn.groupby("book").npv.sum()) / 2
l = lad.groupby("book").delta.sum() * 0.001
scale = lad.assign(a=lad.delta.abs()).groupby("book").a.sum() * 0.001
bad = ((d - l).abs() > 1e-6 * scale)
assert len(d) == 7 and not bad.any(), pd.DataFrame({"dnpv": d, "ladder": l})
'
	assert_success
}

@test "book: options, futures and forwards of non-power curves match QuantLib and hand formulas" {
	book -o v.csv
	run env DATA="$DATA" "$PYORACLE" - <<'PY'
import math, pandas as pd, QuantLib as ql
import os; D = os.environ["DATA"]
v = pd.read_csv("v.csv").set_index("trade_id")
t = pd.read_csv(D + "/trades.csv").sort_values("version").groupby("trade_id").tail(1).set_index("trade_id")
mk = pd.read_csv(D + "/markets.csv").set_index("curve")
cv = pd.read_csv(D + "/curves.csv"); vol = pd.read_csv(D + "/vols.csv"); rt = pd.read_csv(D + "/rates.csv")
asof = pd.Timestamp("2026-11-25")
def zero(ccy, d):
    r = rt[rt.currency == ccy]; T = [(pd.Timestamp(x) - asof).days / 365 for x in r.date]
    t_ = (d - asof).days / 365
    if t_ <= T[0]: return r.rate.iloc[0]
    if t_ >= T[-1]: return r.rate.iloc[-1]
    rtv = [a * b for a, b in zip(r.rate, T)]
    import numpy as np
    return float(np.interp(t_, T, rtv)) / t_
def fwd(curve, ds):
    c = cv[(cv.curve == curve) & (cv.delivery_start == ds)]
    return float(c.price.iloc[0])
def smile(curve, ds, K):
    s = vol[(vol.curve == curve) & (vol.delivery_start == ds) & (vol.vol_type == "lognormal") & vol.strike.notna()].sort_values("strike")
    import numpy as np
    return float(np.interp(K, s.strike, s.vol))
n = expired = 0
for tid, r in t.iterrows():
    if r.status == "cancel" or r.curve not in ("NG_HH", "CL_WTI", "BRENT", "EUA") or r.unit != "lots": continue
    m = mk.loc[r.curve]; Q = r.quantity * m.lot_size * (1 if r.side == "buy" else -1)
    if pd.Timestamp(r.delivery_start) <= asof: continue
    F = fwd(r.curve, r.delivery_start)
    # last trading days of the Dec-26 contracts by the exchange rules
    # (ICE Brent: last business day of October; NYMEX CL: 3 business days
    # before 25 Nov): expired, valued at that day's fixing, no delta
    ltd = {("BRENT", "2026-12-01"): "2026-10-30", ("CL_WTI", "2026-12-01"): "2026-11-20"}.get((r.curve, r.delivery_start))
    if r.instrument == "future" and ltd:
        fx = pd.read_csv(D + "/fixings.csv")
        fsp = float(fx[(fx.curve == r.curve) & (fx.date == ltd)].price.iloc[0])
        want = Q * (fsp - r.price)
        assert v.loc[tid].delta == 0 and v.loc[tid].model == ("settled" if r.curve == "BRENT" else "delivery"), tid
        expired += 1
    elif r.instrument == "future":
        want = Q * (F - r.price)
    elif r.instrument == "option" and r.exercise == "european":
        T = (pd.Timestamp(r.expiry) - asof).days / 365; z = zero(r.currency, pd.Timestamp(r.expiry))
        s = smile(r.curve, r.delivery_start, r.strike)
        bc = ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call if r.option_type == "call" else ql.Option.Put, r.strike), F, s * math.sqrt(T), math.exp(-z * T))
        want = Q * bc.value()
        assert abs(v.loc[tid].delta - Q * bc.deltaForward()) <= 1e-9 * max(1, abs(Q)), tid
    else:
        continue
    got = v.loc[tid].npv
    assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (tid, got, want)
    n += 1
assert n > 300 and expired >= 40, (n, expired)
print(n, expired)
PY
	assert_success
}

@test "book: futures past their last trading day: Brent settled, CL in delivery at the final settlement, no delta; options on them at intrinsic" {
	head -1 "$DATA/trades.csv" | cut -d, -f1-26 > t.csv  # rows below without uti,venue,exec_time
	cat >> t.csv <<'CSV'
E1,1,new,2026-08-01,OIL,x,CP001,future,BRENT,buy,2,lots,60,USD,2026-12-01,2026-12-31,,,,,,,,,,
E2,1,new,2026-08-01,OIL,x,CP001,future,CL_WTI,sell,3,lots,60,USD,2026-12-01,2026-12-31,,,,,,,,,,
E3,1,new,2026-08-01,GAS_US,x,CP001,future,NG_HH,buy,1,lots,3,USD,2026-12-01,2026-12-31,,,,,,,,,,
E4,1,new,2026-08-01,OIL,x,CP001,option,BRENT,buy,1,lots,1,USD,2026-12-01,2026-12-31,,call,62,european,2026-10-28,,,,,
E5,1,new,2026-08-01,OIL,x,CP001,option,CL_WTI,buy,1,lots,1,USD,2026-12-01,2026-12-31,,put,70,european,2026-12-10,,,,,
E6,1,new,2026-08-01,OIL,x,CP001,future,BRENT,buy,1,lots,60,USD,2027-01-01,2027-01-31,,,,,,,,,,
CSV
	TRADES=t.csv run_split book -o v.csv --sensitivities s.csv --errors e.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	# fixings on the last trading days (ICE Brent Dec-26: 2026-10-30;
	# NYMEX CL Dec-26: 2026-11-20), read from the data; hand arithmetic,
	# not our code.  The Brent fixing of 30 Oct is the Dec-26 contract, the
	# history's tenor 2 of that day (tenor 1 is the expired Nov-26)
	fb=$(awk -F, '$1 == "BRENT" && $2 == "2026-10-30" { print $3 }' "$DATA/fixings.csv")
	fc=$(awk -F, '$1 == "CL_WTI" && $2 == "2026-11-20" { print $3 }' "$DATA/fixings.csv")
	[ -n "$fb" ] && [ -n "$fc" ] || fail "fixings missing: '$fb' '$fc'"
	grep -q "^2026-10-30,BRENT,2,2026-12,$fb\$" "$DATA/history.csv"
	if grep -q "^2026-10-30,BRENT,1,2026-11,$fb\$" "$DATA/history.csv"; then fail "Nov-26 settles at the Dec-26 price"; fi
	run "$PYORACLE" -c '
fb, fc = '"$fb, $fc"'
import pandas as pd
v = pd.read_csv("v.csv").set_index("trade_id"); s = pd.read_csv("s.csv")
def chk(tid, npv, model):
    r = v.loc[tid]
    assert abs(r.npv - npv) <= 1e-9 * abs(npv) and r.undiscounted == r.npv, (tid, r.npv, npv)
    assert (r.delta, r.gamma, r.vega, r.theta) == (0, 0, 0, 0) and r.model == model, (tid, r)
    assert not (s.trade_id == tid).any(), tid
chk("E1", 2 * 1000 * (fb - 60), "settled")
chk("E2", -3 * 1000 * (fc - 60), "delivery")
chk("E4", 1 * 1000 * max(fb - 62, 0), "settled")
# NG Dec-26 trades until 2026-11-25 (3 business days before 1 Dec): live
assert v.loc["E3"].model == "future" and v.loc["E3"].delta == 10000, v.loc["E3"]
# Brent Jan-27 expires 2026-11-30: live
assert v.loc["E6"].model == "future" and v.loc["E6"].delta == 1000
assert "E5" not in v.index
'
	assert_success
	run cat e.csv
	assert_line --partial "E5,option expiry after the underlying future's last trading day 2026-11-20"
	# no final settlement: an error, never a zero
	grep -v '^BRENT,2026-10-30,' "$DATA/fixings.csv" > f.csv
	TRADES=t.csv FIXINGS=f.csv run_split book -o v2.csv --errors e2.csv
	[ "$status" -eq 3 ]
	run cat e2.csv
	assert_line --partial "E1,future expired on 2026-10-30: no final settlement (fixing) for BRENT"
	assert_line --partial "E4,future expired on 2026-10-30"
	run grep -c '^E[14],' v2.csv
	[ "$output" -eq 0 ]
}

@test "book: an option expiring after its live underlying future's last trading day is an error row, exit 3" {
	head -1 "$DATA/trades.csv" | cut -d, -f1-26 > t.csv  # rows below without uti,venue,exec_time
	# NYMEX CL Jan-27 stops Mon 21 Dec 2026 (3 business days before Thu
	# 24 Dec, the last business day before Christmas); EEX power has no
	# listed rule: the business day before delivery, Wed 30 Dec (31 Dec is
	# an EEX holiday)
	cat >> t.csv <<'CSV'
L1,1,new,2026-11-02,OIL,x,CP001,option,CL_WTI,buy,10,lots,1,USD,2027-01-01,2027-01-31,,call,60,european,2026-12-22,,,,,
L2,1,new,2026-11-02,OIL,x,CP001,option,CL_WTI,buy,10,lots,1,USD,2027-01-01,2027-01-31,,call,60,european,2026-12-21,,,,,
L3,1,new,2026-11-02,OIL,x,CP001,option,CL_WTI,buy,10,lots,1,USD,2027-01-01,2027-01-31,,call,60,american,2026-12-22,,,,,
L4,1,new,2026-11-02,PWR,x,CP001,option,DE_BASE,buy,5,MW,1,EUR,2027-01-01,2027-01-31,base,call,90,european,2027-01-04,,,,,
L5,1,new,2026-11-02,PWR,x,CP001,option,DE_BASE,buy,5,MW,1,EUR,2027-01-01,2027-01-31,base,call,90,european,2026-12-30,,,,,
CSV
	TRADES=t.csv run_split book -o v.csv --errors e.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"3 trades could not be priced"* ]] || fail "$stderr"
	run cat e.csv
	assert_line --partial "L1,option expiry after the underlying future's last trading day 2026-12-21 (expiry 2026-12-22)"
	assert_line --partial "L3,option expiry after the underlying future's last trading day 2026-12-21 (expiry 2026-12-22)"
	assert_line --partial "L4,option expiry after the underlying future's last trading day 2026-12-30 (expiry 2027-01-04)"
	[ "$(wc -l < e.csv)" -eq 4 ]
	run cut -d, -f1 v.csv
	assert_output "$(printf 'trade_id\nL2\nL5')"
}

# mkt ASOF DIR: a synthetic market at ASOF (qe-synth) in DIR, for books
# valued on another day than the bundled one.
mkt() {
	qe-synth -q --trades 1 --asof "$1" --history-days 60 --calendars "$DATA/calendars" -d "$2"
}

# dbook DIR TRADES ARGS...: values TRADES against the market in DIR.
dbook() {
	local d=$1 t=$2
	shift 2
	qe-price -q --asof "$(basename "$d")" --trades "$t" --curves "$d/curves.csv" --vols "$d/vols.csv" \
		--rates "$d/rates.csv" --markets "$d/markets.csv" --fixings "$d/fixings.csv" \
		--calendars "$DATA/calendars" "$@"
}

@test "book: a German power future in delivery is worth the delivered days at the day-ahead fixings plus the rest at the forward; only the rest carries delta" {
	mkt 2026-10-28 2026-10-28
	# the day-ahead auction runs every day: fixings for the weekends and
	# the German holiday, which the synthetic fixings (business days) lack
	awk -F, -v OFS=, 'NR == 1 { print; next } $1 == "DE_BASE" { have[$2] = 1 } { print }
		END { for (d = 1; d <= 28; d++) { k = sprintf("2026-10-%02d", d)
			if (!(k in have)) print "DE_BASE", k, 40 + d / 4 } }' 2026-10-28/fixings.csv > f.csv
	mv f.csv 2026-10-28/fixings.csv
	head -1 "$DATA/trades.csv" | cut -d, -f1-26 > t.csv  # rows below without uti,venue,exec_time
	cat >> t.csv <<'CSV'
P1,1,new,2026-08-03,PWR,x,CP001,future,DE_BASE,buy,5,MW,70.5,EUR,2026-10-01,2026-10-31,,,,,,,,,,
P2,1,new,2026-08-03,PWR,x,CP001,future,DE_PEAK,sell,2,lots,90,EUR,2026-10-01,2026-10-31,,,,,,,,,,
P3,1,new,2026-08-03,PWR,x,CP001,future,DE_BASE,sell,3720,MWh,70,EUR,2026-10-01,2026-10-31,,,,,,,,,,
P4,1,new,2026-08-03,PWR,x,CP001,future,DE_BASE,buy,1,MW,80,EUR,2026-11-01,2026-11-30,,,,,,,,,,
P5,1,new,2026-08-03,PWR,x,CP001,future,DE_BASE,buy,1,MW,80,EUR,2026-09-01,2026-09-30,,,,,,,,,,
CSV
	run_split dbook "$PWD/2026-10-28" t.csv -o v.csv --sensitivities s.csv --ladder l.csv --errors e.csv
	assert_success
	run "$PYORACLE" - <<'PY'
import datetime as dt, pandas as pd
from zoneinfo import ZoneInfo
berlin, utc = ZoneInfo("Europe/Berlin"), dt.timezone.utc
asof = dt.date(2026, 10, 28)
fx = pd.read_csv("2026-10-28/fixings.csv"); cv = pd.read_csv("2026-10-28/curves.csv")
v = pd.read_csv("v.csv").set_index("trade_id"); s = pd.read_csv("s.csv"); l = pd.read_csv("l.csv")
def local_midnight(d):
    return dt.datetime(d.year, d.month, d.day, tzinfo=berlin).astimezone(utc)
def hours(curve, d):  # delivery hours of the local day: base all, peak 08-20 on weekdays
    if curve == "DE_PEAK":
        return 12 if d.weekday() < 5 else 0
    return (local_midnight(d + dt.timedelta(1)) - local_midnight(d)).total_seconds() / 3600
def fixing(curve, d):
    return float(fx[(fx.curve == curve) & (fx.date == d.isoformat())].price.iloc[0])
def forward(curve, d):
    q = cv[(cv.curve == curve) & (cv.delivery_start <= d.isoformat()) & (cv.delivery_end >= d.isoformat())]
    return float(q.price.iloc[0])
days = [dt.date(2026, 10, 1) + dt.timedelta(k) for k in range(31)]
assert sum(hours("DE_BASE", d) for d in days) == 745  # the October clock change
def want(curve, mw, K):
    npv = sum(mw * hours(curve, d) * ((fixing(curve, d) if d <= asof else forward(curve, d)) - K)
              for d in days if hours(curve, d))
    return npv, sum(mw * hours(curve, d) for d in days if d > asof)
for tid, curve, mw, K in (("P1", "DE_BASE", 5, 70.5), ("P2", "DE_PEAK", -2, 90),
                          ("P3", "DE_BASE", -3720 / 745, 70)):
    npv, delta = want(curve, mw, K)
    r = v.loc[tid]
    assert abs(r.npv - npv) <= 1e-9 * abs(npv) and r.undiscounted == r.npv, (tid, r.npv, npv)
    assert abs(r.delta - delta) <= 1e-9 * abs(delta) and r.model == "future", (tid, r.delta, delta)
    rows = s[s.trade_id == tid]
    assert list(rows.delivery_start) == ["2026-10-29"] and abs(rows.delta.iloc[0] - delta) <= 1e-9 * abs(delta), rows
# Thu 29 and Fri 30 October are peak days, Sat 31 is not
assert v.loc["P1"].delta == 5 * 72 and v.loc["P2"].delta == -2 * 24
# not yet in delivery: the forward; delivered in full: matured
assert v.loc["P4"].model == "future" and "P5" not in v.index
assert abs(l[(l.curve == "DE_BASE") & (l.month == "2026-10")].delta.sum() - (360 - 3720 / 745 * 72)) < 1e-6
print(v.loc["P1"].npv)
PY
	assert_success
	# a delivered day with no fixing is an error, never a zero
	grep -v '^DE_BASE,2026-10-25,' 2026-10-28/fixings.csv > f.csv
	mv f.csv 2026-10-28/fixings.csv
	run_split dbook "$PWD/2026-10-28" t.csv -o v.csv --errors e.csv
	[ "$status" -eq 3 ]
	run cat e.csv
	assert_line --partial "P1,missing fixing for DE_BASE on 2026-10-25 (a delivered day of the future)"
	assert_line --partial "P3,missing fixing for DE_BASE on 2026-10-25"
}

@test "book: an EUA December future stays live until its last trading day (the forward), then is in delivery at the final settlement" {
	for d in 2026-12-21 2026-12-22; do mkt $d $d; done
	head -1 "$DATA/trades.csv" | cut -d, -f1-26 > t.csv  # rows below without uti,venue,exec_time
	cat >> t.csv <<'CSV'
U1,1,new,2026-08-03,CARBON,x,CP001,future,EUA,buy,3,lots,70,EUR,2026-12-01,2026-12-31,,,,,,,,,,
U2,1,new,2026-08-03,CARBON,x,CP001,future,EUA,sell,5000,t,72,EUR,2026-12-01,2026-12-31,,,,,,,,,,
CSV
	for d in 2026-12-21 2026-12-22; do
		run_split dbook "$PWD/$d" t.csv -o v$d.csv --sensitivities s$d.csv
		assert_success
	done
	run env DATA="$DATA" "$PYORACLE" - <<'PY'
import datetime as dt, os, pandas as pd
# ICE Endex EUA rule, worked from the holiday file: the last Monday of the
# month, or the penultimate one when a holiday falls on it or in the four
# days after it
hol = {l.split()[0] for l in open(os.environ["DATA"] + "/calendars/ICE_EU.txt") if l[:1].isdigit()}
last = max(dt.date(2026, 12, d) for d in range(1, 32) if dt.date(2026, 12, d).weekday() == 0)
bad = any((last + dt.timedelta(k)).isoformat() in hol for k in range(5))
ltd = last - dt.timedelta(7) if bad else last
assert ltd == dt.date(2026, 12, 21), ltd
for asof in ("2026-12-21", "2026-12-22"):
    v = pd.read_csv(f"v{asof}.csv").set_index("trade_id"); s = pd.read_csv(f"s{asof}.csv")
    cv = pd.read_csv(f"{asof}/curves.csv"); fx = pd.read_csv(f"{asof}/fixings.csv")
    for tid, q, K in (("U1", 3 * 1000, 70), ("U2", -5000, 72)):
        r = v.loc[tid]
        if dt.date.fromisoformat(asof) <= ltd:
            nxt = (dt.date.fromisoformat(asof) + dt.timedelta(1)).isoformat()
            F = cv[(cv.curve == "EUA") & (cv.delivery_start == nxt)]
            assert F.delivery_end.iloc[0] == "2026-12-31", F
            F = float(F.price.iloc[0])
            assert abs(r.npv - q * (F - K)) <= 1e-9 * abs(q * F) and r.delta == q and r.model == "future", (tid, r)
            rows = s[s.trade_id == tid]
            assert list(rows.delivery_start) == [nxt] and rows.delta.iloc[0] == q, rows
        else:
            fsp = float(fx[(fx.curve == "EUA") & (fx.date == ltd.isoformat())].price.iloc[0])
            assert abs(r.npv - q * (fsp - K)) <= 1e-9 * abs(q * fsp) and r.delta == 0 and r.model == "delivery", (tid, r)
            assert not (s.trade_id == tid).any()
PY
	assert_success
}

@test "book and hedge menu agree (one curve master): RBOB past its last trading day is in delivery, not on the forward curve" {
	# RBOB -> RB by its exact name in the curve master: NYMEX RB Nov-26
	# ends on the last business day of October (Fri 30th); on Sat 31st it
	# is left out of the hedge menu and valued at its final settlement
	cat > m.csv <<'CSV'
curve,commodity,venue,unit,currency,timezone,calendar,shape,lot_size,returns,model
RBOB,products,NYMEX,gal,USD,America/New_York,WEEKENDS,,42000,log,black76
CSV
	printf 'curve,asof,delivery_start,delivery_end,price\nRBOB,2026-10-31,2026-11-01,2026-11-30,2.1\nRBOB,2026-10-31,2026-12-01,2026-12-31,2.2\n' > c.csv
	printf 'curve,date,price\nRBOB,2026-10-30,2.25\n' > f.csv
	head -1 "$DATA/trades.csv" | cut -d, -f1-26 > t.csv  # rows below without uti,venue,exec_time
	cat >> t.csv <<'CSV'
R1,1,new,2026-08-01,OIL,x,CP001,future,RBOB,buy,1,lots,2,USD,2026-11-01,2026-11-30,,,,,,,,,,
R2,1,new,2026-08-01,OIL,x,CP001,future,RBOB,sell,2,lots,2,USD,2026-12-01,2026-12-31,,,,,,,,,,
CSV
	run_split qe-price -q --asof 2026-10-31 --trades t.csv --curves c.csv --markets m.csv --fixings f.csv \
		-o v.csv --ladder l.csv
	assert_success
	# 1 lot x 42000 gal x (2.25 - 2.00) at the final settlement, no delta
	grep -qx 'R1,OIL,future,RBOB,USD,10500,10500,0,0,0,0,delivery' v.csv || fail "$(cat v.csv)"
	grep -q '^R2,.*,-84000,0,0,0,future$' v.csv || fail "$(cat v.csv)"
	[ "$(cut -d, -f3 l.csv | tr '\n' ' ')" = "month 2026-12 " ] || fail "$(cat l.csv)"
	printf 'factor1,factor2,cov\nRBOB:1,RBOB:1,0.01\nRBOB:1,RBOB:2,0.005\nRBOB:2,RBOB:1,0.005\nRBOB:2,RBOB:2,0.01\n' > cov.csv
	printf 'instrument,curve,month,lot_size,cost_per_lot,min_lots,max_lots\nRB_NOV,RBOB,2026-11,42000,1,-5,5\nRB_DEC,RBOB,2026-12,42000,1,-5,5\n' > h.csv
	run_split qe-optimize hedge --ladder l.csv --cov cov.csv --hedges h.csv --markets m.csv --asof 2026-10-31 \
		-o hedge.csv --summary s.csv
	assert_success
	[[ "$stderr" == *"h.csv: 1 menu rows at or past their last trading day left out"* ]] || fail "$stderr"
	[ "$(cut -d, -f1 hedge.csv | tr '\n' ' ')" = "instrument RB_DEC " ] || fail "$(cat hedge.csv)"
	# the day before, Nov-26 still trades: on the forward curve and on the menu
	sed 's/2026-10-31/2026-10-30/' c.csv > c30.csv
	qe-price -q --asof 2026-10-30 --trades t.csv --curves c30.csv --markets m.csv --fixings f.csv -o v30.csv
	grep -q '^R1,.*,42000,0,0,0,future$' v30.csv || fail "$(cat v30.csv)"
}

@test "book: physical power volumes follow the shape, DST-correct (743 h March, 745 h October base; peak hours)" {
	cat > t.csv <<'CSV'
trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,unit,price,currency,delivery_start,delivery_end,shape
P1,1,new,2026-11-01,B,t,CP001,physical,DE_BASE,buy,1,MW,0,EUR,2027-03-01,2027-03-31,base
P2,1,new,2026-11-01,B,t,CP001,physical,DE_BASE,buy,1,MW,0,EUR,2027-10-01,2027-10-31,base
P3,1,new,2026-11-01,B,t,CP001,physical,DE_PEAK,buy,1,MW,0,EUR,2027-03-01,2027-03-31,peak
P4,1,new,2026-11-01,B,t,CP001,future,DE_BASE,sell,2,lots,0,EUR,2027-10-01,2027-10-31,base
P5,1,new,2026-11-01,B,t,CP001,physical,TTF,buy,10,MW,0,EUR,2027-03-01,2027-03-31,gasday
P6,1,new,2026-11-01,B,t,CP001,physical,NG_HH,buy,1000,MMBtu/d,0,USD,2027-02-01,2027-02-28,gasday
CSV
	TRADES=t.csv book -o v.csv
	run "$PYORACLE" -c '
import pandas as pd, math
v = pd.read_csv("v.csv").set_index("trade_id")
r = pd.read_csv("'"$DATA"'/rates.csv"); r = r[r.currency == "EUR"]
asof = pd.Timestamp("2026-11-25")
import numpy as np
def D(day):
    T = [(pd.Timestamp(x) - asof).days / 365 for x in r.date]; t = (pd.Timestamp(day) - asof).days / 365
    return math.exp(-float(np.interp(t, T, [a * b for a, b in zip(r.rate, T)])))
# March 2027 peak: 23 weekdays x 12 h
for tid, hours, day in (("P1", 743, "2027-03-31"), ("P2", 745, "2027-10-31"), ("P3", 23 * 12, "2027-03-31"), ("P5", 10 * 743, "2027-03-31")):
    got = v.loc[tid].delta / D(day)
    assert abs(got - hours) < 1e-9, (tid, got, hours)
r = pd.read_csv("'"$DATA"'/rates.csv"); r = r[r.currency == "USD"]
got = v.loc["P6"].delta / D("2027-02-28")     # 28 gas days x 1000 MMBtu/d
assert abs(got - 28000) < 1e-9, got
assert v.loc["P4"].delta == -2 * 745, v.loc["P4"].delta     # futures: undiscounted
assert v.loc["P4"].model == "future"
print("ok")'
	assert_success
}

@test "book: partly fixed NG swap averages fixings for past days and projects the rest with the front-month contract" {
	cat > t.csv <<'CSV'
trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,unit,price,currency,delivery_start,delivery_end
S1,1,new,2026-11-01,B,t,CP001,swap,NG_HH,buy,21000,MMBtu,4,USD,2026-11-01,2026-11-30
CSV
	TRADES=t.csv book -o v.csv --sensitivities s.csv
	run "$PYORACLE" -c '
import sys, datetime as dt, pandas as pd
sys.path.insert(0, "'"$QE_TOP"'/tests/price")
from frontmonth import Rules, discount
D = "'"$DATA"'"; R = Rules(D); asof = dt.date(2026, 11, 25)
days = [dt.date(2026, 11, k) for k in range(1, 31) if R.bday("NYMEX", dt.date(2026, 11, k))]
fx = pd.read_csv(D + "/fixings.csv"); fx = fx[fx.curve == "NG_HH"].set_index("date").price
cv = pd.read_csv(D + "/curves.csv"); cv = cv[cv.curve == "NG_HH"].set_index("delivery_start").price
# Dec-26 expires on Wed 25 Nov (3 business days before 1 Dec, Thanksgiving
# closed): Fri 27 and Mon 30 Nov fix on Jan-27
fut = [d for d in days if d > asof]
assert [R.front("NG_HH", d) for d in fut] == [(2027, 1)] * 2, fut
px = [fx[d.isoformat()] if d <= asof else cv["%04d-%02d-01" % R.front("NG_HH", d)] for d in days]
Df = discount(pd.read_csv(D + "/rates.csv"), "USD", asof, dt.date(2026, 11, 30))
want = 21000 * (sum(px) / len(px) - 4) * Df
got = pd.read_csv("v.csv").npv.iloc[0]
assert abs(got - want) <= 1e-9 * abs(want), (got, want)
s = pd.read_csv("s.csv")
assert len(s) == 1 and s.delivery_start.iloc[0] == "2027-01-01" and s.tenor.iloc[0] == 2, s
assert abs(s.delta.iloc[0] - 21000 * len(fut) / len(days) * Df) <= 1e-9 * 21000
print(len(days), len(fut))'
	assert_success
}

@test "book: every swap on a futures index (NG, WTI, Brent, HO) projects each pricing day with that day's front month" {
	book -o v.csv --sensitivities s.csv --errors e.csv
	run "$PYORACLE" -c '
import sys, datetime as dt, pandas as pd
sys.path.insert(0, "'"$QE_TOP"'/tests/price")
from frontmonth import Rules, RULES, discount
D = "'"$DATA"'"; R = Rules(D); asof = dt.date(2026, 11, 25)
t = pd.read_csv(D + "/trades.csv", dtype=str, keep_default_na=False)
t["version"] = t.version.astype(int)
t = t.sort_values("version").groupby("trade_id").tail(1)
t = t[(t.instrument == "swap") & t.curve.isin(list(RULES)) & (t.status != "cancel")]
fx = pd.read_csv(D + "/fixings.csv"); cv = pd.read_csv(D + "/curves.csv"); rates = pd.read_csv(D + "/rates.csv")
v = pd.read_csv("v.csv").set_index("trade_id")
tot, gtot, n = {}, {}, 0
for _, r in t.iterrows():
    ds, de = dt.date.fromisoformat(r.delivery_start), dt.date.fromisoformat(r.delivery_end)
    if de <= asof:
        continue
    cal = RULES[r.curve][1]
    f = fx[fx.curve == r.curve].set_index("date").price
    q = cv[cv.curve == r.curve].set_index("delivery_start").price
    days = [ds + dt.timedelta(k) for k in range((de - ds).days + 1)]
    days = [d for d in days if R.bday(cal, d)]
    assert ds.month == de.month and ds.year == de.year   # one calculation period
    px = [f[d.isoformat()] if d <= asof else q["%04d-%02d-01" % R.front(r.curve, d)] for d in days]
    side = 1 if r.side == "buy" else -1
    want = side * float(r.quantity) * (sum(px) / len(px) - float(r.price)) * discount(rates, r.currency, asof, de)
    got = v.loc[r.trade_id].npv
    assert abs(got - want) <= 1e-9 * max(abs(want), 1), (r.trade_id, got, want)
    tot[r.curve] = tot.get(r.curve, 0) + want; gtot[r.curve] = gtot.get(r.curve, 0) + got; n += 1
for c in tot:
    assert abs(gtot[c] - tot[c]) <= 1e-9 * abs(tot[c]), (c, gtot[c], tot[c])
    print(c, round(tot[c], 2))
assert n > 200 and "NG_HH" in tot, n'
	echo "$output"
	assert_success
}

@test "book: a futures-index swap whose front-month contract has no quote is an error naming the contract, never a calendar-month fallback" {
	cat > t.csv <<'CSV'
trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,unit,price,currency,delivery_start,delivery_end
S9,1,new,2026-11-02,B,t,C,swap,NG_HH,buy,1000,MMBtu,4,USD,2029-11-01,2029-11-30
S8,1,new,2026-11-02,B,t,C,swap,TTF,buy,1000,MWh,30,EUR,2029-11-01,2029-11-30
CSV
	# the curves end with Nov-29: NG days of November 2029 fix on Dec-29
	TRADES=t.csv run_split book -o v.csv --errors e.csv
	[ "$status" -eq 3 ] || fail "exit $status"
	run cat e.csv
	assert_line 'S9,"no forward price for NG_HH'"'"'s 2029-12 contract, front month on 2029-11-01"'
	# a spot index projects with the month covering the day: priced
	grep -q '^S8,' v.csv
}

@test "book: Asians on a futures index fix each day on its front-month contract's forward and vol (Turnbull-Wakeman)" {
	book -o v.csv --sensitivities s.csv --errors e.csv
	run "$PYORACLE" -c '
import sys, math, datetime as dt, numpy as np, pandas as pd
from scipy.stats import norm
sys.path.insert(0, "'"$QE_TOP"'/tests/price")
from frontmonth import Rules, RULES, discount
D = "'"$DATA"'"; R = Rules(D); asof = dt.date(2026, 11, 25)
t = pd.read_csv(D + "/trades.csv", dtype=str, keep_default_na=False)
t["version"] = t.version.astype(int)
t = t.sort_values("version").groupby("trade_id").tail(1)
t = t[(t.instrument == "asian") & t.curve.isin(list(RULES)) & (t.status != "cancel")]
fx = pd.read_csv(D + "/fixings.csv"); cv = pd.read_csv(D + "/curves.csv"); rates = pd.read_csv(D + "/rates.csv")
vols = pd.read_csv(D + "/vols.csv"); vols = vols[(vols.vol_type == "lognormal") & vols.strike.notna()]
v = pd.read_csv("v.csv").set_index("trade_id"); s = pd.read_csv("s.csv")
def smile(curve, month, K):     # linear in strike, flat beyond the quoted strikes
    r = vols[(vols.curve == curve) & (vols.delivery_start == month)].sort_values("strike")
    return float(np.interp(K, r.strike, r.vol))
n_checked = 0
for _, r in t.iterrows():
    a0, a1 = dt.date.fromisoformat(r.avg_start), dt.date.fromisoformat(r.avg_end)
    ex = dt.date.fromisoformat(r.expiry)
    if ex < asof:
        continue
    cal = RULES[r.curve][1]; K = float(r.strike)
    f = fx[fx.curve == r.curve].set_index("date").price
    q = cv[cv.curve == r.curve].set_index("delivery_start").price
    days = [a0 + dt.timedelta(k) for k in range((a1 - a0).days + 1)]
    days = [d for d in days if R.bday(cal, d)]
    past = [f[d.isoformat()] for d in days if d <= asof]
    fut = [d for d in days if d > asof]
    months = ["%04d-%02d-01" % R.front(r.curve, d) for d in fut]
    Fi = np.array([q[mo] for mo in months]); F = Fi.mean()
    si = np.array([smile(r.curve, mo, K) for mo in months])
    n, m, k = len(days), len(past), len(fut)
    T = (ex - asof).days / 365; Df = discount(rates, r.currency, asof, ex)
    Ks = (n * K - m * (np.mean(past) if m else 0)) / k
    call = r.option_type == "call"
    if Ks <= 0:
        price = Df * k / n * (F - Ks) if call else 0.0
    else:
        tt = np.array([(d - asof).days / 365 for d in fut])
        # each fixing at its own contract: M2 = sum_ij F_i F_j exp(s_i s_j min(t_i, t_j)) / k^2
        M2 = (np.outer(Fi, Fi) * np.exp(np.outer(si, si) * np.minimum.outer(tt, tt))).sum() / k / k
        sd = math.sqrt(math.log(M2 / F / F))
        d1 = math.log(F / Ks) / sd + sd / 2; d2 = d1 - sd
        price = Df * (F * norm.cdf(d1) - Ks * norm.cdf(d2))
        if not call:
            price = Df * (Ks * norm.cdf(-d2) - F * norm.cdf(-d1))
        price *= k / n
    want = (1 if r.side == "buy" else -1) * float(r.quantity) * price
    got = v.loc[r.trade_id].npv
    assert abs(got - want) <= 1e-9 * max(abs(want), 1), (r.trade_id, got, want)
    # delta on the contract months the fixings use, nowhere else
    used = set(s[s.trade_id == r.trade_id].delivery_start)
    assert used == set(months), (r.trade_id, used, set(months))
    n_checked += 1
assert n_checked > 50, n_checked
print(n_checked)'
	echo "$output"
	assert_success
}

@test "book: an expired future settles at its own contract's price on its last trading day (Brent Dec-26 at Dec-26, not Nov-26)" {
	book -o v.csv --errors e.csv
	run "$PYORACLE" -c '
import sys, datetime as dt, pandas as pd
sys.path.insert(0, "'"$QE_TOP"'/tests/price")
from frontmonth import Rules, RULES
D = "'"$DATA"'"; R = Rules(D); asof = dt.date(2026, 11, 25)
t = pd.read_csv(D + "/trades.csv", dtype=str, keep_default_na=False)
t["version"] = t.version.astype(int)
t = t.sort_values("version").groupby("trade_id").tail(1)
t = t[(t.instrument == "future") & t.curve.isin(list(RULES)) & (t.status != "cancel")]
# the history names contracts by tenor k >= 1: the month k after the date
h = pd.read_csv(D + "/history.csv").set_index(["curve", "date", "tenor"]).price
lots = pd.read_csv(D + "/markets.csv").set_index("curve").lot_size
v = pd.read_csv("v.csv").set_index("trade_id")
n = {}
for _, r in t.iterrows():
    ds = dt.date.fromisoformat(r.delivery_start)
    ltd = R.ltd(r.curve, ds.year, ds.month)
    if ltd >= asof or dt.date.fromisoformat(r.delivery_end) <= asof or (r.curve == "BRENT" and ds <= asof):
        continue
    k = (ds.year - ltd.year) * 12 + ds.month - ltd.month
    fsp = h[(r.curve, ltd.isoformat(), k)]
    want = (1 if r.side == "buy" else -1) * float(r.quantity) * lots[r.curve] * (fsp - float(r.price))
    got = v.loc[r.trade_id]
    assert got.model in ("settled", "delivery") and abs(got.npv - want) <= 1e-9 * max(abs(want), 1), (r.trade_id, got.npv, want)
    n[r.curve] = n.get(r.curve, 0) + 1
assert n.get("BRENT", 0) >= 10, n
print(n)'
	echo "$output"
	assert_success
}

@test "book: a spread has one sensitivity row per leg; tenors count months from the as-of month" {
	book -o v.csv --sensitivities s.csv --ladder l.csv
	run "$PYORACLE" -c '
import pandas as pd
s = pd.read_csv("s.csv"); v = pd.read_csv("v.csv"); l = pd.read_csv("l.csv")
sp = v[v.instrument == "spread"].trade_id
legs = s[s.trade_id.isin(sp)].groupby("trade_id").curve.nunique()
assert (legs == 2).all(), legs[legs != 2]
ds = pd.to_datetime(s.delivery_start)
assert ((ds.dt.year - 2026) * 12 + ds.dt.month - 11 == s.tenor).all()
a = s.groupby(["book", "curve"]).delta.sum(); b = l.groupby(["book", "curve"]).delta.sum()
assert ((a - b).abs() <= 1e-6 * (1 + a.abs())).all()
assert list(l.columns) == ["book", "curve", "month", "delta", "unit"]
assert l.month.str.match(r"^\d{4}-\d{2}$").all()
'
	assert_success
}

@test "book: bad trades go to the errors file with reasons, the rest is priced, exit 3" {
	head -1 "$DATA/trades.csv" > t.csv
	# good trades on curves the damaged data below leaves alone
	grep ',new,' "$DATA/trades.csv" | grep -v 'BRENT\|NG_HH\|HO_ULSD' | head -40 >> t.csv
	cat >> t.csv <<'CSV'
X1,1,new,2026-11-01,OIL,x,CP001,future,CL_WTI,buy,1,lots,60,USD,2035-01-01,2035-01-31,,,,,,,,,,,,,
X2,1,new,2026-11-01,OIL,x,CP001,option,CL_WTI,buy,1,lots,1,USD,2027-03-01,2027-03-31,,call,60,european,2026-11-20,,,,,,,,
X3,1,new,2026-11-01,GAS_US,x,CP001,option,NG_HH,buy,1,lots,1,USD,2027-01-01,2027-01-31,,call,3,european,2026-12-28,,,,,,,,
X4,1,new,2026-11-01,OIL,x,CP001,option,BRENT,buy,1,lots,1,USD,2027-02-01,2027-02-28,,call,60,european,2026-12-28,,,,,,,,
X5,1,new,2026-11-01,OIL,x,CP001,swap,BRENT,buy,1000,bbl,60,USD,2026-11-01,2026-11-30,,,,,,,,,,,,,
X6,1,new,2026-11-01,OIL,x,CP001,future,NO_SUCH,buy,1,lots,60,USD,2027-01-01,2027-01-31,,,,,,,,,,,,,
X7,1,new,2026-11-01,OIL,x,CP001,future,CL_WTI,buy,abc,lots,60,USD,2027-01-01,2027-01-31,,,,,,,,,,,,,
X8,1,new,2026-11-01,OIL,x,CP001,option,HO_ULSD,buy,1,lots,1,USD,2027-03-01,2027-03-31,,call,2,european,2027-02-20,,,,,,,,
CSV
	# NG Jan-27 forward negative (Black-76 needs F > 0), Brent vols negative,
	# a Brent fixing missing, no HO_ULSD lognormal vols at all
	awk -F, -v OFS=, '$1 == "NG_HH" && $3 == "2027-01-01" { $5 = -1 } 1' "$DATA/curves.csv" > c.csv
	awk -F, -v OFS=, '$1 == "BRENT" && $3 == "2027-02-01" { $6 = -0.3 } $1 == "HO_ULSD" && $7 == "lognormal" { next } 1' "$DATA/vols.csv" > vv.csv
	grep -v '^BRENT,2026-11-10,' "$DATA/fixings.csv" > f.csv
	TRADES=t.csv CURVES=c.csv VOLS=vv.csv FIXINGS=f.csv run_split book -o v.csv --errors e.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"8 trades could not be priced"* ]] || fail "$stderr"
	run cat e.csv
	assert_line --index 0 "trade_id,reason"
	assert_line --partial "X1,no forward price for CL_WTI on 2035-01-01"
	assert_line --partial "X2,expiry in the past"
	assert_line --partial "X3,Black-76 needs a positive forward"
	assert_line --partial "X4,negative volatility"
	assert_line --partial "X5,missing fixing for BRENT on 2026-11-10"
	assert_line --partial "X6,t.csv:47:9: column 'curve': unknown curve (not in the markets file) 'NO_SUCH'"
	assert_line --partial "X7,t.csv:48:11: column 'quantity': not a number 'abc'"
	assert_line --partial "X8,no lognormal vol for HO_ULSD"
	[ "$(wc -l < e.csv)" -eq 9 ]
	# the 40 good trades are priced (those still live), none silently at zero
	run "$PYORACLE" -c '
import pandas as pd
v = pd.read_csv("v.csv"); assert len(v) >= 35 and not v.trade_id.str.startswith("X").any(), len(v)'
	assert_success
}

@test "book: malformed market data is exit 3 naming file:line:col; outputs untouched; /dev/full is exit 4" {
	echo "old" > v.csv
	{ head -3 "$DATA/curves.csv"; echo "NG_HH,2026-11-25,2027-13-01,2027-01-31,4.1,MMBtu,USD"; } > c.csv
	CURVES=c.csv run_split book -o v.csv --errors e.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"c.csv:4:3: column 'delivery_start'"*"2027-13-01"* ]] || fail "$stderr"
	[ "$(cat v.csv)" = "old" ]
	assert_file_not_exist e.csv
	{ head -3 "$DATA/curves.csv"; echo "NG_HH,2026-11-25,2027-01-01,2027-01-31,NaN,MMBtu,USD"; } > c.csv
	CURVES=c.csv run_split book -o v.csv
	[ "$status" -eq 3 ]
	: > empty.csv
	TRADES=empty.csv run_split book -o v.csv
	[ "$status" -eq 3 ]
	run bash -c "qe-price -q --asof 2026-11-25 --trades '$DATA/trades.csv' --curves '$DATA/curves.csv' --vols '$DATA/vols.csv' --rates '$DATA/rates.csv' --markets '$DATA/markets.csv' --fixings '$DATA/fixings.csv' > /dev/full"
	[ "$status" -eq 4 ]
	run_split book -o v.csv --sensitivities /dev/full
	[ "$status" -eq 4 ]
	run_split qe-price --asof 2026-11-31 --trades x --curves y --markets z
	[ "$status" -eq 2 ]
	run_split qe-price --trades x
	[ "$status" -eq 2 ]
}

@test "book: --to h5 writes the same valuations and sensitivities as HDF5 tables h5py/pandas read" {
	book -o v.csv --sensitivities s.csv
	book --to h5 -o v.h5 --sensitivities s.h5
	run "$PYORACLE" -c '
import os, re, h5py, pandas as pd, numpy as np
v = pd.read_csv("v.csv", float_precision="round_trip"); s = pd.read_csv("s.csv", float_precision="round_trip")
with h5py.File("v.h5") as f:
    g = f["valuations"]
    ver = int(re.search(r"schema version (\d+)", open(os.environ["QE_TOP"] + "/man/qe-formats.5").read()).group(1))
    assert g.attrs["schema"] == "valuations" and g.attrs["schema_version"] == ver
    h = pd.DataFrame({c: g[c][:] for c in g.attrs["columns"].split(",")})
for c in ("trade_id", "book", "model"):
    h[c] = h[c].str.decode("utf-8") if h[c].dtype == object and isinstance(h[c].iloc[0], bytes) else h[c]
assert list(h.trade_id) == list(v.trade_id)
for c in ("npv", "delta", "gamma", "vega", "theta"):
    assert np.array_equal(h[c].to_numpy(), v[c].to_numpy()), c
with h5py.File("s.h5") as f:
    g = f["sensitivities"]
    assert len(g["delta"]) == len(s) and np.array_equal(g["delta"][:], s.delta.to_numpy())
    assert np.array_equal(g["tenor"][:], s.tenor.to_numpy())
'
	assert_success
	run_split book --to h5
	[ "$status" -eq 2 ]
}

@test "book: trades read from HDF5 (qe-ingest --to h5) price exactly like the same trades in CSV" {
	qe-ingest trades "$DATA/trades.csv" --markets "$DATA/markets.csv" -o ing.csv --rejects r1.csv 2>/dev/null
	qe-ingest trades "$DATA/trades.csv" --markets "$DATA/markets.csv" --to h5 -o ing.h5 --rejects r2.csv 2>/dev/null
	TRADES=ing.csv book -o vc.csv --sensitivities sc.csv
	TRADES=ing.h5 book -o vh.csv --sensitivities sh.csv
	cmp vc.csv vh.csv
	cmp sc.csv sh.csv
	# the live book values as the raw file it came from
	book -o vr.csv --sensitivities sr.csv
	cmp vr.csv vc.csv
	cmp sr.csv sc.csv
	[ "$(wc -l < vh.csv)" -eq 2974 ]
	printf 'not hdf5 and not csv\x00\x01' > junk.h5
	TRADES=junk.h5 run_split book -o v.csv
	[ "$status" -eq 3 ]
}

@test "book: trades are validated by qe-ingest's row validator: bad ones go to the errors file, CSV and HDF5" {
	head -1 "$DATA/trades.csv" > t.csv
	grep ',new,' "$DATA/trades.csv" | grep ',future,\|,forward,' | head -20 >> t.csv
	r='2026-11-01,OIL,x,CP001,future,CL_WTI,buy,1,lots'
	d='USD,2027-03-01,2027-03-31,,,,,,,,,,,,,'
	printf 'B1,1,new,2026-11-01,\xffBOOK,x,CP001,future,CL_WTI,buy,1,lots,60,%s\n' "$d" >> t.csv
	{ printf 'T'; head -c 10000000 /dev/zero | tr '\0' 'x'; echo ",1,new,$r,60,$d"; } >> t.csv
	echo "P1,1,new,$r,1e300,$d" >> t.csv
	echo "V1,1,new,$r,60,$d" >> t.csv
	echo "V1,2,amend,2026-11-01,OIL,x,CP001,future,CL_WTI,buy,1,lots,60,USD,2027-03-01,2027-02-01,,,,,,,,,,,,," >> t.csv
	echo "$(printf 'I%.0s' $(seq 65)),1,new,$r,60,$d" >> t.csv
	TRADES=t.csv run_split book -o v.csv --ladder l.csv --errors e.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"5 trades could not be priced (first: trade B1: t.csv:22:5: column 'book': invalid UTF-8 '\xffBOOK')"* ]] || fail "$stderr"
	run cat e.csv
	assert_line --index 0 "trade_id,reason"
	assert_line --index 1 "B1,t.csv:22:5: column 'book': invalid UTF-8 '\xffBOOK'"
	# a 10 MB id is over the reader's 64 KiB field limit (io/csvio) first
	assert_line --index 2 "line 23,t.csv:23:1: column 'trade_id': field longer than 65536 bytes"
	assert_line --index 3 "P1,\"t.csv:24:13: column 'price': out of range [-1e+06, 1e+06] '1e300'\""
	assert_line --index 4 "V1,t.csv:26:16: column 'delivery_end': before delivery_start 2027-03-01 '2027-02-01'"
	assert_line --index 5 "line 27,t.csv:27:1: column 'trade_id': longer than 64 bytes '$(printf 'I%.0s' $(seq 64))...'"
	[ "$(wc -l < e.csv)" -eq 6 ]
	# the 20 good trades are priced; no ladder row for the bad book
	[ "$(sed 1d v.csv | wc -l)" -eq 20 ]
	! grep -q 'BOOK' l.csv || fail "$(cat l.csv)"
	LC_ALL=C.UTF-8 iconv -f UTF-8 -t UTF-8 e.csv > /dev/null || fail "errors file is not UTF-8"
	# the same bad book in an HDF5 table (h5py writes the raw bytes)
	qe-ingest trades "$DATA/trades.csv" --markets "$DATA/markets.csv" --to h5 -o ing.h5 2>/dev/null
	run "$PYORACLE" -c '
import h5py
with h5py.File("ing.h5", "r+") as f:
    b = f["trades"]["book"]
    v = b[0]
    b[0] = (b"\xff" + v[1:]) if v else b"\xff"
print("ok")'
	assert_output ok
	TRADES=ing.h5 run_split book -o vh.csv --errors eh.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	first=$(sed -n 2p "$DATA/trades.csv" | cut -d, -f1)
	grep -q "^$first,ing.h5: row 1: column 'book': invalid UTF-8 '\\\\xff" eh.csv || fail "$(cat eh.csv)"
	[ "$(wc -l < eh.csv)" -eq 2 ]
}

@test "book: the trade lifecycle of qe-ingest: a trade whose versions break it is not priced" {
	h=$(head -1 "$DATA/trades.csv" | cut -d, -f1-26)
	r='2026-11-02,B,t,C,future,NG_HH,buy,1,lots,3,USD,2027-03-01,2027-03-31,,,,,,,,,,'
	printf '%s\n' "$h" "A,1,new,$r" "A,1,amend,$r" "B,1,new,$r" "B,2,cancel,$r" "B,3,amend,$r" \
		"C,2,amend,$r" "D,1,new,$r" "D,1,new,$r" "E,1,new,$r" "E,3,amend,$r" "F,1,new,$r" \
		"F,2,cancel,$r" "G,1,new,$r" "G,2,amend,$r" "G,1,cancel,$r" > lc.csv
	TRADES=lc.csv run_split book -o v.csv --errors e.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	run cat e.csv
	assert_line --index 1 "A,lc.csv:3:2: column 'version': version must be above 1 (the live version) '1'"
	assert_line --index 2 "B,lc.csv:6:1: column 'trade_id': amendment of a cancelled trade 'B'"
	assert_line --index 3 "C,lc.csv:7:1: column 'trade_id': amendment of an unknown trade 'C'"
	assert_line --index 4 "D,lc.csv:9:1: column 'trade_id': duplicate trade_id (status new for an existing trade) 'D'"
	assert_line --index 5 "G,lc.csv:16:2: column 'version': version must be at least 2 (the live version) '1'"
	[ "$(wc -l < e.csv)" -eq 6 ]
	# E is live at version 3, F cancelled: what qe-ingest's live book holds
	[ "$(sed 1d v.csv | cut -d, -f1)" = "E" ] || fail "$(cat v.csv)"
	[[ "$stderr" == *"5 trades could not be priced (first: trade A: lc.csv:3:2: "* ]] || fail "$stderr"
	# qe-ingest rejects the same records for the same reasons
	qe-ingest trades lc.csv --markets "$DATA/markets.csv" --rejects rej.csv > /dev/null 2>&1 || true
	[ "$(sed 1d rej.csv | cut -d, -f1,2,4 | tr '\n' ' ')" = "$(sed 1d e.csv | sed 's/^[A-Z],lc.csv:\([0-9]*\):[0-9]*: column .\([a-z_]*\).: \(.*\) .[^ ]*.$/\1,\2,\3/' | tr '\n' ' ')" ] ||
		fail "$(cat rej.csv e.csv)"
}

@test "formula: options may follow the input file" {
	printf 'type,forward,strike,vol,rate,expiry\ncall,100,100,0.2,0.01,1\n' > in.csv
	run qe-price formula black76 in.csv -o out.csv -q
	assert_success
	run qe-price formula black76 in.csv
	assert_success
	[ "$(cat out.csv)" = "$output" ]
	run qe-price formula black76 in.csv --bogus
	[ "$status" -eq 2 ]
}

@test "book: the outputs are committed together; one that fails leaves every previous file, no temporary file" {
	for f in v s l e; do echo "old $f" > $f.csv; done
	run_split book -o v.csv --sensitivities s.csv --ladder /dev/full --errors e.csv
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"/dev/full"* ]] || fail "$stderr"
	run_split book -o v.csv --sensitivities s.csv --ladder l.csv --errors nodir/e.csv
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"nodir/e.csv"* ]] || fail "$stderr"
	# a failing errors file is reported, never silent, and replaces nothing
	run_split book -o v.csv --sensitivities s.csv --ladder l.csv --errors /dev/full
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"/dev/full: write error"* ]] || fail "$stderr"
	for args in "-o /dev/full --sensitivities s.csv --ladder l.csv --errors e.csv" \
		"-o v.csv --sensitivities /dev/full --ladder l.csv --errors e.csv"; do
		run_split book $args
		[ "$status" -eq 4 ] || fail "$args: exit $status"
		[[ "$stderr" == *"/dev/full: write error"* ]] || fail "$args: $stderr"
	done
	for f in v s l e; do [ "$(cat $f.csv)" = "old $f" ] || fail "$f.csv replaced by a failed run"; done
	run_split book --to h5 -o v.h5 --sensitivities s.h5 --ladder /dev/full
	[ "$status" -eq 4 ]
	assert_file_not_exist v.h5
	assert_file_not_exist s.h5
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
	book -o v.csv --sensitivities s.csv --ladder l.csv --errors e.csv
	[ "$(head -1 l.csv)" = "book,curve,month,delta,unit" ]
	[ "$(cat e.csv)" = "trade_id,reason" ]
}

@test "book: replaced outputs keep their mode (0600 stays 0600), CSV and HDF5; new ones are 0666 less the umask" {
	for f in v.csv s.csv l.csv e.csv v.h5 s.h5; do echo old > $f; chmod 600 $f; done
	(umask 022 && book -o v.csv --sensitivities s.csv --ladder l.csv --errors e.csv)
	(umask 022 && book --to h5 -o v.h5 --sensitivities s.h5)
	for f in v.csv s.csv l.csv e.csv v.h5 s.h5; do
		[ "$(cat $f)" != old ] || fail "$f not replaced"
		[ "$(stat -c %a $f)" = 600 ] || fail "$f: mode $(stat -c %a $f) after the run, was 600"
	done
	(umask 022 && book -o nv.csv --to h5 --sensitivities ns.h5)
	[ "$(stat -c %a nv.csv)" = 644 ] && [ "$(stat -c %a ns.h5)" = 644 ] ||
		fail "new files under umask 022: $(stat -c '%n %a' nv.csv ns.h5)"
	rm nv.csv ns.h5
	(umask 077 && book -o nv.csv --to h5 --sensitivities ns.h5)
	[ "$(stat -c %a nv.csv)" = 600 ] && [ "$(stat -c %a ns.h5)" = 600 ] ||
		fail "new files under umask 077: $(stat -c '%n %a' nv.csv ns.h5)"
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
}

@test "book: SIGTERM or SIGINT during a run on a big book leaves the previous outputs and no temporary file" {
	qe-synth -q --calendars "$DATA/calendars" --trades 60000 -d big
	for sig in TERM INT; do
		mkdir "$sig"
		for f in v s l e; do echo "old $f" > "$sig/$f.csv"; done
		start_interruptible qe-price -q --asof 2026-11-25 --trades big/trades.csv \
			--curves big/curves.csv --vols big/vols.csv --rates big/rates.csv \
			--markets big/markets.csv --fixings big/fixings.csv --calendars "$DATA/calendars" \
			-o "$sig/v.csv" --sensitivities "$sig/s.csv" --ladder "$sig/l.csv" --errors "$sig/e.csv"
		wait_temps "$sig" 4
		kill -"$sig" "$bg_pid"
		wait "$bg_pid" && st=0 || st=$?
		[ "$st" -eq $((128 + $(kill -l "$sig"))) ] || fail "SIG$sig: exit $st"
		[ "$(ls -A "$sig" | tr '\n' ' ')" = "e.csv l.csv s.csv v.csv " ] || fail "SIG$sig left: $(ls -A "$sig")"
		for f in v s l e; do [ "$(cat "$sig/$f.csv")" = "old $f" ] || fail "SIG$sig: $f.csv replaced"; done
	done
}

@test "book: progress on a terminal (MB of the inputs read) for a run over a second; never with -q or to a file" {
	qe-synth -q --calendars "$DATA/calendars" --trades 200000 -d big
	P="qe-price --asof 2026-11-25 --trades big/trades.csv --curves big/curves.csv --vols big/vols.csv --rates big/rates.csv --markets big/markets.csv --fixings big/fixings.csv --calendars $DATA/calendars -o v.csv"
	on_tty "QE_PROGRESS_DELAY=0 $P"
	assert_success
	[[ "$output" == *$'\r'"qe-price: read "*" MB"* ]] || fail "no progress: $output"
	[[ "$output" == *$'\r'"qe-price: "*" trades priced"* ]] || fail "line not cleared: $output"
	on_tty "$P -q"
	[[ "$output" != *"qe-price: read"* ]] || fail "-q: $output"
	on_tty "$P 2> err.txt"
	[[ "$output" != *"qe-price: read"* ]] && ! grep -q "qe-price: read" err.txt || fail "stderr to a file"
}

# ivoracle_run MODEL: the grid of tests/price/ivoracle.py (premia from the
# true vol by mpmath at 60 digits) through qe-price formula MODEL-iv.
ivoracle_run() {
	local model=$1
	/usr/bin/python3 "$QE_TOP/tests/price/ivoracle.py" gen "$model" > cases.csv || fail "ivoracle gen failed"
	qe-price formula "$model-iv" cases.csv > out.csv || fail "qe-price exited $?"
	run /usr/bin/python3 "$QE_TOP/tests/price/ivoracle.py" check "$model" out.csv
	echo "$output"
	assert_success
}

@test "iv: black76-iv reprices to 1e-14 and finds the true vol to 1e-12 (conditioning allowed) over a deep ITM/OTM grid, vs mpmath" {
	ivoracle_run black76
}

@test "iv: bachelier-iv reprices to 1e-14 and finds the true vol to 1e-12 (conditioning allowed) over a grid, vs mpmath" {
	ivoracle_run bachelier
}

@test "iv: a price outside the no-arbitrage bounds is reported with file:line:col and skipped, exit 3" {
	printf 'type,forward,strike,rate,expiry,price\ncall,100,100,0,1,8\ncall,100,100,0,1,100\nput,100,120,0,1,19.5\ncall,100,90,0,0,10.5\nput,100,100,0,1,7.9655674554057976\n' > c.csv
	run qe-price formula black76-iv -o out.csv c.csv
	assert_failure 3
	assert_line --partial "c.csv:3:6: column 'price': price at or above the no-arbitrage upper bound '100'"
	assert_line --partial "c.csv:4:6: column 'price': price below the discounted intrinsic value '19.5'"
	assert_line --partial "c.csv:5:6: column 'price': time value at zero expiry '10.5'"
	[ "$(wc -l < out.csv)" -eq 3 ]
	run qe-price formula bachelier-iv c.csv
	assert_failure 3
	assert_line --partial "c.csv:4:6: column 'price': price below the discounted intrinsic value '19.5'"
}

@test "iv: a premium equal to the intrinsic value gives vol 0; the vol column appended" {
	printf 'type,forward,strike,rate,expiry,price\ncall,100,90,0,1,10\nput,100,90,0,1,0\n' > c.csv
	run qe-price formula black76-iv c.csv
	assert_success
	assert_line 'type,forward,strike,rate,expiry,price,vol'
	assert_line 'call,100,90,0,1,10,0'
	assert_line 'put,100,90,0,1,0,0'
}

# book_args DIR: the market inputs of a qe-synth directory.
book_args() {
	echo --asof 2026-11-25 --calendars "$DATA/calendars" --curves "$1/curves.csv" \
		--vols "$1/vols.csv" --rates "$1/rates.csv" --fixings "$1/fixings.csv" \
		--markets "$1/markets.csv"
}

# qe-price on the market of b and the trades mix.csv (some bad: exit 3),
# streamed at 1 and 2 threads (v1.csv ... e2.csv) and from stdin, which is
# read once, the whole book in memory (valuation_price/write): the same
# bytes in every output.
streamed_is_in_memory() {
	for n in 1 2; do
		run_split env OMP_NUM_THREADS=$n qe-price $(book_args b) --trades mix.csv -o v$n.csv \
			--sensitivities s$n.csv --ladder l$n.csv --errors e$n.csv
		[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	done
	run_split qe-price $(book_args b) --trades - -o vm.csv --sensitivities sm.csv \
		--ladder lm.csv --errors em.csv < mix.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	sed -e 's/\([,"]\)-:/\1mix.csv:/' -e 's/"<stdin>:/"mix.csv:/' em.csv > em2.csv
	for k in v s l e; do
		cmp ${k}1.csv ${k}2.csv || fail "$k: 1 and 2 threads differ"
	done
	cmp v1.csv vm.csv && cmp s1.csv sm.csv && cmp l1.csv lm.csv && cmp e1.csv em2.csv
}

@test "book: streamed in blocks, the outputs are those of the in-memory path at 1 and 2 threads, amends far from their trades" {
	qe-synth -q --seed 3 --trades 40000 --history-days 30 --calendars "$DATA/calendars" -d b
	# amends and cancels moved far from their trades (across blocks), and
	# rows rejected at, after and before the id
	/usr/bin/python3 - <<'PY'
import csv, random
rows = list(csv.reader(open("b/trades.csv")))
h, body = rows[0], rows[1:]
st, q = h.index("status"), h.index("quantity")
first = [r for r in body if r[st] == "new"]
later = [r for r in body if r[st] != "new"]
assert len(later) > 1000, len(later)
random.seed(1)
out = first[:]
for r in later:
    out.insert(random.randrange(len(out) // 3, len(out) + 1), r)
b = list(out[5]); b[0] = " bad"; out.insert(100, b)
b = list(out[7]); b[q] = "-3"; out.insert(20000, b)
out.insert(30000, list(out[9]))
out.insert(400, out[11][:3])
with open("mix.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n"); w.writerow(h); w.writerows(out)
PY
	streamed_is_in_memory
	[ "$(wc -l < v1.csv)" -gt 38000 ] && [ "$(wc -l < e1.csv)" -gt 100 ]
	grep -q '^line 102,mix.csv:102:1:' e1.csv && grep -q 'amendment of a cancelled trade' e1.csv
}

@test "book: the fast trades reader hands quoted lines to csvio: same bytes at 1 and 2 threads and as the in-memory path" {
	qe-synth -q --seed 7 --trades 20000 --history-days 30 --calendars "$DATA/calendars" -d b
	# blank lines, a CRLF line, rows with the wrong field count early and
	# late, then from row 15000 on a quoted id, a quoted book with a comma
	# and a quoted field spanning a line end: the reader's fast path (no
	# quote) hands the rest to csvio at the first quote
	/usr/bin/python3 - <<'PY'
import csv
rows = list(csv.reader(open("b/trades.csv")))
h, body = rows[0], rows[1:]
bk = h.index("book")
lines = [",".join(h)]
bad = []
for i, r in enumerate(body):
    if i == 15000:
        r = list(r); r[0] = '"' + r[0] + '"'
        lines.append(",".join(r)); continue
    if i == 15010:
        r = list(r); r[bk] = '"DESK,' + r[bk] + '"'
        lines.append(",".join(r)); continue
    if i == 15020:
        r = list(r); r[bk] = '"A\nB"'
        lines.append(",".join(r)); continue
    lines.append(",".join(r))
    if i in (50, 16000):
        lines.append("")
    if i in (60, 17000):
        lines.append(",".join(r[:5]))
        bad.append(len(lines) + sum(l.count("\n") for l in lines))  # physical line
lines[300] += "\r"
open("mix.csv", "w", newline="").write("\n".join(lines) + "\n")
open("bad.txt", "w").write("%d %d\n" % tuple(bad))
PY
	[ "$(sed -n 301p mix.csv | tr -cd '\r' | wc -c)" -eq 1 ] || fail "no CRLF line"
	read -r bad1 bad2 < bad.txt
	streamed_is_in_memory
	# the bad rows before and after the hand-over, at their lines
	grep -q "^line $bad1,\"mix.csv:$bad1:6: expected 29 fields, found 5\"" e1.csv || fail "$(head -5 e1.csv)"
	grep -q "^line $bad2,\"mix.csv:$bad2:6: expected 29 fields, found 5\"" e1.csv || fail "$(head -5 e1.csv)"
	grep -q '^[^,]*,"\?DESK,' v1.csv || grep -q ',"DESK,' v1.csv || fail "quoted book lost"
	[ "$(wc -l < v1.csv)" -gt 18000 ]
}

@test "book: 200,000 trades are priced in under 150 MB of peak RSS (memory flat in the book size)" {
	qe-synth -q --seed 5 --trades 200000 --history-days 30 --calendars "$DATA/calendars" -d b
	# under make sanitize, AddressSanitizer's quarantine of freed memory
	# (256 MB) is turned off for this run, so that RSS is the tool's
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
		/usr/bin/time -f 'rss %M' qe-price -q $(book_args b) --trades b/trades.csv -o v.csv \
		--sensitivities s.csv --ladder l.csv --errors e.csv
	assert_success
	rss=$(sed -n 's/^rss //p' <<< "$output")
	[ "$(wc -l < v.csv)" -gt 190000 ] || fail "$(wc -l < v.csv) valuations"
	[ "$rss" -lt 150000 ] || fail "peak RSS $rss KB"
}

@test "spread correlation: -H gives Kirk each pair's history correlation (numpy corrcoef); --spread-corr overrides" {
	{ head -1 "$DATA/trades.csv"; grep -E '^T0000001[1],|^T00000029,' "$DATA/trades.csv"; } > t.csv
	[ "$(wc -l < t.csv)" -eq 3 ]
	args=(--asof 2026-11-25 --trades t.csv --curves "$DATA/curves.csv" --vols "$DATA/vols.csv"
	      --rates "$DATA/rates.csv" --markets "$DATA/markets.csv" --fixings "$DATA/fixings.csv")
	run_split qe-price "${args[@]}" -H "$DATA/history.csv" -o h.csv
	assert_success
	echo "$stderr" > info.txt
	run "$PYORACLE" - "$DATA/history.csv" <<'PY'
import csv, re, sys, numpy as np
absret = {r["curve"] for r in csv.DictReader(open(sys.argv[1].replace("history.csv", "markets.csv"))) if r["returns"] == "abs"}
px = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["tenor"] == "1" and r["date"] <= "2026-11-25":
        px.setdefault(r["curve"], {})[r["date"]] = float(r["price"])
def rho(a, b):
    d = sorted(set(px[a]) & set(px[b]))
    def ret(c):
        p = np.array([px[c][x] for x in d])
        return np.diff(p) if c in absret else np.diff(np.log(p))
    return np.corrcoef(ret(a), ret(b))[0, 1], len(d) - 1
lines = open("info.txt").read()
got = dict((tuple(sorted((m[0], m[1]))), (float(m[2]), int(m[3])))
           for m in re.findall(r"Kirk correlation (\w+)/(\w+) (-?[0-9.]+) from (\d+) returns", lines))
assert set(got) == {("CL_WTI", "HO_ULSD"), ("DE_PEAK", "TTF")}, lines
with open("rho.txt", "w") as f:
    for (a, b), (r, n) in sorted(got.items()):
        want, nw = rho(a, b)
        assert n == nw and abs(r - want) < 5e-7, (a, b, r, want, n, nw)
        assert abs(want - 0.8) > 0.01
        f.write("%s %s %.17g\n" % (a, b, want))
print("ok")
PY
	assert_success
	# each trade priced with its pair's numpy correlation gives the same NPV
	while read -r a b r; do
		grep -E "^trade_id|,($a|$b),.*,($a|$b)," t.csv > one.csv
		qe-price "${args[@]/t.csv/one.csv}" --spread-corr "$r" -q -o want.csv
		qe-price "${args[@]/t.csv/one.csv}" -H "$DATA/history.csv" -q -o got.csv
		qe-price "${args[@]/t.csv/one.csv}" -q -o const.csv
		run "$PYORACLE" - <<'PY'
import csv
g, w, c = (next(csv.DictReader(open(f))) for f in ("got.csv", "want.csv", "const.csv"))
assert g["model"] == "kirk"
assert abs(float(g["npv"]) - float(w["npv"])) <= 1e-9 * abs(float(w["npv"])), (g, w)
assert float(g["npv"]) != float(c["npv"]), (g, c)
PY
		assert_success
	done < rho.txt
	# an explicit --spread-corr wins over -H, and says nothing of the history
	run_split qe-price "${args[@]}" -H "$DATA/history.csv" --spread-corr 0.8 -o o.csv
	assert_success
	[[ "$stderr" != *"Kirk correlation"* ]] || fail "$stderr"
	qe-price "${args[@]}" --spread-corr 0.8 -q -o c.csv
	cmp o.csv c.csv
	run_split qe-price "${args[@]}" -H nosuch.csv
	[ "$status" -eq 4 ]
}
