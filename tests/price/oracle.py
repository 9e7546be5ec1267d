"""Independent oracles for tests/price.bats (run under /usr/bin/python3).

gen MODEL N SEED   writes random formula-mode cases to stdout, with the
                   oracle's answers in extra ql_* columns (qe-price copies
                   unknown columns through, so one file carries both).
check MODEL FILE   compares qe-price's output columns with the ql_* ones
                   and exits 1 naming the worst case if out of tolerance.

Oracles: QuantLib 1.29 (BlackCalculator, bachelierBlackFormula,
KirkSpreadOptionEngine, TurnbullWakemanAsianEngine,
BjerksundStenslandApproximationEngine, BaroneAdesiWhaleyApproximationEngine,
FdBlackScholesVanillaEngine) and, for Bjerksund-Stensland 2002 and the
Bachelier greeks, the published formulas evaluated here with QuantLib's
normal and bivariate normal (Genz-West) distributions.
"""
import csv
import math
import random
import sys

import QuantLib as ql

TODAY = ql.Date(25, 11, 2026)
ql.Settings.instance().evaluationDate = TODAY
DC = ql.Actual365Fixed()
CAL = ql.NullCalendar()
N = ql.CumulativeNormalDistribution()
n = ql.NormalDistribution()


def qtype(t):
    return ql.Option.Call if t == "call" else ql.Option.Put


def rnd_days(rng, lo=1, hi=3650):
    return int(round(math.exp(rng.uniform(math.log(lo), math.log(hi)))))


def flat(r):
    return ql.YieldTermStructureHandle(ql.FlatForward(TODAY, ql.QuoteHandle(ql.SimpleQuote(r)), DC))


def vol_ts(v):
    return ql.BlackVolTermStructureHandle(ql.BlackConstantVol(TODAY, CAL, ql.QuoteHandle(ql.SimpleQuote(v)), DC))


def gen_black76(rng, i):
    t = rng.choice(["call", "put"])
    F = math.exp(rng.uniform(math.log(0.5), math.log(300)))
    vol = rng.uniform(0.05, 3.0)
    days = rnd_days(rng)
    T = days / 365.0
    # moneyness up to 1.5 standard deviations, strikes within e^2.5 of F
    K = F * math.exp(rng.uniform(-1.5, 1.5) * min(vol * math.sqrt(T), 2.5 / 1.5))
    r = rng.uniform(-0.02, 0.10)
    sd, D = vol * math.sqrt(T), math.exp(-r * T)
    bc = ql.BlackCalculator(ql.PlainVanillaPayoff(qtype(t), K), F, sd, D)
    row = dict(type=t, forward=F, strike=K, vol=vol, rate=r, expiry=T)
    row.update(ql_price=bc.value(), ql_delta=bc.deltaForward(), ql_gamma=bc.gammaForward(),
               ql_vega=bc.vega(T), ql_theta=bc.theta(F, T))
    # finite differences of QuantLib's own price: greeks cross-check
    h = 1e-4 * F * min(sd, 1.0)
    p = lambda f, s, d: ql.BlackCalculator(ql.PlainVanillaPayoff(qtype(t), K), f, s, d).value()
    row["fd_delta"] = (p(F + h, sd, D) - p(F - h, sd, D)) / (2 * h)
    h = 3e-3 * F * min(sd, 1.0)
    row["fd_gamma"] = (p(F + h, sd, D) - 2 * bc.value() + p(F - h, sd, D)) / (h * h)
    hv = 1e-5
    row["fd_vega"] = (p(F, (vol + hv) * math.sqrt(T), D) - p(F, (vol - hv) * math.sqrt(T), D)) / (2 * hv)
    ht = min(1e-5, T / 2)
    up = p(F, vol * math.sqrt(T + ht), math.exp(-r * (T + ht)))
    dn = p(F, vol * math.sqrt(T - ht), math.exp(-r * (T - ht)))
    row["fd_theta"] = -(up - dn) / (2 * ht)
    return row


