"""bench/price peers for Black-76 price + 4 greeks.

gen N FILE       random options (seeded), binary: n, type, F, K, vol, r, T
numpy IN OUT     numpy vectorised (scipy.special.ndtr), best of 3; checks
                 qe-price's results OUT to 1e-12 and prints seconds
quantlib IN M    QuantLib-Python BlackCalculator loop over the first M
                 options; checks the same 1e-12 against OUT; prints seconds
"""
import sys
import time

import numpy as np


def load(path):
    raw = np.fromfile(path, dtype=np.float64)
    n = int(raw[0])
    return n, raw[1:].reshape(6, n)


def gen(n, path):
    rng = np.random.default_rng(20261126)
    typ = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    F = np.exp(rng.uniform(np.log(1), np.log(200), n))
    vol = rng.uniform(0.05, 3.0, n)
    T = rng.integers(1, 3651, n) / 365.0
    K = F * np.exp(rng.uniform(-1.5, 1.5, n) * np.minimum(vol * np.sqrt(T), 1.5))
    r = rng.uniform(-0.02, 0.10, n)
    np.concatenate([[float(n)], typ, F, K, vol, r, T]).tofile(path)


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
    n, (typ, F, K, vol, r, T) = load(sys.argv[2])
    ours = np.fromfile(sys.argv[3], dtype=np.float64).reshape(5, n)
    if cmd == "numpy":
        best = 1e300
        for _ in range(3):
            t0 = time.perf_counter()
            ref = numpy_b76(typ, F, K, vol, r, T)
            best = min(best, time.perf_counter() - t0)
        worst = check(ref, ours, "numpy vs qe-price")
        print(f"{best:.6f} {worst:.3g}")
    else:
        import QuantLib as ql
        m = int(sys.argv[4])
        ref = np.empty((5, m))
        t0 = time.perf_counter()
        for i in range(m):
            t = ql.Option.Call if typ[i] > 0 else ql.Option.Put
            sd = vol[i] * np.sqrt(T[i])
            bc = ql.BlackCalculator(ql.PlainVanillaPayoff(t, K[i]), F[i], sd, np.exp(-r[i] * T[i]))
            ref[0, i] = bc.value()
            ref[1, i] = bc.deltaForward()
            ref[2, i] = bc.gammaForward()
            ref[3, i] = bc.vega(T[i])
            ref[4, i] = bc.theta(F[i], T[i])
        dt = time.perf_counter() - t0
        worst = check(ref, ours[:, :m], "QuantLib vs qe-price")
        print(f"{dt:.6f} {worst:.3g}")


if __name__ == "__main__":
    main()
