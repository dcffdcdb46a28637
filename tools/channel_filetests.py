#!/usr/bin/env python3
"""Writes tests/kern/channels/*.kern: reads of one channel of an interleaved
narrow-integer image (`img[c, k]` of a `u8[w, 3]`), the plan's
interleaved access and its shared per-gang block, at every width from 1 to
17 (full gangs, the masked tail gang, both), for 2, 3 and 4 channels of
8 and 16 bits, signed and unsigned, under a varying `if`, in a loop, mixed
with other reads of the same array, and for an array the phase writes.
Expectations are computed here, in Python's exact integers, from the
rules of docs/LANGUAGE.md, not by kjit. Rerun: python3 tools/channel_filetests.py
"""

import os

import filetest_gen as gen
from filetest_gen import Rand, text, wrap

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "kern", "channels")
WIDTHS = range(1, 18)

def image(rand, t, w, channels):
    return [[rand.next(t) for _ in range(channels)] for _ in range(w)]


def row(w, f):
    return [f(c) for c in range(w)]


def write(name, header, kernel, runs):
    gen.write(os.path.join(OUT, name + ".kern"), "tools/channel_filetests.py", header, kernel, runs)


def rgba():
    rand = Rand(1)
    runs = []
    for w in WIDTHS:
        img = image(rand, "u8", w, 4)

        def lum(c):
            p = img[c]
            return (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8

        gray = row(w, lambda c: wrap("u8", lum(c) * img[c][3] // 255))
        alpha = row(w, lambda c: img[c][3])
        runs.append(([("img", img)], [("gray", gray), ("alpha", alpha)]))
    write("rgba", """
Four 8-bit channels (RGBA): every channel read of one gang shares one
block (`kjit emit plan`: channel block img), at widths 1 to 17.
""", """
kernel k(img: u8[w, 4]) -> (gray: u8[w], alpha: u8[w]) {
    foreach c in w {
        let lum = (77 * u32(img[c, 0]) + 150 * u32(img[c, 1]) + 29 * u32(img[c, 2]) + 128) >> 8;
        gray[c] = u8(lum * u32(img[c, 3]) / 255);
        alpha[c] = img[c, 3];
    }
}
""", runs)


def rgb():
    rand = Rand(2)
    runs = []
    for w in WIDTHS:
        img = image(rand, "u8", w, 3)
        gray = row(w, lambda c: wrap("u8", (77 * img[c][0] + 150 * img[c][1] + 29 * img[c][2] + 128) >> 8))
        bgr = row(w, lambda c: wrap("u8", img[c][2] - img[c][0]))
        runs.append(([("img", img)], [("gray", gray), ("bgr", bgr)]))
    write("rgb", """
Three 8-bit channels, the rgb_gray formula and a difference of two
channels in u8 (wrapping), at widths 1 to 17.
""", """
kernel k(img: u8[w, 3]) -> (gray: u8[w], bgr: u8[w]) {
    foreach c in w {
        gray[c] = u8((77 * u32(img[c, 0]) + 150 * u32(img[c, 1]) + 29 * u32(img[c, 2]) + 128) >> 8);
        bgr[c] = img[c, 2] - img[c, 0];
    }
}
""", runs)


def two():
    rand = Rand(3)
    runs = []
    for w in WIDTHS:
        uv = image(rand, "u8", w, 2)
        pairs = image(rand, "i16", w, 2)
        words = image(rand, "u16", w, 2)
        diff = row(w, lambda c: uv[c][0] - uv[c][1])
        prod = row(w, lambda c: wrap("i32", pairs[c][0] * pairs[c][1]))
        both = row(w, lambda c: wrap("u32", words[c][0] * 65536 + words[c][1]))
        runs.append(([("uv", uv), ("pairs", pairs), ("words", words)],
                     [("diff", diff), ("prod", prod), ("both", both)]))
    write("two", """
Two channels: 8-bit unsigned (a 16-byte block), 16-bit signed and
unsigned (32 bytes), at widths 1 to 17.
""", """
kernel k(uv: u8[w, 2], pairs: i16[w, 2], words: u16[w, 2]) -> (diff: i32[w], prod: i32[w], both: u32[w]) {
    foreach c in w {
        diff[c] = i32(uv[c, 0]) - i32(uv[c, 1]);
        prod[c] = i32(pairs[c, 0]) * i32(pairs[c, 1]);
        both[c] = (u32(words[c, 0]) << 16) | u32(words[c, 1]);
    }
}
""", runs)


def signed():
    rand = Rand(4)
    runs = []
    for w in WIDTHS:
        tri = image(rand, "i8", w, 3)
        wide = image(rand, "u16", w, 3)
        total = row(w, lambda c: sum(tri[c]))
        mid = row(w, lambda c: tri[c][1])
        spread = row(w, lambda c: wrap("u16", wide[c][2] - wide[c][0]))
        runs.append(([("tri", tri), ("wide", wide)], [("total", total), ("mid", mid), ("spread", spread)]))
    write("signed", """
Three signed 8-bit channels (sign extension of each lane), and three
16-bit channels, whose 48-byte block is too wide to be interleaved
(a gather), at widths 1 to 17.
""", """
kernel k(tri: i8[w, 3], wide: u16[w, 3]) -> (total: i32[w], mid: i8[w], spread: u16[w]) {
    foreach c in w {
        total[c] = i32(tri[c, 0]) + i32(tri[c, 1]) + i32(tri[c, 2]);
        mid[c] = tri[c, 1];
        spread[c] = wide[c, 2] - wide[c, 0];
    }
}
""", runs)


def control():
    rand = Rand(5)
    runs = []
    for w in WIDTHS:
        img = image(rand, "u8", w, 3)

        def picked(c):
            p = img[c]
            return p[1] + p[2] if p[0] > 100 else 2 * p[2]

        def looped(c):
            p = img[c]
            return sum(p) + (p[0] if p[1] < 128 else 0)

        runs.append(([("img", img)], [("picked", row(w, picked)), ("looped", row(w, looped))]))
    write("control", """
Channel reads under a varying `if` (the gang's block is loaded at its
entry, before the branch), in a `for` over the channels and under a
condition on a channel, at widths 1 to 17.
""", """
kernel k(img: u8[w, 3]) -> (picked: u32[w], looped: u32[w]) {
    foreach c in w {
        let v: u32 = 0;
        if img[c, 0] > 100 {
            v = u32(img[c, 1]) + u32(img[c, 2]);
        } else {
            v = 2 * u32(img[c, 2]);
        }
        picked[c] = v;
        let s: u32 = 0;
        for k in 0..3 {
            s += u32(img[c, k]);
        }
        if img[c, 1] < 128 {
            s += u32(img[c, 0]);
        }
        looped[c] = s;
    }
}
""", runs)


def mixed():
    rand = Rand(6)
    runs = []
    for w in WIDTHS:
        img = image(rand, "u8", w, 3)
        weight = image(rand, "u8", w, 1)
        weight = [p[0] for p in weight]

        def out(c):
            here = img[c]
            mirror = img[w - 1 - c]
            return here[0] * weight[c] + mirror[1] + img[0][2] + here[2]

        runs.append(([("img", img), ("weight", weight)], [("out", row(w, out))]))
    write("mixed", """
Channel reads mixed with other reads: of another array at the current
index, and of the same image at a mirrored column (a gather) and at a
uniform column, at widths 1 to 17.
""", """
kernel k(img: u8[w, 3], weight: u8[w]) -> (out: u32[w]) {
    foreach c in w {
        out[c] = u32(img[c, 0]) * u32(weight[c]) + u32(img[w - 1 - c, 1]) + u32(img[0, 2]) + u32(img[c, 2]);
    }
}
""", runs)


def written():
    rand = Rand(7)
    runs = []
    for w in WIDTHS:
        img = image(rand, "u8", w, 3)

        def pixel(c):
            p = img[c]
            first, second = p[2], p[1]
            return [first, second, wrap("u8", first + second)]

        runs.append(([("img", img)], [("out", row(w, pixel))]))
    write("written", """
An interleaved array the phase writes: its channel reads after the
stores must see them, so its block is not shared (loaded once per
gang, it would hold the bytes from before the stores), at widths 1 to 17.
""", """
kernel k(img: u8[w, 3]) -> (out: u8[w, 3]) {
    foreach c in w {
        out[c, 0] = img[c, 2];
        out[c, 1] = img[c, 1];
        out[c, 2] = out[c, 0] + out[c, 1];
    }
}
""", runs)


def npy_u8(path, rows):
    """A C-ordered `|u1` .npy file of the nested list `rows` (3-D)."""
    shape = (len(rows), len(rows[0]), len(rows[0][0]))
    header = "{'descr': '|u1', 'fortran_order': False, 'shape': (%d, %d, %d), }" % shape
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    data = bytes(v for row in rows for pixel in row for v in pixel)
    with open(path, "wb") as out:
        out.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + data)


def rows():
    rand = Rand(8)
    os.makedirs(os.path.join(OUT, "data"), exist_ok=True)
    runs = []
    for w in WIDTHS:
        img = [image(rand, "u8", w, 4) for _ in range(3)]
        name = f"rgba_3x{w}.npy"
        npy_u8(os.path.join(OUT, "data", name), img)

        def gray(r, c):
            p = img[r][c]
            return (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8

        out = [[gray(r, c) for c in range(w)] for r in range(3)]
        alpha = [[img[r][c][3] ^ img[r][c][0] for c in range(w)] for r in range(3)]
        runs.append(([("img", "tests/kern/channels/data/" + name)], [("gray", out), ("alpha", alpha)]))
    write("rows", """
A 2-D image, three rows of RGBA pixels at widths 1 to 17: each row's
gangs address their block from the row's offset.
""", """
kernel k(img: u8[h, w, 4]) -> (gray: u8[h, w], alpha: u8[h, w]) {
    foreach (r, c) in (h, w) {
        gray[r, c] = u8((77 * u32(img[r, c, 0]) + 150 * u32(img[r, c, 1]) + 29 * u32(img[r, c, 2]) + 128) >> 8);
        alpha[r, c] = img[r, c, 3] ^ img[r, c, 0];
    }
}
""", runs)


def ranges():
    pairs = [[0, 0], [255, 255], [1, 254], [128, 127], [255, 0], [0, 255], [200, 100], [17, 3], [254, 1]]
    words = [0, 65535, 32768, 65534, 1, 255, 256, 40000, 12345]
    shorts = [-32768, 32767, -1, 0, 1, -2, 16384, -16384, 255]
    w = len(pairs)
    x = [p[0] for p in pairs]
    y = [p[1] for p in pairs]
    outputs = [
        ("p1", [257 * v for v in x]),
        ("p2", [258 * v for v in x]),
        ("p3", [wrap("i32", v * 2) for v in shorts]),
        ("c1", [wrap("u8", (a * 255 + c) >> 8) for a, c in zip(x, y)]),
        ("c2", [wrap("u8", (a * 256 + c) >> 7) for a, c in zip(x, y)]),
        ("c3", [wrap("u16", v + 1) for v in words]),
        ("p4", [v for v in words]),
        ("p5", [wrap("u16", v * 2) for v in words]),
        ("p6", [wrap("i16", v * 3) for v in shorts]),
    ]
    write("ranges", """
Arithmetic the plan proves narrow (`kjit emit plan`: products in 0..2^16
become one 16-bit multiply, casts of values in range need no
renormalization), beside the same shapes it cannot prove, at the edges:
products up to 65535 and from 65536, a cast that keeps every value and
casts that wrap, signed operands.
""", """
kernel k(a: u8[w, 2], b: u16[w], s: i16[w]) -> (p1: u32[w], p2: u32[w], p3: i32[w], c1: u8[w], c2: u8[w], c3: u16[w], p4: u16[w], p5: u16[w], p6: i16[w]) {
    foreach c in w {
        let x = u32(a[c, 0]);
        let y = u32(a[c, 1]);
        p1[c] = 257 * x;
        p2[c] = 258 * x;
        p3[c] = i32(s[c]) * 2;
        c1[c] = u8((x * 255 + y) >> 8);
        c2[c] = u8((x * 256 + y) >> 7);
        c3[c] = u16(u32(b[c]) + 1);
        p4[c] = b[c] * 1;
        p5[c] = b[c] * 2;
        p6[c] = s[c] * 3;
    }
}
""", [([("a", pairs), ("b", words), ("s", shorts)], outputs)])


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for make in [rgba, rgb, two, signed, control, mixed, written, rows, ranges]:
        make()