def gen_bachelier(rng, i):
    t = rng.choice(["call", "put"])
    F = rng.uniform(-50, 150)
    vol = rng.uniform(0.05, 3.0) * 40
    days = rnd_days(rng)
    T = days / 365.0
    K = F + rng.uniform(-2, 2) * vol * math.sqrt(T)
    r = rng.uniform(-0.02, 0.10)
    sd, D = vol * math.sqrt(T), math.exp(-r * T)
    p = lambda f, s, d: ql.bachelierBlackFormula(qtype(t), K, f, s, d)
    price = p(F, sd, D)
    w = 1 if t == "call" else -1
    d = w * (F - K) / sd
    # published formulas (DOMAIN.md), evaluated with QuantLib's N and n
    row = dict(type=t, forward=F, strike=K, vol=vol, rate=r, expiry=T, ql_price=price,
               ql_delta=D * w * N(d), ql_gamma=D * n(d) / sd, ql_vega=D * math.sqrt(T) * n(d),
               ql_theta=r * price - D * vol * n(d) / (2 * math.sqrt(T)))
    h = 1e-4 * sd
    row["fd_delta"] = (p(F + h, sd, D) - p(F - h, sd, D)) / (2 * h)
    h = 3e-3 * sd
    row["fd_gamma"] = (p(F + h, sd, D) - 2 * price + p(F - h, sd, D)) / (h * h)
    hv = 1e-5 * vol
    row["fd_vega"] = (p(F, (vol + hv) * math.sqrt(T), D) - p(F, (vol - hv) * math.sqrt(T), D)) / (2 * hv)
    ht = min(1e-5, T / 2)
    row["fd_theta"] = -(p(F, vol * math.sqrt(T + ht), math.exp(-r * (T + ht))) -
                        p(F, vol * math.sqrt(T - ht), math.exp(-r * (T - ht)))) / (2 * ht)
    return row


def gen_kirk(rng, i):
    t = rng.choice(["call", "put"])
    F1 = math.exp(rng.uniform(math.log(5), math.log(200)))
    F2 = math.exp(rng.uniform(math.log(5), math.log(200)))
    ratio = 1.0 if rng.random() < 0.3 else rng.uniform(0.3, 3.0)
    while True:
        K = rng.uniform(-0.5, 0.5) * F1
        if ratio * F2 + K > 0.05 * F1:
            break
    v1, v2 = rng.uniform(0.05, 3.0), rng.uniform(0.05, 3.0)
    rho = rng.uniform(-0.99, 0.99)
    r = rng.uniform(-0.02, 0.10)
    days = rnd_days(rng)
    T = days / 365.0
    rts = flat(r)
    p1 = ql.BlackProcess(ql.QuoteHandle(ql.SimpleQuote(F1)), rts, vol_ts(v1))
    p2 = ql.BlackProcess(ql.QuoteHandle(ql.SimpleQuote(ratio * F2)), rts, vol_ts(v2))
    opt = ql.SpreadOption(ql.PlainVanillaPayoff(qtype(t), K), ql.EuropeanExercise(TODAY + days))
    opt.setPricingEngine(ql.KirkSpreadOptionEngine(p1, p2, ql.QuoteHandle(ql.SimpleQuote(rho))))
    return dict(type=t, forward1=F1, forward2=F2, strike=K, vol1=v1, vol2=v2, corr=rho, rate=r,
                expiry=T, ratio=ratio, ql_price=opt.NPV())


def gen_asian(rng, i):
    t = rng.choice(["call", "put"])
    F = math.exp(rng.uniform(math.log(5), math.log(200)))
    vol = rng.uniform(0.05, 3.0)
    r = rng.uniform(-0.02, 0.10)
    nfix = rng.randint(1, 40)
    step = rng.randint(2, 30)
    m = rng.randint(0, nfix - 1) if rng.random() < 0.4 else 0
    if m > 0:
        start = -(m - 1) * step - rng.randint(1, step - 1)
    else:
        start = rng.randint(1, 400)
    days = [start + k * step for k in range(nfix)]
    expiry = days[-1] + rng.randint(0, 10)
    A = F * math.exp(rng.uniform(-0.3, 0.3))
    # strike such that the remaining fixings must average K* near F
    Kstar = F * math.exp(rng.uniform(-0.8, 0.8) * min(vol, 1.0))
    K = (m * A + (nfix - m) * Kstar) / nfix
    rts = flat(r)
    proc = ql.BlackProcess(ql.QuoteHandle(ql.SimpleQuote(F)), rts, vol_ts(vol))
    fdates = [TODAY + d for d in days[m:]]
    opt = ql.DiscreteAveragingAsianOption(ql.Average.Arithmetic, m * A, m, fdates,
                                          ql.PlainVanillaPayoff(qtype(t), K),
                                          ql.EuropeanExercise(TODAY + expiry))
    opt.setPricingEngine(ql.TurnbullWakemanAsianEngine(proc))
    return dict(type=t, forward=F, strike=K, vol=vol, rate=r, expiry=expiry / 365.0,
                avg_start=days[0] / 365.0, avg_end=days[-1] / 365.0, fixings=nfix,
                past_fixings=m, past_average=A if m else "", ql_price=opt.NPV())


