"""Respondents and results readers at once, against gunicorn on PostgreSQL with Redis.

    python benchmarks/load.py --respondents 3000 --seconds 180 --out benchmarks/results/load.json

One fresh, uniquely named PostgreSQL database (dropped afterwards: only that one) holds a
closed wave of --closed responses (stored the real way, copied in the database up to the
size, tally built by close_wave) and an open wave with one invitation code per respondent.
gunicorn serves wsgi:app (--workers processes of --threads threads) on loopback, in
production settings, with REDIS_URL pointing at --redis (pending spends are shared there).

--clients threads each take distinct codes and walk the whole respondent flow as a browser
without JavaScript would (landing, code, every section answered with synthetic answers,
review, submit), while --readers threads signed in as an hr user read the closed wave's
results pages, pausing --reader-pause seconds on each. The run stops when the codes run
out or after --seconds. Afterwards: a few used codes are replayed (each must be refused),
gunicorn is stopped, and the database must hold exactly one response per acknowledged
submission and one spend (written or still pending in Redis) per acknowledged code.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import queue
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dataset import (  # noqa: E402
    PG_PREFIX,
    SECRET,
    drop_database,
    fresh_database,
    load_wave,
    make_app,
)
from benchmarks.environment import report  # noqa: E402
from benchmarks.run import PG_BASE  # noqa: E402

HIDDEN = re.compile(r'name="(csrf_token|state)" type="hidden" value="([^"]+)"')
HR_EMAIL, HR_PASSWORD = "reader@example.org", "load-test-reader-password-1"
RESULTS_PAGES = ["", "/breakdown", "/intersection", "/comments", "/trend", "/representation"]


class Unexpected(RuntimeError):
    """A response the flow did not expect (wrong status or page)."""


class Browser:
    """One keep-alive connection with its cookies, as one browser tab."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Accept-Encoding": "gzip"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return response.status, data.decode()

    def expect(self, status: int, method: str, path: str, form: dict | None = None) -> str:
        got, page = self.request(method, path, form)
        if got != status:
            raise Unexpected(f"{method} {path}: {got}, expected {status}")
        return page


def hidden(page: str) -> dict[str, str]:
    from html import unescape

    return {name: unescape(value) for name, value in HIDDEN.findall(page)}


@dataclass
class Tally:
    """What the clients saw; appended to from many threads (list.append is atomic)."""

    journeys: list[float] = field(default_factory=list)
    submits: list[float] = field(default_factory=list)
    results: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def respondent(port: int, code: str, sections: list[dict], tally: Tally) -> None:
    """One person's whole journey; the submit is timed on its own."""
    browser = Browser(port)
    began = time.perf_counter()
    page = browser.expect(200, "GET", "/take")
    page = browser.expect(200, "POST", "/take", {**hidden(page), "code": code})
    for given in sections:
        page = browser.expect(200, "POST", "/survey", {**hidden(page), "nav": "next", **given})
    submitted = time.perf_counter()
    browser.expect(303, "POST", "/survey/submit", hidden(page))
    done = time.perf_counter()
    tally.acknowledged.append(code)
    tally.submits.append(done - submitted)
    tally.journeys.append(done - began)
    browser.connection.close()


def reader(port: int, wave_code: str, stop: threading.Event, tally: Tally,
           pause: float) -> None:
    """An hr user signed in once, reading the closed wave's results pages in turn, with
    `pause` seconds between a page and the next (the time a person looks at it)."""
    browser = Browser(port)
    page = browser.expect(200, "GET", "/admin/login")
    form = {**hidden(page), "email": HR_EMAIL, "password": HR_PASSWORD}
    browser.expect(302, "POST", "/admin/login", form)
    number = 0
    while not stop.is_set():
        path = f"/results/{wave_code}{RESULTS_PAGES[number % len(RESULTS_PAGES)]}"
        began = time.perf_counter()
        browser.expect(200, "GET", path)
        tally.results.append(time.perf_counter() - began)
        number += 1
        stop.wait(pause)


def respondent_loop(port: int, work: queue.Queue, deadline: float, tally: Tally) -> None:
    while time.perf_counter() < deadline:
        try:
            code, sections = work.get_nowait()
        except queue.Empty:
            return
        try:
            respondent(port, code, sections, tally)
        except (Unexpected, OSError, http.client.HTTPException) as error:
            tally.errors.append(f"respondent: {error}")


