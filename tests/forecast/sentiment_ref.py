#!/usr/bin/python3
"""An independent implementation of qe-forecast sentiment's rule (as
qe-forecast(1) states it), the daily index and the evaluation metrics,
for tests/forecast.bats.  Never reads qe-forecast's code, only its output.

  sentiment_ref.py check LEXICON COMMODITIES HEADLINES QE_SCORES [WINDOW ALPHA THRESHOLD]
  sentiment_ref.py daily QE_SCORES QE_DAILY
  sentiment_ref.py eval LABELLED QE_SCORES MIN_MACRO_F1
"""
import csv
import math
import sys
from collections import defaultdict


def tokens(text: bytes):
    out, cur = [], bytearray()
    for b in text + b" ":
        if (b < 128 and (chr(b).isalnum() or b == 0x27)) or b >= 128:
            cur.append(ord(chr(b).lower()) if b < 128 else b)
        elif cur:
            t = bytes(cur).strip(b"'")
            if t:
                out.append(t)
            cur = bytearray()
    return out


def canon(s):
    return b" ".join(tokens(s.encode()))


def load(lexicon, commodities):
    terms, kw, order = {}, {}, []
    with open(lexicon, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            w = r.get("weight", "")
            terms[canon(r["term"])] = (r["kind"], float(w) if w else 1.0)
    with open(commodities, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            kw[canon(r["keyword"])] = r["commodity"]
            if r["commodity"] not in order:
                order.append(r["commodity"])
    return terms, kw, order


def score(text, terms, kw, order, window=3, alpha=4.0, threshold=0.1):
    t = tokens(text.encode())
    maxk = max(len(k.split(b" ")) for k in list(terms) + list(kw))
    tags = set()
    for i in range(len(t)):
        for k in range(1, maxk + 1):
            if i + k <= len(t) and b" ".join(t[i:i + k]) in kw:
                tags.add(kw[b" ".join(t[i:i + k])])
    m, i = [], 0  # (first, end, kind, weight)
    while i < len(t):
        for k in range(min(maxk, len(t) - i), 0, -1):
            key = b" ".join(t[i:i + k])
            if key in terms:
                m.append((i, i + k) + terms[key])
                i += k
                break
        else:
            i += 1

    def gap(a, b):
        return b[0] - a[1] if a[1] <= b[0] else a[0] - b[1] if b[1] <= a[0] else 0

    s = 0.0
    for a in m:
        if a[2] == "polar":
            v = a[3]
        elif a[2] in ("up", "down"):
            subj = [b for b in m if b[2] in ("supply", "demand", "price") and gap(a, b) < window]
            sign = 1
            if subj:
                best = min(subj, key=lambda b: (gap(a, b), b[0]))
                sign = -1 if best[2] == "supply" else 1
            v = (1 if a[2] == "up" else -1) * sign * a[3]
        else:
            continue
        for b in m:
            if b[2] == "intensifier" and gap(a, b) < window:
                v *= b[3]
            if b[2] == "negator" and b[1] <= a[0] and a[0] - b[1] < window:
                v = -v
        s += v
    sc = s / math.sqrt(s * s + alpha)
    label = "positive" if sc > threshold else "negative" if sc < -threshold else "neutral"
    return sc, label, ";".join(c for c in order if c in tags)


def check(lexicon, commodities, headlines, qe, *params):
    terms, kw, order = load(lexicon, commodities)
    p = [int(params[0]), float(params[1]), float(params[2])] if params else [3, 4.0, 0.1]
    with open(headlines, newline="", encoding="utf-8") as f:
        hs = list(csv.DictReader(f))
    with open(qe, newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert len(hs) == len(got), f"{len(hs)} headlines, {len(got)} scores"
    bad = 0
    for h, g in zip(hs, got):
        sc, label, tags = score(h["headline"], terms, kw, order, *p)
        if (abs(float(g["score"]) - sc) > 1e-12 or g["label"] != label or g["commodities"] != tags
                or g["headline"] != h["headline"] or g["source"] != h["source"]):
            print(f"differs: {h['headline']!r}: qe {g['score']} {g['label']} {g['commodities']!r}, "
                  f"ref {sc!r} {label} {tags!r}")
            bad += 1
    print(f"{len(hs)} headlines, {bad} differ")
    return 1 if bad else 0


def daily(qe, qe_daily):
    groups = defaultdict(list)
    with open(qe, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for c in filter(None, r["commodities"].split(";")):
                groups[(r["timestamp"][:10], c)].append((float(r["score"]), r["label"]))
    with open(qe_daily, newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    want = sorted(groups)
    if [(g["date"], g["commodity"]) for g in got] != want:
        print("the (date, commodity) rows differ")
        return 1
    for g in got:
        v = groups[(g["date"], g["commodity"])]
        mean = math.fsum(x for x, _ in v) / len(v)
        cnt = {l: sum(1 for _, y in v if y == l) for l in ("positive", "negative", "neutral")}
        if (int(g["n"]) != len(v) or abs(float(g["mean_score"]) - mean) > 1e-12
                or (int(g["pos"]), int(g["neg"]), int(g["neu"])) != (cnt["positive"], cnt["negative"], cnt["neutral"])):
            print(f"differs: {g}, want n {len(v)} mean {mean} {cnt}")
            return 1
    print(f"{len(got)} daily rows agree")
    return 0


def metrics(truth, pred):
    labels = ("positive", "negative", "neutral")
    acc = sum(a == b for a, b in zip(truth, pred)) / len(truth)
    f1 = []
    for l in labels:
        tp = sum(a == l and b == l for a, b in zip(truth, pred))
        fp = sum(a != l and b == l for a, b in zip(truth, pred))
        fn = sum(a == l and b != l for a, b in zip(truth, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return acc, sum(f1) / 3


def evaluate(labelled, qe, min_f1):
    with open(labelled, newline="", encoding="utf-8") as f:
        truth = [r["label"] for r in csv.DictReader(f)]
    with open(qe, newline="", encoding="utf-8") as f:
        pred = [r["label"] for r in csv.DictReader(f)]
    assert len(truth) == len(pred) and len(truth) >= 200
    majority = max(set(truth), key=truth.count)
    acc, f1 = metrics(truth, pred)
    bacc, bf1 = metrics(truth, [majority] * len(truth))
    print(f"n {len(truth)}: accuracy {acc:.3f} macro-F1 {f1:.3f}; "
          f"majority class ({majority}) accuracy {bacc:.3f} macro-F1 {bf1:.3f}")
    if f1 < float(min_f1):
        print(f"macro-F1 {f1:.3f} below {min_f1}")
        return 1
    if not (acc > bacc and f1 > bf1):
        print("does not beat the majority class")
        return 1
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({"check": check, "daily": daily, "eval": evaluate}[cmd](*args))
