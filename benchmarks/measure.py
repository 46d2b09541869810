"""Timing and memory of the report step, meant to run in a fresh process of its own.

`run.py measure --url URL --wave ID --step report|view` calls `measure_step` and prints its
result as one line of JSON. A process of its own means its peak resident set size counts
the report (plus the interpreter, libraries and app), never the load that built the
database. The peak is VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so
a child's ru_maxrss starts at the size of the runner that started it.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
import tracemalloc

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Tally, Wave


def ru_maxrss_mb() -> float:
    """getrusage's peak RSS. On Linux it survives fork and exec, so in a child it starts at
    the parent's size: kept for the record, not used as the child's peak."""
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kilobytes / 1024 if sys.platform != "darwin" else kilobytes / 1024 / 1024


def peak_rss_mb() -> float:
    """Peak resident set size of this process image (VmHWM, reset at exec), in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return ru_maxrss_mb()


def current_rss_mb() -> float | None:
    """Resident set size now (Linux), to set the report's own growth apart from the
    interpreter, libraries and app that every worker process carries anyway."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return None


def _timed(call, wave_id: int, runs: int) -> list[float]:
    """Wall times of `runs` calls, each in a fresh session (nothing cached in the ORM)."""
    times = []
    for _ in range(runs):
        db.session.remove()
        wave = db.session.get(Wave, wave_id)
        began = time.perf_counter()
        call(wave)
        times.append(time.perf_counter() - began)
    db.session.remove()
    return times


def _traced_peak_mb(call, wave_id: int) -> float:
    """Peak of Python allocations (tracemalloc) during one call, in MiB."""
    db.session.remove()
    wave = db.session.get(Wave, wave_id)
    tracemalloc.start()
    try:
        call(wave)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        db.session.remove()
    return peak / 2**20


def measure_step(
    url: str, wave_id: int, step: str, runs: int, level: str, measure: str
) -> dict:
    """Wall times (each in a fresh session), peak RSS and tracemalloc peak of one step:
    `report` is full_report(wave), `view` is breakdown_view(wave, level, measure)."""
    from benchmarks.dataset import make_app
    from benchmarks.environment import git_state
    from survey.reporting import breakdown_view, full_report

    def view(wave):
        return breakdown_view(wave, level, measure)

    call = full_report if step == "report" else view
    name = "full_report(wave)" if step == "report" else (
        f"breakdown_view(wave, {level!r}, {measure!r})"
    )
    app = make_app(url)
    with app.app_context():
        tally_rows = db.session.scalar(
            select(func.count()).select_from(Tally).filter_by(wave_id=wave_id)
        )
        rss_before, rss_now_before = peak_rss_mb(), current_rss_mb()
        times = _timed(call, wave_id, runs)
        rss_peak, rss_now_after = peak_rss_mb(), current_rss_mb()
        traced = _traced_peak_mb(call, wave_id)
        db.engine.dispose()
    return {
        "step": step,
        "call": name,
        "tally_rows": tally_rows,
        "seconds": times,
        "median": statistics.median(times),
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_peak,
        "rss_now_before_mb": rss_now_before,
        "rss_now_after_mb": rss_now_after,
        "ru_maxrss_mb": ru_maxrss_mb(),
        "tracemalloc_peak_mb": traced,
        "git": git_state(),
    }
