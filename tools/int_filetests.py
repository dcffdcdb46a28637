#!/usr/bin/env python3
"""Writes tests/kern/ints/*.kern: every integer operation on every integer
type, with expectations computed here, in Python's exact integers and
floats, from the rules of docs/LANGUAGE.md (wrapping to the type's width,
x / 0 == 0, x % 0 == x, shift amounts modulo the width, float -> int
truncating and saturating with NaN -> 0), not by kjit. Rerun after
changing a rule: python3 tools/int_filetests.py
"""

import math
import os
import struct

TYPES = {  # name: (bits, signed)
    "i8": (8, True), "i16": (16, True), "i32": (32, True), "i64": (64, True),
    "u8": (8, False), "u16": (16, False), "u32": (32, False), "u64": (64, False),
}
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "kern", "ints")


def rng(t):
    bits, signed = TYPES[t]
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def wrap(t, v):
    lo, hi = rng(t)
    return lo + (v - lo) % (hi - lo + 1)


def edges(t):
    lo, hi = rng(t)
    return [wrap(t, v) for v in [lo, lo + 1, -1, 0, 1, 2, 7, hi - 1, hi, 100, -7, hi // 3]]


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def div(t, a, b):
    return 0 if b == 0 else wrap(t, trunc_div(a, b))


def rem(t, a, b):
    return a if b == 0 else wrap(t, a - trunc_div(a, b) * b)


def shl(t, a, s):
    bits = TYPES[t][0]
    return wrap(t, a << (s % bits))


def shr(t, a, s):
    bits, signed = TYPES[t]
    s %= bits
    return a >> s  # Python's >> on a signed value is arithmetic; unsigned values are >= 0.


def f2i(t, x):
    if math.isnan(x):
        return 0
    if math.isinf(x):
        return rng(t)[0] if x < 0 else rng(t)[1]
    lo, hi = rng(t)
    return max(lo, min(hi, math.trunc(x)))


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0] if math.isfinite(x) else x


def fmt_f(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(float(x))


def arr(xs, f=str):
    return "[" + ", ".join(f(x) for x in xs) + "]"


def bools(xs):
    return arr(xs, lambda b: "true" if b else "false")


def write(name, header, blocks):
    with open(os.path.join(OUT, name + ".kern"), "w") as out:
        out.write(header)
        out.write("// Expectations computed by tools/int_filetests.py from the rules,\n")
        out.write("// not by kjit.\n")
        for runs, src in blocks:
            out.write("\n")
            for line in runs:
                out.write(f"// {line}\n")
            out.write(src)


def arith():
    blocks = []
    for t in TYPES:
        a = edges(t)
        b = a[3:] + a[:3]
        res = {
            "add": [wrap(t, x + y) for x, y in zip(a, b)],
            "sub": [wrap(t, x - y) for x, y in zip(a, b)],
            "mul": [wrap(t, x * y) for x, y in zip(a, b)],
            "neg": [wrap(t, -x) for x in a],
            "bnot": [wrap(t, ~x) for x in a],
            "band": [wrap(t, x & y) for x, y in zip(a, b)],
            "bor": [wrap(t, x | y) for x, y in zip(a, b)],
            "bxor": [wrap(t, x ^ y) for x, y in zip(a, b)],
        }
        runs = [f"run(arith_{t}): a={arr(a)} b={arr(b)}"]
        runs += [f"expect: {k} = {arr(v)}" for k, v in res.items()]
        outs = ", ".join(f"{k}: {t}[n]" for k in res)
        src = (f"kernel arith_{t}(a: {t}[n], b: {t}[n]) -> ({outs}) {{\n"
               f"    foreach i in n {{\n"
               f"        add[i] = a[i] + b[i];\n        sub[i] = a[i] - b[i];\n"
               f"        mul[i] = a[i] * b[i];\n        neg[i] = -a[i];\n"
               f"        bnot[i] = !a[i];\n        band[i] = a[i] & b[i];\n"
               f"        bor[i] = a[i] | b[i];\n        bxor[i] = a[i] ^ b[i];\n"
               f"    }}\n}}\n")
        blocks.append((runs, src))
    write("arith", "// + - * wrap, unary - wraps (on unsigned types too: -1 is MAX), ! is\n"
          "// bitwise; & | ^ bitwise; at MIN, MAX, 0, -1 of every integer type.\n", blocks)


def division():
    blocks = []
    for t in TYPES:
        lo, hi = rng(t)
        a = edges(t)
        b = [wrap(t, v) for v in [-1, 0, 7, 0, -1, 3, 2, lo, hi, -7, 5, 1]]
        runs = [f"run(div_{t}): a={arr(a)} b={arr(b)}",
                f"expect: q = {arr([div(t, x, y) for x, y in zip(a, b)])}",
                f"expect: r = {arr([rem(t, x, y) for x, y in zip(a, b)])}"]
        src = (f"kernel div_{t}(a: {t}[n], b: {t}[n]) -> (q: {t}[n], r: {t}[n]) {{\n"
               f"    foreach i in n {{\n        q[i] = a[i] / b[i];\n        r[i] = a[i] % b[i];\n    }}\n}}\n")
        blocks.append((runs, src))
    write("division", "// `/` truncates (unsigned: plain division), `%` takes the dividend's\n"
          "// sign; x / 0 == 0, x % 0 == x; signed MIN / -1 == MIN, MIN % -1 == 0.\n", blocks)


def shifts():
    blocks = []
    for t in TYPES:
        bits, signed = TYPES[t]
        a = edges(t)
        amounts = [0, 1, bits - 1, bits, bits + 1, 2 * bits + 3, wrap(t, -1), 3, 5, bits - 2, 2, 7]
        s = [wrap(t, v) for v in amounts]
        k = bits + 3
        runs = [f"run(shift_{t}): a={arr(a)} s={arr(s)} k={k}",
                f"expect: left = {arr([shl(t, x, y) for x, y in zip(a, s)])}",
                f"expect: right = {arr([shr(t, x, y) for x, y in zip(a, s)])}",
                f"expect: left_k = {arr([shl(t, x, k) for x in a])}",
                f"expect: right_k = {arr([shr(t, x, k) for x in a])}"]
        src = (f"kernel shift_{t}(a: {t}[n], s: {t}[n], k: {t}) -> "
               f"(left: {t}[n], right: {t}[n], left_k: {t}[n], right_k: {t}[n]) {{\n"
               f"    foreach i in n {{\n"
               f"        left[i] = a[i] << s[i];\n        right[i] = a[i] >> s[i];\n"
               f"        left_k[i] = a[i] << k;\n        right_k[i] = a[i] >> k;\n"
               f"    }}\n}}\n")
        blocks.append((runs, src))
    write("shifts", "// Shift amounts are taken modulo the bit width, for every type (a\n"
          "// shift by the width is a shift by 0); `>>` is arithmetic on signed\n"
          "// types and logical on unsigned ones. `k` is uniform, `s` varies.\n", blocks)


def compare():
    blocks = []
    for t in TYPES:
        a = edges(t)
        b = a[5:] + a[:5]
        b[0] = a[0]
        ops = {"lt": lambda x, y: x < y, "le": lambda x, y: x <= y, "gt": lambda x, y: x > y,
               "ge": lambda x, y: x >= y, "eq": lambda x, y: x == y, "ne": lambda x, y: x != y}
        runs = [f"run(cmp_{t}): a={arr(a)} b={arr(b)}"]
        runs += [f"expect: {k} = {bools([f(x, y) for x, y in zip(a, b)])}" for k, f in ops.items()]
        sym = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
        body = "".join(f"        {k}[i] = a[i] {sym[k]} b[i];\n" for k in ops)
        outs = ", ".join(f"{k}: bool[n]" for k in ops)
        src = f"kernel cmp_{t}(a: {t}[n], b: {t}[n]) -> ({outs}) {{\n    foreach i in n {{\n{body}    }}\n}}\n"
        blocks.append((runs, src))
    write("compare", "// Comparisons by value: unsigned types compare unsigned (u32 MAX > 0).\n", blocks)


def casts():
    blocks = []
    fs = [float("nan"), float("inf"), float("-inf"), 1e10, -1e10, 3.7, -3.7, 255.5, -0.5,
          40000.9, -129.0, 4294967295.0, 1.8446744073709552e19, -9.3e18]
    f32s = [f32(x) for x in fs]
    for t in TYPES:
        a = edges(t)
        runs = [f"run(cast_{t}): f={arr(f32s, fmt_f)} d={arr(fs, fmt_f)} a={arr(a)}",
                f"expect: from_f32 = {arr([f2i(t, x) for x in f32s])}",
                f"expect: from_f64 = {arr([f2i(t, x) for x in fs])}",
                f"expect: to_f32 = {arr([f32(float(x)) for x in a], fmt_f)}",
                f"expect: to_f64 = {arr([float(x) for x in a], fmt_f)}",
                f"expect: to_i64 = {arr([wrap('i64', x) for x in a])}",
                f"expect: to_u8 = {arr([wrap('u8', x) for x in a])}",
                f"expect: to_i16 = {arr([wrap('i16', x) for x in a])}",
                f"expect: to_u32 = {arr([wrap('u32', x) for x in a])}",
                f"expect: to_bool = {bools([x != 0 for x in a])}",
                f"expect: back = {arr([wrap(t, wrap('i64', x)) for x in a])}"]
        src = (f"kernel cast_{t}(f: f32[m], d: f64[m], a: {t}[n]) -> (from_f32: {t}[m], from_f64: {t}[m], "
               f"to_f32: f32[n], to_f64: f64[n], to_i64: i64[n], to_u8: u8[n], to_i16: i16[n], "
               f"to_u32: u32[n], to_bool: bool[n], back: {t}[n]) {{\n"
               f"    foreach i in m {{\n        from_f32[i] = {t}(f[i]);\n        from_f64[i] = {t}(d[i]);\n    }}\n"
               f"    foreach i in n {{\n        to_f32[i] = f32(a[i]);\n        to_f64[i] = f64(a[i]);\n"
               f"        to_i64[i] = i64(a[i]);\n        to_u8[i] = u8(a[i]);\n        to_i16[i] = i16(a[i]);\n"
               f"        to_u32[i] = u32(a[i]);\n        to_bool[i] = bool(a[i]);\n        back[i] = {t}(i64(a[i]));\n    }}\n}}\n")
        blocks.append((runs, src))
    write("casts", "// Float -> integer truncates and saturates to the type's range, NaN -> 0;\n"
          "// integer -> integer wraps (keeps the low bits, so i8 -1 -> u32 is\n"
          "// 4294967295); integer -> float rounds to nearest even; -> bool is != 0.\n", blocks)


def reductions():
    blocks = []
    for t in TYPES:
        a = edges(t)
        s = 0
        p = 1
        for x in a:
            s = wrap(t, s + x)
            p = wrap(t, p * x) if x != 0 else p
        nz = [x for x in a if x != 0]
        prod = 1
        for x in nz:
            prod = wrap(t, prod * x)
        runs = [f"run(reduce_{t}): a={arr(a)}",
                f"expect: total = {s}", f"expect: product = {prod}",
                f"expect: least = {min(a)}", f"expect: most = {max(a)}",
                f"expect: empty_min = {rng(t)[1]}", f"expect: empty_max = {rng(t)[0]}"]
        src = (f"kernel reduce_{t}(a: {t}[n]) -> (total: {t}, product: {t}, least: {t}, most: {t}, "
               f"empty_min: {t}, empty_max: {t}) {{\n"
               f"    total = sum over i in n {{ a[i] }};\n"
               f"    product = prod over i in n {{ select(a[i] == 0, 1, a[i]) }};\n"
               f"    least = min over i in n {{ a[i] }};\n    most = max over i in n {{ a[i] }};\n"
               f"    empty_min = min over i in n - n {{ a[i] }};\n    empty_max = max over i in n - n {{ a[i] }};\n}}\n")
        blocks.append((runs, src))
    write("reductions", "// Integer sums and products wrap in the element type (numpy with\n"
          "// dtype=the same type); min/max of an empty domain are MAX and MIN.\n", blocks)


def builtins():
    blocks = []
    for t in TYPES:
        bits, signed = TYPES[t]
        a = edges(t)
        b = a[4:] + a[:4]
        lo_c, hi_c = (wrap(t, -5), 90) if signed else (3, 90)
        def bitsof(x):
            return x % (1 << bits)
        def clz(x):
            u = bitsof(x)
            return bits - u.bit_length()
        def ctz(x):
            u = bitsof(x)
            return bits if u == 0 else (u & -u).bit_length() - 1
        runs = [f"run(builtin_{t}): a={arr(a)} b={arr(b)}",
                f"expect: absolute = {arr([wrap(t, abs(x)) for x in a])}",
                f"expect: smaller = {arr([min(x, y) for x, y in zip(a, b)])}",
                f"expect: larger = {arr([max(x, y) for x, y in zip(a, b)])}",
                f"expect: clamped = {arr([min(max(x, lo_c), hi_c) for x in a])}",
                f"expect: ones = {arr([bin(bitsof(x)).count('1') for x in a])}",
                f"expect: leading = {arr([clz(x) for x in a])}",
                f"expect: trailing = {arr([ctz(x) for x in a])}"]
        lo_text = f"({lo_c})" if lo_c < 0 else str(lo_c)
        src = (f"kernel builtin_{t}(a: {t}[n], b: {t}[n]) -> (absolute: {t}[n], smaller: {t}[n], larger: {t}[n], "
               f"clamped: {t}[n], ones: {t}[n], leading: {t}[n], trailing: {t}[n]) {{\n"
               f"    foreach i in n {{\n        absolute[i] = abs(a[i]);\n        smaller[i] = min(a[i], b[i]);\n"
               f"        larger[i] = max(a[i], b[i]);\n        clamped[i] = clamp(a[i], {lo_text}, {hi_c});\n"
               f"        ones[i] = popcount(a[i]);\n        leading[i] = clz(a[i]);\n        trailing[i] = ctz(a[i]);\n"
               f"    }}\n}}\n")
        blocks.append((runs, src))
    write("builtins", "// abs (wrapping: abs(MIN) == MIN; the identity on unsigned types),\n"
          "// min, max, clamp, and popcount/clz/ctz of the type's own bits\n"
          "// (clz(0) == ctz(0) == the width).\n", blocks)


def literals():
    blocks = []
    for t in TYPES:
        lo, hi = rng(t)
        mid = hi // 2 + 1
        runs = [f"run(lit_{t}): x=[{hi}, 0, {mid}]",
                f"expect: plus = {arr([wrap(t, v + mid) for v in [hi, 0, mid]])}",
                f"expect: top = {hi}", f"expect: bottom = {lo}",
                f"expect: typed = {wrap(t, mid + mid)}",
                f"expect: uniform_plus = {wrap(t, hi + 1)}"]
        src = (f"kernel lit_{t}(x: {t}[n]) -> (plus: {t}[n], top: {t}, bottom: {t}, typed: {t}, uniform_plus: {t}) {{\n"
               f"    let m: {t} = {mid};\n    typed = m + {mid};\n"
               f"    top = {t}::MAX;\n    bottom = {t}::MIN;\n    uniform_plus = top + 1;\n"
               f"    foreach i in n {{\n        plus[i] = x[i] + {mid};\n    }}\n}}\n")
        blocks.append((runs, src))
    write("literals", "// Literals take the type of their context (`x[i] + 128` is u8 when x\n"
          "// is); `T::MIN` and `T::MAX` for every integer type.\n", blocks)


for make in [arith, division, shifts, compare, casts, reductions, builtins, literals]:
    make()
