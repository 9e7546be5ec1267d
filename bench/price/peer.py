"""bench/price peers for Black-76 price + 4 greeks, CSV in, CSV out.

gen N FILE           random options (seeded) as the CSV of
                     `qe-price formula black76`: type,forward,strike,vol,rate,expiry
pandas IN OUT QE     pandas read_csv + numpy/scipy (ndtr) + to_csv, timed end
                     to end (one run); then checks qe-price's output QE
                     against it to 1e-12 and prints "seconds maxreldiff"
quantlib IN QE M     QuantLib-Python BlackCalculator loop over the first M
                     options; the same check against QE; prints the same
"""
import sys
import time

import numpy as np
import pandas as pd

COLS = ["price", "delta", "gamma", "vega", "theta"]


def gen(n, path):
    rng = np.random.default_rng(20261126)
    typ = np.where(rng.random(n) < 0.5, "call", "put")
    F = np.exp(rng.uniform(np.log(1), np.log(200), n))
    vol = rng.uniform(0.05, 3.0, n)
    T = rng.integers(1, 3651, n) / 365.0
    K = F * np.exp(rng.uniform(-1.5, 1.5, n) * np.minimum(vol * np.sqrt(T), 1.5))
    r = rng.uniform(-0.02, 0.10, n)
    pd.DataFrame({"type": typ, "forward": F, "strike": K, "vol": vol, "rate": r,
                  "expiry": T}).to_csv(path, index=False)


def read_exact(path):
    # shortest round-trip numbers on both sides: parse them exactly
    return pd.read_csv(path, float_precision="round_trip")


def numpy_b76(typ, F, K, vol, r, T):
    from scipy.special import ndtr
    sq = np.sqrt(T)
    sd = vol * sq
    D = np.exp(-r * T)
    d1 = np.log(F / K) / sd + 0.5 * sd
    d2 = d1 - sd
    nd1 = np.exp(-0.5 * d1 * d1) / np.sqrt(2 * np.pi)
    Nd1 = ndtr(typ * d1)
    p = D * typ * (F * Nd1 - K * ndtr(typ * d2))
    return np.stack([p, D * typ * Nd1, D * nd1 / (F * sd), D * F * nd1 * sq,
                     r * p - D * F * nd1 * vol / (2 * sq)])


def check(ref, ours, what):
    err = np.abs(ours - ref) / np.maximum(1.0, np.abs(ref))
    worst = float(err.max())
    if not worst <= 1e-12:
        i = np.unravel_index(np.argmax(err), err.shape)
        sys.exit(f"bench/price: {what} differs by {worst:.3g} at {i}")
    return worst


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(int(sys.argv[2]), sys.argv[3])
        return
    if cmd == "pandas":
        t0 = time.perf_counter()
        df = pd.read_csv(sys.argv[2])
        typ = np.where(df["type"].to_numpy() == "call", 1.0, -1.0)
        res = numpy_b76(typ, df["forward"].to_numpy(), df["strike"].to_numpy(),
                        df["vol"].to_numpy(), df["rate"].to_numpy(), df["expiry"].to_numpy())
        for name, col in zip(COLS, res):
            df[name] = col
        df.to_csv(sys.argv[3], index=False)
        dt = time.perf_counter() - t0
        ref = read_exact(sys.argv[3])[COLS].to_numpy().T
        ours = read_exact(sys.argv[4])
        worst = check(ref, ours[COLS].to_numpy().T, "pandas/numpy vs qe-price")
        print(f"{dt:.6f} {worst:.3g}")
        return
    import QuantLib as ql
    df = read_exact(sys.argv[2])
    m = min(int(sys.argv[4]), len(df))
    typ = df["type"].to_numpy()[:m]
    F, K, vol, r, T = (df[c].to_numpy()[:m] for c in ("forward", "strike", "vol", "rate", "expiry"))
    ref = np.empty((5, m))
    t0 = time.perf_counter()
    for i in range(m):
        t = ql.Option.Call if typ[i] == "call" else ql.Option.Put
        sd = vol[i] * np.sqrt(T[i])
        bc = ql.BlackCalculator(ql.PlainVanillaPayoff(t, K[i]), F[i], sd, np.exp(-r[i] * T[i]))
        ref[0, i] = bc.value()
        ref[1, i] = bc.deltaForward()
        ref[2, i] = bc.gammaForward()
        ref[3, i] = bc.vega(T[i])
        ref[4, i] = bc.theta(F[i], T[i])
    dt = time.perf_counter() - t0
    ours = read_exact(sys.argv[3])[COLS].to_numpy()[:m].T
    worst = check(ref, ours, "QuantLib vs qe-price")
    print(f"{dt:.6f} {worst:.3g}")


if __name__ == "__main__":
    main()
