"""pandas peer for bench/dates/run: same work as bench_dates.c."""
import sys, time
import numpy as np
import pandas as pd

what = sys.argv[1]
if what == "tz":
    n = int(sys.argv[2])
    u = 1577836800 + np.arange(n, dtype=np.int64) * 31
    t0 = time.perf_counter()
    idx = pd.DatetimeIndex(u * 10**9, tz="UTC").tz_convert("Europe/Berlin")
    local = (idx.tz_localize(None).asi8 // 10**9)
    acc = int((local & 0xffff).sum())
    print(f"{time.perf_counter() - t0:.3f} {acc:.6f}")
elif what == "shape":
    y0, y1 = int(sys.argv[2]), int(sys.argv[3])
    t0 = time.perf_counter()
    total = 0
    for y in range(y0, y1 + 1):
        for m in range(1, 13):
            start = pd.Timestamp(year=y, month=m, day=1, tz="Europe/Berlin")
            end = start + pd.offsets.MonthBegin(1)
            h = pd.date_range(start, end, freq="h", inclusive="left")
            total += int(((h.dayofweek < 5) & (h.hour >= 8) & (h.hour < 20)).sum())
    print(f"{time.perf_counter() - t0:.3f} {total:.6f}")
elif what == "meters":
    meters, days = int(sys.argv[2]), int(sys.argv[3])
    n = days * 96
    i = np.arange(n)
    v = 1.0 + 0.5 * ((i * 7919) % 13) / 13.0
    keep = i % 1000 != 999
    ts = pd.DatetimeIndex((1767222000 + i[keep] * 900) * 10**9, tz="UTC")
    frames = [pd.DataFrame({"meter": f"M{k:05d}", "ts": ts, "energy": v[keep]}) for k in range(meters)]
    df = pd.concat(frames, ignore_index=True)
    t0 = time.perf_counter()
    df["ts"] = df["ts"].dt.tz_convert("Europe/Berlin")
    out = df.groupby(["meter", pd.Grouper(key="ts", freq="1h")])["energy"].sum()
    print(f"{time.perf_counter() - t0:.3f} {out.sum():.6f}")
