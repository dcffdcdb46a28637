#!/usr/bin/env python3
"""Writes tests/kern/short/*.kern: varying integer expressions that the plan
computes in 16-bit lanes (`kjit emit plan`: short ...), over 8- and 16-bit
arrays at the current index, at every width from 1 to 25 (full gangs one
and two per loop step, the masked tail gang, all three) and in 2-D rows:
wrapping 8-bit + - * <<, arithmetic and logical shifts (by 16 or more,
and amounts past the width), uniform operands of any width, narrowing
casts that wrap, locals read by short and by wide code, and stores under
a varying if. Inputs mix random values with each type's edges.
Expectations are computed here, in Python's exact integers, from the
rules of docs/LANGUAGE.md, not by kjit.
Rerun: python3 tools/short_filetests.py
"""

import os

import filetest_gen as gen
from filetest_gen import TYPES, Rand, wrap

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "kern", "short")
WIDTHS = range(1, 26)

def shr(t, v, k):
    """`>>` of a value of type t: the amount modulo the width, logical on
    unsigned types (their values are never negative) and arithmetic on
    signed ones (Python's >> on a negative int)."""
    return v >> (k % TYPES[t][0])


def shl(t, v, k):
    return wrap(t, v << (k % TYPES[t][0]))


def edges(t):
    bits, signed = TYPES[t]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return [lo, hi, 0, 1, lo + 1, hi - 1]


def edge_array(rand, t, w):
    """`w` values of type `t`: each type's edges first (rotated per width,
    left out at every third width), then random values."""
    e = edges(t)
    start = w % len(e)
    e = e[start:] + e[:start]
    return [e[c] if c < len(e) and w % 3 != 1 else rand.next(t) for c in range(w)]


def write(name, header, kernel, runs):
    gen.write(os.path.join(OUT, name + ".kern"), "tools/short_filetests.py", header, kernel, runs)


def ops():
    rand = Rand(11)
    runs = []
    for w in WIDTHS:
        a, b = edge_array(rand, "u8", w), edge_array(rand, "u8", w)
        x, y = edge_array(rand, "i8", w), edge_array(rand, "i8", w)
        p, q = edge_array(rand, "u16", w), edge_array(rand, "i16", w)
        k = rand.next("u32")
        s = rand.next("i8")
        cols = range(w)
        out = [
            ("avg", [wrap("u8", (a[c] + b[c] + 1) >> 1) for c in cols]),
            ("diff", [wrap("u8", a[c] - b[c]) for c in cols]),
            ("prod", [wrap("u8", a[c] * b[c]) for c in cols]),
            ("left", [shl("u8", a[c], 3) for c in cols]),
            ("sdiff", [wrap("i8", x[c] - y[c]) for c in cols]),
            ("sshr", [shr("i8", x[c], 2) for c in cols]),
            ("sprod", [x[c] * y[c] for c in cols]),
            ("far", [shr("i32", x[c] * 100, 20) for c in cols]),
            ("gone", [shr("u32", a[c] * 200, 17) for c in cols]),
            ("past", [shr("u32", a[c] * 3, 33) for c in cols]),
            ("masked", [a[c] & k for c in cols]),
            ("ored", [p[c] | (k & 255) for c in cols]),
            ("padd", [wrap("u16", p[c] + 1000) for c in cols]),
            ("qsub", [wrap("i16", q[c] - 7) for c in cols]),
            ("mix", [a[c] - b[c] for c in cols]),
            ("by_s", [wrap("u8", a[c] * wrap("u8", s)) for c in cols]),
            ("to_i8", [wrap("i8", a[c] * 3) for c in cols]),
            ("to_u8", [wrap("u8", x[c] * 5) for c in cols]),
            ("flt", [float(a[c] * 2 + 1) for c in cols]),
        ]
        inputs = [("a", a), ("b", b), ("x", x), ("y", y), ("p", p), ("q", q), ("k", k), ("s", s)]
        runs.append((inputs, out))
    write("ops", """
Every operation short lanes take, over u8, i8, u16 and i16 arrays at the
current index, at widths 1 to 25: 8-bit arithmetic that wraps, shifts by
16 or more and by amounts past the width, uniform operands of any width
(u32 k, i8 s), casts that wrap, and a short value read by a float cast.
""", """
kernel k(a: u8[w], b: u8[w], x: i8[w], y: i8[w], p: u16[w], q: i16[w], k: u32, s: i8)
    -> (avg: u8[w], diff: u8[w], prod: u8[w], left: u8[w], sdiff: i8[w], sshr: i8[w],
        sprod: i16[w], far: i32[w], gone: u32[w], past: u32[w], masked: u32[w],
        ored: u16[w], padd: u16[w], qsub: i16[w], mix: i32[w], by_s: u8[w],
        to_i8: i8[w], to_u8: u8[w], flt: f32[w]) {
    foreach i in w {
        avg[i] = u8((u32(a[i]) + u32(b[i]) + 1) >> 1);
        diff[i] = a[i] - b[i];
        prod[i] = a[i] * b[i];
        left[i] = a[i] << 3;
        sdiff[i] = x[i] - y[i];
        sshr[i] = x[i] >> 2;
        sprod[i] = i16(x[i]) * i16(y[i]);
        far[i] = (i32(x[i]) * 100) >> 20;
        gone[i] = (u32(a[i]) * 200) >> 17;
        past[i] = (u32(a[i]) * 3) >> 33;
        masked[i] = u32(a[i]) & k;
        ored[i] = p[i] | u16(k & 255);
        padd[i] = p[i] + 1000;
        qsub[i] = q[i] - 7;
        mix[i] = i32(a[i]) - i32(b[i]);
        by_s[i] = a[i] * u8(s);
        to_i8[i] = i8(u32(a[i]) * 3);
        to_u8[i] = u8(i32(x[i]) * 5);
        flt[i] = f32(u32(a[i]) * 2 + 1);
    }
}
""", runs)


