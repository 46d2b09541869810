"""Benchmark the survey's reports at scale, beside DuckDB as an analytic-engine reference.

    python benchmarks/run.py --sizes 10000 100000 250000 --databases sqlite postgresql \
        --out benchmarks/results/latest.json

For each database and size: a fresh database, N synthetic responses released through the
real path (load time = release cost, tally included), then in fresh processes of their own
the full report and one dashboard-sized query (times, peak RSS, tracemalloc peak), and
DuckDB computing the same per-group aggregates from the raw rows. `--sizes 2000` is a smoke
run. The subcommands `measure` and `reference` are what the runner starts in subprocesses.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import environment  # noqa: E402
from benchmarks.summary import evaluate_targets, markdown_table  # noqa: E402

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 250_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--chunk", type=int, default=5_000, help="responses per release batch")
    parser.add_argument("--small-batch", type=int, default=10,
                        help="size of the live-sized releases timed after the load (about k)")
    parser.add_argument("--small-batches", type=int, default=5)
    parser.add_argument("--report-runs", type=int, default=3)
    parser.add_argument("--view-runs", type=int, default=5)
    parser.add_argument("--reference-runs", type=int, default=3)
    parser.add_argument("--level", default="ethnicity_5", help="breakdown level of the query")
    parser.add_argument("--measure", default="who5", help="measure of the query")
    parser.add_argument("--pg-base", default=PG_BASE, help="PostgreSQL URL without database")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--no-reference", action="store_true", help="skip DuckDB")
    return parser.parse_args(argv)


def child(args: list[str]) -> dict:
    """Run `run.py <args>` in a fresh interpreter; its last stdout line is JSON."""
    done = subprocess.run(  # noqa: S603 - our own script, arguments built here
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"run.py {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: other work on a shared machine skews timings."""
    return [round(x, 2) for x in os.getloadavg()]


def bench_one(kind: str, size: int, options, workdir: Path) -> dict:
    from benchmarks.dataset import (
        drop_database,
        fresh_database,
        load_wave,
        time_small_releases,
    )

    url = fresh_database(kind, size, workdir, options.pg_base)
    log(f"[{kind} {size:,}] loading through import_responses in batches of {options.chunk:,}")

    def progress(loaded):
        if len(loaded.chunk_seconds) % 10 == 0 or loaded.responses == size:
            log(f"  {loaded.responses:>8,} released, {loaded.rate:,.0f} responses/s")

    loads = {"before_load": load_average()}
    loaded = load_wave(url, size, options.chunk, progress)
    loads["before_measure"] = load_average()
    common = ["--url", url, "--wave", str(loaded.wave_id)]
    view_args = ["--level", options.level, "--measure", options.measure]
    log(f"[{kind} {size:,}] full report x{options.report_runs}")
    report = child(["measure", *common, "--step", "report", "--runs", str(options.report_runs),
                    *view_args])
    log(f"  median {report['median']:.3f} s, peak RSS {report['rss_peak_mb']:.0f} MB")
    log(f"[{kind} {size:,}] one query x{options.view_runs}")
    view = child(["measure", *common, "--step", "view", "--runs", str(options.view_runs),
                  *view_args])
    log(f"  median {view['median'] * 1000:.1f} ms")
    reference = None
    if not options.no_reference:
        log(f"[{kind} {size:,}] DuckDB reference x{options.reference_runs}")
        reference = child(["reference", *common, "--runs", str(options.reference_runs)])
        log(f"  median {reference['median']:.3f} s; agrees with tally: "
            f"{reference['check']['agree']}")
    log(f"[{kind} {size:,}] {options.small_batches} small releases of {options.small_batch}")
    small = time_small_releases(url, loaded.wave_id, options.small_batches, options.small_batch)
    log(f"  median {statistics.median(small) * 1000:.0f} ms per release")
    loads["after"] = load_average()
    if not options.keep:
        drop_database(kind, url, options.pg_base)
    return {
        "database": kind,
        "size": size,
        "load_average": loads,
        "load": {
            "responses": loaded.responses,
            "tally_rows": loaded.tally_rows,
            "chunk": options.chunk,
            "release_seconds": loaded.release_seconds,
            "responses_per_second": loaded.rate,
            "generate_seconds": loaded.generate_seconds,
            "chunk_seconds_first_last": [loaded.chunk_seconds[0], loaded.chunk_seconds[-1]],
        },
        "small_release": {
            "batch": options.small_batch,
            "seconds": small,
            "median": statistics.median(small),
        },
        "report": report,
        "view": view,
        "reference": reference,
    }


def run(options: argparse.Namespace) -> dict:
    began = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="survey-bench-") as tmp:
        for kind in options.databases:
            for size in sorted(options.sizes):
                results.append(bench_one(kind, size, options, Path(tmp)))
    summary = {
        "command": "python benchmarks/run.py " + " ".join(sys.argv[1:]),
        "machine": environment.describe(options.pg_base if "postgresql" in options.databases
                                        else None),
        "results": results,
        "targets": evaluate_targets(results),
        "total_seconds": time.perf_counter() - began,
    }
    print(markdown_table(results))
    for target in summary["targets"]:
        print(f"- {target['target']}: {target['verdict']} ({target['detail']})")
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {options.out}")
    return summary


def measure_command(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="run.py measure")
    parser.add_argument("--url", required=True)
    parser.add_argument("--wave", type=int, required=True)
    parser.add_argument("--step", choices=["report", "view"], required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--level", default="ethnicity_5")
    parser.add_argument("--measure", default="who5")
    args = parser.parse_args(argv)
    from benchmarks.measure import measure_step

    result = measure_step(args.url, args.wave, args.step, args.runs, args.level, args.measure)
    print(json.dumps(result))


def reference_command(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="run.py reference")
    parser.add_argument("--url", required=True)
    parser.add_argument("--wave", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from benchmarks.dataset import make_app
    from benchmarks.measure import peak_rss_mb
    from benchmarks.reference import run_reference
    from survey.extensions import db
    from survey.models import Wave

    with make_app(args.url).app_context():
        result = run_reference(db.session.get(Wave, args.wave), args.runs)
        result["rss_peak_mb"] = peak_rss_mb()
        db.session.remove()
        db.engine.dispose()
    print(json.dumps(result))


def main(argv: list[str]) -> None:
    if argv[:1] == ["measure"]:
        measure_command(argv[1:])
    elif argv[:1] == ["reference"]:
        reference_command(argv[1:])
    elif argv[:1] == ["table"]:
        results = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        print(markdown_table(results["results"]))
    else:
        run(parse_args(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
