"""Time the whole fairness report PDF of one large closed wave.

    python benchmarks/report_pdf.py --size 250000 [--workdir instance]

Loads a fresh SQLite wave of `size` synthetic responses the real way
(benchmarks/dataset.py), closes it (closing builds the tally the reports read), then
times building the report's content from the tally (every table, chart and sentence)
and laying out the tagged PDF, three times each; prints the best and the page count.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import date
from pathlib import Path

import pikepdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.dataset import WAVE_CODE, fresh_database, load_wave, make_app
from survey.extensions import db
from survey.models import Wave
from survey.results.pdf.document import fairness_pdf
from survey.results.report_pack import fairness_pack
from survey.services.waves import close_wave

RUNS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=250_000)
    parser.add_argument("--workdir", type=Path, default=Path("instance"))
    args = parser.parse_args()
    url = fresh_database("sqlite", args.size, args.workdir, "")
    began = time.perf_counter()
    load_wave(url, args.size, chunk=5_000)
    print(f"loaded {args.size:,} responses in {time.perf_counter() - began:.0f} s")
    app = make_app(url)
    with app.app_context():
        close_wave(db.session.scalar(db.select(Wave).filter_by(code=WAVE_CODE)))
        db.session.commit()
        timings = [time_report() for _ in range(RUNS)]
    content, layout, pages = min(timings, key=lambda t: t[0] + t[1])
    print(f"report of {args.size:,} responses: {pages} pages, content {content:.2f} s, "
          f"PDF {layout:.2f} s, total {content + layout:.2f} s (best of {RUNS})")


def time_report() -> tuple[float, float, int]:
    began = time.perf_counter()
    pack = fairness_pack(WAVE_CODE, "Benchmark Police", date.today())
    built = time.perf_counter()
    data = fairness_pdf(pack)
    done = time.perf_counter()
    return built - began, done - built, len(pikepdf.open(io.BytesIO(data)).pages)


if __name__ == "__main__":
    main()
