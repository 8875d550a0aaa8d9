"""Writes cpython_random.json: reference outputs of CPython's random.Random for PyRandomTest.

Run with the python3 that should be matched (3.11 made the committed file):
    python3 make_cpython_random.py > cpython_random.json
"""
import json
import random
import sys

cases = []
for seed in [0, 1, 42, 7, -7, 2**32 + 5, 2**70 + 3, 123456789012345678901234567890, "42:ds:1.0", "", "héllo"]:
    r = random.Random(seed)
    c = {"seed": seed if isinstance(seed, str) else str(seed), "seed_is_str": isinstance(seed, str)}
    c["random"] = [repr(r.random()) for _ in range(5)]
    c["getrandbits"] = [[k, str(r.getrandbits(k))] for k in (1, 7, 31, 32, 33, 53, 63)]
    c["randbelow"] = [[n, r._randbelow(n)] for n in (1, 2, 3, 10, 1000, 2**31 + 11, 2**40 + 3)]
    x = list(range(10)); r.shuffle(x); c["shuffle10"] = x
    c["sample_pool"] = r.sample(range(30), 7)
    c["sample_set"] = r.sample(range(1000), 20)
    c["choice"] = [r.choice("abcdefg") for _ in range(5)]
    c["randint"] = [r.randint(0, 21) for _ in range(5)]
    c["choices"] = [r.choices([0.5, 1.0, 1.5], [0.2, 0.3, 0.5])[0] for _ in range(8)]
    cases.append(c)
json.dump({"python": sys.version.split()[0], "cases": cases}, sys.stdout, indent=1)
