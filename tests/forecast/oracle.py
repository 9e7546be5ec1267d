"""Independent oracles of qe-forecast's tests (Debian's /usr/bin/python3:
numpy, scipy, statsmodels).  Nothing here reads qe-forecast's numbers
except to check them.

  oracle.py sim SEED N OMEGA ALPHA BETA GAMMA NU   a GJR-GARCH series date,value
                                                   (NU 0: normal innovations)
  oracle.py garch-check QE.csv RETURNS.csv MODEL DIST
      fits RETURNS (date,value) with scipy from several starts on the
      likelihood of qe-forecast(1) and checks qe's row: parameters within
      1e-4 (omega relative to the mean square), log-likelihood never worse
      than scipy's by more than 1e-6 and equal to this file's likelihood at
      qe's parameters.  Exit 1 with the differences on failure.
  oracle.py regress-data SEED N                    load,hdd,weekday,temp with AR(1) errors
  oracle.py regress-check COEF.csv SUMMARY.csv DATA.csv Y X1,X2.. [LAGS]
      statsmodels OLS (with HAC maxlags=LAGS when given) against qe's
      tables: every number within 1e-9 (relative above 1).
"""
import csv
import datetime
import math
import sys

import numpy as np
from scipy import optimize, signal, special


def sim(seed, n, omega, alpha, beta, gamma, nu):
    rng = np.random.default_rng(seed)
    h = omega / (1 - alpha - beta - gamma / 2)
    d0 = datetime.date(2020, 1, 1)
    out = ["date,value"]
    for t in range(n):
        z = rng.standard_t(nu) * math.sqrt((nu - 2) / nu) if nu > 0 else rng.standard_normal()
        r = math.sqrt(h) * z
        h = omega + (alpha + gamma * (r < 0)) * r * r + beta * h
        out.append(f"{d0 + datetime.timedelta(days=t)},{r!r}")
    print("\n".join(out))


def variances(r, omega, alpha, beta, gamma):
    """h_1 = mean r^2; h_t = omega + (alpha + gamma [r<0]) r^2 + beta h."""
    r2 = r * r
    h1 = r2.mean()
    u = omega + (alpha + gamma * (r < 0)) * r2
    y, _ = signal.lfilter([1.0], [1.0, -beta], u, zi=[beta * h1])
    return np.concatenate(([h1], y[:-1]))


def loglik(r, dist, omega, alpha, beta, gamma, nu):
    h = variances(r, omega, alpha, beta, gamma)
    if np.any(h <= 0) or not np.all(np.isfinite(h)):
        return -np.inf
    if dist == "normal":
        return float(-0.5 * np.sum(np.log(2 * np.pi) + np.log(h) + r * r / h))
    c = special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2) - 0.5 * np.log(np.pi * (nu - 2))
    return float(np.sum(c - 0.5 * np.log(h) - (nu + 1) / 2 * np.log1p(r * r / ((nu - 2) * h))))


def fit(r, model, dist):
    """Several SLSQP starts on the natural parameters (omega scaled by the
    mean square), the best kept."""
    s2 = float(np.mean(r * r))
    x = r / math.sqrt(s2)
    n = len(r)

    def unpack(p):
        om, a, b = p[0], p[1], p[2]
        k = 3
        g = 0.0
        nu = 0.0
        if model == "gjr":
            g = p[k]
            k += 1
        if dist == "t":
            nu = p[k]
        return om, a, b, g, nu

    def obj(p):
        om, a, b, g, nu = unpack(p)
        ll = loglik(x, dist, om, a, b, g, nu)
        return -ll / n if np.isfinite(ll) else 1e10

    bounds = [(1e-10, 50), (0, 1), (0, 1)]
    cons = []
    if model == "gjr":
        bounds.append((-1, 2))
        cons.append({"type": "ineq", "fun": lambda p: p[1] + p[3]})
    if dist == "t":
        bounds.append((2.05, 500))
    best = None
    for a0, b0 in [(0.05, 0.9), (0.1, 0.8), (0.2, 0.6), (0.03, 0.95), (0.3, 0.3)]:
        for nu0 in ([5.0, 12.0] if dist == "t" else [None]):
            p0 = [max(1 - a0 - b0, 0.02), a0, b0]
            if model == "gjr":
                p0.append(0.02)
            if nu0:
                p0.append(nu0)
            res = optimize.minimize(obj, p0, method="SLSQP", bounds=bounds, constraints=cons,
                                    options={"ftol": 1e-15, "maxiter": 2000})
            res = optimize.minimize(obj, res.x, method="Nelder-Mead",
                                    options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 20000,
                                             "maxfev": 40000})
            p = np.array(res.x)
            for i, (lo, hi) in enumerate(bounds):
                p[i] = min(max(p[i], lo), hi)
            if model == "gjr" and p[1] + p[3] < 0:
                p[3] = -p[1]
            f = obj(p)
            if best is None or f < best[0]:
                best = (f, p)
    om, a, b, g, nu = unpack(best[1])
    return {"omega": om * s2, "alpha": a, "beta": b, "gamma": g, "nu": nu,
            "loglik": loglik(r, dist, om * s2, a, b, g, nu)}, s2


