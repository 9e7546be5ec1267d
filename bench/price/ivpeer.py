"""bench/price/iv peers: Black-76 implied vol, CSV in, CSV out.

gen N FILE        random options (seeded), premia by numpy from a random
                  vol, as the CSV of `qe-price formula black76-iv`
                  (type,forward,strike,rate,expiry,price); the true vols in
                  FILE.vol.npy
numpy IN OUT      pandas read_csv + a vectorized safeguarded Newton
                  (numpy/scipy ndtr; bisection where a step leaves the
                  bracket) + to_csv, timed end to end; prints seconds
quantlib IN M     QuantLib-Python blackFormulaImpliedStdDev over the first
                  M rows (kernel only, reading not timed); prints seconds
check IN OUT      max relative error of OUT's vol against the true vol over
                  the rows whose vega is not negligible (vega vol >= 1e-6
                  premium); prints it
"""
import math
import sys
import time

import numpy as np
import pandas as pd
from scipy.special import ndtr


def black(w, F, K, vol, D, T):
    s = vol * np.sqrt(T)
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = np.log(F / K) / s + 0.5 * s
    return D * w * (F * ndtr(w * d1) - K * ndtr(w * (d1 - s)))


def gen(n, path):
    rng = np.random.default_rng(20261205)
    w = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    F = np.exp(rng.uniform(np.log(1), np.log(200), n))
    vol = rng.uniform(0.05, 2.0, n)
    T = rng.integers(1, 3651, n) / 365.0
    K = F * np.exp(rng.uniform(-1.0, 1.0, n) * np.minimum(vol * np.sqrt(T), 1.5))
    r = rng.uniform(-0.02, 0.10, n)
    D = np.exp(-r * T)
    p = black(w, F, K, vol, D, T)
    intrinsic = D * np.maximum(w * (F - K), 0)
    upper = D * np.where(w > 0, F, K)
    ok = (p > intrinsic) & (p < upper) & (p > 1e-300)
    pd.DataFrame({"type": np.where(w > 0, "call", "put")[ok], "forward": F[ok], "strike": K[ok],
                  "rate": r[ok], "expiry": T[ok], "price": p[ok]}).to_csv(path, index=False)
    np.save(path + ".vol.npy", vol[ok])


def numpy_iv(w, F, K, r, T, p):
    D = np.exp(-r * T)
    lo = np.full(F.shape, 1e-9)
    hi = np.full(F.shape, 20.0)
    # Brenner-Subrahmanyam start, clipped into the bracket
    sig = np.clip(np.sqrt(2 * np.pi / T) * p / (D * F), 1e-3, 5.0)
    for _ in range(60):
        s = sig * np.sqrt(T)
        d1 = np.log(F / K) / s + 0.5 * s
        diff = D * w * (F * ndtr(w * d1) - K * ndtr(w * (d1 - s))) - p
        hi = np.where(diff > 0, sig, hi)
        lo = np.where(diff <= 0, sig, lo)
        vega = D * F * np.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi) * np.sqrt(T)
        with np.errstate(divide="ignore", invalid="ignore"):
            nxt = sig - diff / vega
        bad = ~((nxt > lo) & (nxt < hi))
        nxt = np.where(bad, 0.5 * (lo + hi), nxt)
        if np.all(np.abs(nxt - sig) <= 4e-16 * sig):
            sig = nxt
            break
        sig = nxt
    return sig


def run_numpy(src, dst):
    t0 = time.perf_counter()
    df = pd.read_csv(src, float_precision="round_trip")
    w = np.where(df["type"].to_numpy() == "call", 1.0, -1.0)
    df["vol"] = numpy_iv(w, *(df[c].to_numpy() for c in ("forward", "strike", "rate", "expiry", "price")))
    df.to_csv(dst, index=False, float_format="%.17g")
    print(f"{time.perf_counter() - t0:.6f}")


def run_quantlib(src, m):
    import QuantLib as ql
    df = pd.read_csv(src, float_precision="round_trip", nrows=m)
    rows = list(zip(df["type"], df["forward"], df["strike"], df["rate"], df["expiry"], df["price"]))
    t0 = time.perf_counter()
    fails = 0
    for typ, F, K, r, T, p in rows:
        try:
            ql.blackFormulaImpliedStdDev(ql.Option.Call if typ == "call" else ql.Option.Put, K, F, p,
                                         math.exp(-r * T), 0.0, ql.nullDouble(), 1e-12, 1000)
        except RuntimeError:
            fails += 1
    print(f"{time.perf_counter() - t0:.6f} {len(rows)} {fails}")


def check(src, out):
    true = np.load(src + ".vol.npy")
    df = pd.read_csv(src, float_precision="round_trip")
    got = pd.read_csv(out, float_precision="round_trip")["vol"].to_numpy()
    if len(got) != len(true):
        sys.exit(f"check: {out} has {len(got)} rows, want {len(true)}")
    w = np.where(df["type"].to_numpy() == "call", 1.0, -1.0)
    F, K, r, T, p = (df[c].to_numpy() for c in ("forward", "strike", "rate", "expiry", "price"))
    s = true * np.sqrt(T)
    d1 = np.log(F / K) / s + 0.5 * s
    vega = np.exp(-r * T) * F * np.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi) * np.sqrt(T)
    sel = vega * true >= 1e-6 * p
    print(f"{np.max(np.abs(got[sel] - true[sel]) / true[sel]):.3g}")


if __name__ == "__main__":
    cmd = sys.argv[1:]
    if cmd[:1] == ["gen"]:
        gen(int(cmd[1]), cmd[2])
    elif cmd[:1] == ["numpy"]:
        run_numpy(cmd[1], cmd[2])
    elif cmd[:1] == ["quantlib"]:
        run_quantlib(cmd[1], int(cmd[2]))
    elif cmd[:1] == ["check"]:
        check(cmd[1], cmd[2])
    else:
        sys.exit(__doc__)
