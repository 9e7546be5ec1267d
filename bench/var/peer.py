"""numpy/pandas peer of qe-var for bench/var/run: the same algorithms.

  peer.py hs HISTORY SENS OUT      HS 99% VaR/ES per book, last 1000 returns
  peer.py mc HISTORY SENS OUT N    MC 99% VaR/ES of the total, N paths
Prints 'matrix SECONDS' (the P&L matrix step) on stderr.
"""
import sys, time
import numpy as np
import pandas as pd

def factors(hist):
    h = pd.read_csv(hist)
    h["factor"] = h["curve"] + ":" + h["tenor"].astype(str)
    P = h.pivot(index="date", columns="factor", values="price").sort_index()
    return P

def book(sens, cols):
    s = pd.read_csv(sens)
    s["factor"] = s["curve"] + ":" + s["tenor"].clip(upper=12).astype(str)
    D = s.pivot_table(index="book", columns="factor", values="delta", aggfunc="sum", fill_value=0.0)
    D.loc["total"] = D.sum(axis=0)
    return D.reindex(columns=cols, fill_value=0.0)

def var_es(pnl, alpha=0.99):
    n = pnl.shape[1]; k = int(np.ceil(n * (1 - alpha) - 1e-9))
    L = -pnl
    part = np.partition(L, n - k, axis=1)[:, n - k:]
    return part.min(axis=1), part.mean(axis=1)

def hs(hist, sens, out):
    P = factors(hist)
    R = np.log(P.values[1:] / P.values[:-1])[-1000:]
    dF = P.values[-1] * np.expm1(R)
    D = book(sens, P.columns)
    t = time.perf_counter()
    pnl = D.values @ dF.T
    sys.stderr.write("matrix %.6f\n" % (time.perf_counter() - t))
    v, e = var_es(pnl)
    pd.DataFrame({"portfolio": D.index, "var": v, "es": e}).to_csv(out, index=False)

def mc(hist, sens, out, n):
    P = factors(hist)
    R = np.log(P.values[1:] / P.values[:-1])[-250:]
    F = P.values[-1]
    S = np.cov(R, rowvar=False) * np.outer(F, F)
    L = np.linalg.cholesky(S)
    d = book(sens, P.columns).loc["total"].values
    rng = np.random.default_rng(1)
    t = time.perf_counter()
    pnl = np.empty(n)
    for i in range(0, n, 65536):
        m = min(65536, n - i)
        Z = rng.standard_normal((m, len(d)))
        pnl[i:i + m] = (Z @ L.T) @ d
    sys.stderr.write("matrix %.6f\n" % (time.perf_counter() - t))
    v, e = var_es(pnl[None, :])
    pd.DataFrame({"portfolio": ["total"], "var": v, "es": e}).to_csv(out, index=False)

if __name__ == "__main__":
    if sys.argv[1] == "hs":
        hs(*sys.argv[2:5])
    else:
        mc(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
