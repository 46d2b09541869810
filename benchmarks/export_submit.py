"""SQLite: respondents submit while a long comments export is being built.

    python benchmarks/export_submit.py --closed 40000 --format xlsx

One SQLite file (WAL mode, as in production) holds a closed wave of --closed synthetic
responses (5,000 stored the real way, the rest copied) with their comments plus
--comment-copies copies of them, and an open wave with invitation codes. The real
background export (survey/results/jobs.py, a worker thread of the process reading in a
deferred transaction) is started for the closed wave's first comment question; while it
runs, whole respondent journeys go through Flask's test client in the same process and
each final submit is timed. Reported: how long the export ran, how many submits were
served while it was running and their latencies. A writer blocked by the export's read
would wait for SQLite's busy timeout (30 s) or fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dataset import copy_comments, load_wave, make_app  # noqa: E402
from benchmarks.environment import report  # noqa: E402
from benchmarks.journey import one_journey  # noqa: E402


def prepare(url: str, closed: int, comment_copies: int, respondents: int):
    from sqlalchemy import func, select

    from survey.demo.synthetic import generate_responses
    from survey.extensions import db
    from survey.instruments import Definition
    from survey.models import Comment, Instrument, Wave
    from survey.security import code_hash_key
    from survey.services.codes import issue_codes
    from survey.services.instruments import unit_choices
    from survey.services.users import create_user
    from survey.services.waves import close_wave, create_wave, open_wave

    loaded = load_wave(url, closed, 5_000, distinct=min(closed, 5_000))
    app = make_app(url)
    app.config.update(EXPORT_JOBS="thread", SPEND_FLUSH="thread")
    with app.app_context():
        copy_comments(loaded.wave_id, comment_copies)
        closed_wave = db.session.get(Wave, loaded.wave_id)
        close_wave(closed_wave)
        instrument = db.session.scalars(select(Instrument)).one()
        definition = Definition(instrument.definition)
        question = definition.text_items()[0]["code"]
        comments = db.session.scalar(
            select(func.count()).select_from(Comment).filter_by(question=question))
        today = date.today()
        wave = create_wave("live", "Live wave", instrument, today, today + timedelta(21))
        open_wave(wave)
        codes = issue_codes(wave, respondents, code_hash_key(app), override=True)
        owner = create_user("exporter@example.org", "export-bench-password-1", "hr").id
        db.session.commit()
        units = [code for code, _ in unit_choices()]
        rows = generate_responses(definition, units, respondents, wave_index=1, seed=5)
        sections = [[item["code"] for item in s["items"]] for s in definition.sections]
        export = (owner, closed_wave.code, question)
        db.session.remove()
    return app, export, comments, codes, rows, sections


def run(args) -> dict:
    from survey.results.jobs import job_state, start_comments_export

    with tempfile.TemporaryDirectory(prefix="survey-export-") as tmp:
        app, (owner, wave, question), comments, codes, rows, sections = prepare(
            f"sqlite:///{tmp}/export.db", args.closed, args.comment_copies, args.respondents)
        app.config["EXPORT_FOLDER"] = str(Path(tmp) / "exports")
        load_before = os.getloadavg()
        began = time.perf_counter()
        job = start_comments_export(app, owner, wave, question, args.format)
        during, after, finished = [], [], None
        for code, (answers, texts) in zip(codes, rows, strict=True):
            seconds = one_journey(app.test_client(), code, answers, texts, sections)
            running = job_state(app, job, owner)["state"] == "running"
            (during if running and finished is None else after).append(seconds)
            if not running and finished is None:
                finished = time.perf_counter() - began
        while job_state(app, job, owner)["state"] == "running":
            time.sleep(0.2)
        state = job_state(app, job, owner)["state"]
        finished = finished or time.perf_counter() - began
    return {
        "command": "python benchmarks/export_submit.py " + " ".join(args.argv),
        "closed_wave_responses": args.closed,
        "comments_exported": comments,
        "format": args.format,
        "export_state": state,
        "export_seconds_at_least": finished,
        "submits_during_export": len(during),
        "submit_during_median_ms": statistics.median(during) * 1000 if during else None,
        "submit_during_max_ms": max(during) * 1000 if during else None,
        "submits_after_export": len(after),
        "submit_after_median_ms": statistics.median(after) * 1000 if after else None,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--closed", type=int, default=40_000)
    parser.add_argument("--comment-copies", type=int, default=60_000,
                        help="comments copied in the database beside those stored")
    parser.add_argument("--respondents", type=int, default=40)
    parser.add_argument("--format", choices=["csv", "xlsx", "pdf"], default="pdf")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    args.argv = argv
    result = run(args)
    return report(result, args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