def locals_():
    rand = Rand(12)
    runs = []
    for w in WIDTHS:
        a, b = edge_array(rand, "u8", w), edge_array(rand, "u8", w)
        cols = range(w)
        t = [a[c] * 2 for c in cols]
        v = [t[c] + b[c] for c in cols]
        out = [
            ("half", [wrap("u8", v[c] >> 2) for c in cols]),
            ("wide", [float(v[c]) for c in cols]),
            ("above", [1 if v[c] > 300 else 0 for c in cols]),
            ("picked", [wrap("u8", t[c] >> 1) if a[c] > 128 else b[c] for c in cols]),
        ]
        runs.append(([("a", a), ("b", b)], out))
    write("locals", """
Short locals (a single `let` of a short value) read by short code, by a
float cast and a comparison (widened), and a short value stored under a
varying if (the masked store widens it), at widths 1 to 25.
""", """
kernel k(a: u8[w], b: u8[w]) -> (half: u8[w], wide: f32[w], above: i32[w], picked: u8[w]) {
    foreach i in w {
        let t = u32(a[i]) * 2;
        let v = t + u32(b[i]);
        half[i] = u8(v >> 2);
        wide[i] = f32(v);
        above[i] = select(v > 300, 1, 0);
        if a[i] > 128 {
            picked[i] = u8(t >> 1);
        } else {
            picked[i] = b[i];
        }
    }
}
""", runs)


def rows():
    rand = Rand(13)
    runs = []
    for h, w in [(1, 1), (2, 7), (3, 8), (3, 9), (2, 17), (4, 16)]:
        img = [edge_array(rand, "u8", w) for _ in range(h)]
        depth = [edge_array(rand, "i16", w) for _ in range(h)]
        out = [
            ("dim", [[wrap("u8", (img[r][c] * 3 + 2) >> 2) for c in range(w)] for r in range(h)]),
            ("shifted", [[wrap("i16", (depth[r][c] >> 3) - r) for c in range(w)] for r in range(h)]),
        ]
        runs.append(([("img", img), ("depth", depth)], out))
    write("rows", """
Short lanes in 2-D: reads and stores at the current index of u8 and i16
images of several shapes (each row's start computed once per row), with
a uniform row index as an operand.
""", """
kernel k(img: u8[h, w], depth: i16[h, w]) -> (dim: u8[h, w], shifted: i16[h, w]) {
    foreach (r, c) in (h, w) {
        dim[r, c] = u8((u32(img[r, c]) * 3 + 2) >> 2);
        shifted[r, c] = (depth[r, c] >> 3) - i16(r);
    }
}
""", runs)


def wide():
    rand = Rand(14)
    runs = []
    for w in WIDTHS:
        rgb = [edge_array(rand, "u8", 3) for _ in range(w)]
        pair = [edge_array(rand, "i8", 2) for _ in range(w)]
        cols = range(w)
        out = [
            ("lum", [0.25 * rgb[c][0] + 0.5 * rgb[c][1] + 0.25 * rgb[c][2] for c in cols]),
            ("big", [rgb[c][2] * 1000000 for c in cols]),
            ("tilt", [float(pair[c][0]) - 0.5 * pair[c][1] for c in cols]),
        ]
        runs.append(([("rgb", rgb), ("pair", pair)], out))
    write("wide", """
Interleaved channels read only by wide code (floats, i64), which takes
them in its own lanes, not short ones: 3 channels of u8 (a 24-byte block)
and 2 of i8 (16 bytes), the blocks a target with a two-register byte
shuffle pads with zeros, at widths 1 to 25.
""", """
kernel k(rgb: u8[w, 3], pair: i8[w, 2]) -> (lum: f32[w], big: i64[w], tilt: f64[w]) {
    foreach i in w {
        lum[i] = 0.25 * f32(rgb[i, 0]) + 0.5 * f32(rgb[i, 1]) + 0.25 * f32(rgb[i, 2]);
        big[i] = i64(rgb[i, 2]) * 1000000;
        tilt[i] = f64(pair[i, 0]) - 0.5 * f64(pair[i, 1]);
    }
}
""", runs)


if __name__ == "__main__":
    wide()
    ops()
    locals_()
    rows()
