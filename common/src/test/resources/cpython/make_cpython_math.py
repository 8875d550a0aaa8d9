"""Writes cpython_math.json: CPython's repr(float), round(x), round(x, n) and int(x) for PyMathTest.

    python3 make_cpython_math.py > cpython_math.json
Doubles travel as their 64-bit pattern (hex) so nothing is lost between the languages.
"""
import json
import random
import struct
import sys

def bits(x):
    return struct.pack(">d", x).hex()

r = random.Random(2024)
xs = [0.0, -0.0, 1.0, 0.1, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1e16, 1e15, 123456789012345678.0, 1e-4, 1e-5,
      1.5e-05, 2.675, 1.005, 1000.0, 5e-324, 1.7976931348623157e308, 2.0**-44, 1.0 / 3, 2.0 / 3, 0.78, 1.29,
      1920 / 1080, 1080 / 1920, 1375 / 1000, 1216 / 832, 847.5 / 64, 160 / 64, 1e22, 1e23, 9007199254740993.0]
for _ in range(300):
    xs.append(r.uniform(0, 10))
for _ in range(100):
    xs.append(r.randint(1, 5000) / r.randint(1, 5000))
for _ in range(100):
    xs.append(struct.unpack(">d", struct.pack(">Q", r.getrandbits(63)))[0])
out = []
for x in xs:
    e = {"x": bits(x), "repr": repr(x)}
    if abs(x) < 1e15:
        e["round0"] = round(x)
        e["int"] = int(x)
        e["round_n"] = [[n, bits(round(x, n))] for n in (0, 1, 2, 3, 5)]
    out.append(e)
json.dump({"python": sys.version.split()[0], "values": out}, sys.stdout, indent=0)
