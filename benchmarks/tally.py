"""close_wave's tally build beside DuckDB building the same tally from the same rows.

    python benchmarks/tally.py --size 250000 --database postgresql \
        --out benchmarks/results/tally.json --profile benchmarks/results/tally.prof

One fresh, uniquely named database (dropped afterwards: only that one); N synthetic
responses stored through import_responses (timed: storage only, the tally is built at
close); then `build_tally(wave)` (what close_wave calls), median of --runs, each rolled
back; then the wave is closed for real and DuckDB computes every tally figure from the
raw rows (reference.py), median of --runs, and its rows are checked against the tally.
Both sides therefore do the same work: raw rows in, per-group statistics out.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dataset import (  # noqa: E402
    PG_PREFIX,
    drop_database,
    fresh_database,
    load_wave,
    make_app,
)
from benchmarks.environment import report  # noqa: E402
from benchmarks.run import PG_BASE  # noqa: E402


def time_build_tally(url: str, wave_id: int, runs: int, profile: Path | None) -> dict:
    """Seconds of each build_tally (what close_wave calls), and of its key-driver pass
    alone (build_moments, which DuckDB's statement does not compute), run after it."""
    from survey.extensions import db
    from survey.models import Wave
    from survey.services.instruments import wave_definition
    from survey.services.tally import build_moments, build_tally

    whole, moments = [], []
    with make_app(url).app_context():
        for run in range(runs):
            wave = db.session.get(Wave, wave_id)
            profiler = cProfile.Profile() if profile and run == 0 else None
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            build_tally(wave)
            db.session.flush()
            if profiler:
                profiler.disable()
                profile.parent.mkdir(parents=True, exist_ok=True)
                pstats.Stats(profiler).sort_stats("cumulative").dump_stats(profile)
            whole.append(time.perf_counter() - began)
            began = time.perf_counter()
            build_moments(wave_definition(wave), wave)
            db.session.flush()
            moments.append(time.perf_counter() - began)
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return {"build_tally": whole, "moments": moments,
            "tally_only": [w - m for w, m in zip(whole, moments, strict=True)]}


def close_and_reference(url: str, wave_id: int, runs: int) -> dict:
    from benchmarks.reference import run_reference
    from survey.extensions import db
    from survey.models import Wave
    from survey.services.waves import close_wave

    with make_app(url).app_context():
        wave = db.session.get(Wave, wave_id)
        began = time.perf_counter()
        close_wave(wave)
        db.session.commit()
        closed = time.perf_counter() - began
        result = run_reference(db.session.get(Wave, wave_id), runs)
        db.session.remove()
        db.engine.dispose()
    return {"close_wave_seconds": closed, **result}


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=250_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument("--distinct", type=int,
                        help="store only this many through import_responses, copy the rest")
    parser.add_argument("--pg-base", default=PG_BASE)
    parser.add_argument("--pg-prefix", default=PG_PREFIX, help="name prefix of the database")
    parser.add_argument("--profile", type=Path, help="write a cProfile of one build here")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = {"command": "python benchmarks/tally.py " + " ".join(argv),
              "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="survey-tally-") as tmp:
        url = fresh_database(args.database, args.size, Path(tmp), args.pg_base,
                             args.pg_prefix)
        try:
            began = time.perf_counter()
            loaded = load_wave(url, args.size, args.chunk, distinct=args.distinct)
            result["load_seconds"] = time.perf_counter() - began
            result["store_seconds"] = loaded.release_seconds
            result["copy_seconds"] = loaded.copy_seconds
            result["responses"] = loaded.responses
            result["builds"] = time_build_tally(url, loaded.wave_id, args.runs, args.profile)
            result["reference"] = close_and_reference(url, loaded.wave_id, args.runs)
        finally:
            drop_database(args.database, url, args.pg_base)
    result["load_after"] = os.getloadavg()
    medians = {part: statistics.median(times) for part, times in result["builds"].items()}
    duck = result["reference"]["median"]
    result["ratio_tally_only"] = medians["tally_only"] / duck
    print(f"{args.database} {args.size:,}: build_tally {medians['build_tally']:.2f} s, of which "
          f"the tally {medians['tally_only']:.2f} s and key-driver moments "
          f"{medians['moments']:.2f} s; DuckDB (the tally) {duck:.2f} s: ratio "
          f"{result['ratio_tally_only']:.2f}; tally agrees: "
          f"{result['reference']['check']['agree']}")
    return report(result, args.out)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
