#!/usr/bin/python3
"""Accuracy oracle of qe-price's implied vols (black76-iv, bachelier-iv).

gen MODEL     grid of moneyness (deep in and out of the money), expiries,
              vols, rates, calls and puts; the premium computed from the
              true vol with mpmath at 60 digits and rounded to double.
check MODEL F the output of qe-price formula MODEL-iv on that grid:
              - repricing: mpmath's premium at our vol is the input premium
                to 1e-14 relative, plus what a vol within two ulps can move
                it (4 kappa eps, kappa = vega vol / premium: the vol is
                s / sqrt(T) rounded twice);
              - the vol is the true vol to 1e-12 relative, plus what the
                rounding of the premium to a double moves it (eps / kappa),
                wherever kappa >= 1e-6 (vega not negligible);
              - where the vol misses a plain 1e-12, the exact implied vol
                of the premium as rounded to a double (mpmath root) is
                reported next to it: it misses by about as much, so the
                loss is conditioning (eps / kappa), not the algorithm;
              - QuantLib's blackFormulaImpliedStdDev /
                bachelierBlackFormulaImpliedVol on the same rows, for the
                report: their errors next to ours.
"""
import csv
import math
import sys

import mpmath as mp
import QuantLib as ql

mp.mp.dps = 60
EPS = 2.0 ** -52


def black(w, F, K, vol, r, T):
    F, K, vol, r, T = (mp.mpf(v) for v in (F, K, vol, r, T))
    s = vol * mp.sqrt(T)
    if s == 0:
        return mp.exp(-r * T) * max(w * (F - K), 0)
    d1 = mp.log(F / K) / s + s / 2
    d2 = d1 - s
    return mp.exp(-r * T) * w * (F * mp.ncdf(w * d1) - K * mp.ncdf(w * d2))


def black_vega(F, K, vol, r, T):
    F, K, vol, r, T = (mp.mpf(v) for v in (F, K, vol, r, T))
    s = vol * mp.sqrt(T)
    d1 = mp.log(F / K) / s + s / 2
    return mp.exp(-r * T) * F * mp.npdf(d1) * mp.sqrt(T)


def bach(w, F, K, vol, r, T):
    F, K, vol, r, T = (mp.mpf(v) for v in (F, K, vol, r, T))
    s = vol * mp.sqrt(T)
    if s == 0:
        return mp.exp(-r * T) * max(w * (F - K), 0)
    d = w * (F - K) / s
    return mp.exp(-r * T) * (w * (F - K) * mp.ncdf(d) + s * mp.npdf(d))


def bach_vega(F, K, vol, r, T):
    F, K, vol, r, T = (mp.mpf(v) for v in (F, K, vol, r, T))
    s = vol * mp.sqrt(T)
    return mp.exp(-r * T) * mp.sqrt(T) * mp.npdf((F - K) / s)


def grid(model):
    expiries = [1 / 365, 0.1, 0.5, 1.0, 3.0, 10.0]
    rates = [0.0, 0.05]
    if model == "black76":
        F = 100.0
        strikes = [F / m for m in (0.02, 0.1, 0.3, 0.6, 0.9, 0.99, 1.0, 1.01, 1.1, 1.5, 3.0, 10.0, 50.0)]
        vols = [0.01, 0.05, 0.2, 0.5, 1.0, 2.0, 4.0]
    else:
        F = 50.0
        strikes = [F + d for d in (-200, -60, -20, -5, -1, -0.1, 0, 0.1, 1, 5, 20, 60, 200)]
        vols = [0.05, 0.5, 2.0, 10.0, 40.0]
    for w, name in ((1, "call"), (-1, "put")):
        for K in strikes:
            for T in expiries:
                for vol in vols:
                    for r in rates:
                        yield w, name, F, K, vol, r, T
    if model == "black76":
        # dense: ln(K/F) from -3 to 3 by 0.2, total vol s = vol sqrt(T)
        # from 1e-3 to 3 (21 points evenly in log s), T = 1
        for w, name in ((1, "call"), (-1, "put")):
            for i in range(31):
                K = F * math.exp(-3 + 0.2 * i)
                for j in range(21):
                    yield w, name, F, K, 10 ** (-3 + (math.log10(3) + 3) * j / 20), 0.0, 1.0


