#!/usr/bin/python3
"""Independent recomputation of `qe-settle flows` from the same input files
(pandas + zoneinfo), for tests/settle.bats.  Never reads qe-settle output.

    flows_oracle.py DATADIR TRADES FROM TO CALDIR > expected.csv

Covers futures variation margin (+ EUA futures delivery), swaps on a spot
or front index (monthly averages of fixings on the curve calendar's
business days) and NG's last-day index, physical deliveries and forwards
(MW by base/peak/gas-day hours, DST-correct; MMBtu/d; plain units), option
premiums and EUA spot/forward deliveries."""
import datetime as dt
import sys
from decimal import Decimal, ROUND_HALF_UP

import pandas as pd

from shapes import hours, nerc

data, trades_path, d_from, d_to, caldir = sys.argv[1:6]
D = dt.date.fromisoformat
d_from, d_to = D(d_from), D(d_to)

def holidays(name):
    out = set()
    for line in open(f"{caldir}/{name}.txt"):
        line = line.split('#')[0].strip()
        if line:
            out.add(D(line))
    return out

CAL = {}
def cal(name):
    if name not in CAL:
        CAL[name] = holidays(name)
    return CAL[name]

def is_bd(name, d):
    if name == 'NERC':
        return d.weekday() < 5 and not nerc(d)
    return d.weekday() < 5 and d not in cal(name)

def add_bd(name, d, n):
    while n > 0:
        d += dt.timedelta(1)
        if is_bd(name, d):
            n -= 1
    return d

mk = pd.read_csv(f"{data}/markets.csv", dtype=str, keep_default_na=False).set_index('curve')
ccy = pd.read_csv(f"{data}/currencies.csv", dtype=str, keep_default_na=False).set_index('currency')
terms = pd.read_csv(f"{data}/payment_terms.csv", dtype=str, keep_default_na=False)
TERMS = {(r.kind, r.curve): int(r.business_days) for r in terms.itertuples()}
fix = pd.read_csv(f"{data}/fixings.csv", dtype={'price': float})
FIX = {(r.curve, D(r.date)): r.price for r in fix.itertuples()}
hist = pd.read_csv(f"{data}/history.csv", dtype={'contract': str}, keep_default_na=False)
HIST = {}
for r in hist.itertuples():
    d = D(r.date)
    if r.contract:
        y, m = map(int, r.contract.split('-'))
    elif r.tenor >= 1:
        k = d.year * 12 + d.month - 1 + int(r.tenor)
        y, m = divmod(k, 12); m += 1
    else:
        continue
    HIST.setdefault((r.curve, y, m), {}).setdefault(d, float(r.price))

def volume(t, c, first, last):
    hourly = c.unit == 'MWh'
    shape = t.shape or c['shape']
    lots = t.unit == 'lots'
    if t.unit == 'MW' or (lots and hourly):
        h = hours(shape, c.timezone, first, last)
        return t.quantity * float(h) * (float(c.lot_size) if lots else 1.0)
    if t.unit == 'MMBtu/d':
        return t.quantity * float((last - first).days + 1)
    frac = float((last - first).days + 1) / float((D(t.delivery_end) - D(t.delivery_start)).days + 1)
    if hourly and shape and (first, last) != (D(t.delivery_start), D(t.delivery_end)):
        frac = float(hours(shape, c.timezone, first, last)) / float(
            hours(shape, c.timezone, D(t.delivery_start), D(t.delivery_end)))
    return t.quantity * (float(c.lot_size) if lots else 1.0) * frac

def minor(x, cur):
    e = int(ccy.loc[cur, 'exponent'])
    return int(Decimal(x * [1.0, 10.0, 100.0, 1000.0][e]).quantize(Decimal(1), rounding=ROUND_HALF_UP))

KIND = {'vm': 'variation_margin', 'swap': 'swap_settlement', 'phys': 'physical_delivery',
        'prem': 'option_premium', 'eua': 'eua_delivery', 'exer': 'option_exercise',
        'final': 'final_settlement'}
out = []
def flow(t, kind, event, amount):
    days = TERMS.get((KIND[kind], t.curve), TERMS.get((KIND[kind], '*')))
    v = add_bd(ccy.loc[t.currency, 'calendar'], event, days)
    if d_from <= v <= d_to:
        m = minor(amount, t.currency)
        out.append((v.isoformat(), t.counterparty, t.currency, t.trade_id, event, KIND[kind],
                    'pay' if m < 0 else 'receive', abs(m)))

def last_trade(curve, y, m):
    """NG: 3 business days before the 1st of the month; EUA: last Monday of
    the month unless it or one of the 4 days after is a UK bank holiday."""
    if curve == 'NG_HH':
        d = dt.date(y, m, 1)
        for _ in range(3):
            d -= dt.timedelta(1)
            while not is_bd('NYMEX', d):
                d -= dt.timedelta(1)
        return d
    if curve == 'EUA':
        d = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(1)
        d -= dt.timedelta((d.weekday() - 0) % 7)
        if not is_bd('UK_BANK', d) or any(not is_bd('UK_BANK', d + dt.timedelta(k)) and
                                          (d + dt.timedelta(k)).weekday() < 5 for k in range(1, 5)):
            d -= dt.timedelta(7)
        return d
    return None

