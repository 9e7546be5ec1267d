"""Independent positions of tests/screen/optbook.bash's book: a future by
its quantity, a European option by its Black-76 delta (scipy's normal
law: call D N(d1), put -D N(-d1), D = exp(-r T), T = ACT/365F to the
expiry) times its quantity, in lots and in the curve's unit.

positions(dir) -> list of dicts trade_id, counterparty, curve, month,
lots, units (a lot of a curve per MWh with a shape is lot_size MW over
the hours of the delivery period, by python's zoneinfo), option (bool),
priced (False for an option whose expiry is before the as-of date:
qe-price cannot price it), quantity_lots (the quantity in lots)."""
import csv
import datetime as dt
import math
import os
import sys

from scipy.stats import norm

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "settle"))
from shapes import hours  # noqa: E402

ASOF = dt.date(2026, 11, 25)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def live(trades):
    best = {}
    for t in trades:
        if t["trade_id"] not in best or int(t["version"]) >= int(best[t["trade_id"]]["version"]):
            best[t["trade_id"]] = t
    return [t for t in best.values() if t["status"] != "cancel"]


def black76_delta(kind, F, K, vol, r, T):
    D = math.exp(-r * T)
    d1 = (math.log(F / K) + vol * vol * T / 2) / (vol * math.sqrt(T))
    return D * norm.cdf(d1) if kind == "call" else -D * norm.cdf(-d1)


def positions(d="."):
    mk = {r["curve"]: r for r in rows(os.path.join(d, "markets.csv"))}
    fwd = {(r["curve"], r["delivery_start"][:7]): float(r["price"]) for r in rows(os.path.join(d, "curves.csv"))}
    vol = {(r["curve"], r["delivery_start"][:7]): float(r["vol"]) for r in rows(os.path.join(d, "vols.csv"))}
    rate = {r["currency"]: float(r["rate"]) for r in rows(os.path.join(d, "rates.csv"))}
    out = []
    for t in live(rows(os.path.join(d, "trades.csv"))):
        c, month = t["curve"], t["delivery_start"][:7]
        m = mk[c]
        lot = float(m["lot_size"])
        if m["unit"] == "MWh" and (t["shape"] or m["shape"]):
            lot *= hours(t["shape"] or m["shape"], m["timezone"], dt.date.fromisoformat(t["delivery_start"]),
                         dt.date.fromisoformat(t["delivery_end"]))
        q = float(t["quantity"]) * (1 if t["side"] == "buy" else -1)
        # lots as they are, MW per lot_size MW, a total quantity over the lot
        lots = q if t["unit"] == "lots" else q / float(m["lot_size"]) if t["unit"] == "MW" else q / lot
        qlots = lots
        option = t["instrument"] == "option"
        priced = True
        if option:
            exp = dt.date.fromisoformat(t["expiry"])
            priced = exp >= ASOF
            if priced:
                T = (exp - ASOF).days / 365.0
                lots *= black76_delta(t["option_type"], fwd[(c, month)], float(t["strike"]), vol[(c, month)],
                                      rate[t["currency"]], T)
        out.append(dict(trade_id=t["trade_id"], counterparty=t["counterparty"], curve=c, month=month,
                        lots=lots, units=lots * lot, option=option, priced=priced,
                        quantity_lots=qlots))
    return out
