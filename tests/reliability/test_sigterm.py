"""SIGTERM lets requests in flight finish: gunicorn (the server for several processes)
stops taking new connections, lets its workers finish what they are serving, then exits.
A submission and a (deliberately slow) refusal sent just before the signal both get
their whole answer, and the submission is stored."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response
from survey.services.codes import new_code
from tests.conftest import TEST_SECRET
from tests.reliability.test_kill9 import ROOT, Browser, fingerprint, free_port

GUNICORN = shutil.which("gunicorn", path=os.path.dirname(sys.executable))


def start_gunicorn(database_url: str, port: int) -> subprocess.Popen:
    """One worker with threads; development settings keep the 0.5 s refusal floor."""
    env = {**os.environ, "SURVEY_ENV": "development", "SECRET_KEY": TEST_SECRET,
           "DATABASE_URL": database_url, "BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(  # noqa: S603  (our own virtual environment's gunicorn)
        [GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--graceful-timeout", "20", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/take", timeout=2).read()
            return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


@pytest.mark.slow
@pytest.mark.skipif(GUNICORN is None, reason="gunicorn is not installed")
def test_sigterm_lets_requests_in_flight_finish(app, make_wave, issue):
    wave = make_wave(threshold=5)
    code = issue(wave, 1)[0]
    wave_id = wave.id
    db.session.remove()
    port = free_port()
    server = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], port)
    base = f"http://127.0.0.1:{port}"
    good, bad = Browser(base), Browser(base)
    reviews = {good: good.to_review(code, fingerprint(1)),
               bad: bad.to_review(new_code(), fingerprint(2))}
    answers: dict[Browser, object] = {}

    def submit(browser: Browser) -> None:
        try:
            answers[browser] = browser.post("/survey/submit", reviews[browser])
        except urllib.error.HTTPError as refusal:
            answers[browser] = (refusal.code, refusal.read().decode())
        except (urllib.error.URLError, OSError) as error:
            answers[browser] = f"cut off: {error}"

    threads = [threading.Thread(target=submit, args=(b,)) for b in (good, bad)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # the refusal waits out its 0.5 s floor: certainly still in flight
    server.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=60)
    assert server.wait(timeout=60) == 0
    final_url, _ = answers[good]
    assert final_url.endswith("/done")
    status, page = answers[bad]
    assert status == 403 and "cannot be used" in page
    stored = db.session.scalar(
        select(func.count()).select_from(Response).filter_by(wave_id=wave_id)
    )
    assert stored == 1
