#!/usr/bin/env bats
# qe-report: position, risk and summary.  Expected sums, lots (shape hours
# counted by python's zoneinfo), utilisations and rankings are computed
# here by Debian's python, never taken from qe-report's own output.

load helpers

# A ladder over three books: DE_BASE in the DST months (743 and 745 hours),
# TTF gas days, NG in MMBtu (lots of 10,000; MWh in the gas roll-up), EUA.
ladder() {
	cat > ladder.csv <<'CSV'
book,curve,month,delta,unit
A,DE_BASE,2027-03,7430,MWh
B,DE_BASE,2027-03,-743,MWh
A,DE_BASE,2027-10,1490,MWh
A,TTF,2027-10,74500,MWh
B,NG_HH,2027-10,-250000,MMBtu
C,NG_HH,2027-10,30000,MMBtu
C,EUA,2027-12,-12345.5,t
CSV
	cat > prev.csv <<'CSV'
book,curve,month,delta,unit
A,DE_BASE,2027-03,5000,MWh
A,TTF,2027-10,74500,MWh
A,CL_WTI,2027-01,1000,bbl
CSV
}

@test "position: sums over books, lots by shape hours and lot size, gas roll-up in MWh, change (python)" {
	ladder
	run_split qe-report position -l ladder.csv -m "$DATA/markets.csv" --prev prev.csv -o pos.csv
	assert_success
	"$PYORACLE" - "$DATA/markets.csv" <<'PY'
import csv, sys, datetime as dt
from zoneinfo import ZoneInfo
mk = {r['curve']: r for r in csv.DictReader(open(sys.argv[1]))}
def hours(zone, y, m, gasday):
    # hours of the local days of month m (gas days run 06:00 to 06:00)
    z = ZoneInfo(zone); h0 = 6 if gasday else 0
    a = dt.datetime(y, m, 1, h0, tzinfo=z)
    b = dt.datetime(y + (m == 12), m % 12 + 1, 1, h0, tzinfo=z)
    return round((b.astimezone(dt.timezone.utc) - a.astimezone(dt.timezone.utc)).total_seconds() / 3600)
def agg(path):
    s = {}
    for r in csv.DictReader(open(path)):
        k = (r['curve'], r['month']); s[k] = s.get(k, 0.0) + float(r['delta'])
    return s
now, prev = agg('ladder.csv'), agg('prev.csv')
rows = list(csv.DictReader(open('pos.csv')))
cur = {(r['curve'], r['month']): r for r in rows if r['level'] == 'curve'}
assert set(cur) == set(now) | set(prev), sorted(cur)
for k, r in cur.items():
    m = mk[k[0]]; d = now.get(k, 0.0); p = prev.get(k, 0.0)
    assert r['unit'] == m['unit'] and r['commodity'] == m['commodity'], r
    lot = float(m['lot_size'])
    if m['unit'] == 'MWh' and m['shape']:
        y, mo = map(int, k[1].split('-'))
        lot *= hours(m['timezone'], y, mo, m['shape'] == 'gasday')
    assert abs(float(r['delta']) - d) <= 1e-9 * max(1, abs(d)), (r, d)
    assert abs(float(r['lots']) - d / lot) <= 1e-12 * max(1, abs(d / lot)), (r, d / lot)
    assert abs(float(r['prev_delta']) - p) <= 1e-9 * max(1, abs(p)) and abs(float(r['change']) - (d - p)) <= 1e-9 * max(1, abs(d)), r
# DE_BASE March 2027 has 743 hours, October 745 (DOMAIN.md)
assert float(cur[('DE_BASE', '2027-03')]['lots']) == 6687 / 743
assert float(cur[('DE_BASE', '2027-10')]['lots']) == 2.0
com = {(r['commodity'], r['month']): r for r in rows if r['level'] == 'commodity'}
g = com[('gas', '2027-10')]
assert g['unit'] == 'MWh' and g['lots'] == '' and g['curve'] == '', g
want = 74500 + (-250000 + 30000) / 3.412141633
assert abs(float(g['delta']) - want) < 1e-6, (g, want)
assert abs(float(com[('crude', '2027-01')]['change']) - (-1000)) < 1e-9
# the curves of a commodity come before its roll-up, commodities sorted
order = [(r['commodity'], r['level']) for r in rows]
assert order == sorted(order, key=lambda x: (x[0], x[1] == 'commodity')), order
PY
	[[ "$stderr" == *"position rows"* ]] || fail "$stderr"
}

@test "position: without --prev the prev_delta and change columns are empty" {
	ladder
	run_split qe-report position -l ladder.csv -m "$DATA/markets.csv" -q
	assert_success
	[ "${lines[0]}" = "level,commodity,curve,month,unit,delta,lots,prev_delta,change" ]
	[[ "${lines[1]}" == curve,carbon,EUA,2027-12,t,-12345.5,-12.3455,, ]] || fail "${lines[1]}"
	[ -z "$stderr" ]
}

@test "position: bad input names file, line and column (exit 3); usage exit 2; /dev/full exit 4" {
	ladder
	sed 's/^A,TTF,/A,NOPE,/' ladder.csv > l1.csv
	run_split qe-report position -l l1.csv -m "$DATA/markets.csv"
	assert_failure 3
	one_diagnostic l1.csv "5:2" "curve 'NOPE' is not in"
	sed 's/^C,EUA,2027-12,-12345.5,t/C,EUA,2027-12,-12345.5,MWh/' ladder.csv > l2.csv
	run_split qe-report position -l l2.csv -m "$DATA/markets.csv"
	assert_failure 3
	one_diagnostic l2.csv "8:5" "unit 'MWh'"
	sed 's/2027-10,1490/2027-13,1490/' ladder.csv > l3.csv
	run_split qe-report position -l l3.csv -m "$DATA/markets.csv"
	assert_failure 3
	one_diagnostic l3.csv "4:3" "not a month"
	for bad in nan inf 1e999 x; do
		sed "s/,-743,/,$bad,/" ladder.csv > l4.csv
		run_split qe-report position -l l4.csv -m "$DATA/markets.csv"
		assert_failure 3
		one_diagnostic l4.csv "3:4" "column 'delta'"
	done
	cut -d, -f1-3,5 ladder.csv > l5.csv
	run_split qe-report position -l l5.csv -m "$DATA/markets.csv"
	assert_failure 3
	[[ "$stderr" == *"l5.csv:1:1: missing required column 'delta'"* ]] || fail "$stderr"
	: > empty.csv
	run_split qe-report position -l empty.csv -m "$DATA/markets.csv"
	assert_failure 3
	[[ "$stderr" == *empty.csv* ]] || fail "$stderr"
	run_split qe-report position -l nope.csv -m "$DATA/markets.csv"
	assert_failure 4
	run_split qe-report position -l ladder.csv -m "$DATA/markets.csv" -o /dev/full
	assert_failure 4
	run_split qe-report position -l ladder.csv -m "$DATA/markets.csv" -o out.csv extra
	assert_failure 2
	run_split qe-report position -l ladder.csv
	assert_failure 2
	[ ! -e out.csv ]
}

# VaR results with a limit met exactly, one above, one in another currency.
risk_files() {
	cat > var.csv <<'CSV'
portfolio,method,alpha,horizon,scenarios,var,es,currency,asof
total,hs,0.99,1d,500,900,1000,USD,2026-11-25
A,hs,0.99,1d,500,100,120,USD,2026-11-25
B,hs,0.99,1d,500,200.5,250,EUR,2026-11-25
C,hs,0.975,1d,500,50,60,USD,2026-11-25
C,param,0.975,1d,500,70,,USD,2026-11-25
D,hs,0.99,10d,500,400,500,USD,2026-11-25
CSV
	cat > limits.csv <<'CSV'
limit_id,type,scope,key,metric,limit,unit
L1,var,book,A,var_99_1d,100,USD
L2,var,book,B,var_99_1d,210,USD
L3,var,book,C,var_97.5_1d,49.99,USD
L4,var,firm,firm,var_99_1d,1000,USD
L5,position,curve,NG_HH,net_delta,5,MMBtu
CSV
	printf 'currency,rate\nUSD,1\nEUR,1.05\n' > fx.csv
}

@test "risk: VaR against limits - at the limit is inside, above is a breach, FX converts the limit (exit 1)" {
	risk_files
	run_split qe-report risk --var var.csv -l limits.csv --fx fx.csv -o r.csv
	assert_failure 1
	[[ "$stderr" == *"2 VaR limit breaches"* ]] || fail "$stderr"
	"$PYORACLE" - <<'PY'
import csv
rows = {(r['section'], r['portfolio'], r['item'], r['currency']): r for r in csv.DictReader(open('r.csv'))}
a = rows[('var', 'A', 'var_99_1d', 'USD')]
assert a['status'] == 'ok' and float(a['utilisation']) == 1.0, a
b = rows[('var', 'B', 'var_99_1d', 'EUR')]   # 210 USD = 200 EUR: 200.5 is above
assert abs(float(b['limit']) - 210 / 1.05) < 1e-12, b
assert b['status'] == 'breach', b
assert abs(float(b['utilisation']) - 200.5 / (210 / 1.05)) < 1e-12, b
c = rows[('var', 'C', 'var_97.5_1d', 'USD')]
assert c['status'] == 'breach' and c['limit'] == '49.99', c
t = rows[('var', 'total', 'var_99_1d', 'USD')]
assert t['status'] == 'ok' and float(t['utilisation']) == 0.9, t
d = rows[('var', 'D', 'var_99_10d', 'USD')]
assert d['status'] == 'no limit' and d['limit'] == '', d
assert ('var', 'C', 'var_97.5_1d', 'USD') in rows and not any(k[1] == 'C' and r['value'] == '70' for k, r in rows.items())
assert rows[('es', 'A', 'es_99_1d', 'USD')]['value'] == '120'
assert ('es', 'C', 'es_97.5_1d', 'USD') in rows
PY
	# the same limits, B just inside: exit 0
	sed -i 's/^L2,var,book,B,var_99_1d,210,USD/L2,var,book,B,var_99_1d,210.525,USD/; s/49.99/50/' limits.csv
	run_split qe-report risk --var var.csv -l limits.csv --fx fx.csv -o r.csv
	assert_success
	# param rows on request; without --fx a limit in another currency is said so
	run_split qe-report risk --var var.csv -l limits.csv --method param
	assert_failure 1
	[[ "$output" == *"var,C,var_97.5_1d,70,50,1.4,USD,breach"* ]] || fail "$output"
	run_split qe-report risk --var var.csv -l limits.csv
	[[ "$output" == *"var,B,var_99_1d,200.5,,,EUR,no FX rate"* ]] || fail "$output"
}

