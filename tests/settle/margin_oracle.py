#!/usr/bin/python3
"""Independent recomputation of `qe-settle margin` from the same input files
(csv + zoneinfo + scipy's normal law), for tests/settle.bats.  Never reads
qe-settle output.

    margin_oracle.py DATADIR TRADES RANGES ASOF MARGIN_OUT SCENARIOS_OUT

The rule of qe-settle(1) MARGIN: per book x curve, 16 scenarios (forward
moved by 0, +-1/3, +-2/3, +-1 price scans with vols x (1 +- vol_scan); two
extreme moves of +-extreme_move scans, vols unchanged, extreme_cover of the
loss); futures at the forward, options by Black-76 (Bachelier on a
bachelier curve) at the forward of the first delivery day, the vol of that
month at the strike (linear in strike, flat beyond the quoted strikes) and
the zero rate to expiry (linear in rate x time between pillars, flat
zero beyond).  Spread charge: min(sum of long, sum of short) month net
deltas in contracts x spread_charge; short option minimum per short
contract; margin = max(scan + spread, short option minimum) per book and
currency."""
import csv
import datetime as dt
import math
import sys

import numpy as np
from scipy.stats import norm

from shapes import hours

data, trades_path, ranges_path, asof, out_margin, out_scen = sys.argv[1:7]
D = dt.date.fromisoformat
asof = D(asof)