def gen(model):
    price = black if model == "black76" else bach
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["type", "forward", "strike", "rate", "expiry", "price", "true_vol"])
    for w, name, F, K, vol, r, T in grid(model):
        p = float(price(w, F, K, vol, r, T))
        D = math.exp(-r * T)
        intrinsic = D * max(w * (F - K), 0.0)
        upper = D * (F if w > 0 else K) if model == "black76" else math.inf
        # only premia the model can invert: strictly inside the bounds
        # and a normal double
        if not (p > intrinsic and p < upper and p > 1e-300):
            continue
        out.writerow([name, repr(F), repr(K), repr(r), repr(T), repr(p), repr(vol)])


def check(model, path):
    price = black if model == "black76" else bach
    vega = black_vega if model == "black76" else bach_vega
    n = bad = n_vol = 0
    worst_rep = worst_vol = 0.0
    ql_worst = 0.0
    ql_fail = ours_better = ql_better = 0
    beyond = beyond_cond = ql_out = 0
    alg_worst = 0.0
    for row in csv.DictReader(open(path)):
        w = 1 if row["type"] == "call" else -1
        F, K, r, T, p = (float(row[c]) for c in ("forward", "strike", "rate", "expiry", "price"))
        true_vol, vol = float(row["true_vol"]), float(row["vol"])
        n += 1
        kappa = float(vega(F, K, true_vol, r, T) * true_vol / p)
        rep = abs(float((price(w, F, K, vol, r, T) - p) / p))
        tol_rep = 1e-14 + 4 * kappa * EPS
        ok = rep <= tol_rep
        worst_rep = max(worst_rep, rep / tol_rep)
        verr = abs(vol - true_vol) / true_vol
        if kappa >= 1e-6:
            n_vol += 1
            tol_vol = 1e-12 + EPS / kappa
            ok = ok and verr <= tol_vol
            worst_vol = max(worst_vol, verr / tol_vol)
            if verr > 1e-12:
                # the exact vol of the premium p as the double it is
                beyond += 1
                exact = mp.findroot(lambda x: price(w, F, K, x, r, T) - mp.mpf(p), mp.mpf(true_vol))
                beyond_cond += abs(float((exact - true_vol) / true_vol)) > 1e-12
                alg = max(abs(float((vol - exact) / exact)) - 1e-12, 0.0) * kappa / EPS
                alg_worst = max(alg_worst, alg)
                # what is left is the rounding of our price evaluation:
                # under half the premium's own rounding
                ok = ok and alg <= 0.5
            D = math.exp(-r * T)
            try:
                typ = ql.Option.Call if w > 0 else ql.Option.Put
                if model == "black76":
                    qv = ql.blackFormulaImpliedStdDev(typ, K, F, p, D, 0.0, ql.nullDouble(), 1e-12, 1000) / math.sqrt(T)
                else:
                    qv = ql.bachelierBlackFormulaImpliedVol(typ, K, F, T, p, D)
                qerr = abs(qv - true_vol) / true_vol
                if not math.isfinite(qerr):
                    raise ValueError
                ql_worst = max(ql_worst, qerr)
                ql_out += qerr > tol_vol
                if verr < qerr:
                    ours_better += 1
                elif qerr < verr:
                    ql_better += 1
            except Exception:
                ql_fail += 1
        if not ok:
            bad += 1
            if bad <= 10:
                print(f"row {n}: {row['type']} F={F} K={K} r={r} T={T} p={p!r} true={true_vol} "
                      f"ours={vol!r} reprice {rep:.3g} (tol {tol_rep:.3g}) vol {verr:.3g} kappa {kappa:.3g}")
    print(f"{model}-iv: {n} rows, {bad} outside tolerance; worst error / tolerance: "
          f"repricing {worst_rep:.3g}, vol {worst_vol:.3g} ({n_vol} rows with vega not negligible)")
    print(f"vol beyond a plain 1e-12 in {beyond} rows; the exact vol of the double premium is itself "
          f"beyond 1e-12 in {beyond_cond} of them; ours from that exact vol at most {alg_worst:.3g} eps / kappa")
    print(f"QuantLib on those {n_vol} rows: worst vol error {ql_worst:.3g}, {ql_out} outside our tolerance, {ql_fail} failed; "
          f"ours closer to the true vol in {ours_better}, QuantLib closer in {ql_better}")
    return 1 if bad or n < 100 else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: ivoracle.py gen|check black76|bachelier [FILE]")
