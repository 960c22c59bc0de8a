"""Every script in bench/ still runs: a smoke run of each, on tiny data in a throwaway SQLite file.
(bench/load/ is not among them: it starts servers on PostgreSQL, Redis and Locust.)"""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

BENCH = pathlib.Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py")))
def test_the_benchmark_runs_and_prints_its_figures(script):
    # Never the tests' database: a benchmark empties the one it is given.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"CONSORTIUM_ENV": os.devnull}
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke"], env=env, cwd=BENCH.parent,
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "p50 ms" in done.stdout and "database: sqlite" in done.stdout
