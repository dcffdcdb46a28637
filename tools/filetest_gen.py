"""What the generators of file tests share (tools/*_filetests.py): numpy's
integer types in Python's exact integers, a fixed random generator, and
the `.kern` file format with `// run:` and `// expect:` lines."""

import os

TYPES = {"u8": (8, False), "i8": (8, True), "u16": (16, False), "i16": (16, True),
         "u32": (32, False), "i32": (32, True)}


def wrap(t, v):
    """`v` wrapped to type `t`, as kern's integer arithmetic does."""
    bits, signed = TYPES[t]
    v &= (1 << bits) - 1
    return v - (1 << bits) if signed and v >> (bits - 1) else v


class Rand:
    """A fixed linear congruential generator: the files do not change when rerun."""

    def __init__(self, seed):
        self.state = seed

    def next(self, t):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return wrap(t, self.state >> 33)


def text(v):
    """A value as a `// run:` or `// expect:` line writes it."""
    return "[" + ", ".join(text(x) for x in v) + "]" if isinstance(v, list) else str(v)


def write(path, tool, header, kernel, runs):
    """Writes the file test `path`. `runs`: (inputs, outputs) pairs, each a
    list of (name, value); `tool` is the generator named in the file."""
    lines = ["// " + line if line else "//" for line in header.strip().split("\n")]
    lines.append(f"// Expectations computed by {tool}, not by kjit.")
    lines.append("")
    for inputs, outputs in runs:
        lines.append("// run: " + " ".join(f"{n}={text(v)}" for n, v in inputs))
        lines += [f"// expect: {n} = {text(v)}" for n, v in outputs]
    lines.append(kernel.strip())
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")
