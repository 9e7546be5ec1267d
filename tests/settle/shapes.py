"""Delivery hours of a shape (DOMAIN.md: EEX base/peak, gas days 06:00 to
06:00 local, NERC 5x16/2x16/7x8) and NERC holidays, for the settlement
oracles of tests/settle.bats (flows_oracle.py, margin_oracle.py)."""
import datetime as dt
from zoneinfo import ZoneInfo


def nerc(d):
    y = d.year
    def nth(m, wd, k):
        x = dt.date(y, m, 1) + dt.timedelta((wd - dt.date(y, m, 1).weekday()) % 7)
        return x + dt.timedelta(7 * (k - 1))
    last_mon_may = dt.date(y, 5, 31) - dt.timedelta((dt.date(y, 5, 31).weekday()) % 7)
    hs = [dt.date(y, 1, 1), last_mon_may, dt.date(y, 7, 4), nth(9, 0, 1), nth(11, 3, 4), dt.date(y, 12, 25)]
    hs = [h + dt.timedelta(1) if h.weekday() == 6 else h for h in hs]
    return d in hs

def hours(shape, zone, first, last):
    tz = ZoneInfo(zone)
    utc = dt.timezone.utc
    def at(d, h):
        return dt.datetime(d.year, d.month, d.day, h, tzinfo=tz).astimezone(utc)
    n = 0
    d = first
    while d <= last:
        nd = d + dt.timedelta(1)
        if shape == 'base':
            n += round((at(nd, 0) - at(d, 0)).total_seconds() / 3600)
        elif shape == 'peak':
            n += 12 if d.weekday() < 5 else 0
        elif shape == 'gasday' and not zone.startswith('America/'):
            n += round((at(nd, 6) - at(d, 6)).total_seconds() / 3600)
        elif shape in ('5x16', '2x16'):
            off = d.weekday() >= 5 or nerc(d)
            n += 16 if off == (shape == '2x16') else 0
        elif shape == '7x8':
            n += round((at(nd, 0) - at(d, 0)).total_seconds() / 3600) - 16
        else:
            raise SystemExit(f"oracle: shape {shape} in {zone} not covered")
        d = nd
    return n
