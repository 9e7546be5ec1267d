"""Independent oracles of qe-forecast hw's tests (Debian's /usr/bin/python3:
numpy, pandas, statsmodels).  Nothing here reads qe-forecast's numbers
except to check them.

  hw_oracle.py series OUT SEED N [mul]     an hourly series timestamp,value
      (UTC) with a daily and a weekly cycle, a drift and noise
  hw_oracle.py init OUT SEED TREND M [M2]  random initial states in the
      HOLT-WINTERS INIT format (TREND add|none; seasonals near 0, or near 1
      when M is prefixed by 'mul:')
  hw_oracle.py fixed SERIES INIT FC FITTED SUMMARY TREND DAMPED SEASONAL M A B G PHI
      statsmodels' ExponentialSmoothing (initialization "known") with the
      same parameters and states: one-step predictions, sse and aic within
      1e-9 (relative above 1); forecasts against the textbook forecast
      from statsmodels' final states (and ETSModel's, additive) at every
      step and against ExponentialSmoothing.forecast at steps that are not
      a multiple of M (statsmodels issue #9538: its forecast at h = M,
      2M ... uses the seasonal of the cycle before)
  hw_oracle.py fit SERIES SUMMARY TREND DAMPED SEASONAL M
      statsmodels' fit (initial states estimated): qe's sse no worse than
      statsmodels' by more than 0.1%
  hw_oracle.py taylor SERIES STATES FC FITTED SUMMARY TREND DAMPED M1 M2
      Taylor's (2003) double-seasonal recursions written here, at qe's
      parameters (SUMMARY) and states (STATES): predictions, forecasts and
      sse within 1e-9
Exit 1 with the differences on failure.
"""
import csv
import sys
import warnings

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


def series(out, seed, n, mul=False):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 500 + 0.02 * t + 60 * np.sin(2 * np.pi * t / 24) + 25 * np.cos(2 * np.pi * t / 168)
    y = y + np.cumsum(rng.normal(0, 1.5, n)) + rng.normal(0, 8, n)
    if mul:
        y = y * (1 + 0.2 * np.sin(2 * np.pi * t / 24))
    ts = pd.date_range("2026-01-05", periods=n, freq="h", tz="UTC")
    with open(out, "w") as f:
        f.write("timestamp,value\n")
        for s, v in zip(ts, y):
            f.write(s.strftime("%Y-%m-%dT%H:%M:%S+00:00") + f",{v!r}\n")


def init(out, seed, trend, periods):
    rng = np.random.default_rng(seed)
    with open(out, "w") as f:
        f.write("component,index,value\n")
        f.write(f"level,,{rng.uniform(450, 550)!r}\n")
        if trend == "add":
            f.write(f"trend,,{rng.normal(0, 0.05)!r}\n")
        for j, p in enumerate(periods):
            mul = p.startswith("mul:")
            m = int(p[4:] if mul else p)
            s = rng.normal(0, 0.05 if mul else 20, m)
            s = 1 + s - s.mean() if mul else s - s.mean()
            for i, v in enumerate(s):
                f.write(f"{'seasonal' if j == 0 else 'seasonal2'},{i + 1},{v!r}\n")


def read_init(path):
    level, trend, s = None, None, {"seasonal": {}, "seasonal2": {}}
    for r in csv.DictReader(open(path)):
        if r["component"] == "level":
            level = float(r["value"])
        elif r["component"] == "trend":
            trend = float(r["value"])
        else:
            s[r["component"]][int(r["index"])] = float(r["value"])
    seas = [np.array([d[i] for i in sorted(d)]) for d in (s["seasonal"], s["seasonal2"])]
    return level, trend, seas


