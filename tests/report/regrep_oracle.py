"""Independent recomputation of qe-report remit and cot from the CSVs
(tests/report.bats).  Shape hours come from tests/settle/shapes.py
(python's zoneinfo and the NERC holidays), LEI check digits from python's
own MOD 97-10, never from qe's output.

usage: regrep_oracle.py remit TRADES CPTY MARKETS OUR_LEI REPORT REJECTS
       regrep_oracle.py cot TRADES CPTY MARKETS OWN_CATEGORY REPORT [PREVIOUS] [SENS=FILE]
With SENS=FILE (qe-price's sensitivities of TRADES) an option, Asian or
spread option with rows there counts by them: each row's delta over one
lot of the row's curve over the trade's delivery period, in the month of
the row's delivery_start; options and spreads without rows are left out.
Prints "ok N" or raises with the first difference."""
import csv
import datetime as dt
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "settle"))
from shapes import hours  # noqa: E402

CATS = ["producer_merchant", "swap_dealer", "managed_money", "other_reportable", "nonreportable"]


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def lei_ok(s):
    if len(s) != 20 or not s.isalnum() or s.upper() != s or not s[18:].isdigit():
        return False
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def date(s):
    return dt.date.fromisoformat(s)


def total_and_lot(t, m):
    """Total quantity in the curve's unit, size of a lot over the period."""
    q = float(t["quantity"])
    a, b = date(t["delivery_start"]), date(t["delivery_end"])
    shape = t.get("shape") or m["shape"]
    shaped = m["unit"] == "MWh" and shape
    h = hours(shape, m["timezone"], a, b) if shaped else None
    lot = float(m["lot_size"]) * (h if shaped else 1)
    u = t["unit"]
    if u == "lots":
        return q * lot, lot
    if u == "MW":
        return q * h, lot
    if u == "MMBtu/d":
        return q * ((b - a).days + 1), lot
    assert u == m["unit"], (t["trade_id"], u)
    return q, lot


def close(a, b, what):
    a, b = float(a), float(b)
    if not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9):
        raise SystemExit(f"{what}: report {a!r}, python {b!r}")


def remit(trades, cpty, markets, our, report, rejects):
    cp = {r["counterparty"]: r for r in rows(cpty)}
    mk = {r["curve"]: r for r in rows(markets)}
    first = {}
    want, want_rej = [], []
    for line, t in enumerate(rows(trades), start=2):
        if t["status"] == "new":
            first[t["trade_id"]] = t
        lei = cp[t["counterparty"]]["lei"]
        if not lei_ok(lei):
            want_rej.append((t["trade_id"], t["version"], str(line), "counterparty"))
            continue
        want.append((t, lei, first[t["trade_id"]]))
    got = rows(report)
    got_rej = [(r["trade_id"], r["version"], r["line"], r["column"]) for r in rows(rejects)]
    if got_rej != want_rej:
        raise SystemExit(f"rejects differ: {got_rej[:5]} vs {want_rej[:5]} ({len(got_rej)} vs {len(want_rej)})")
    if len(got) != len(want):
        raise SystemExit(f"{len(got)} rows, python {len(want)}")
    action = {"new": ("new", "N"), "amend": ("modify", "M"), "cancel": ("cancel", "C")}
    for g, (t, lei, v1) in zip(got, want):
        m = mk[t["curve"]]
        tid = f'{t["trade_id"]} v{t["version"]}'
        exp = {
            "uti": t["uti"], "trade_id": t["trade_id"], "version": t["version"],
            "action_type": action[t["status"]][0], "action_code": action[t["status"]][1],
            "reporting_lei": our, "other_lei": lei, "counterparty": t["counterparty"], "side": t["side"],
            "book": t["book"], "trader": t["trader"], "instrument": t["instrument"], "curve": t["curve"],
            "commodity": m["commodity"], "delivery_start": t["delivery_start"],
            "delivery_end": t["delivery_end"], "shape": t["shape"] or m["shape"], "currency": t["currency"],
            "quantity": t["quantity"], "quantity_unit": t["unit"], "total_unit": m["unit"],
            "notional_currency": t["currency"], "exec_time": v1["exec_time"], "event_time": t["exec_time"],
            "venue": t["venue"], "option_type": t["option_type"], "strike": t["strike"], "expiry": t["expiry"],
        }
        for k, v in exp.items():
            if g[k] != v:
                raise SystemExit(f"{tid}: {k} = {g[k]!r}, python {v!r}")
        # the UTI: our LEI then the trade's own code, one per trade
        assert g["uti"] == v1["uti"] and lei_ok(g["uti"][:20]) and len(g["uti"]) <= 52, tid
        total, _ = total_and_lot(t, m)
        close(g["price"], t["price"], f"{tid} price")
        close(g["total_quantity"], total, f"{tid} total_quantity")
        base = float(t["strike"]) if t["instrument"] == "option" else float(t["price"])
        close(g["notional"], base * total, f"{tid} notional")
    print(f"ok {len(got)} rows, {len(got_rej)} rejects")


