"""Peer for bench/synth: the same trades table (26 columns, one row per
trade, seeded) made the idiomatic Python way - numpy vectorised draws and
pandas.DataFrame.to_csv.  It does less than qe-synth (no calendars, no
expiry rules, no amendments), so the ratio flatters the peer."""
import sys
import numpy as np
import pandas as pd

n, out = int(sys.argv[1]), sys.argv[2]
g = np.random.default_rng(1)
books = np.array(["GAS_US", "GAS_EU", "POWER_EU", "POWER_US", "OIL", "CARBON", "ISLAMIC"])
curves = np.array(["NG_HH", "CL_WTI", "BRENT", "TTF", "DE_BASE", "EUA"])
inst = np.array(["future", "forward", "swap", "physical", "option", "asian", "spread", "spot"])
asof = np.datetime64("2026-11-25")
m = 1 + (24 * g.random(n) ** 2).astype(int)
ds = (asof.astype("datetime64[M]") + m).astype("datetime64[D]")
de = (ds.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
opt = g.random(n) < 0.3
df = pd.DataFrame({
    "trade_id": np.char.add("T", np.char.zfill(np.arange(1, n + 1).astype(str), 8)),
    "version": 1, "status": "new",
    "trade_date": (asof - g.integers(0, 250, n)).astype(str),
    "book": books[g.integers(0, 7, n)], "trader": "jharper",
    "counterparty": np.char.add("CP", np.char.zfill(g.integers(1, 41, n).astype(str), 3)),
    "instrument": inst[g.integers(0, 8, n)], "curve": curves[g.integers(0, 6, n)],
    "side": np.where(g.random(n) < 0.5, "buy", "sell"),
    "quantity": g.integers(1, 51, n).astype(float), "unit": "lots",
    "price": np.round(60 * np.exp(0.06 * g.standard_normal(n)), 2), "currency": "USD",
    "delivery_start": ds.astype(str), "delivery_end": de.astype(str), "shape": "",
    "option_type": np.where(opt, np.where(g.random(n) < 0.5, "call", "put"), ""),
    "strike": np.where(opt, np.round(60 * np.exp(0.15 * g.standard_normal(n)), 1), np.nan),
    "exercise": np.where(opt, "european", ""), "expiry": np.where(opt, (ds - 5).astype(str), ""),
    "avg_start": "", "avg_end": "", "curve2": "", "ratio": np.nan, "model": "",
})
df.to_csv(out, index=False)
