"""Shared fixtures: the example kernels of the repository's kernels/."""

from pathlib import Path

import pytest

import kjit

KERNELS = Path(__file__).resolve().parents[2] / "kernels"


@pytest.fixture(scope="session")
def kernels_dir() -> Path:
    return KERNELS


def load(name: str, **options) -> "kjit.Kernel":
    """The kernel `name` of kernels/NAME.kern."""
    return kjit.compile_file(KERNELS / f"{name}.kern", **options)[name]


SAXPY = """
kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = a * x[i] + y[i]; }
}
"""


@pytest.fixture(scope="session")
def saxpy():
    return kjit.kernel(SAXPY)