@test "risk: bundled book - sections, zones and the top component contributors (python)" {
	qe-price --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" \
		--rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv" \
		-o val.csv --sensitivities sens.csv -q
	qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv -a 0.975,0.99 --by book -q -o var.csv
	qe-var stress -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv --shocks "$QE_TOP/pipelines/var-shocks.csv" \
		--worst -q -o stress.csv
	qe-var components -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv -a 0.99 -q -o comp.csv
	run_split qe-report risk --var var.csv -l "$DATA/limits.csv" --fx "$DATA/fx.csv" --stress stress.csv \
		--components comp.csv --top 3 -o r.csv
	[ "$status" -le 1 ] || fail "$stderr"
	"$PYORACLE" - "$DATA/limits.csv" <<'PY'
import csv, sys
var = list(csv.DictReader(open('var.csv')))
lim = [l for l in csv.DictReader(open(sys.argv[1])) if l['type'] == 'var']
fx = {r['currency']: float(r['rate']) for r in csv.DictReader(open(sys.argv[1].replace('limits', 'fx')))}
out = list(csv.DictReader(open('r.csv')))
v = [r for r in out if r['section'] == 'var']
assert len(v) == sum(r['method'] == 'hs' for r in var)
for r, src in zip(v, [x for x in var if x['method'] == 'hs']):
    assert r['portfolio'] == src['portfolio'] and r['value'] == src['var'], (r, src)
    metric = 'var_%g_%s' % (float(src['alpha']) * 100, src['horizon'])
    L = [l for l in lim if l['metric'] == metric and ((l['scope'] == 'book' and l['key'] == src['portfolio']) or (l['scope'] == 'firm' and src['portfolio'] == 'total'))]
    if not L:
        assert r['status'] == 'no limit', r; continue
    limit = float(L[0]['limit']) * fx[L[0]['unit']] / fx[src['currency']]
    assert abs(float(r['limit']) - limit) <= 1e-9 * limit, (r, limit)
    assert r['status'] == ('breach' if float(src['var']) > limit else 'ok'), r
comp = [c for c in csv.DictReader(open('comp.csv'))]
for level in ('group', 'factor'):
    want = sorted([c for c in comp if c['level'] == level], key=lambda c: -abs(float(c['component'])))[:3]
    got = [r for r in out if r['section'] == 'component' and r['item'].startswith(level + ':')]
    assert [r['item'] for r in got] == [level + ':' + c['name'] for c in want], (got, want)
st = [r for r in out if r['section'] == 'stress']
src = list(csv.DictReader(open('stress.csv')))
assert len(st) == len(src) > 0
for r, x in zip(st, src):
    p, _, ccy = x['portfolio'].partition('/')
    assert (r['portfolio'], r['item'], r['value'], r['currency']) == (p, x['scenario'], x['pnl'], ccy), (r, x)
    assert r['status'] == ('loss' if float(x['pnl']) < 0 else 'gain'), r
PY
}

@test "risk: bad input is exit 3 at file:line:column, a missing --var is usage (exit 2)" {
	risk_files
	sed 's/^A,hs,0.99,1d,500,100,/A,hs,0.99,1d,500,abc,/' var.csv > v1.csv
	run_split qe-report risk --var v1.csv -l limits.csv
	assert_failure 3
	one_diagnostic v1.csv "3:6" "column 'var'"
	sed 's/^A,hs,0.99,/A,hs,1.5,/' var.csv > v2.csv
	run_split qe-report risk --var v2.csv
	assert_failure 3
	one_diagnostic v2.csv "3:3" "not in (0, 1)"
	sed 's/^L1,var,book,A,var_99_1d,100,/L1,var,book,A,var_99_1d,NaN,/' limits.csv > l1.csv
	run_split qe-report risk --var var.csv -l l1.csv
	assert_failure 3
	one_diagnostic l1.csv "2:6" "column 'limit'"
	cut -d, -f1-5 var.csv > v3.csv
	run_split qe-report risk --var v3.csv
	assert_failure 3
	[[ "$stderr" == *"v3.csv:1:1: missing required column"* ]] || fail "$stderr"
	run_split qe-report risk -l limits.csv
	assert_failure 2
	run_split qe-report risk --var var.csv --top 0
	assert_failure 2
	run_split qe-report risk --var var.csv -o /dev/full
	assert_failure 4
}

summary_inputs() {
	risk_files
	qe-report risk --var var.csv -l limits.csv --fx fx.csv -o r.csv -q || true
	ladder
	qe-report position -l ladder.csv -m "$DATA/markets.csv" -o p.csv -q
	cat > b.csv <<'CSV'
asof,rule_set,rule,severity,entity_type,entity_id,value,limit,utilisation,message
2026-11-25,limits,var,breach,book,B,1,1,1,x
2026-11-25,sharia,debt,breach,counterparty,CP1,1,1,1,x
2026-11-25,sharia,debt,breach,counterparty,CP2,1,1,1,x
2026-11-25,quality,lei,warning,counterparty,CP3,,,,x
2026-11-25,limits,unchecked,info,trader,t,,,,x
CSV
}

@test "summary: at most 80 columns, breaches counted per rule set, positions by lots, exit 1 on alerts" {
	summary_inputs
	run_split qe-report summary --risk r.csv --position p.csv --breaches b.csv -d 2026-11-25
	assert_failure 1
	[ "${lines[0]}" = "QuantaEnergi end of day 2026-11-25" ]
	printf '%s\n' "$output" | awk 'length > 80 { print; bad = 1 } END { exit bad }' || fail "a line over 80 columns"
	[[ "$output" != *$'\033'* ]] || fail "colour when stdout is not a terminal"
	[[ "$output" == *"Compliance: breach 3, warning 1, info 1"* ]] || fail "$output"
	[[ "$output" == *"sharia"*"2 breaches"* ]] || fail "$output"
	[[ "$output" == *"limits"*"1 breach"* ]] || fail "$output"
	# C is 50 USD against 49.99: 100.0% used, BREACH in words
	printf '%s\n' "$output" | grep -E '^C +var_97.5_1d +50 USD +50 +100\.0% BREACH$' || fail "$output"
	# the largest position in lots first: NG 2027-10 is -22 lots, TTF 2027-10 100 MW
	printf '%s\n' "$output" | grep -A1 '^Largest positions' | tail -1 | grep -q 'TTF  *2027-10  *100 lots  *74,500 MWh' || fail "$output"
	# thousands separators
	[[ "$output" == *"-12,346 t"* ]] || fail "$output"
}

@test "summary: colour only when asked or on a terminal without NO_COLOR; no alerts is exit 0" {
	summary_inputs
	run_split qe-report summary --risk r.csv --color always
	[[ "$output" == *$'\033[1;31mBREACH\033[0m'* ]] || fail "$output"
	on_tty "qe-report summary --risk r.csv"
	[[ "$output" == *$'\033['* ]] || fail "no colour on a terminal: $output"
	on_tty "NO_COLOR=1 qe-report summary --risk r.csv"
	[[ "$output" != *$'\033['* ]] || fail "colour despite NO_COLOR: $output"
	printf 'section,portfolio,item,value,limit,utilisation,currency,status\nvar,A,var_99_1d,1,2,0.5,USD,ok\n' > ok.csv
	run_split qe-report summary --risk ok.csv
	assert_success
	run_split qe-report summary --risk ok.csv --color sometimes
	assert_failure 2
	run_split qe-report summary --risk ok.csv -o /dev/full
	assert_failure 4
	printf 'section,portfolio\nvar,A\n' > bad.csv
	run_split qe-report summary --risk bad.csv
	assert_failure 3
	[[ "$stderr" == *"bad.csv:1:1: missing required column"* ]] || fail "$stderr"
}