def reader_loop(port: int, wave_code: str, stop: threading.Event, tally: Tally,
                pause: float) -> None:
    try:
        reader(port, wave_code, stop, tally, pause)
    except (Unexpected, OSError, http.client.HTTPException) as error:
        tally.errors.append(f"reader: {error}")


def prepare(url: str, closed: int, respondents: int) -> dict:
    """The closed wave (results to read), the open wave with codes, an hr account."""
    from sqlalchemy import select

    from survey.demo.synthetic import generate_responses
    from survey.extensions import db
    from survey.instruments import Definition
    from survey.models import Instrument, Wave
    from survey.security import code_hash_key
    from survey.services.codes import issue_codes
    from survey.services.instruments import unit_choices
    from survey.services.users import create_user
    from survey.services.waves import close_wave, create_wave, open_wave

    began = time.perf_counter()
    loaded = load_wave(url, closed, 5_000, distinct=min(closed, 5_000))
    app = make_app(url)
    with app.app_context():
        close_wave(db.session.get(Wave, loaded.wave_id))
        instrument = db.session.scalars(select(Instrument)).one()
        today = date.today()
        wave = create_wave("live", "Live wave", instrument, today, today + timedelta(21))
        open_wave(wave)
        codes = issue_codes(wave, respondents, code_hash_key(app), override=True)
        create_user(HR_EMAIL, HR_PASSWORD, "hr")
        db.session.commit()
        definition = Definition(instrument.definition)
        units = [code for code, _ in unit_choices()]
        rows = generate_responses(definition, units, respondents, wave_index=1, seed=11)
        items = [[item["code"] for item in s["items"]] for s in definition.sections]
        closed_code, live_id = db.session.get(Wave, loaded.wave_id).code, wave.id
        db.session.remove()
        db.engine.dispose()
    work = [
        (code, [{k: str(v) for k, v in {**a, **c}.items() if k in section} for section in items])
        for code, (a, c) in zip(codes, rows, strict=True)
    ]
    return {"closed_wave": closed_code, "live_wave": live_id, "work": work,
            "prepare_seconds": time.perf_counter() - began}


def start_server(url: str, redis_url: str, port: int, workers: int, threads: int, log: Path):
    env = {
        **os.environ,
        "SURVEY_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
    }
    command = [
        sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
        "--graceful-timeout", "10",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log.open("wb"))  # noqa: S603
    for _ in range(240):
        try:
            if Browser(port).request("GET", "/take")[0] == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start; see {log}")


def replay_refused(port: int, codes: list[str]) -> int:
    """Used codes walked through again from a new browser: how many were refused."""
    refused = 0
    for code in codes:
        browser = Browser(port)
        page = browser.expect(200, "POST", "/take", {
            **hidden(browser.expect(200, "GET", "/take")), "code": code})
        page = browser.expect(200, "POST", "/survey", {**hidden(page), "nav": "review"})
        refused += browser.request("POST", "/survey/submit", hidden(page))[0] == 403
    return refused


def stored(url: str, wave_id: int, redis_url: str) -> dict:
    """What the database (and Redis) hold for the live wave once the server has stopped."""
    import redis
    from sqlalchemy import func, select

    from survey.extensions import db
    from survey.models import InvitationCode, Response

    with make_app(url).app_context():
        responses = db.session.scalar(
            select(func.count()).select_from(Response).filter_by(wave_id=wave_id))
        distinct = db.session.scalar(
            select(func.count(func.distinct(Response.key))).filter_by(wave_id=wave_id))
        spent = db.session.scalar(
            select(func.count()).select_from(InvitationCode).filter_by(wave_id=wave_id,
                                                                       spent=True))
        db.session.remove()
        db.engine.dispose()
    client = redis.Redis.from_url(redis_url)
    pending = client.scard(f"survey:spend:pending:{wave_id}")
    keys = list(client.scan_iter("survey:spend:*"))
    if keys:
        client.delete(*keys)
    return {"responses": responses, "distinct_keys": distinct, "spent_written": spent,
            "spent_pending": pending}


def drive(args, prepared: dict, port: int) -> tuple[Tally, float]:
    tally, stop = Tally(), threading.Event()
    work: queue.Queue = queue.Queue()
    for item in prepared["work"]:
        work.put(item)
    began = time.perf_counter()
    deadline = began + args.seconds
    readers = [threading.Thread(target=reader_loop,
                                args=(port, prepared["closed_wave"], stop, tally,
                                      args.reader_pause))
               for _ in range(args.readers)]
    clients = [threading.Thread(target=respondent_loop, args=(port, work, deadline, tally))
               for _ in range(args.clients)]
    for thread in readers + clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.perf_counter() - began
    stop.set()
    for thread in readers:
        thread.join()
    return tally, elapsed