def garch_check(qe_path, returns_path, model, dist):
    row = next(csv.DictReader(open(qe_path)))
    with open(returns_path) as fh:
        r = np.array([float(v["value"]) for v in csv.DictReader(fh)])
    ref, s2 = fit(r, model, dist)
    q = {k: float(row[k]) if row[k] != "" else 0.0 for k in ("omega", "alpha", "beta", "gamma", "nu", "loglik")}
    bad = []
    own = loglik(r, dist, q["omega"], q["alpha"], q["beta"], q["gamma"], q["nu"])
    if abs(own - q["loglik"]) > 1e-8 * max(1, abs(own)):
        bad.append(f"qe's loglik {q['loglik']!r} is not the likelihood of its parameters {own!r}")
    if q["loglik"] < ref["loglik"] - 1e-6:
        bad.append(f"qe's loglik {q['loglik']!r} worse than scipy's {ref['loglik']!r}")
    if abs(q["omega"] - ref["omega"]) / s2 > 1e-4:
        bad.append(f"omega {q['omega']!r} vs scipy {ref['omega']!r}")
    names = ["alpha", "beta"] + (["gamma"] if model == "gjr" else [])
    for k in names:
        if abs(q[k] - ref[k]) > 1e-4:
            bad.append(f"{k} {q[k]!r} vs scipy {ref[k]!r}")
    if dist == "t" and abs(q["nu"] - ref["nu"]) > 1e-4 * max(1, ref["nu"]):
        bad.append(f"nu {q['nu']!r} vs scipy {ref['nu']!r}")
    if int(row["n"]) != len(r):
        bad.append(f"n {row['n']} vs {len(r)}")
    p = q["alpha"] + q["beta"] + q["gamma"] / 2
    if abs(float(row["persistence"]) - p) > 1e-12:
        bad.append(f"persistence {row['persistence']} vs {p!r}")
    hl = math.log(0.5) / math.log(p) if p < 1 else None
    if (hl is None) != (row["half_life"] == "") or (hl is not None and abs(float(row["half_life"]) - hl) > 1e-9 * hl):
        bad.append(f"half_life {row['half_life']} vs {hl}")
    for b in bad:
        print(b)
    print("scipy:", ref, file=sys.stderr)
    sys.exit(1 if bad else 0)


def regress_data(seed, n):
    rng = np.random.default_rng(seed)
    temp = rng.normal(10, 8, n)
    hdd = np.maximum(18 - temp, 0)
    wk = (np.arange(n) % 7 < 5).astype(float)
    e = np.zeros(n)
    for t in range(1, n):
        e[t] = 0.6 * e[t - 1] + rng.normal()
    load = 100 + 2.5 * hdd + 8 * wk + 3 * e
    d0 = datetime.date(2025, 1, 1)
    print("date,load,hdd,weekday,temp")
    for t in range(n):
        print(f"{d0 + datetime.timedelta(days=t)},{load[t]!r},{hdd[t]!r},{wk[t]!r},{temp[t]!r}")


def regress_check(coef_path, summary_path, data_path, y, xs, lags=None):
    import pandas as pd
    import statsmodels.api as sm
    d = pd.read_csv(data_path)
    cols = xs.split(",")
    X = sm.add_constant(d[cols], has_constant="add")
    if lags is None:
        m = sm.OLS(d[y], X).fit()
    else:
        m = sm.OLS(d[y], X).fit(cov_type="HAC", cov_kwds={"maxlags": int(lags)})
    rows = list(csv.DictReader(open(coef_path)))
    s = next(csv.DictReader(open(summary_path)))
    bad = []

    def near(what, got, want):
        if not abs(float(got) - want) <= 1e-9 * max(1.0, abs(want)):
            bad.append(f"{what}: qe {got} statsmodels {want!r}")

    terms = ["const"] + cols
    if [r["term"] for r in rows] != terms:
        bad.append(f"terms {[r['term'] for r in rows]} want {terms}")
    for r, name in zip(rows, terms):
        near(f"{name} coef", r["coef"], m.params[name])
        near(f"{name} se", r["se"], m.bse[name])
        near(f"{name} t", r["t"], m.tvalues[name])
        near(f"{name} p", r["p"], m.pvalues[name])
    near("n", s["n"], m.nobs)
    near("k", s["k"], len(terms))
    near("r2", s["r2"], m.rsquared)
    near("adj_r2", s["adj_r2"], m.rsquared_adj)
    near("f", s["f"], float(m.fvalue))
    near("f_p", s["f_p"], float(m.f_pvalue))
    near("sigma", s["sigma"], math.sqrt(m.scale))
    if s["hac_lags"] != ("" if lags is None else str(lags)):
        bad.append(f"hac_lags {s['hac_lags']}")
    print("\n".join(bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "sim":
        a = sys.argv[2:]
        sim(int(a[0]), int(a[1]), *map(float, a[2:7]))
    elif cmd == "regress-data":
        regress_data(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "regress-check":
        regress_check(*sys.argv[2:])
    elif cmd == "garch-check":
        garch_check(*sys.argv[2:6])
    else:
        sys.exit(f"unknown command {cmd}")