# The bundled book through qe-price, qe-var (hs by book, series) and
# qe-report risk/position, with a crafted breaches file.
bundled_reports() {
	qe-price --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" \
		--rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv" \
		-o val.csv --sensitivities sens.csv --ladder ladder.csv -q
	qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv -a 0.99 --by book -q -o var.csv
	qe-var series -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv -a 0.99 --window 250 --days 250 --portfolio total/USD \
		-q -o series.csv
	qe-var stress -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv --shocks "$QE_TOP/pipelines/var-shocks.csv" \
		-q -o stress.csv
	qe-report risk --var var.csv -l "$DATA/limits.csv" --fx "$DATA/fx.csv" --stress stress.csv -q -o risk.csv || true
	qe-report position -l ladder.csv -m "$DATA/markets.csv" -q -o pos.csv
	qe-report pnl -q --from 2026-11-24 --to 2026-11-25 -m "$DATA/markets.csv" --dir0 "$DATA/prev" --dir1 "$DATA" \
		-o pnl.csv -e explain.csv
	{
		echo 'asof,rule_set,rule,severity,entity_type,entity_id,value,limit,utilisation,message'
		for i in $(seq 1 30); do echo "2026-11-25,sharia,debt,breach,counterparty,CP$i,1,1,1,\"<b>&'x\"\" $i\""; done
		echo '2026-11-25,quality,lei,warning,counterparty,CPX,,,,bad lei'
	} > b.csv
}

@test "html: one self-contained file - no script, no request, escaped text, aggregated (python)" {
	bundled_reports
	run_split qe-report html --series series.csv --risk risk.csv --position pos.csv --breaches b.csv \
		-d 2026-11-25 -o dash.html
	assert_success
	[[ "$stderr" == *"dashboard: "*" bytes"* ]] || fail "$stderr"
	"$PYORACLE" - <<'PY'
import csv, re, html.parser
s = open('dash.html', encoding='utf-8').read()
assert len(s.encode()) < 2_000_000
for bad in ('<script', 'http://', 'https://', '@import', 'url(', '<link', ' src=', '<iframe', '<object'):
    assert bad not in s.lower(), bad
# well formed enough for a parser, the crafted markup escaped, 20 of 30 breaches listed
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.tags = []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
p = P(); p.feed(s)
assert "<b>&'x" not in s and 'script' not in p.tags, 'breach text was not escaped'
assert '&lt;b&gt;&amp;&#39;x&quot; 7' in s
assert s.count('<tr><td>sharia debt</td>') == 20 and '20 of 30 breaches shown' in s
ser = list(csv.DictReader(open('series.csv')))
exc = sum(float(r['pnl']) < -float(r['var']) for r in ser)
assert s.count('class=exception') == exc and ('%d exception' % exc) in s, exc
PY
	# a bigger breaches file or more days do not list more: the size is bounded
	for i in $(seq 31 5000); do echo "2026-11-25,sharia,debt,breach,counterparty,CP$i,1,1,1,m"; done >> b.csv
	qe-report html --risk risk.csv --position pos.csv --breaches b.csv -o big.html 2>/dev/null
	[ "$(stat -c %s big.html)" -lt $(( $(stat -c %s dash.html) + 1000 )) ] || fail "the page grew with the breaches"
}

@test "html: every chart renders in a real headless Chromium at 1280 and 390 pixels, offline, no console error, no horizontal scroll" {
	bundled_reports
	sf_opts
	qe-report html --series series.csv --pnl explain.csv --risk risk.csv --position pos.csv --breaches b.csv \
		"${SF_OPTS[@]}" --sentiment "$SF/daily.csv" -d 2026-11-25 -o dash.html 2>/dev/null
	"$PYORACLE" "$QE_TOP/tests/report/browser.py" dash.html 1280,390 shot > probe.json
	"$PYORACLE" - "$SF" <<'PY'
import csv, json, sys
sf = sys.argv[1]
pages = [json.loads(l) for l in open('probe.json')]
assert [p['width'] for p in pages] == [1280, 390]
ser = list(csv.DictReader(open('series.csv')))
exc = sum(float(r['pnl']) < -float(r['var']) for r in ser)
risk = list(csv.DictReader(open('risk.csv')))
limits = sum(r['section'] == 'var' and r['utilisation'] != '' for r in risk)
breach = sum(r['section'] == 'var' and r['status'] == 'breach' for r in risk)
stress = sum(r['section'] == 'stress' and r['portfolio'] == 'total' and r['currency'] == risk[0]['currency'] for r in risk)
pos = [r for r in csv.DictReader(open('pos.csv')) if r['level'] == 'curve']
months = sorted({r['month'] for r in pos})[:24]
cells = sum(r['month'] in months for r in pos)
for p in pages:
    w = p['width']
    assert not p.get('errors'), (w, p.get('errors'))
    assert not p.get('requests') and not p['resources'], (w, p.get('requests'), p['resources'])
    assert p['scrollWidth'] <= p['clientWidth'] == w, ('horizontal scroll', w, p['scrollWidth'])
    ch = {c['id']: c for c in p['charts']}
    assert sorted(ch) == ['chart-limits', 'chart-margin', 'chart-pnl', 'chart-positions', 'chart-stress',
                          'chart-var'], sorted(ch)
    for c in ch.values():
        assert c['w'] > 0.8 * min(w, 1100) - 60 and c['h'] > 50 and c['right'] <= w, (w, c['id'], c['w'], c['h'])
        assert c['inked'] > 0.02 and c['colours'] >= 3, ('blank chart', w, c['id'], c['inked'], c['colours'])
    v = ch['chart-var']
    assert v['pnl'] + v['exception'] == len(ser) and v['exception'] == exc, (v['pnl'], v['exception'], exc)
    assert ser[0]['date'] in v['texts'] and ser[-1]['date'] in v['texts']
    assert ch['chart-limits']['limit'] == limits and ch['chart-limits']['breach'] == breach > 0
    assert any('BREACH' in t for t in ch['chart-limits']['texts'])
    assert ch['chart-stress']['stress'] == stress > 0
    assert ch['chart-positions']['cell'] == cells > 0
    # the P&L waterfall: a bar per part and the total, each labelled, the total's value shown
    wf = ch['chart-pnl']
    assert wf['waterfall'] == 11, wf['waterfall']
    assert wf['parts'] == ['theta', 'delta', 'gamma', 'vega', 'fx', 'new', 'amended', 'cancelled', 'cash',
                           'unexplained', 'total'], wf['parts']
    allrow = [r for r in csv.DictReader(open('explain.csv')) if r['level'] == 'all'][0]
    assert '{:,}'.format(int(round(float(allrow['total']) / 1000))) in wf['texts'], (allrow['total'], wf['texts'])
    assert 'breach-counts' in p['tables'] and 'breach-rows' in p['tables']
    # the settlement and forecast panels: their tables, a bar per book, a line per series and commodity
    assert {'settle-totals', 'settle-dates', 'pay-held', 'margin-books', 'garch', 'sentiment'} <= set(p['tables'])
    assert ch['chart-margin']['margin'] == len(list(csv.DictReader(open(sf + '/margin.csv')))) > 0
    nser = len(list(csv.DictReader(open(sf + '/garch.csv'))))
    assert len(p['sparks']) == nser + len({r['commodity'] for r in csv.DictReader(open(sf + '/daily.csv'))})
    for k in p['sparks']:
        assert k['lines'] == 1 and k['w'] > 30 and k['h'] > 6 and k['right'] <= w, (w, k)
        assert k['inked'] > 0.02 and k['colours'] >= 2, ('blank line', w, k)
PY
	[ -s shot-1280.png ] && [ -s shot-390.png ]
}

@test "html: bad input is exit 3 at file:line:column, no input is usage (exit 2), /dev/full exit 4" {
	printf 'date,var,pnl\n2026-01-01,10,1\n2026-01-02,x,1\n' > s.csv
	run_split qe-report html --series s.csv -o d.html
	assert_failure 3
	one_diagnostic s.csv "3:2" "column 'var'"
	[ ! -e d.html ]
	run_split qe-report html -o d.html
	assert_failure 2
	printf 'date,var,pnl\n2026-01-01,10,1\n2026-01-02,10,-20\n' > s.csv
	run_split qe-report html --series s.csv -o /dev/full
	assert_failure 4
	run_split qe-report html --series s.csv
	assert_success
	[[ "$output" == *"1 exception</span> in 2 days"* ]] || fail "$output"
}

# qe-report pnl on the bundled book: D0 = data/prev (2026-11-24), D1 = data.
pnl_bundled() {
	run_split qe-report pnl --from 2026-11-24 --to 2026-11-25 -m "$DATA/markets.csv" \
		--dir0 "$DATA/prev" --dir1 "$DATA" -o pnl.csv -e explain.csv
	assert_success
}

@test "pnl: bundled book - the parts add to the total to the cent, roll-ups exact, residual under 1% (python)" {
	pnl_bundled
	"$PYORACLE" - pnl.csv explain.csv <<'PY'
import csv, sys
from collections import defaultdict
parts = ["theta", "delta", "gamma", "vega", "fx", "new", "amended", "cancelled", "cash", "unexplained"]
def c(x):  # cents, exactly, from a two-decimal string
    assert x.count(".") == 1 and len(x.split(".")[1]) == 2, x
    s = -1 if x.startswith("-") else 1
    a, b = x.lstrip("-").split(".")
    return s * (int(a) * 100 + int(b))
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) > 2000
sums = defaultdict(lambda: defaultdict(int))
for r in rows:
    assert sum(c(r[p]) for p in parts) == c(r["total"]), r
    # the total is the value change plus cash, to the cent
    assert c(r["total"]) == c(r["v1"]) + c(r["cash"]) - c(r["v0"]), r
    for lv, key in (("all", "all"), ("book", r["book"]), ("desk", r["desk"]), ("commodity", r["commodity"])):
        for p in parts + ["total"]:
            sums[(lv, key)][p] += c(r[p])
        sums[(lv, key)]["trades"] += 1
