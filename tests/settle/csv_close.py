#!/usr/bin/python3
"""csv_close.py GOT EXPECTED: the two CSV files have the same header and
rows in the same order; text fields equal, numbers within 1e-9 relative
(1e-6 absolute near zero).  Prints the first difference and exits 1."""
import csv
import math
import sys

got, exp = (list(csv.reader(open(p, newline=''))) for p in sys.argv[1:3])
if got[0] != exp[0] or len(got) != len(exp):
    sys.exit(f"header or row count differ: {got[0]} {len(got)} vs {exp[0]} {len(exp)}")
for n, (a, b) in enumerate(zip(got, exp), 1):
    for name, x, y in zip(got[0], a, b):
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            if x != y:
                sys.exit(f"line {n} {name}: {x!r} != {y!r}")
            continue
        if not math.isclose(fx, fy, rel_tol=1e-9, abs_tol=1e-6):
            sys.exit(f"line {n} {name}: {x} != {y} (expected)")
print(f"{len(got) - 1} rows agree")
