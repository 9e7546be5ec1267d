#!/usr/bin/env python3
"""Writes data/demand.csv: a synthetic daily electricity demand (GWh) of
the German zone, derived from the bundled weather of Frankfurt (EDDF in
weather.csv) and the EEX holidays (calendars/EEX.txt), for the examples
and tests of qe-forecast demand.  Deterministic (seed 20261125, Python's
Mersenne Twister); run from data/:  python3 demand.py > demand.csv
"""
import csv
import random

rng = random.Random(20261125)
hol = set()
for line in open("calendars/EEX.txt"):
    line = line.split("#")[0].strip()
    if line:
        hol.add(line)
rows = [r for r in csv.DictReader(open("weather.csv")) if r["station"] == "EDDF"]
print("date,value")
prev = None
import datetime
for r in rows:
    t = float(r["tmean"])
    d = datetime.date.fromisoformat(r["date"])
    lag = t if prev is None else prev
    load = 1350 + 22 * max(0.0, 18 - t) + 30 * max(0.0, t - 18) + 3.5 * (18 - lag)
    load -= (0, 0, 0, 0, 15, 190, 270)[d.weekday()]
    if r["date"] in hol:
        load -= 210
    load += rng.gauss(0, 30)
    print(f"{r['date']},{round(load, 1)}")
    prev = t