def live_trades(trades):
    best = {}
    for t in rows(trades):
        k = t["trade_id"]
        if k not in best or int(t["version"]) >= int(best[k]["version"]):
            best[k] = t
    return [t for t in best.values() if t["status"] != "cancel"]


def cot(trades, cpty, markets, own, report, *more):
    previous = next((x for x in more if not x.startswith("SENS=")), None)
    sens_file = next((x[5:] for x in more if x.startswith("SENS=")), None)
    sens = {}  # trade_id -> its rows (cross-gamma rows left out)
    if sens_file:
        for r in rows(sens_file):
            if not r.get("curve2"):
                sens.setdefault(r["trade_id"], []).append(r)
    cp = {r["counterparty"]: r for r in rows(cpty)}
    mk = {r["curve"]: r for r in rows(markets)}
    net = {}  # (trader, curve, month) -> lots, trader "" = us
    cat_of = {"": own}
    comm_of = {}
    by_delta = 0
    for t in live_trades(trades):
        if t["instrument"] in ("option", "asian", "spread") and t["trade_id"] in sens:
            by_delta += 1
            c = t["counterparty"]
            cat_of[c] = cp[c]["category"]
            for r in sens[t["trade_id"]]:
                m = mk[r["curve"]]
                # one lot of the row's curve over the trade's period (the
                # trade's shape on its own curve, the curve's on a spread's
                # other leg)
                own_curve = r["curve"] == t["curve"]
                _, lot = total_and_lot(dict(t, unit="lots", shape=t.get("shape", "") if own_curve else ""), m)
                ours = float(r["delta"]) / lot
                month = r["delivery_start"][:7]
                comm_of[r["curve"]] = m["commodity"]
                net[(c, r["curve"], month)] = net.get((c, r["curve"], month), 0) - ours
                net[("", r["curve"], month)] = net.get(("", r["curve"], month), 0) + ours
            continue
        if t["instrument"] in ("option", "spread"):
            continue
        m = mk[t["curve"]]
        total, lot = total_and_lot(t, m)
        ours = (1 if t["side"] == "buy" else -1) * total / lot
        month = t["delivery_start"][:7]
        c = t["counterparty"]
        cat_of[c] = cp[c]["category"]
        comm_of[t["curve"]] = m["commodity"]
        net[(c, t["curve"], month)] = net.get((c, t["curve"], month), 0) - ours
        net[("", t["curve"], month)] = net.get(("", t["curve"], month), 0) + ours
    per = {}  # (trader, commodity) -> [L, S]
    for (tr, curve, _), x in net.items():
        if abs(x) < 1e-9:
            x = 0
        ls = per.setdefault((tr, comm_of[curve]), [0.0, 0.0])
        ls[0 if x > 0 else 1] += abs(x) if x else 0
    cells = {}
    for (tr, comm), (L, S) in per.items():
        c = cells.setdefault((comm, cat_of[tr]), [0, 0.0, 0.0, 0.0])
        spr = min(L, S)
        c[0] += 1 if (L > 0 or S > 0) else 0
        c[1] += L - spr
        c[2] += S - spr
        c[3] += spr
    got = rows(report)
    comms = sorted({comm for comm, _ in cells})
    if [(r["commodity"], r["category"]) for r in got] != [(c, k) for c in comms for k in CATS]:
        raise SystemExit("rows: " + str([(r["commodity"], r["category"]) for r in got]))
    prev = {(r["commodity"], r["category"]): r for r in rows(previous)} if previous else None
    for r in got:
        c = cells.get((r["commodity"], r["category"]), [0, 0.0, 0.0, 0.0])
        what = f'{r["commodity"]}/{r["category"]}'
        if int(r["traders"]) != c[0]:
            raise SystemExit(f"{what}: traders {r['traders']}, python {c[0]}")
        for k, v in zip(("long", "short", "spreading"), c[1:]):
            close(r[k], v, f"{what} {k}")
        oi_long = sum(cells.get((r["commodity"], k), [0, 0, 0, 0])[1] + cells.get((r["commodity"], k),
                                                                                  [0, 0, 0, 0])[3] for k in CATS)
        oi_short = sum(cells.get((r["commodity"], k), [0, 0, 0, 0])[2] + cells.get((r["commodity"], k),
                                                                                   [0, 0, 0, 0])[3] for k in CATS)
        close(r["open_interest"], oi_long, f"{what} open_interest")
        if not math.isclose(oi_long, oi_short, rel_tol=1e-9):
            raise SystemExit(f"{what}: longs {oi_long} and shorts {oi_short} do not balance")
        for k in ("long", "short", "spreading"):
            if prev is None:
                assert r[k + "_change"] == "", what
            else:
                p = prev.get((r["commodity"], r["category"]))
                close(r[k + "_change"], float(r[k]) - (float(p[k]) if p else 0.0), f"{what} {k}_change")
    print(f"ok {len(got)} rows, {by_delta} options by delta")


if __name__ == "__main__":
    if sys.argv[1] == "remit":
        remit(*sys.argv[2:8])
    else:
        cot(*sys.argv[2:])