def american_case(rng, vmax=3.0):
    t = rng.choice(["call", "put"])
    S = math.exp(rng.uniform(math.log(5), math.log(200)))
    vol = rng.uniform(0.05, vmax)
    days = rnd_days(rng)
    T = days / 365.0
    K = S * math.exp(rng.uniform(-1.0, 1.0) * min(vol * math.sqrt(T), 1.5))
    r = rng.uniform(0.001, 0.10)
    b = 0.0 if rng.random() < 0.5 else rng.uniform(-0.10, 0.10)
    return t, S, K, vol, r, b, days, T


def american_option(t, S, K, vol, r, b, days):
    proc = ql.BlackScholesMertonProcess(ql.QuoteHandle(ql.SimpleQuote(S)), flat(r - b), flat(r), vol_ts(vol))
    opt = ql.VanillaOption(ql.PlainVanillaPayoff(qtype(t), K), ql.AmericanExercise(TODAY, TODAY + days))
    return opt, proc


def gen_american(engine):
    def g(rng, i):
        t, S, K, vol, r, b, days, T = american_case(rng)
        opt, proc = american_option(t, S, K, vol, r, b, days)
        opt.setPricingEngine(engine(proc))
        return dict(type=t, spot=S, strike=K, vol=vol, rate=r, carry=b, expiry=T, ql_price=opt.NPV())
    return g


def bs2002(t, S, X, T, r, b, v):
    """Bjerksund-Stensland (2002) as published (Haug 2007, ch. 3.5)."""
    if t == "put":
        S, X, r, b = X, S, r - b, -b
    if b >= r:
        F = S * math.exp(b * T)
        return ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call, X), F, v * math.sqrt(T), math.exp(-r * T)).value()
    M = lambda a, c, rho: ql.BivariateCumulativeNormalDistributionWe04DP(rho)(a, c)

    def phi(S, T, g, H, I):
        lam = (-r + g * b + 0.5 * g * (g - 1) * v * v) * T
        d = -(math.log(S / H) + (b + (g - 0.5) * v * v) * T) / (v * math.sqrt(T))
        k = 2 * b / v ** 2 + 2 * g - 1
        return math.exp(lam) * S ** g * (N(d) - (I / S) ** k * N(d - 2 * math.log(I / S) / (v * math.sqrt(T))))

    def psi(S, T2, g, H, I2, I1, t1):
        c = b + (g - 0.5) * v * v
        e1 = (math.log(S / I1) + c * t1) / (v * math.sqrt(t1))
        e2 = (math.log(I2 ** 2 / (S * I1)) + c * t1) / (v * math.sqrt(t1))
        e3 = (math.log(S / I1) - c * t1) / (v * math.sqrt(t1))
        e4 = (math.log(I2 ** 2 / (S * I1)) - c * t1) / (v * math.sqrt(t1))
        f1 = (math.log(S / H) + c * T2) / (v * math.sqrt(T2))
        f2 = (math.log(I2 ** 2 / (S * H)) + c * T2) / (v * math.sqrt(T2))
        f3 = (math.log(I1 ** 2 / (S * H)) + c * T2) / (v * math.sqrt(T2))
        f4 = (math.log(S * I1 ** 2 / (H * I2 ** 2)) + c * T2) / (v * math.sqrt(T2))
        rho = math.sqrt(t1 / T2)
        lam = -r + g * b + 0.5 * g * (g - 1) * v * v
        k = 2 * b / v ** 2 + 2 * g - 1
        return math.exp(lam * T2) * S ** g * (M(-e1, -f1, rho) - (I2 / S) ** k * M(-e2, -f2, rho)
                                            - (I1 / S) ** k * M(-e3, -f3, -rho)
                                            + (I1 / I2) ** k * M(-e4, -f4, -rho))

    t1 = 0.5 * (math.sqrt(5) - 1) * T
    beta = (0.5 - b / v ** 2) + math.sqrt((b / v ** 2 - 0.5) ** 2 + 2 * r / v ** 2)
    Binf = beta / (beta - 1) * X
    B0 = max(X, r / (r - b) * X)
    h1 = -(b * t1 + 2 * v * math.sqrt(t1)) * X ** 2 / ((Binf - B0) * B0)
    h2 = -(b * T + 2 * v * math.sqrt(T)) * X ** 2 / ((Binf - B0) * B0)
    I1 = B0 + (Binf - B0) * (1 - math.exp(h1))
    I2 = B0 + (Binf - B0) * (1 - math.exp(h2))
    if S >= I2:
        return S - X
    a1 = (I1 - X) * I1 ** -beta
    a2 = (I2 - X) * I2 ** -beta
    return (a2 * S ** beta - a2 * phi(S, t1, beta, I2, I2) + phi(S, t1, 1, I2, I2) - phi(S, t1, 1, I1, I2)
            - X * phi(S, t1, 0, I2, I2) + X * phi(S, t1, 0, I1, I2) + a1 * phi(S, t1, beta, I1, I2)
            - a1 * psi(S, T, beta, I1, I2, I1, t1) + psi(S, T, 1, I1, I2, I1, t1)
            - psi(S, T, 1, X, I2, I1, t1) - X * psi(S, T, 0, I1, I2, I1, t1)
            + X * psi(S, T, 0, X, I2, I1, t1))


