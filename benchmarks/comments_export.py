"""The comments export of a national wave, in every format, as the background job builds it.

    python benchmarks/comments_export.py --size 250000 --database sqlite --out result.json

A fresh database (SQLite file in a temporary folder, or a uniquely named PostgreSQL
database dropped afterwards) holds a closed wave of --size synthetic responses: --distinct
stored through import_responses with their comments, the rest copied in the database, and
the comments copied in the same proportion, so the wave has as many comments as --size
respondents would write. For each format the benchmark times exactly what the export job
(survey/results/jobs.py) runs: `pages.comments_export` (read, protect and lay out every
shown comment of the wave's first comment question) and `exports.render`. Target (issue
12): under 30 s in any format at 250,000 responses.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dataset import (  # noqa: E402
    copy_comments,
    drop_database,
    fresh_database,
    load_wave,
    make_app,
)
from benchmarks.environment import report  # noqa: E402
from benchmarks.run import PG_BASE  # noqa: E402

FORMATS = ("csv", "xlsx", "pdf")


def prepare(url: str, size: int, distinct: int) -> tuple:
    from sqlalchemy import func, select

    from survey.extensions import db
    from survey.models import Comment, Response, Wave
    from survey.services.instruments import wave_definition
    from survey.services.waves import close_wave

    began = time.perf_counter()
    loaded = load_wave(url, size, 5_000, distinct=distinct)
    app = make_app(url)
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Response))
        comments = db.session.scalar(select(func.count()).select_from(Comment))
        per_response = comments / min(size, distinct)
        copy_comments(loaded.wave_id, round(per_response * stored) - comments)
        wave = db.session.get(Wave, loaded.wave_id)
        close_wave(wave)
        db.session.commit()
        question = wave_definition(wave).text_items()[0]["code"]
        counts = dict(
            db.session.execute(
                select(Comment.question, func.count()).group_by(Comment.question)
            ).all()
        )
        code = wave.code
        db.session.remove()
    return app, code, question, stored, counts, time.perf_counter() - began


def time_formats(app, code: str, question: str, formats) -> list[dict]:
    from survey.extensions import db
    from survey.results import exports, pages

    results = []
    for fmt in formats:
        with app.app_context():
            began_cpu, began = time.process_time(), time.perf_counter()
            page = pages.comments_export(code, question)
            built = time.perf_counter()
            body = exports.render(page.report, fmt)
            done = time.perf_counter()
            shown = sum(len(table.rows) for table in page.report.tables)
            db.session.remove()
        results.append({
            "format": fmt,
            "read_and_protect_s": round(built - began, 2),
            "render_s": round(done - built, 2),
            "total_s": round(done - began, 2),
            "cpu_s": round(time.process_time() - began_cpu, 2),
            "rows_in_tables": shown,
            "bytes": len(body),
        })
        print(json.dumps(results[-1]), flush=True)
    return results


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=250_000)
    parser.add_argument("--distinct", type=int, default=25_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--pg-base", default=PG_BASE)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="survey-comments-") as tmp:
        url = fresh_database(args.database, args.size, Path(tmp), args.pg_base)
        try:
            app, code, question, stored, counts, load_s = prepare(url, args.size, args.distinct)
            load_before = os.getloadavg()
            timings = time_formats(app, code, question, args.formats)
        finally:
            drop_database(args.database, url, args.pg_base)
    result = {
        "command": "python benchmarks/comments_export.py " + " ".join(argv),
        "database": args.database,
        "responses": stored,
        "comments_by_question": counts,
        "question": question,
        "load_and_close_s": round(load_s, 1),
        "formats": timings,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    return report(result, args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
