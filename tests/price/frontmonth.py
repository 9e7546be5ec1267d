"""Front months from the exchange rules, written out here from the
rulebooks (DOMAIN.md "Units and contracts"), independently of
lib/time/contract, for the tests of swaps, Asians, fixings and history.

    NG     (NYMEX)  3 business days before the first calendar day of the
                    delivery month
    CL     (NYMEX)  3 business days before the 25th calendar day of the
                    month before delivery; 3 before the last business day
                    preceding the 25th when the 25th is not a business day
    BRENT  (ICE)    last business day of the second month before delivery
    HO, RB (NYMEX)  last business day of the month before delivery

The front month on day d is the contract with the earliest last trading
day on or after d.  Holidays come from the bundled calendar files.
"""
import datetime as dt
import math

RULES = {"NG_HH": ("NG", "NYMEX"), "CL_WTI": ("CL", "NYMEX"),
         "BRENT": ("BRENT", "ICE_EU"), "HO_ULSD": ("HO", "NYMEX"),
         "RBOB": ("RB", "NYMEX")}


def holidays(data, cal):
    with open(f"{data}/calendars/{cal}.txt") as f:
        return {dt.date.fromisoformat(l[:10]) for l in f if l[:1].isdigit()}


class Rules:
    def __init__(self, data):
        self.data = data
        self.hol = {c: holidays(data, c) for c in ("NYMEX", "ICE_EU")}

    def bday(self, cal, d):
        return d.weekday() < 5 and d not in self.hol[cal]

    def back(self, cal, d, n):
        """n business days before d."""
        while n > 0:
            d -= dt.timedelta(days=1)
            if self.bday(cal, d):
                n -= 1
        return d

    def last_bday(self, cal, y, m):
        d = dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        while not self.bday(cal, d):
            d -= dt.timedelta(days=1)
        return d

    def ltd(self, curve, y, m):
        """Last trading day of the contract delivering in month (y, m)."""
        prod, cal = RULES[curve]
        first = dt.date(y, m, 1)
        py, pm = (y, m - 1) if m > 1 else (y - 1, 12)
        if prod == "NG":
            return self.back(cal, first, 3)
        if prod == "CL":
            d25 = dt.date(py, pm, 25)
            base = d25 if self.bday(cal, d25) else self.back(cal, d25, 1)
            return self.back(cal, base, 3)
        if prod in ("HO", "RB"):
            return self.last_bday(cal, py, pm)
        qy, qm = (py, pm - 1) if pm > 1 else (py - 1, 12)
        return self.last_bday(cal, qy, qm)   # BRENT

    def front(self, curve, d):
        """(year, month) of the front-month contract on day d."""
        y, m = d.year, d.month
        while self.ltd(curve, y, m) < d:
            y, m = (y, m + 1) if m < 12 else (y + 1, 1)
        return y, m


def discount(rates, ccy, asof, day):
    """Zero rates linear in rate x time, flat zero rate beyond the ends."""
    r = rates[rates.currency == ccy]
    T = [(dt.date.fromisoformat(x) - asof).days / 365 for x in r.date]
    R = list(r.rate)
    t = (day - asof).days / 365
    if t <= T[0]:
        z = R[0]
    elif t >= T[-1]:
        z = R[-1]
    else:
        k = next(i for i in range(len(T)) if T[i] >= t)
        w = (t - T[k - 1]) / (T[k] - T[k - 1])
        z = (R[k - 1] * T[k - 1] + w * (R[k] * T[k] - R[k - 1] * T[k - 1])) / t
    return math.exp(-z * max(t, 0))
