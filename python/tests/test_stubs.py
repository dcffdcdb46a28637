"""The type stubs of the extension match what it defines (mypy's stubtest)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

ALLOWLIST = Path(__file__).resolve().parents[1] / "stubtest-allowlist.txt"


def test_stubs_match_the_extension():
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "kjit._kjit", "--allowlist", str(ALLOWLIST)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