ex = list(csv.DictReader(open(sys.argv[2])))
seen = set()
for e in ex:
    if e["level"] == "risk_curve":
        assert c(e["total"]) == c(e["delta"]) + c(e["gamma"])
        continue
    k = (e["level"], e["key"])
    seen.add(k)
    assert int(e["trades"]) == sums[k]["trades"], k
    for p in parts + ["total"]:
        assert c(e[p]) == sums[k][p], (k, p, e[p], sums[k][p])
assert seen == set(sums), set(sums) ^ seen
# delta and gamma per risk curve add up to the book's
rc = [e for e in ex if e["level"] == "risk_curve"]
allrow = [e for e in ex if e["level"] == "all"][0]
assert sum(c(e["delta"]) for e in rc) == c(allrow["delta"])
assert sum(c(e["gamma"]) for e in rc) == c(allrow["gamma"])
tot, unx = c(allrow["total"]), c(allrow["unexplained"])
assert tot != 0 and abs(unx) < 0.01 * abs(tot), (unx, tot)
# the day has new, amended and cancelled trades, and they show
ch = defaultdict(int)
for r in rows:
    ch[r["change"]] += 1
assert ch["new"] >= 3 and ch["amended"] >= 3 and ch["cancelled"] >= 3, dict(ch)
for p in ("theta", "delta", "gamma", "vega", "fx", "new", "amended", "cancelled"):
    assert c(allrow[p]) != 0, p
PY
}