def percentile(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return values[0] * 1000 if values else None
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def summary(args, prepared: dict, tally: Tally, elapsed: float, checks: dict) -> dict:
    acknowledged = len(tally.acknowledged)
    return {
        "command": "python benchmarks/load.py " + " ".join(args.argv),
        "closed_wave_responses": args.closed,
        "prepare_seconds": prepared["prepare_seconds"],
        "seconds": elapsed,
        "complete_respondents": acknowledged,
        "respondents_per_second": acknowledged / elapsed,
        "journey_p50_ms": percentile(tally.journeys, 50),
        "submit_p50_ms": percentile(tally.submits, 50),
        "submit_p95_ms": percentile(tally.submits, 95),
        "results_pages": len(tally.results),
        "results_p50_ms": percentile(tally.results, 50),
        "results_p95_ms": percentile(tally.results, 95),
        "errors": len(tally.errors),
        "error_samples": tally.errors[:5],
        "acknowledged": acknowledged,
        "acknowledged_codes_distinct": len(set(tally.acknowledged)),
        **checks,
        "consistent": consistent(acknowledged, checks),
    }


def consistent(acknowledged: int, checks: dict) -> bool:
    """One response and one spend per acknowledged submission; every replay refused."""
    return (
        checks["responses"] == checks["distinct_keys"] == acknowledged
        and checks["spent_written"] + checks["spent_pending"] == acknowledged
        and checks["replays_refused"] == checks["replays"]
    )


def run(args) -> dict:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="survey-load-") as tmp:
        url = fresh_database("postgresql", args.closed, Path(tmp), args.pg_base, args.pg_prefix)
        try:
            prepared = prepare(url, args.closed, args.respondents)
            load_start = os.getloadavg()
            tally, elapsed, refused = serve_and_drive(args, url, prepared, Path(tmp))
            checks = stored(url, prepared["live_wave"], args.redis)
            checks.update(replays=min(args.replays, len(tally.acknowledged)),
                          replays_refused=refused)
        finally:
            drop_database("postgresql", url, args.pg_base)
    result = summary(args, prepared, tally, elapsed, checks)
    result.update(load_before=load_before, load_at_start=load_start,
                  load_after=os.getloadavg())
    return result


def serve_and_drive(args, url: str, prepared: dict, tmp: Path) -> tuple[Tally, float, int]:
    """Start gunicorn, run the clients, replay a few used codes, stop gunicorn."""
    server = start_server(url, args.redis, args.port, args.workers, args.threads,
                          tmp / "gunicorn.log")
    profiler = profile_server(server.pid, args.profile, args.seconds) if args.profile else None
    try:
        tally, elapsed = drive(args, prepared, args.port)
        refused = replay_refused(args.port, tally.acknowledged[: args.replays])
    finally:
        server.terminate()
        server.wait(timeout=60)
        if profiler is not None:
            profiler.wait(timeout=60)
    return tally, elapsed, refused


def profile_server(pid: int, out: Path, seconds: float) -> subprocess.Popen:
    """Sample gunicorn's workers with py-spy (collapsed stacks) for the run's length."""
    command = [
        str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid),
        "--subprocesses", "--nonblocking", "--format", "raw", "--output", str(out),
        "--duration", str(int(seconds)),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=3_000, help="codes issued")
    parser.add_argument("--seconds", type=float, default=180, help="stop after (at most 300)")
    parser.add_argument("--clients", type=int, default=16, help="respondent threads")
    parser.add_argument("--readers", type=int, default=2, help="hr reader threads")
    parser.add_argument("--reader-pause", type=float, default=1.0,
                        help="seconds a reader looks at a page before the next")
    parser.add_argument("--closed", type=int, default=20_000, help="closed wave's responses")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--replays", type=int, default=5)
    parser.add_argument("--port", type=int, default=8700 + secrets.randbelow(200))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--pg-base", default=PG_BASE)
    parser.add_argument("--pg-prefix", default=PG_PREFIX)
    parser.add_argument("--profile", type=Path, help="py-spy collapsed stacks of the workers")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    args.seconds = min(args.seconds, 300)
    args.argv = argv
    result = run(args)
    return report(result, args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
