#!/usr/bin/env python3
"""The independent side of the qe-forecast demand and backtest tests:
the design matrix built here from the weather and holiday files (degree
days, lags, dummies), fitted by statsmodels OLS, and rolling origins in
numpy.  Never reads qe-forecast's numbers except to compare them.

  demand-check COEF SUMMARY FORECAST WEATHER FWEATHER DEMAND CALENDAR STATION UNIT BASE LAGS LEVEL
  backtest-check OUT Y.csv TARGET INITIAL HORIZON STEP PERIOD MODEL [X...]
      MODEL regress: X the regressors; garch; hw: X = TREND SEASONAL ALPHA
      BETA GAMMA (statsmodels ExponentialSmoothing, heuristic initial
      states, the parameters fixed, PERIOD its season); demand: X =
      WEATHER CALENDAR STATION UNIT BASE LAGS (the design built here)
"""
import csv
import math
import sys

import numpy as np
import pandas as pd
import statsmodels.api as sm


def holidays(path):
    out = set()
    if path == "-":
        return None
    for line in open(path):
        line = line.split("#")[0].strip()
        if line:
            out.add(line)
    return out


def design(dates, temp, hol, unit, base, lags):
    """rows of features of the days `dates` from temp (date -> Celsius)"""
    def t_of(d):
        c = temp[d]
        return c * 9 / 5 + 32 if unit == "f" else c
    cols = {"const": [], "hdd": [], "cdd": []}
    for l in range(1, lags + 1):
        cols[f"tmean_lag{l}"] = []
    days = ["tue", "wed", "thu", "fri", "sat", "sun"]
    for n in days:
        cols[n] = []
    if hol is not None:
        cols["holiday"] = []
    keep = []
    for d in dates:
        dd = pd.Timestamp(d)
        need = [(dd - pd.Timedelta(days=l)).strftime("%Y-%m-%d") for l in range(lags + 1)]
        if any(n not in temp for n in need):
            continue
        keep.append(d)
        t = t_of(d)
        cols["const"].append(1.0)
        cols["hdd"].append(max(0.0, base - t))
        cols["cdd"].append(max(0.0, t - base))
        for l in range(1, lags + 1):
            cols[f"tmean_lag{l}"].append(t_of(need[l]))
        for i, n in enumerate(days):
            cols[n].append(1.0 if dd.dayofweek == i + 1 else 0.0)
        if hol is not None:
            cols["holiday"].append(1.0 if d in hol else 0.0)
    return keep, pd.DataFrame(cols)


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


def demand_check(coef, summary, forecast, weather, fweather, demand, cal, station, unit, base, lags, level):
    base, lags, level = float(base), int(lags), float(level)
    w = pd.read_csv(weather)
    w = w[w.station == station]
    temp = dict(zip(w.date, w.tmean.astype(float)))
    fw = pd.read_csv(fweather)
    fw = fw[fw.station == station]
    temp.update(dict(zip(fw.date, fw.tmean.astype(float))))
    hol = holidays(cal)
    y = pd.read_csv(demand)
    keep, X = design(list(y.date), temp, hol, unit, base, lags)
    col = [c for c in y.columns if c != "date"][0]
    yv = y.set_index("date").loc[keep, col].to_numpy(float)
    fit = sm.OLS(yv, X).fit()
    bad = []
    got = list(csv.DictReader(open(coef)))
    if [r["term"] for r in got] != list(X.columns):
        bad.append(f"terms {[r['term'] for r in got]} want {list(X.columns)}")
    for r, name in zip(got, X.columns):
        for col, want in (("coef", fit.params[name]), ("se", fit.bse[name]), ("t", fit.tvalues[name]),
                          ("p", fit.pvalues[name])):
            if not close(float(r[col]), want, 1e-9 if col != "p" else 1e-8):
                bad.append(f"{name} {col} {r[col]} want {want!r}")
    s = next(csv.DictReader(open(summary)))
    for col, want in (("n", fit.nobs), ("k", len(X.columns)), ("r2", fit.rsquared),
                      ("adj_r2", fit.rsquared_adj), ("f", fit.fvalue), ("sigma", math.sqrt(fit.scale))):
        if not close(float(s[col]), want):
            bad.append(f"summary {col} {s[col]} want {want!r}")
    fkeep, FX = design(list(fw.date), temp, hol, unit, base, lags)
    if fkeep != list(fw.date):
        bad.append("forecast days lack weather in the oracle")
    sf = fit.get_prediction(FX).summary_frame(alpha=1 - level)
    rows = list(csv.DictReader(open(forecast)))
    if [r["date"] for r in rows] != fkeep:
        bad.append(f"forecast dates {[r['date'] for r in rows]} want {fkeep}")
    for r, (_, f) in zip(rows, sf.iterrows()):
        for col in ("mean", "mean_se", "mean_ci_lower", "mean_ci_upper", "obs_ci_lower", "obs_ci_upper"):
            if not close(float(r[col]), f[col]):
                bad.append(f"{r['date']} {col} {r[col]} want {f[col]!r}")
    print("\n".join(bad[:20]))
    return 1 if bad else 0


