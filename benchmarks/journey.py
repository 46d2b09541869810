"""CPU per complete respondent journey (landing, code, every section, review, submit).

    python benchmarks/journey.py --journeys 200 --out benchmarks/results/journey.json

In-process through Flask's test client on a fresh SQLite file, so the process CPU time
(time.process_time) holds the server's and the database's work together, with none of a
web server's. Each journey answers every question (synthetic answers, seeded) and gzip
is asked for, as browsers do. The first journey (filling the per-process caches) is
reported apart. --profile writes a cProfile of all journeys.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dataset import DEFAULT_INSTRUMENT, UNITS, make_app  # noqa: E402
from benchmarks.environment import report  # noqa: E402

TOKEN = re.compile(r'name="(csrf_token|state)" type="hidden" value="([^"]+)"')
GZIP = {"Accept-Encoding": "gzip"}


def hidden(page: bytes) -> dict[str, str]:
    import gzip

    return dict(TOKEN.findall(gzip.decompress(page).decode()))


def prepare(url: str, journeys: int):
    from flask_migrate import upgrade

    from survey.demo.synthetic import generate_responses
    from survey.extensions import db
    from survey.instruments import Definition
    from survey.security import code_hash_key
    from survey.services.codes import issue_codes
    from survey.services.instruments import load_units, register_instrument_file, unit_choices
    from survey.services.waves import create_wave, open_wave

    app = make_app(url)
    with app.app_context():
        upgrade()
        load_units(UNITS)
        instrument = register_instrument_file(DEFAULT_INSTRUMENT)
        wave = create_wave("journey", "Journey", instrument, date.today(),
                           date.today() + timedelta(21))
        open_wave(wave)
        codes = issue_codes(wave, journeys, code_hash_key(app), override=True)
        db.session.commit()
        definition = Definition(instrument.definition)
        units = [code for code, _ in unit_choices()]
        rows = generate_responses(definition, units, journeys, wave_index=0, seed=7)
        sections = [[item["code"] for item in s["items"]] for s in definition.sections]
        db.session.remove()
    return app, codes, rows, sections


def one_journey(client, code: str, answers: dict, comments: dict, sections) -> float:
    """One whole journey; the seconds its final submit took."""
    page = client.get("/take", headers=GZIP).data
    page = client.post("/take", data={**hidden(page), "code": code}, headers=GZIP).data
    for items in sections:
        given = {c: str(v) for c, v in {**answers, **comments}.items() if c in items}
        page = client.post("/survey", data={**hidden(page), "nav": "next", **given},
                           headers=GZIP).data
    began = time.perf_counter()
    done = client.post("/survey/submit", data=hidden(page))
    assert done.status_code == 303, done.status_code
    return time.perf_counter() - began


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="survey-journey-") as tmp:
        app, codes, rows, sections = prepare(f"sqlite:///{tmp}/journey.db", args.journeys)
        # Production's caching and snapshot intervals; the flush inline, to count its CPU.
        app.config.update(SPEND_FLUSH="inline", OPEN_WAVE_SECONDS=5, PROGRESS_SECONDS=600)
        load_before = os.getloadavg()
        cpu, wall = [], []
        profiler = cProfile.Profile() if args.profile else None
        for code, (answers, comments) in zip(codes, rows, strict=True):
            client = app.test_client()
            began_cpu, began = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            one_journey(client, code, answers, comments, sections)
            if profiler:
                profiler.disable()
            cpu.append(time.process_time() - began_cpu)
            wall.append(time.perf_counter() - began)
        if profiler:
            profiler.dump_stats(args.profile)
    result = {
        "command": "python benchmarks/journey.py " + " ".join(argv),
        "pages_per_journey": len(sections) + 3,
        "first_cpu_ms": cpu[0] * 1000,
        "median_cpu_ms": statistics.median(cpu[1:]) * 1000,
        "p95_cpu_ms": statistics.quantiles(cpu[1:], n=20)[-1] * 1000,
        "median_wall_ms": statistics.median(wall[1:]) * 1000,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    return report(result, args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