@test "pnl: each trade's P&L against two qe-price runs, futures as lots x lot size x the move (python)" {
	pnl_bundled
	qe-price -q --asof 2026-11-24 --trades "$DATA/prev/trades.csv" --curves "$DATA/prev/curves.csv" \
		--vols "$DATA/prev/vols.csv" --rates "$DATA/prev/rates.csv" --fixings "$DATA/prev/fixings.csv" \
		--markets "$DATA/markets.csv" -o val0.csv
	qe-price -q --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" \
		--vols "$DATA/vols.csv" --rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" \
		--markets "$DATA/markets.csv" -o val1.csv
	"$PYORACLE" - pnl.csv val0.csv val1.csv "$DATA" <<'PY'
import csv, sys
from decimal import Decimal, ROUND_HALF_UP
pnl, v0f, v1f, data = sys.argv[1:5]
def fx(path):
    return {r["currency"]: float(r["rate"]) for r in csv.DictReader(open(path))}
fx0, fx1 = fx(data + "/prev/fx.csv"), fx(data + "/fx.csv")
def vals(path):
    return {r["trade_id"]: (float(r["npv"]), r["currency"], r["instrument"]) for r in csv.DictReader(open(path))}
val0, val1 = vals(v0f), vals(v1f)
def cents(x):
    return int(Decimal(repr(x * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
rows = {r["trade_id"]: r for r in csv.DictReader(open(pnl))}
assert set(rows) == set(val0) | set(val1)
def c(x):
    return int(round(float(x) * 100))
n = 0
for tid, r in rows.items():
    a = cents(val0[tid][0] * fx0[val0[tid][1]]) if tid in val0 else 0
    b = cents(val1[tid][0] * fx1[val1[tid][1]]) if tid in val1 else 0
    if r["change"] == "cancelled":
        b = 0
    # qe-price rows vs the in-process valuation: to the cent
    assert abs(c(r["v0"]) - a) <= 1 and abs(c(r["v1"]) - b) <= 1, (tid, r["v0"], a, r["v1"], b)
    assert abs(c(r["total"]) - (b - a)) <= 2, (tid, r["total"], b - a)
    n += 1
# futures: sign x lots x lot size x the move of the month's quote
mk = {r["curve"]: r for r in csv.DictReader(open(data + "/markets.csv"))}
def quotes(path):
    q = {}
    for r in csv.DictReader(open(path)):
        q[(r["curve"], r["delivery_start"][:7])] = float(r["price"])
    return q
q0, q1 = quotes(data + "/prev/curves.csv"), quotes(data + "/curves.csv")
checked = 0
last = {}
for t in csv.DictReader(open(data + "/trades.csv")):
    last[t["trade_id"]] = t  # the version the book has reached
for t in last.values():
    r = rows.get(t["trade_id"])
    if not r or r["change"] != "unchanged" or t["instrument"] != "future" or t["unit"] != "lots":
        continue
    if t["delivery_start"] < "2027-02-01" or mk[t["curve"]]["unit"] == "MWh":
        continue  # a contract that may have expired (priced at its final settlement), or MW x hours
    key = (t["curve"], t["delivery_start"][:7])
    if key not in q0 or key not in q1:
        continue
    sign = 1 if t["side"] == "buy" else -1
    want = sign * float(t["quantity"]) * float(mk[t["curve"]]["lot_size"]) * (q1[key] - q0[key])
    want = want * fx1[t["currency"]] + sign * float(t["quantity"]) * float(mk[t["curve"]]["lot_size"]) * (q0[key] - float(t["price"])) * (fx1[t["currency"]] - fx0[t["currency"]])
    assert abs(float(r["total"]) - want) <= 0.02 + 1e-9 * abs(want), (t["trade_id"], r["total"], want)
    checked += 1
assert checked >= 20, checked
PY
}

@test "pnl: a cancelled trade is only in cancelled, a new one only in new, an amended one in amended and the market" {
	pnl_bundled
	"$PYORACLE" - pnl.csv "$DATA" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
parts = ["theta", "delta", "gamma", "vega", "fx", "new", "amended", "cancelled", "cash", "unexplained"]
def live(path):
    last = {}
    for t in csv.DictReader(open(path)):
        last[t["trade_id"]] = t
    return {k: t for k, t in last.items() if t["status"] != "cancel"}
b0, b1 = live(sys.argv[2] + "/prev/trades.csv"), live(sys.argv[2] + "/trades.csv")
for r in rows:
    tid, ch = r["trade_id"], r["change"]
    nz = {p for p in parts if float(r[p]) != 0}
    if tid not in b0:
        assert ch == "new" and nz <= {"new"} and r["new"] == r["total"], r
    elif tid not in b1:
        assert ch == "cancelled" and nz <= {"cancelled"} and r["cancelled"] == r["total"], r
        assert float(r["total"]) == -float(r["v0"]), r
    elif b0[tid]["version"] != b1[tid]["version"]:
        assert ch == "amended" and "new" not in nz and "cancelled" not in nz, r
    else:
        assert ch in ("unchanged", "matured") and not nz & {"new", "amended", "cancelled"}, r
assert {r["change"] for r in rows} >= {"new", "amended", "cancelled", "unchanged"}
PY
}

@test "pnl: bad input is exit 3 at file:line:column (missing column, D1 before D0, currencies); usage exit 2" {
	mkdir d0 d1
	cp "$DATA"/prev/*.csv d0/
	cp "$DATA"/trades.csv "$DATA"/curves.csv "$DATA"/vols.csv "$DATA"/rates.csv "$DATA"/fixings.csv "$DATA"/fx.csv d1/
	pnl() { run_split qe-report pnl -m "$DATA/markets.csv" --dir0 d0 --dir1 d1 "$@"; }
	# D1 before D0
	pnl --from 2026-11-25 --to 2026-11-24 -o out.csv
	assert_failure 3
	one_diagnostic d1/curves.csv "2:2" "as-of 2026-11-24 is before the previous day's 2026-11-25"
	# the same date twice is no error (an intraday P&L): a day against itself is zero
	head -n 301 d1/trades.csv > t301.csv
	pnl --from 2026-11-25 --to 2026-11-25 --dir0 d1 --trades0 t301.csv --trades1 t301.csv -o same.csv
	assert_success
	run "$PYORACLE" -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) > 100 and all(r["change"] == "unchanged" and r["v0"] == r["v1"] for r in rows)
assert all(float(r[k]) == 0 for r in rows for k in list(r)[9:]), rows[:2]
print(len(rows))' same.csv
	assert_success
	# a curves file of another day
	pnl --from 2026-11-23 --to 2026-11-25 -o out.csv
	assert_failure 3
	one_diagnostic d0/curves.csv "2:2" "is not the day's 2026-11-23"
	# a missing column
	cut -d, -f1-5,7- d1/trades.csv > t.csv
	pnl --from 2026-11-24 --to 2026-11-25 --trades1 t.csv -o out.csv
	assert_failure 3
	[[ "$stderr" == *"t.csv:1:1: missing required column 'trader'"* ]] || fail "$stderr"
	# a currency the FX file lacks, and one that changed between the books
	printf 'currency,rate\nUSD,1\n' > fx.csv
	pnl --from 2026-11-24 --to 2026-11-25 --fx1 fx.csv -o out.csv
	assert_failure 3
	[[ "$stderr" == *"d1/trades.csv:"*":14: column 'currency': currency 'EUR' is not in fx.csv"* ]] || fail "$stderr"
	line=$(grep -n '^T00000002,' d1/trades.csv | cut -d: -f1)
	sed '/^T00000002,/s/,EUR,/,USD,/' d1/trades.csv > t2.csv
	pnl --from 2026-11-24 --to 2026-11-25 --trades1 t2.csv -o out.csv
	assert_failure 3
	one_diagnostic t2.csv "$line:14" "currency 'USD' is not the trade's 'EUR'"
	[ ! -e out.csv ]
	# usage
	pnl --to 2026-11-25
	assert_failure 2
	pnl --from 2026-11-24 --to 25.11.2026
	assert_failure 2
	run_split qe-report pnl --from 2026-11-24 --to 2026-11-25 -m "$DATA/markets.csv" --dir1 d1
	assert_failure 2
	pnl --from 2026-11-24 --to 2026-11-25 -o /dev/full
	assert_failure 4
}

@test "summary: --pnl prints the day's P&L, the unexplained share and every part within 80 columns (python)" {
	pnl_bundled
	printf 'section,portfolio,item,value,limit,utilisation,currency,status\nvar,total,var_99_1d,100,,,USD,\n' > r.csv
	run_split qe-report summary --risk r.csv --pnl explain.csv -d 2026-11-25
	assert_success
	printf '%s\n' "$output" > sum.txt
	"$PYORACLE" - <<'PY'
import csv, re
out = open('sum.txt').read().splitlines()
assert all(len(l) <= 80 for l in out), max(out, key=len)
a = [r for r in csv.DictReader(open('explain.csv')) if r['level'] == 'all'][0]
def fmt(x):
    v = round(float(x))
    return ('+' if v > 0 else '') + '{:,}'.format(v)
assert out[1].startswith('P&L %s USD, unexplained %s (%.2f%%)' % (fmt(a['total']), fmt(a['unexplained']),
       100 * abs(float(a['unexplained']) / float(a['total'])))), out[1]
text = '\n'.join(out[2:5])
for p in ('theta', 'delta', 'gamma', 'vega', 'fx', 'new', 'amended', 'cancelled', 'cash'):
    assert re.search(r'\b%s +%s(\s|$)' % (p, re.escape(fmt(a[p]))), text), (p, fmt(a[p]), text)
PY
}

@test "pnl: a trade that matured between the days shows its settlement as cash, the same trade's value leaving by theta (python)" {
	mkdir d0 d1
	cp "$DATA"/prev/*.csv d0/
	cp "$DATA"/trades.csv "$DATA"/curves.csv "$DATA"/vols.csv "$DATA"/rates.csv "$DATA"/fixings.csv "$DATA"/fx.csv d1/
	# an EUA spot delivered on the day: priced on D0, matured on D1
	row='T99999998,1,new,2026-11-20,CARBON,cdubois,EEX_ECC,spot,EUA,buy,10000,t,70.00,EUR,2026-11-25,2026-11-25,,,,,,,,,,,,,'
	echo "$row" >> d0/trades.csv
	echo "$row" >> d1/trades.csv
	run_split qe-report pnl --from 2026-11-24 --to 2026-11-25 -m "$DATA/markets.csv" --dir0 d0 --dir1 d1 -o pnl.csv
	assert_success
	"$PYORACLE" - <<'PY'
import csv
r = [x for x in csv.DictReader(open('pnl.csv')) if x['trade_id'] == 'T99999998'][0]
assert r['change'] == 'matured', r
fx1 = {x['currency']: float(x['rate']) for x in csv.DictReader(open('d1/fx.csv'))}
# settled at D1's price of the rest of the month (the quote covering the D0 balance's last day)
bal = [x for x in csv.DictReader(open('d1/curves.csv')) if x['curve'] == 'EUA' and x['delivery_end'] == '2026-11-30'][0]
want = 10000 * (float(bal['price']) - 70.0) * fx1['EUR']
assert abs(float(r['cash']) - want) <= 1e-3 * abs(want) + 0.01, (r['cash'], want)
assert float(r['v1']) == 0 and float(r['theta']) == -float(r['v0']), r
assert round(float(r['total']), 2) == round(float(r['cash']) - float(r['v0']), 2), r
PY
}

# --- remit and cot (issue 17's regulatory outputs) ---------------------------

ORACLE="$QE_TOP/tests/report/regrep_oracle.py"
OUR_LEI=5493001KJTIIGC8Y1R12

@test "remit: every field of the bundled book against python, rejects are the invalid LEIs, action types follow versions" {
	run_split qe-report remit -t "$DATA/trades.csv" -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" \
		--reporting-lei $OUR_LEI --rejects rej.csv -o remit.csv
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"3014 trade versions reported, 133 not reportable"* ]] || fail "$stderr"
	run python3 "$ORACLE" remit "$DATA/trades.csv" "$DATA/counterparties.csv" "$DATA/markets.csv" $OUR_LEI \
		remit.csv rej.csv
	assert_success
	# every version of an amended then cancelled trade: N, M, C, one UTI
	run python3 - remit.csv <<'PY'
import csv, sys, collections
by = collections.defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    by[r["trade_id"]].append(r)
seqs = collections.Counter("".join(r["action_code"] for r in v) for v in by.values())
assert set(seqs) <= {"N", "NM", "NC", "NMC"}, seqs
assert seqs["NMC"] > 0 and seqs["NM"] > 0 and seqs["NC"] > 0, seqs
for v in by.values():
    assert len({r["uti"] for r in v}) == 1 and len({r["exec_time"] for r in v}) == 1
    assert [int(r["version"]) for r in v] == list(range(1, len(v) + 1))
print("ok")
PY
	assert_success
}

# A small book: T1 new, amended, cancelled; T2 amended without being new;
# T3 with a UTI that changes; T4 on XOFF with a bad MIC; T5 a power trade
# in MW over the March DST month (743 hours).
small_book() {
	local h="trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,unit,price,currency,delivery_start,delivery_end,shape,option_type,strike,exercise,expiry,uti,venue,exec_time"
	cat > small.csv <<CSV
$h
T1,1,new,2026-11-20,B,t,CP001,forward,DE_BASE,buy,10,MW,80,EUR,2027-03-01,2027-03-31,base,,,,,${OUR_LEI}T1,XOFF,2026-11-20T09:00:00.250+01:00
T1,2,amend,2026-11-20,B,t,CP001,forward,DE_BASE,buy,12,MW,80,EUR,2027-03-01,2027-03-31,base,,,,,${OUR_LEI}T1,XOFF,2026-11-20T10:00:00+01:00
T2,2,amend,2026-11-20,B,t,CP001,forward,DE_BASE,buy,12,MW,80,EUR,2027-03-01,2027-03-31,base,,,,,${OUR_LEI}T2,XOFF,2026-11-20T10:00:00+01:00
T3,1,new,2026-11-20,B,t,CP001,swap,NG_HH,sell,50000,MMBtu,3.1,USD,2027-01-01,2027-01-31,,,,,,${OUR_LEI}T3,XOFF,2026-11-20T09:00:00-06:00
T3,2,amend,2026-11-20,B,t,CP001,swap,NG_HH,sell,60000,MMBtu,3.1,USD,2027-01-01,2027-01-31,,,,,,${OUR_LEI}T3B,XOFF,2026-11-20T09:30:00-06:00
T4,1,new,2026-11-20,B,t,CP001,future,CL_WTI,buy,3,lots,70,USD,2027-02-01,2027-02-28,,,,,,${OUR_LEI}T4,xnym,2026-11-20T09:00:00-05:00
T1,3,cancel,2026-11-21,B,t,CP001,forward,DE_BASE,buy,12,MW,80,EUR,2027-03-01,2027-03-31,base,,,,,${OUR_LEI}T1,XOFF,2026-11-21T08:00:00+01:00
T5,1,new,2026-11-20,B,t,CP002,option,TTF,buy,5,lots,1.5,EUR,2027-03-01,2027-03-31,gasday,call,40,european,2027-02-24,${OUR_LEI}T5,NDEX,2026-11-20T16:00:00+01:00
CSV
}

@test "remit: lifecycle, UTI, MIC rejects; MW over 743 DST hours; option notional on the strike" {
	small_book
	run_split qe-report remit -t small.csv -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" \
		--reporting-lei $OUR_LEI --rejects rej.csv -o remit.csv
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	run cut -d, -f2-5 remit.csv
	assert_output "trade_id,version,action_type,action_code
T1,1,new,N
T1,2,modify,M
T3,1,new,N
T1,3,cancel,C
T5,1,new,N"
	run python3 -c 'import csv,sys; [print(r["trade_id"], r["line"], r["column"], r["reason"], sep="|") for r in csv.DictReader(open(sys.argv[1]))]' rej.csv
	assert_line --index 0 "T2|4|trade_id|amendment of an unknown trade"
	assert_line --index 1 --partial "T3|6|uti|the UTI of version 1 (line 5) is ${OUR_LEI}T3: a UTI never changes"
	assert_line --index 2 --partial "T4|7|venue|not a MIC (ISO 10383)"
	# python: 10 MW x 743 h (March 2027, Europe/Berlin), the cancel keeps version 1's exec_time
	run python3 - remit.csv <<'PY'
import csv, sys, datetime as dt
from zoneinfo import ZoneInfo
r = list(csv.DictReader(open(sys.argv[1])))
tz = ZoneInfo("Europe/Berlin")
utc = dt.timezone.utc  # a difference of aware datetimes of one zone is wall-clock time
h = (dt.datetime(2027, 4, 1, tzinfo=tz).astimezone(utc) - dt.datetime(2027, 3, 1, tzinfo=tz).astimezone(utc)).total_seconds() / 3600
assert h == 743, h
assert float(r[0]["total_quantity"]) == 10 * h and float(r[0]["notional"]) == 80 * 10 * h, r[0]
assert float(r[1]["total_quantity"]) == 12 * h, r[1]
assert r[3]["exec_time"] == "2026-11-20T09:00:00.250+01:00" and r[3]["event_time"] == "2026-11-21T08:00:00+01:00"
# a TTF lot is 1 MW over the gas days of March 2027 (06:00 to 06:00, one DST hour less)
ams = ZoneInfo("Europe/Amsterdam")
g = (dt.datetime(2027, 4, 1, 6, tzinfo=ams).astimezone(utc) - dt.datetime(2027, 3, 1, 6, tzinfo=ams).astimezone(utc)).total_seconds() / 3600
assert float(r[4]["total_quantity"]) == 5 * g and float(r[4]["notional"]) == 40 * 5 * g, (r[4], g)
assert r[4]["total_unit"] == "MWh" and r[4]["venue"] == "NDEX" and r[4]["strike"] == "40"
print("ok")
PY
	assert_success
}

@test "remit: bad inputs - no report columns exit 3, bad reporting LEI exit 2, /dev/full exit 4" {
	run_split qe-report remit -t "$QE_TOP/tests/data/ingest/trades.csv" -c "$DATA/counterparties.csv" \
		-m "$DATA/markets.csv" --reporting-lei $OUR_LEI
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"trades.csv:1:1: missing required column 'uti'"* ]] || fail "$stderr"
	small_book
	run_split qe-report remit -t small.csv -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" \
		--reporting-lei 5493001KJTIIGC8Y1R13
	[ "$status" -eq 2 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"--reporting-lei '5493001KJTIIGC8Y1R13' is not a valid LEI"* ]] || fail "$stderr"
	run_split qe-report remit -t small.csv -c "$DATA/counterparties.csv" -m "$DATA/markets.csv"
	[ "$status" -eq 2 ] || fail "exit $status: $stderr"
	run_split qe-report remit -t small.csv -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" \
		--reporting-lei $OUR_LEI -o /dev/full
	[ "$status" -eq 4 ] || fail "exit $status: $stderr"
	printf 'counterparty,lei\nCP001,5493001KJTIIGC8Y1R12\nCP001,5493001KJTIIGC8Y1R12\n' > dup.csv
	run_split qe-report remit -t small.csv -c dup.csv -m "$DATA/markets.csv" --reporting-lei $OUR_LEI
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"dup.csv:3:1: column 'counterparty': counterparty 'CP001' listed twice"* ]] || fail "$stderr"
	[ ! -e remit.csv ] || true
}

@test "cot: bundled book by commodity and category against python, balanced open interest, changes since an earlier day" {
	# the earlier day: the book without the trades of the last week
	python3 - "$DATA/trades.csv" early.csv <<'PY'
import csv, sys
r = csv.DictReader(open(sys.argv[1]))
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), r.fieldnames, lineterminator="\n")
w.writeheader()
w.writerows(x for x in r if x["trade_date"] < "2026-11-18")
PY
	run_split qe-report cot -t early.csv -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" -d 2026-11-17 -o prev.csv
	assert_success
	run python3 "$ORACLE" cot early.csv "$DATA/counterparties.csv" "$DATA/markets.csv" producer_merchant prev.csv
	assert_success
	run_split qe-report cot -t "$DATA/trades.csv" -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" \
		-d 2026-11-25 -p prev.csv --own-category swap_dealer -o cot.csv
	assert_success
	[[ "$stderr" == *"20 cot rows; 714 option and spread trades left out"* ]] || fail "$stderr"
	run python3 "$ORACLE" cot "$DATA/trades.csv" "$DATA/counterparties.csv" "$DATA/markets.csv" swap_dealer \
		cot.csv prev.csv
	assert_success
	[ "$(cut -d, -f1 cot.csv | sort -u | head -1)" = "2026-11-25" ]
}

@test "cot: bad inputs - a counterparty without category, unknown own category, missing --asof" {
	printf 'counterparty,lei,category\nCP001,5493001KJTIIGC8Y1R12,\nCP002,5493001KJTIIGC8Y1R12,swap_dealer\n' > cp.csv
	small_book
	run_split qe-report cot -t small.csv -c cp.csv -m "$DATA/markets.csv" -d 2026-11-25
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"cp.csv:2:3: column 'category': '' is not a COT category"* ]] || fail "$stderr"
	printf 'counterparty,lei\nCP001,5493001KJTIIGC8Y1R12\n' > nocat.csv
	run_split qe-report cot -t small.csv -c nocat.csv -m "$DATA/markets.csv" -d 2026-11-25
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"nocat.csv:1:1: missing required column 'category'"* ]] || fail "$stderr"
	run_split qe-report cot -t small.csv -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" -d 2026-11-25 \
		--own-category banker
	[ "$status" -eq 2 ] || fail "exit $status: $stderr"
	run_split qe-report cot -t small.csv -c "$DATA/counterparties.csv" -m "$DATA/markets.csv"
	[ "$status" -eq 2 ] || fail "exit $status: $stderr"
	run_split qe-report cot -t small.csv -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" -d 2026-13-01
	[ "$status" -eq 2 ] || fail "exit $status: $stderr"
}

# ---- the dashboard's settlement and forecast panels, the summary's lines ----
# Made once for the file (setup_file): the settlement of the bundled as-of
# week (CP037's IBAN is cut short on purpose: its payments are held back),
# the margin of each book, GARCH fits and 20-day paths of three series and
# the daily sentiment index of the bundled headlines.
setup_file() {
	SF="$BATS_FILE_TMPDIR/sf"
	mkdir -p "$SF"
	qe-settle flows -q --data "$DATA" --from 2026-11-25 --to 2026-12-02 -o "$SF/flows.csv"
	qe-settle net -q --data "$DATA" "$SF/flows.csv" -o "$SF/payments.csv"
	local rc=0
	qe-settle pay -q --data "$DATA" --asof 2026-11-25 "$SF/payments.csv" -o "$SF/pain.xml" \
		--rejects "$SF/held.csv" || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
	qe-settle margin -q --data "$DATA" --asof 2026-11-25 -o "$SF/margin.csv"
	for s in TTF-1 TTF-2 EUA-1; do
		qe-forecast garch -q -H "$DATA/history.csv" --curve "${s%-*}" --tenor "${s#*-}" --horizon 20 \
			--forecast "$SF/path-$s.csv" -o "$SF/fit-$s.csv"
	done
	awk 'FNR > 1 || NR == 1' "$SF"/fit-TTF-1.csv "$SF"/fit-TTF-2.csv "$SF"/fit-EUA-1.csv > "$SF/garch.csv"
	awk 'FNR > 1 || NR == 1' "$SF"/path-TTF-1.csv "$SF"/path-TTF-2.csv "$SF"/path-EUA-1.csv > "$SF/garch-path.csv"
	qe-forecast sentiment -q --lexicon "$DATA/sentiment_lexicon.csv" --commodities "$DATA/sentiment_commodities.csv" \
		--daily "$SF/daily.csv" -o "$SF/sentiment.csv" "$DATA/headlines.csv"
}

sf_opts() {
	SF="$BATS_FILE_TMPDIR/sf"
	SF_OPTS=(--payments "$SF/payments.csv" --pay-rejects "$SF/held.csv" --margin "$SF/margin.csv"
		--currencies "$DATA/currencies.csv" --garch "$SF/garch.csv" --garch-path "$SF/garch-path.csv")
}

@test "html: settlement panel - totals per currency, next value dates, held-back payments, margin by book (python)" {
	sf_opts
	run_split qe-report html "${SF_OPTS[@]}" -d 2026-11-25 -o dash.html
	assert_success
	QE_TOP="$QE_TOP" "$PYORACLE" - "$SF" "$DATA/currencies.csv" <<'PY'
import csv, os, sys
from collections import defaultdict
sys.path.insert(0, os.environ['QE_TOP'] + '/tests/report')
from tables import tables, money
sf, ccyfile = sys.argv[1:]
s = open('dash.html', encoding='utf-8').read()
assert len(s.encode()) < 2_000_000
for bad in ('<script', 'http://', 'https://', '@import', 'url(', '<link', ' src=', '<iframe', '<object'):
    assert bad not in s.lower(), bad
t = tables(s)
exp = {r['currency']: int(r['exponent']) for r in csv.DictReader(open(ccyfile))}
pays = list(csv.DictReader(open(sf + '/payments.csv')))
held = list(csv.DictReader(open(sf + '/held.csv')))
assert pays and held, 'the bundled week has payments and held-back ones'
# totals per currency, in the order currencies first appear (payments, then rejects)
order = []
for r in pays + held:
    if r['currency'] not in order:
        order.append(r['currency'])
tot = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
for r in pays:
    k = 0 if r['direction'] == 'pay' else 1
    tot[r['currency']][k] += int(r['amount_minor']); tot[r['currency']][3 + k] += 1
for r in held:
    tot[r['currency']][2] += int(r['amount_minor']); tot[r['currency']][5] += 1
rows = t['settle-totals']['rows'][1:]
assert [r[0] for r in rows] == order, (rows, order)
for r in rows:
    c = r[0]; p, rc, h, npy, nrc, nh = tot[c]; e = exp[c]
    assert r[1] == '%s (%d)' % (money(p, e), npy), (r, p)
    assert r[2] == '%s (%d)' % (money(rc, e), nrc), (r, rc)
    net = rc - p
    assert r[3] == ('+' if net > 0 else '') + money(net, e), (r, net)
    assert r[4] == ('\u26a0 %s (%d)' % (money(h, e), nh) if nh else 'none'), (r, h)
dates = sorted({r['value_date'] for r in pays})
assert 'value dates %s to %s' % (dates[0], dates[-1]) in t['settle-totals']['caption']
# the first five value dates on or after the as-of date, per currency
nxt = [d for d in dates if d >= '2026-11-25'][:5]
day = defaultdict(lambda: [0, 0, 0])
for r in pays:
    if r['value_date'] in nxt:
        d = day[(r['value_date'], r['currency'])]
        d[0 if r['direction'] == 'pay' else 1] += int(r['amount_minor']); d[2] += 1
want = [[d, c, money(v[0], exp[c]), money(v[1], exp[c]), str(v[2])]
        for (d, c), v in sorted(day.items(), key=lambda kv: (kv[0][0], order.index(kv[0][1])))]
assert t['settle-dates']['rows'][1:] == want, (t['settle-dates']['rows'], want)
# every held-back payment listed (fewer than 20), highlighted, with its reason
hr = t['pay-held']
assert hr['classes'][1:] == ['bad'] * len(held) and len(hr['rows']) == 1 + len(held)
for r, h in zip(hr['rows'][1:], held):
    assert r == ['\u26a0 ' + h['counterparty'], h['currency'], h['value_date'],
                 money(int(h['amount_minor']), exp[h['currency']]), h['reason']], (r, h)
assert '%d payment%s held back' % (len(held), '' if len(held) == 1 else 's') in hr['caption']
assert 'Payments held back<b class=bad>&#9888; %d</b>' % len(held) in s
# margin by book: the four amounts of each row rounded to units, the total per currency
mar = list(csv.DictReader(open(sf + '/margin.csv')))
mt = t['margin-books']['rows'][1:]
f = lambda x: format(float(x), ',.0f')
assert mt[:len(mar)] == [[m['account'], m['currency'], f(m['scan_risk']), f(m['spread_charge']),
                          f(m['short_option_min']), f(m['margin'])] for m in mar], mt
sums = defaultdict(float)
for m in mar:
    sums[m['currency']] += float(m['margin'])
assert mt[len(mar):] == [['all books', c, '', '', '', format(v, ',.0f')] for c, v in sums.items()], mt
assert s.count('class=margin-bar') == len(mar)
for cap in ('settle-totals', 'settle-dates', 'pay-held', 'margin-books'):
    assert t[cap]['caption'], cap
PY
}

@test "html: settlement amounts are exact minor units with each currency's decimals; many held back are capped" {
	# yen have no decimals; 9,007,199,254,740,993.01 EUR is beyond a double's 53 bits
	printf '%s\n' counterparty,currency,value_date,basis,flows,direction,amount_minor,trade_id \
		A,JPY,2026-11-26,net,2,pay,123456789, B,EUR,2026-11-24,net,1,receive,5, \
		B,EUR,2026-11-27,gross,1,pay,900719925474099301,T1 C,EUR,2026-11-27,gross,1,receive,1,T2 > pay.csv
	{
		echo 'counterparty,currency,value_date,amount_minor,source,reason'
		for i in $(seq 1 25); do echo "CP$i,JPY,2026-11-26,$i,x.csv:2:3,\"iban <bad> & 'short'\""; done
	} > held.csv
	run_split qe-report html --payments pay.csv --pay-rejects held.csv --currencies "$DATA/currencies.csv" \
		-d 2026-11-25 --max-breaches 3
	assert_success
	printf '%s' "$output" > d.html
	QE_TOP="$QE_TOP" "$PYORACLE" - <<'PY'
import os, sys
sys.path.insert(0, os.environ['QE_TOP'] + '/tests/report')
from tables import tables
s = open('d.html', encoding='utf-8').read()
t = tables(s)
assert t['settle-totals']['rows'][1:] == [
    ['JPY', '123,456,789 (1)', '0 (0)', '-123,456,789', '\u26a0 325 (25)'],
    ['EUR', '9,007,199,254,740,993.01 (1)', '0.06 (2)', '-9,007,199,254,740,992.95', 'none']], t['settle-totals']
# the value dates from the as-of date: 2026-11-24 is before it
assert t['settle-dates']['rows'][1:] == [['2026-11-26', 'JPY', '123,456,789', '0', '1'],
                                         ['2026-11-27', 'EUR', '9,007,199,254,740,993.01', '0.01', '2']]
assert len(t['pay-held']['rows']) == 4 and '3 of 25 held-back payments shown' in s
assert "iban &lt;bad&gt; &amp; &#39;short&#39;" in s and '<bad>' not in s
PY
}

@test "html: forecast panel - vol now, term and long run, persistence, half-life, sentiment (python)" {
	sf_opts
	run_split qe-report html --garch "$SF/garch.csv" --garch-path "$SF/garch-path.csv" --sentiment "$SF/daily.csv" \
		-d 2026-11-25 -o dash.html
	assert_success
	QE_TOP="$QE_TOP" "$PYORACLE" - "$SF" <<'PY'
import csv, math, os, sys
sys.path.insert(0, os.environ['QE_TOP'] + '/tests/report')
from tables import tables
sf = sys.argv[1]
s = open('dash.html', encoding='utf-8').read()
t = tables(s)
fits = list(csv.DictReader(open(sf + '/garch.csv')))
path = list(csv.DictReader(open(sf + '/garch-path.csv')))
rows = t['garch']['rows'][1:]
assert len(rows) == len(fits) == 3
pc = lambda x: float(x.rstrip('%'))
for r, f in zip(rows, fits):
    p = [q for q in path if q['series'] == f['series']]
    assert [int(q['day']) for q in p] == list(range(1, 21))
    pers, om = float(f['persistence']), float(f['omega'])
    assert abs(pers - (float(f['alpha']) + float(f['beta']))) < 1e-12   # GARCH(1,1), normal
    assert r[0] == f['series']
    assert r[1] == '%.1f%%' % (100 * float(p[0]['vol'])), (r, p[0])
    # day 1's vol is sqrt(252 variance), the term vol of day H the mean of the variances
    assert abs(float(p[0]['vol']) - math.sqrt(252 * float(p[0]['variance']))) < 1e-12
    term = math.sqrt(252 / 20 * sum(float(q['variance']) for q in p))
    val, arrow = r[2].split(' ')
    assert abs(pc(val) - 100 * term) <= 0.05 + 1e-9, (r, term)
    assert arrow == ('\u25b2' if float(p[-1]['term_vol']) > float(p[0]['vol']) else '\u25bc'), (r, arrow)
    lr = math.sqrt(252 * om / (1 - pers))          # the unconditional variance, annualised
    assert abs(pc(r[3]) - 100 * lr) <= 0.05 + 1e-9, (r, lr)
    assert r[4] == '[svg]'
    assert r[5] == '%.3f' % pers
    hl = math.log(0.5) / math.log(pers)
    assert abs(float(r[6].split()[0]) - hl) <= 0.05 + 1e-9 and r[6].endswith(' d'), (r, hl)
assert s.count('class=term-line') == 3 and s.count('class=spark ') == 3 + len(t['sentiment']['rows']) - 1
# sentiment: each commodity's latest day up to the as-of date, sorted by commodity
last = {}
for r in csv.DictReader(open(sf + '/daily.csv')):
    if r['date'] <= '2026-11-25':
        last[r['commodity']] = r
want = [[c, r['date'], '%+.2f %s' % (float(r['mean_score']), 'bullish' if float(r['mean_score']) > 0 else
        'bearish' if float(r['mean_score']) < 0 else 'neutral'), r['n'],
         '%s / %s / %s' % (r['pos'], r['neg'], r['neu']), '[svg]'] for c, r in sorted(last.items())]
assert t['sentiment']['rows'][1:] == want, (t['sentiment']['rows'], want)
assert t['garch']['caption'] and t['sentiment']['caption']
assert '<h2>Volatility forecast and sentiment</h2>' in s
PY
}

@test "summary: one settlement line and one forecast line within 80 columns; held-back payments are alerts (python)" {
	sf_opts
	printf 'section,portfolio,item,value,limit,utilisation,currency,status\nvar,A,var_99_1d,1,2,0.5,USD,ok\n' > ok.csv
	run_split qe-report summary --risk ok.csv "${SF_OPTS[@]}" -d 2026-11-25
	assert_failure 1
	printf '%s\n' "$output" > sum.txt
	printf '%s\n' "$output" | awk 'length > 80 { print; bad = 1 } END { exit bad }' || fail "a line over 80 columns"
	QE_TOP="$QE_TOP" "$PYORACLE" - "$SF" <<'PY'
import csv, sys
sf = sys.argv[1]
lines = open('sum.txt').read().splitlines()
st = [l for l in lines if l.startswith('Settlement:')]
fc = [l for l in lines if l.startswith('Vol forecast:')]
assert len(st) == 1 and len(fc) == 1, lines
pays = list(csv.DictReader(open(sf + '/payments.csv')))
held = list(csv.DictReader(open(sf + '/held.csv')))
nxt = min(r['value_date'] for r in pays if r['value_date'] >= '2026-11-25')
head = 'Settlement: %d payments, next %s, %d HELD BACK; margin ' % (len(pays), nxt, len(held))
assert st[0].startswith(head), (st[0], head)
sums = {}
for m in csv.DictReader(open(sf + '/margin.csv')):
    sums[m['currency']] = sums.get(m['currency'], 0.0) + float(m['margin'])
parts = ['%s %s' % (format(v, ',.0f'), c) for c, v in sums.items()]
got = st[0][len(head):].split(', ')
assert got == parts[:len(got)] and got, (got, parts)
fits = list(csv.DictReader(open(sf + '/garch.csv')))
path = list(csv.DictReader(open(sf + '/garch-path.csv')))
first = {q['series']: float(q['vol']) for q in path if q['day'] == '1'}
lastt = {q['series']: float(q['term_vol']) for q in path if q['day'] == '20'}
top = max(first, key=first.get)
assert fc[0] == 'Vol forecast: %d series, highest %s %.1f%% now, %.1f%% 20-day term' % (
    len(fits), top[:12], 100 * first[top], 100 * lastt[top]), fc[0]
PY
	# no payment held back: no alert from the settlement
	head -1 "$SF/held.csv" > none.csv
	run_split qe-report summary --risk ok.csv --pay-rejects none.csv --margin "$SF/margin.csv" --garch "$SF/garch.csv" \
		--currencies "$DATA/currencies.csv"
	assert_success
	[[ "$output" == *"Settlement: none held back; margin "* ]] || fail "$output"
	[[ "$output" == *"Vol forecast: 3 series, persistence "*" to "* ]] || fail "$output"
	run_split qe-report summary --risk ok.csv --pay-rejects "$SF/held.csv" --currencies "$DATA/currencies.csv" \
		--color always
	[[ "$output" == *$'\033[1;31m'*"HELD BACK"$'\033[0m'* ]] || fail "$output"
}

@test "html, summary: bad settlement and forecast inputs are exit 3 at file:line:column, no page; usage exit 2" {
	sf_opts
	printf 'counterparty,currency,value_date,basis,flows,direction,amount_minor,trade_id\n' > p0.csv
	bad() { # FILE OPTION LOCATION MESSAGE
		run_split qe-report html "$2" "$1" --currencies "$DATA/currencies.csv" -o d.html
		assert_failure 3
		one_diagnostic "$1" "$3" "$4"
		[ ! -e d.html ]
	}
	{ cat p0.csv; echo 'A,XXX,2026-11-26,net,2,pay,1,'; } > p1.csv
	bad p1.csv --payments 2:2 "currency 'XXX' is not in"
	{ cat p0.csv; echo 'A,EUR,2026-11-26,net,2,both,1,'; } > p2.csv
	bad p2.csv --payments 2:6 "pay or receive"
	{ cat p0.csv; echo 'A,EUR,2026-11-26,net,2,pay,12.5,'; } > p3.csv
	bad p3.csv --payments 2:7 "minor units"
	{ cat p0.csv; echo 'A,EUR,2026-11-31,net,2,pay,1,'; } > p4.csv
	bad p4.csv --payments 2:3 "not a date"
	printf 'account,currency,scan_risk,spread_charge,short_option_min,margin\nA,USD,1,2,x,4\n' > m1.csv
	bad m1.csv --margin 2:5 "column 'short_option_min'"
	printf 'date,commodity,n,mean_score,pos,neg,neu\n2026-11-20,gas,2,1.5,2,0,0\n' > s1.csv
	bad s1.csv --sentiment 2:4 "between -1 and 1"
	printf 'date,commodity,n,mean_score,pos,neg,neu\n2026-11-20,gas,2,0.5,2,0,0\n2026-11-19,gas,1,0,0,0,1\n' > s2.csv
	bad s2.csv --sentiment 3:1 "sorted by date"
	cut -d, -f1-3 "$SF/held.csv" > h1.csv
	bad h1.csv --pay-rejects 1:1 "missing required column 'amount_minor'"
	# a path whose days skip one
	awk -F, 'NR == 1 || $2 != 3' "$SF/garch-path.csv" > gp.csv
	run_split qe-report html --garch "$SF/garch.csv" --garch-path gp.csv -o d.html
	assert_failure 3
	one_diagnostic gp.csv "4:2" "expected 3"
	sed '2s/,0\.[0-9]*,\([0-9.]*\)$/,1.01,/' "$SF/garch.csv" > g1.csv   # persistence 1.01: no long run, no half-life
	run_split qe-report html --garch g1.csv --garch-path "$SF/garch-path.csv"
	assert_success
	[[ "$output" == *"<td class=n>1.010</td><td class=n>none</td>"* ]] || fail "$(grep -o '<tr><td>TTF:1.\{0,400\}' <<< "$output")"
	printf 'series,omega\nTTF:1,1\n' > g2.csv
	run_split qe-report html --garch g2.csv -o d.html
	assert_failure 3
	one_diagnostic g2.csv "1:1" "missing required column 'persistence'"
	run_split qe-report html --garch-path "$SF/garch-path.csv" -o d.html
	assert_failure 2
	run_split qe-report summary --risk "$SF/margin.csv" --garch-path "$SF/garch-path.csv"
	assert_failure 2
	run_split qe-report html --payments nope.csv --currencies "$DATA/currencies.csv" -o d.html
	assert_failure 4
	[ ! -e d.html ]
}

@test "pnl: the same bytes at 1 and 2 threads (the books are read and priced in parallel)" {
	for n in 1 2; do
		OMP_NUM_THREADS=$n qe-report pnl -q --from 2026-11-24 --to 2026-11-25 -m "$DATA/markets.csv" \
			--dir0 "$DATA/prev" --dir1 "$DATA" -o p$n.csv -e x$n.csv
	done
	cmp p1.csv p2.csv
	cmp x1.csv x2.csv
	[ "$(wc -l < p1.csv)" -gt 2900 ]
}

# --- cot: options futures-equivalent (issue 17) -------------------------

load screen/optbook

@test "cot --sensitivities: a crafted book's options by their Black-76 delta (scipy), the unpriced one left out" {
	optbook
	run optbook_price
	[ "$status" -eq 3 ] || fail "exit $status: $output"
	run_split qe-report cot -t trades.csv -c "$DATA/counterparties.csv" -m markets.csv -d 2026-11-25 \
		--sensitivities sens.csv -o cot.csv
	assert_success
	[[ "$stderr" == *"options futures-equivalent by delta, 1 option and spread trades without sensitivities left out"* ]] ||
		fail "$stderr"
	# the deltas qe-price should have written, from scipy: the oracle's cot
	# on them must give qe's report
	"$PYORACLE" - "$QE_TOP/tests/screen" <<'PY'
import csv, sys
sys.path.insert(0, sys.argv[1])
from delta_oracle import positions, rows
tr = {t["trade_id"]: t for t in rows("trades.csv")}
w = csv.writer(open("want-sens.csv", "w", newline=""), lineterminator="\n")
w.writerow(["trade_id", "curve", "delivery_start", "delivery_end", "delta", "curve2"])
for p in positions():
    if p["option"] and p["priced"]:
        t = tr[p["trade_id"]]
        w.writerow([p["trade_id"], p["curve"], t["delivery_start"], t["delivery_end"], repr(p["units"]), ""])
PY
	run "$PYORACLE" "$ORACLE" cot trades.csv "$DATA/counterparties.csv" markets.csv producer_merchant cot.csv \
		SENS=want-sens.csv
	assert_success
	assert_output --partial "5 options by delta"
	# without the sensitivities the options are left out: other figures
	run_split qe-report cot -t trades.csv -c "$DATA/counterparties.csv" -m markets.csv -d 2026-11-25 -o plain.csv
	assert_success
	[[ "$stderr" == *"6 option and spread trades left out (no --sensitivities)"* ]] || fail "$stderr"
	run cmp -s cot.csv plain.csv
	assert_failure
}

@test "cot --sensitivities: the bundled book by commodity and category equals python's aggregation of the sensitivities" {
	qe-price -q --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" \
		--rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv" \
		--calendars "$DATA/calendars" -o val.csv --sensitivities sens.csv
	run_split qe-report cot -t "$DATA/trades.csv" -c "$DATA/counterparties.csv" -m "$DATA/markets.csv" \
		-d 2026-11-25 --sensitivities sens.csv -o cot.csv
	assert_success
	run "$PYORACLE" "$ORACLE" cot "$DATA/trades.csv" "$DATA/counterparties.csv" "$DATA/markets.csv" \
		producer_merchant cot.csv SENS=sens.csv
	assert_success
	rows=$(echo "$output" | sed -n 's/^ok \([0-9]*\) rows.*/\1/p')
	n=$(echo "$output" | sed -n 's/.* \([0-9]*\) options by delta/\1/p')
	[[ "$stderr" == *"$rows cot rows; $n options futures-equivalent by delta, 0 option and spread trades without"* ]] ||
		fail "$stderr / $output"
	# every option, Asian and spread option of the book is priced; the
	# power options add the power rows
	[ "$n" -gt 700 ] && [ "$rows" -eq 25 ]
}

@test "cot --sensitivities: a row of an unknown trade, NaN, a missing column exit 3 at file:line:col" {
	optbook
	run optbook_price
	cp sens.csv good.csv
	echo 'ZZ9,A,NG_HH,2027-01-01,2027-01-31,2,1,0,0,0,,' >> sens.csv
	cot() { run_split qe-report cot -t trades.csv -c "$DATA/counterparties.csv" -m markets.csv -d 2026-11-25 \
		--sensitivities sens.csv -o cot.csv; }
	cot
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"sens.csv:$(wc -l < sens.csv):1: column 'trade_id': trade 'ZZ9' is not in trades.csv"* ]] || fail "$stderr"
	awk -F, -v OFS=, 'NR == 2 { $7 = "NaN" } 1' good.csv > sens.csv
	cot
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"sens.csv:2:7: column 'delta': not a finite number 'NaN'"* ]] || fail "$stderr"
	cut -d, -f1,2,4- good.csv > sens.csv
	cot
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"sens.csv:1:1: missing required column 'curve'"* ]] || fail "$stderr"
	[ ! -e cot.csv ]
}