def scores(y, f, q):
    e = np.abs(y - f)
    mape = "" if np.any(y == 0) else 100 * np.mean(e / np.abs(y))
    mase = "" if np.any(q == 0) else np.mean(e / q)
    return len(e), np.mean(e), math.sqrt(np.mean(e * e)), mape, mase


def backtest_check(out, data, target, initial, horizon, step, period, model, *x):
    """the rolling origins of qe-forecast backtest, recomputed: for regress
    with statsmodels OLS, for garch by the oracle's own GARCH(1,1)
    likelihood maximised with scipy (tests/forecast/oracle.py)"""
    initial, H, step, m = int(initial), int(horizon), int(step), int(period)
    df = pd.read_csv(data)
    if model == "garch":
        import importlib.util, os
        spec = importlib.util.spec_from_file_location("oracle", os.path.join(os.path.dirname(__file__), "oracle.py"))
        oracle = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(oracle)
        r = df[target].to_numpy(float)
        y = r * r
    elif model == "hw":
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        y = df[target].to_numpy(float)
        trend, seasonal, alpha, beta, gamma = x
        trend = None if trend == "none" else trend
        fixed = dict(smoothing_level=float(alpha), smoothing_seasonal=float(gamma))
        if trend:
            fixed["smoothing_trend"] = float(beta)
    elif model == "demand":
        weather, cal, station, unit, base, lags = x
        w = pd.read_csv(weather)
        w = w[w.station == station]
        keep, X = design(list(df.date), dict(zip(w.date, w.tmean.astype(float))), holidays(cal), unit,
                         float(base), int(lags))
        y = df.set_index("date").loc[keep, target].to_numpy(float)
        X = X.to_numpy(float)
    else:
        y = df[target].to_numpy(float)
        X = sm.add_constant(df[list(x)].to_numpy(float), has_constant="add")
    ym, yn, qs, origins = [], [], [], 0
    fm = []
    t = initial
    while t + H <= len(y):
        q = np.mean(np.abs(y[m:t] - y[:t - m]))
        if model == "garch":
            p, _ = oracle.fit(r[:t], "garch", "normal")
            om, a, b = p["omega"], p["alpha"], p["beta"]
            h = r[:t] @ r[:t] / t
            for v in r[:t]:
                h = om + a * v * v + b * h
            f = []
            for j in range(H):
                f.append(h)
                h = om + (a + b) * h
        elif model == "hw":
            f = ExponentialSmoothing(y[:t], trend=trend, seasonal=seasonal, seasonal_periods=m,
                                     initialization_method="heuristic").fit(optimized=False, **fixed).forecast(H)
        else:
            fit = sm.OLS(y[:t], X[:t]).fit()
            f = X[t:t + H] @ fit.params
        for j in range(H):
            ym.append(y[t + j])
            fm.append(f[j])
            yn.append(y[t - m + j % m])
            qs.append(q)
        origins += 1
        t += step
    ym, fm, yn, qs = map(np.array, (ym, fm, yn, qs))
    want = {model: scores(ym, fm, qs), "snaive": scores(ym, yn, qs)}
    rows = list(csv.DictReader(open(out)))
    bad = []
    if [r["model"] for r in rows] != [model, "snaive"]:
        bad.append(f"models {[r['model'] for r in rows]}")
    tol = 1e-9 if model != "garch" else 1e-4
    for r in rows:
        n, mae, rmse, mape, mase = want[r["model"]]
        if int(r["origins"]) != origins or int(r["forecasts"]) != n:
            bad.append(f"{r['model']} origins {r['origins']} forecasts {r['forecasts']} want {origins} {n}")
        for col, w in (("mae", mae), ("rmse", rmse), ("mape", mape), ("mase", mase)):
            if w == "" or r[col] == "":
                if w != r[col]:
                    bad.append(f"{r['model']} {col} {r[col]!r} want {w!r}")
            elif abs(float(r[col]) - w) > (tol if r["model"] == model else 1e-12) * abs(w):
                bad.append(f"{r['model']} {col} {r[col]} want {w!r}")
    print("\n".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "demand-check":
        sys.exit(demand_check(*sys.argv[2:]))
    if cmd == "backtest-check":
        sys.exit(backtest_check(*sys.argv[2:]))
    sys.exit(f"unknown command {cmd}")