def fixed(sp, ip, fcp, fitp, sump, trend, damped, seasonal, m, a, b, g, phi):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    y = pd.read_csv(sp).value.to_numpy()
    level, b0, (s0, _) = read_init(ip)
    tr = None if trend == "none" else "add"
    damped = damped == "1"
    m = int(m)
    kw = dict(initialization_method="known", initial_level=level, initial_seasonal=s0)
    if tr:
        kw["initial_trend"] = b0
    mod = ExponentialSmoothing(y, trend=tr, damped_trend=damped, seasonal=seasonal, seasonal_periods=m, **kw)
    fk = dict(smoothing_level=float(a), smoothing_seasonal=float(g))
    if tr:
        fk["smoothing_trend"] = float(b)
    if damped:
        fk["damping_trend"] = float(phi)
    res = mod.fit(optimized=False, **fk)
    fc = pd.read_csv(fcp)
    fit = pd.read_csv(fitp)
    summ = next(csv.DictReader(open(sump)))
    bad = []
    for i, (q, w) in enumerate(zip(fit.fitted, res.fittedvalues)):
        if not close(q, w):
            bad.append(f"fitted {i}: {q!r} statsmodels {w!r}")
    if len(fit) != len(y):
        bad.append(f"{len(fit)} fitted rows for {len(y)} values")
    for col, w in (("sse", res.sse), ("aic", res.aic)):
        if not close(float(summ[col]), w):
            bad.append(f"{col} {summ[col]} statsmodels {w!r}")
    # the textbook forecast from statsmodels' final states (Hyndman and
    # Athanasopoulos 8.3): l_n + (phi + .. + phi^k) b_n with the latest
    # seasonal of the step's phase
    h = len(fc)
    hw = res.forecast(h)
    ln = res.level[-1]
    bn = res.trend[-1] if tr else 0.0
    last = np.asarray(res.season)[-m:]
    p = float(phi) if damped else 1.0
    for k in range(1, h + 1):
        damp = sum(p ** i for i in range(1, k + 1))
        sk = last[(k - 1) % m]
        want = (ln + damp * bn) * sk if seasonal == "mul" else ln + damp * bn + sk
        q = fc.forecast[k - 1]
        if not close(q, want):
            bad.append(f"forecast {k}: {q!r} textbook {want!r}")
        if k % m and not close(q, hw[k - 1]):
            bad.append(f"forecast {k}: {q!r} ExponentialSmoothing {hw[k - 1]!r}")
    if seasonal == "add":
        # ETSModel (additive errors; its beta is alpha * beta of this form)
        # forecasts the same at every step
        ets = ETSModel(y, error="add", trend=tr, damped_trend=damped, seasonal=seasonal, seasonal_periods=m, **kw)
        ep = [float(a)] + ([float(a) * float(b)] if tr else []) + [float(g)] + ([float(phi)] if damped else [])
        want = ets.smooth(ep).forecast(h)
        for k in range(h):
            if not close(fc.forecast[k], want[k]):
                bad.append(f"forecast {k + 1}: {fc.forecast[k]!r} ETSModel {want[k]!r}")
    return bad


def fit(sp, sump, trend, damped, seasonal, m):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    y = pd.read_csv(sp).value.to_numpy()
    mod = ExponentialSmoothing(y, trend=None if trend == "none" else "add", damped_trend=damped == "1",
                               seasonal=seasonal, seasonal_periods=int(m), initialization_method="estimated")
    res = mod.fit()
    q = float(next(csv.DictReader(open(sump)))["sse"])
    if q > res.sse * 1.001:
        return [f"sse {q!r} worse than statsmodels' {res.sse!r} by {q / res.sse - 1:.3%}"]
    print(f"sse {q!r} statsmodels {res.sse!r} ({q / res.sse - 1:+.2e})")
    return []


def taylor(sp, stp, fcp, fitp, sump, trend, damped, m1, m2):
    y = pd.read_csv(sp).value.to_numpy()
    level, b, (d0, w0) = read_init(stp)
    summ = next(csv.DictReader(open(sump)))
    m1, m2 = int(m1), int(m2)
    a, g, g2 = (float(summ[k]) for k in ("alpha", "gamma", "gamma2"))
    be = float(summ["beta"]) if trend == "add" else 0.0
    phi = float(summ["phi"]) if damped == "1" else 1.0
    b = b if trend == "add" else 0.0
    d, w = list(d0), list(w0)
    pred = []
    for t, yt in enumerate(y):
        # d[t] holds d_{t-m1}, w[t] holds w_{t-m2}
        p = level + phi * b + d[t] + w[t]
        pred.append(p)
        ln = a * (yt - d[t] - w[t]) + (1 - a) * (level + phi * b)
        d.append(g * (yt - ln - w[t]) + (1 - g) * d[t])
        w.append(g2 * (yt - ln - d[t]) + (1 - g2) * w[t])
        bn = be * (ln - level) + (1 - be) * phi * b
        level, b = ln, bn
    n = len(y)
    fc = pd.read_csv(fcp)
    fit = pd.read_csv(fitp)
    bad = []
    for t in range(n):
        if not close(fit.fitted[t], pred[t]):
            bad.append(f"fitted {t}: {fit.fitted[t]!r} want {pred[t]!r}")
    sse = float(np.sum((y - np.array(pred)) ** 2))
    if not close(float(summ["sse"]), sse):
        bad.append(f"sse {summ['sse']} want {sse!r}")
    for k in range(1, len(fc) + 1):
        damp = sum(phi ** i for i in range(1, k + 1))
        # the latest seasonal of the step's phase: d[t + m1] was
        # updated at t, so step k (time n + k - 1) reads back whole cycles
        dk = d[n + k - 1 - m1 * ((k - 1) // m1)]
        wk = w[n + k - 1 - m2 * ((k - 1) // m2)]
        want = level + damp * b + dk + wk
        if not close(fc.forecast[k - 1], want):
            bad.append(f"forecast {k}: {fc.forecast[k - 1]!r} want {want!r}")
    return bad


def main(argv):
    cmd = argv[1]
    if cmd == "series":
        series(argv[2], int(argv[3]), int(argv[4]), len(argv) > 5 and argv[5] == "mul")
        return 0
    if cmd == "init":
        init(argv[2], int(argv[3]), argv[4], argv[5:])
        return 0
    bad = {"fixed": fixed, "fit": fit, "taylor": taylor}[cmd](*argv[2:])
    print("\n".join(bad[:20]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