def realised_avg(t, c, first, last):
    days = [d for d in (first + dt.timedelta(k) for k in range((last - first).days + 1))
            if is_bd(c.calendar, d)]
    if any((t.curve, d) not in FIX for d in days):
        return None
    s = 0.0
    for d in days:
        s += FIX[(t.curve, d)]
    return s / len(days)

def future_flows(t, c, price, side, td):
    """Variation margin from td against price; a power future's final cash
    settlement on the index average of its delivery days; an EUA future's
    delivery at its last trading day."""
    ds, de = D(t.delivery_start), D(t.delivery_end)
    units = volume(t, c, ds, de)
    prev = price
    series = HIST.get((t.curve, ds.year, ds.month), {})
    for d in sorted(series):
        if d < td or d > d_to:
            continue
        if d >= d_from - dt.timedelta(100):
            flow(t, 'vm', d, (series[d] - prev) * units * side)
        prev = series[d]
    if c.commodity == 'power' and de <= d_to:
        avg = realised_avg(t, c, ds, de)
        if avg is not None:
            flow(t, 'final', de, (avg - prev) * units * side)
    if c.commodity == 'carbon':
        ltd = last_trade(t.curve, ds.year, ds.month)
        if ltd >= td and d_from - dt.timedelta(100) <= ltd <= d_to and ltd in series:
            flow(t, 'eua', ltd, -series[ltd] * units * side)

def exercise(t, c, side):
    """At expiry, in the money against the underlying contract's settlement:
    European options pay the intrinsic value in cash, American ones become
    a future at the strike (call holder long, put holder short)."""
    E, K = D(t.expiry), float(t.strike)
    if E > d_to:
        return
    ds, de = D(t.delivery_start), D(t.delivery_end)
    S = HIST[(t.curve, ds.year, ds.month)][E]
    w = 1.0 if t.option_type == 'call' else -1.0
    if w * (S - K) <= 0:
        return
    if t.exercise == 'american':
        future_flows(t, c, K, side * w, E)
    else:
        flow(t, 'exer', E, w * (S - K) * volume(t, c, ds, de) * side)

tr = pd.read_csv(trades_path, dtype=str, keep_default_na=False)
live = {}
for r in tr.itertuples():
    if r.status == 'cancel':
        live.pop(r.trade_id, None)
    else:
        live[r.trade_id] = r
for t in live.values():
    t = t._replace(quantity=float(t.quantity))
    c = mk.loc[t.curve]
    side = 1.0 if t.side == 'buy' else -1.0
    if t.instrument == 'option' and t.expiry:
        exercise(t, c, side)
    if not t.price:
        continue
    price = float(t.price)
    ds, de = D(t.delivery_start), D(t.delivery_end)
    if t.instrument == 'future':
        future_flows(t, c, price, side, D(t.trade_date))
    elif t.instrument in ('swap', 'physical', 'forward', 'spot'):
        if c.commodity == 'carbon':
            ev = ds if t.instrument == 'spot' else de
            flow(t, 'eua', ev, -price * volume(t, c, ds, de) * side)
            continue
        first = ds
        while first <= de:
            last = min(de, dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1) - dt.timedelta(1))
            vol = volume(t, c, first, last)
            if t.instrument == 'swap':
                if t.curve == 'NG_HH':
                    avg = FIX.get((t.curve, last_trade('NG_HH', first.year, first.month)))
                    if avg is None:
                        first = last + dt.timedelta(1); continue
                else:
                    days = [d for d in (first + dt.timedelta(k) for k in range((last - first).days + 1))
                            if is_bd(c.calendar, d)]
                    if any((t.curve, d) not in FIX for d in days):
                        first = last + dt.timedelta(1); continue
                    s = 0.0
                    for d in days:
                        s += FIX[(t.curve, d)]
                    avg = s / len(days)
                flow(t, 'swap', last, (avg - price) * vol * side)
            else:
                flow(t, 'phys', last, -price * vol * side)
            first = last + dt.timedelta(1)
    elif t.instrument in ('option', 'asian', 'spread'):
        if d_from - dt.timedelta(100) <= D(t.trade_date) <= d_to:
            flow(t, 'prem', D(t.trade_date), -price * volume(t, c, ds, de) * side)

print('trade_id,counterparty,kind,direction,value_date,currency,amount_minor')
for v, cp, cur, tid, ev, kind, dr, amt in sorted(out, key=lambda x: (x[0], x[1], x[2], x[3], x[4], x[5])):
    print(f"{tid},{cp},{kind},{dr},{v},{cur},{amt}")