def rows(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


MK = {r['curve']: r for r in rows(f"{data}/markets.csv")}
RG = {r['curve']: {k: float(v) for k, v in r.items() if k != 'curve'} for r in rows(ranges_path)}
QUOTES = [r for r in rows(f"{data}/curves.csv") if r['asof'] == asof.isoformat()]
VOLS = [r for r in rows(f"{data}/vols.csv") if r['asof'] == asof.isoformat()]
RATES = {}
for r in rows(f"{data}/rates.csv"):
    if r['asof'] == asof.isoformat():
        t = (D(r['date']) - asof).days / 365.0
        RATES.setdefault(r['currency'], []).append((t, float(r['rate']) * t))
for v in RATES.values():
    v.sort()

# the live version of each trade (highest version; cancels dropped)
LIVE = {}
for r in rows(trades_path):
    if r['trade_id'] not in LIVE or int(r['version']) > int(LIVE[r['trade_id']]['version']):
        LIVE[r['trade_id']] = r
ORDER = [k for k in dict.fromkeys(r['trade_id'] for r in rows(trades_path))]


def units_and_contracts(t, c):
    """Commodity units of the whole delivery and the contracts (lots, MW)."""
    q, lot = float(t['quantity']), float(c['lot_size'])
    ds, de = D(t['delivery_start']), D(t['delivery_end'])
    if c['unit'] == 'MWh':  # hourly: lots are MW x lot_size
        mw = q * (lot if t['unit'] == 'lots' else 1.0)
        return mw * hours(t['shape'] or c['shape'], c['timezone'], ds, de), mw / lot
    if t['unit'] == 'lots':
        return q * lot, q
    return q, q / lot


def forward(curve, d):
    for r in QUOTES:
        if r['curve'] == curve and D(r['delivery_start']) <= d <= D(r['delivery_end']):
            return float(r['price'])
    raise SystemExit(f"oracle: no forward of {curve} on {d}")


def vol(curve, d, K, normal):
    typ = 'normal' if normal else 'lognormal'
    pts = [r for r in VOLS if r['curve'] == curve and r['vol_type'] == typ and
           D(r['delivery_start']) <= d <= D(r['delivery_end'])]
    ks = sorted((float(r['strike']), float(r['vol'])) for r in pts if r['strike'])
    if ks:
        return float(np.interp(K, [k for k, _ in ks], [v for _, v in ks]))
    atm = [float(r['vol']) for r in pts if not r['strike']]
    if not atm:
        raise SystemExit(f"oracle: no vol of {curve} on {d}")
    return atm[0]


def zero(ccy, d):
    P = RATES[ccy]
    t = (d - asof).days / 365.0
    if t <= P[0][0]:
        return P[0][1] / P[0][0]
    if t >= P[-1][0]:
        return P[-1][1] / P[-1][0]
    for (t0, a), (t1, b) in zip(P, P[1:]):
        if t0 <= t <= t1:
            return (a + (t - t0) / (t1 - t0) * (b - a)) / t


def option(cp, F, K, s, r, T, normal):
    """Price and delta (discounted), Black-76 or Bachelier (DOMAIN.md)."""
    Df = math.exp(-r * T)
    w = 1 if cp == 'call' else -1
    if normal:
        d = (F - K) / (s * math.sqrt(T))
        call = Df * ((F - K) * norm.cdf(d) + s * math.sqrt(T) * norm.pdf(d))
        price = call if w == 1 else call - Df * (F - K)
        delta = Df * norm.cdf(d) if w == 1 else Df * (norm.cdf(d) - 1)
        return price, delta
    d1 = (math.log(F / K) + s * s * T / 2) / (s * math.sqrt(T))
    d2 = d1 - s * math.sqrt(T)
    price = Df * w * (F * norm.cdf(w * d1) - K * norm.cdf(w * d2))
    delta = Df * w * norm.cdf(w * d1)
    return price, delta


SCEN = [(0, 1, 0), (0, -1, 0)]
for frac in (1 / 3, 2 / 3, 1):
    for sgn in (1, -1):
        SCEN += [(sgn * frac, 1, 0), (sgn * frac, -1, 0)]
SCEN += [(1, 0, 1), (-1, 0, 1)]

groups = {}  # (book, curve) -> dict
for tid in ORDER:
    t = LIVE[tid]
    if t['status'] == 'cancel' or t['instrument'] not in ('future', 'option'):
        continue
    curve = t['curve']
    ds = D(t['delivery_start'])
    if curve not in RG:
        continue
    if t['instrument'] == 'future' and ds <= asof:
        continue
    if t['instrument'] == 'option' and D(t['expiry']) <= asof:
        continue
    c, rg = MK[curve], RG[curve]
    side = 1 if t['side'] == 'buy' else -1
    units, contracts = units_and_contracts(t, c)
    F = forward(curve, ds)
    normal = c['model'] == 'bachelier'
    g = groups.setdefault((t['book'], curve), {
        'ccy': t['currency'], 'loss': [0.0] * 16, 'months': {}, 'som': 0.0, 'rg': rg})
    if t['instrument'] == 'future':
        def value(f, vm):
            return f, 1.0
    else:
        K, T = float(t['strike']), (D(t['expiry']) - asof).days / 365.0
        s, r = vol(curve, ds, K, normal), zero(t['currency'], D(t['expiry']))

        def value(f, vm, K=K, T=T, s=s, r=r, cp=t['option_type']):
            return option(cp, f, K, s * vm, r, T, normal)
        if side < 0:
            g['som'] += contracts * rg['short_option_min']
    v0, d0 = value(F, 1.0)
    for i, (frac, vd, ext) in enumerate(SCEN):
        move = frac * (rg['extreme_move'] if ext else 1) * rg['price_scan']
        cover = rg['extreme_cover'] if ext else 1.0
        v, _ = value(F + move, 1.0 + vd * rg['vol_scan'])
        g['loss'][i] += -side * units * (v - v0) * cover
    m = (ds.year, ds.month)
    g['months'][m] = g['months'].get(m, 0.0) + side * contracts * d0

acc = {}
with open(out_scen, 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['account', 'currency', 'curve', 'scenario', 'price_move', 'vol_move', 'cover', 'loss'])
    for (book, curve), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1]['ccy'], kv[0][1])):
        rg = g['rg']
        for i, (frac, vd, ext) in enumerate(SCEN):
            w.writerow([book, g['ccy'], curve, i + 1,
                        repr(frac * (rg['extreme_move'] if ext else 1) * rg['price_scan']),
                        repr(vd * rg['vol_scan']), repr(rg['extreme_cover'] if ext else 1.0),
                        repr(g['loss'][i])])
        lng = sum(x for x in g['months'].values() if x > 0)
        sht = -sum(x for x in g['months'].values() if x < 0)
        a = acc.setdefault((book, g['ccy']), [0.0, 0.0, 0.0])
        a[0] += max(0.0, max(g['loss']))
        a[1] += min(lng, sht) * rg['spread_charge']
        a[2] += g['som']

with open(out_margin, 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['account', 'currency', 'scan_risk', 'spread_charge', 'short_option_min', 'margin'])
    for (book, ccy), (scan, spread, som) in sorted(acc.items()):
        w.writerow([book, ccy, repr(scan), repr(spread), repr(som), repr(max(scan + spread, som))])
