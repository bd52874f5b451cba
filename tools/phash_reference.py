"""Reference pHash values for src/curate/phash.test.ts (run with Debian's /usr/bin/python3).

Follows imagehash.phash (imagehash 4.x) from the grey 32x32 pixels on: scipy.fftpack.dct along
axis 0 then axis 1 (type 2, no normalisation), the top-left 8x8 block, bits = block > median, hex
of the row-major bits with the first bit most significant. The resize is left out on purpose: the
test feeds the same 32x32 pixels to the TypeScript code, so only the transform and bit order are
compared. Pixels come from a formula both sides evaluate:

    p[x][y] = (a*x + b*y + ((c*x*y) % 37) * d) % 256   (x = row, y = column)

Writes test/fixtures/curate/phash_reference.json.
"""
import json
import os

import numpy as np
import scipy.fftpack

PARAMS = [
    {"a": 7, "b": 13, "c": 3, "d": 5},
    {"a": 1, "b": 2, "c": 5, "d": 1},
    {"a": 0, "b": 8, "c": 11, "d": 2},
    {"a": 29, "b": 3, "c": 17, "d": 9},
]


def pixels(p):
    x = np.arange(32).reshape(32, 1)
    y = np.arange(32).reshape(1, 32)
    return ((p["a"] * x + p["b"] * y + ((p["c"] * x * y) % 37) * p["d"]) % 256).astype(np.float64)


def binary_to_hex(bits):
    bit_string = "".join(str(int(b)) for b in bits.flatten())
    return "{:0>16x}".format(int(bit_string, 2))


def main():
    out = []
    for p in PARAMS:
        img = pixels(p)
        dct = scipy.fftpack.dct(scipy.fftpack.dct(img, axis=0), axis=1)
        low = dct[:8, :8]
        med = np.median(low)
        out.append({"params": p, "lowFrequencies": [float(v) for v in low.flatten()], "median": float(med), "hex": binary_to_hex(low > med)})
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "curate", "phash_reference.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/phash_reference.py", "scipy": scipy.__version__, "images": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
