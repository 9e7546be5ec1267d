"""A small synthetic EUR/USD gas market for the full-revaluation, horizon
and FX tests of qe-var (tests/var.bats, varfull.bats, varfx.bats).

write_market(seed) writes, in the current directory:
  history.csv  300 weekdays up to ASOF of NG_HH (3.9) and TTF (31.0) at
               tenors 0..12, tenor t starting at p0 * (1 + 0.01 t), daily
               log moves of 0.02 standard normals;
  curves.csv   monthly quotes of tenors 1..12 at the history's last prices;
  rates.csv    flat 3% in USD and EUR.
style "daily" draws the moves day by day for each curve and tenor in turn;
"vector" draws each tenor's path at once, and with flat=True every tenor
of a curve follows one path (contract and constant-maturity returns are
then one series).  It returns (rng, days, last) so a fixture draws what it
needs next from the same generator.
"""
import datetime as dt
import numpy as np

ASOF = dt.date(2026, 11, 25)
TRADES_HEADER = (
    "trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,"
    "unit,price,currency,delivery_start,delivery_end,shape,option_type,strike,exercise,expiry,"
    "avg_start,avg_end,curve2,ratio,model\n")
CURVES = (("NG_HH", 3.9, "MMBtu", "USD"), ("TTF", 31.0, "MWh", "EUR"))


def weekdays(n=300, asof=ASOF):
    days, d = [], asof
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= dt.timedelta(days=1)
    days.reverse()
    return days


def month(t, asof=ASOF):
    """First and last day of the month t months after the as-of month."""
    y, m = asof.year, asof.month + t
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return dt.date(y, m, 1), nxt - dt.timedelta(days=1)


def write_market(seed, style="daily", flat=False):
    rng = np.random.default_rng(seed)
    days = weekdays()
    last = {}
    with open("history.csv", "w") as f:
        f.write("date,curve,tenor,price\n")
        for c, p0, _, _ in CURVES:
            if style == "daily":
                for t in range(13):
                    p = p0 * (1 + 0.01 * t)
                    for day in days:
                        p *= np.exp(0.02 * rng.standard_normal())
                        f.write("%s,%s,%d,%r\n" % (day, c, t, p))
                    last[c, t] = p
            else:
                path = p0 * np.exp(np.cumsum(0.02 * rng.standard_normal(len(days))))
                for t in range(13):
                    p = path if flat else p0 * (1 + 0.01 * t) * np.exp(
                        np.cumsum(0.02 * rng.standard_normal(len(days))))
                    for day, v in zip(days, p):
                        f.write("%s,%s,%d,%r\n" % (day, c, t, v))
                    last[c, t] = p[-1]
    with open("curves.csv", "w") as f:
        f.write("curve,asof,delivery_start,delivery_end,price,unit,currency\n")
        for c, _, u, ccy in CURVES:
            for t in range(1, 13):
                a, b = month(t)
                f.write("%s,%s,%s,%s,%r,%s,%s\n" % (c, ASOF, a, b, last[c, t], u, ccy))
    with open("rates.csv", "w") as f:
        f.write("currency,asof,date,rate\n")
        for ccy in ("USD", "EUR"):
            f.write("%s,%s,2026-12-01,0.03\n%s,%s,2031-01-01,0.03\n" % (ccy, ASOF, ccy, ASOF))
    return rng, days, last
