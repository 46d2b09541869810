"""The machine and software a run was measured on, for docs/performance.md."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _postgresql_version(pg_base: str) -> str | None:
    import psycopg

    url = pg_base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def describe(pg_base: str | None) -> dict:
    import duckdb
    import sqlalchemy

    return {
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgresql_version(pg_base) if pg_base else None,
        "duckdb": duckdb.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "git": git_state(),
    }


def git_state() -> dict:
    """The commit measured and how many files differ from it (the tree may be in flux)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - fixed git arguments
            ["git", "-C", root, *args], capture_output=True, text=True, check=False  # noqa: S607
        )
        return done.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"),
            "changed_files": len(git("status", "--porcelain").splitlines())}


def report(result: dict, out: Path | None) -> dict:
    """Print a run's result as JSON, and keep it in `out` when one is given."""
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    return result
