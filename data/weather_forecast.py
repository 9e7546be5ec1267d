#!/usr/bin/env python3
"""Writes data/weather_forecast.csv: a 7-day weather forecast after the
bundled weather's last day (2026-11-25) for each of its stations, in the
columns of weather.csv, for the demand forecast of `make eod`
(pipelines/forecast.mk, qe-forecast demand --forecast-weather).  Not a
weather service's forecast: a climatological one, each day's tmin, tmax
and tmean the mean of the station's values on the same day and the three
days either side of it in the earlier years of weather.csv.
Deterministic; run from data/:  python3 weather_forecast.py > weather_forecast.csv
"""
import csv
import datetime
from collections import defaultdict

rows = list(csv.DictReader(open("weather.csv")))
last = max(datetime.date.fromisoformat(r["date"]) for r in rows)
by_day = defaultdict(dict)
stations = []
for r in rows:
    if r["station"] not in stations:
        stations.append(r["station"])
    by_day[r["station"]][datetime.date.fromisoformat(r["date"])] = r
print("station,date,tmin,tmax,tmean")
for st in stations:
    for k in range(1, 8):
        day = last + datetime.timedelta(days=k)
        near = []
        for back in range(1, 10):
            try:
                centre = day.replace(year=day.year - back)
            except ValueError:  # 29 February
                centre = day.replace(year=day.year - back, day=28)
            for off in range(-3, 4):
                r = by_day[st].get(centre + datetime.timedelta(days=off))
                if r:
                    near.append(r)
        mean = {c: sum(float(r[c]) for r in near) / len(near) for c in ("tmin", "tmax", "tmean")}
        print(f"{st},{day},{mean['tmin']:.1f},{mean['tmax']:.1f},{mean['tmean']:.1f}")