def gen_bs2002(rng, i):
    # the first 150 cases also get a finite-difference American price (an
    # upper bound); QuantLib's FD grid is only trustworthy up to vol 100%
    t, S, K, vol, r, b, days, T = american_case(rng, 1.0 if i < 150 else 3.0)
    opt, proc = american_option(t, S, K, vol, r, b, days)
    row = dict(type=t, spot=S, strike=K, vol=vol, rate=r, carry=b, expiry=T,
               ql_price=bs2002(t, S, K, T, r, b, vol))
    if i < 150:
        opt.setPricingEngine(ql.FdBlackScholesVanillaEngine(proc, 400, 400))
        row["ql_fd"] = opt.NPV()
    else:
        row["ql_fd"] = ""
    return row


GEN = {"black76": gen_black76, "bachelier": gen_bachelier, "kirk": gen_kirk, "asian": gen_asian,
       "bs1993": gen_american(ql.BjerksundStenslandApproximationEngine),
       "baw": gen_american(ql.BaroneAdesiWhaleyApproximationEngine), "bs2002": gen_bs2002}


def gen(model, count, seed):
    rng = random.Random(seed)
    rows = [GEN[model](rng, i) for i in range(count)]
    w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()})


def close(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(b))


def check(model, path, tol, cols):
    worst = (0.0, None)
    count = 0
    with open(path) as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            count += 1
            for ours, theirs, t in cols:
                if row.get(theirs, "") == "":
                    continue
                a, b = float(row[ours]), float(row[theirs])
                # QuantLib's BAW stops when |LHS - RHS| <= 1e-6 strike
                scale = max(1.0, float(row["strike"])) if model == "baw" else max(1.0, abs(b))
                err = abs(a - b) / scale
                if not (err <= t):
                    print(f"{path}:{line}: {ours}={a!r} vs {theirs}={b!r} (rel err {err:.3g} > {t:g})")
                    print("  " + repr(row))
                    return 1
                if err / t > worst[0]:
                    worst = (err / t, (line, ours))
            if model == "bs2002":
                p = float(row["price"])
                if row["ql_fd"]:
                    hi = float(row["ql_fd"])
                    if not (p <= hi + 2e-3 * max(1.0, hi)):
                        print(f"{path}:{line}: bs2002 {p!r} above finite-difference American {hi!r}")
                        return 1
    print(f"{count} cases, worst error {worst[0]:.3g} of tolerance at {worst[1]}")
    return 0 if count > 0 else 1


GREEKS = ["price", "delta", "gamma", "vega", "theta"]
CHECKS = {
    "black76": [(g, "ql_" + g, 1e-12) for g in GREEKS] + [(g, "fd_" + g, 1e-5) for g in GREEKS[1:]],
    "bachelier": [(g, "ql_" + g, 1e-12) for g in GREEKS] + [(g, "fd_" + g, 1e-5) for g in GREEKS[1:]],
    "kirk": [("price", "ql_price", 1e-10)],
    "asian": [("price", "ql_price", 1e-10)],
    "bs1993": [("price", "ql_price", 1e-9)],
    "baw": [("price", "ql_price", 1e-6)],
    "bs2002": [("price", "ql_price", 1e-9)],
}

if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], None, CHECKS[sys.argv[2]]))
