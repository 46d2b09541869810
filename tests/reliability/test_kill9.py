"""kill -9 of the server at random moments loses no acknowledged answer.

A real server process (waitress, the README's server) on the test database answers
respondents who each use their own code; the test kills it with SIGKILL at a random
moment, starts it again, and goes on, for ROUNDS rounds. Every submission that reached
the thank-you page must be stored exactly once. A submission in flight at the kill may or
may not be stored (it was never acknowledged); docs/anonymity.md says what a crash costs.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Response
from tests.conftest import CSRF, TEST_SECRET

ROUNDS = int(os.environ.get("KILL9_ROUNDS", "30"))
STATE = re.compile(r'name="state" type="hidden" value="([^"]+)"')
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fingerprint(index: int) -> dict[str, int]:
    """Answers unique to respondent `index` (up to 1,331 respondents)."""
    return {"ons4_satisfied": index // 121, "ons4_worthwhile": index // 11 % 11,
            "ons4_happy": index % 11}


class Server:
    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SURVEY_ENV": "development", "SECRET_KEY": TEST_SECRET,
               "DATABASE_URL": database_url, "BASE_URL": self.url}
        env.pop("REDIS_URL", None)
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{self.port}",
             "--call", "survey:create_app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/take", timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.process.kill()
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


class Browser:
    """A respondent's browser over HTTP: cookies kept, each form posted back."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, page: str, **fields) -> tuple[str, str]:
        """Post `page`'s form (its CSRF token and state) to `path`: (final URL, body)."""
        data = {"csrf_token": CSRF.search(page).group(1), **fields}
        if match := STATE.search(page):
            data.setdefault("state", match.group(1))
        request = urllib.request.Request(
            self.base_url + path, data=urllib.parse.urlencode(data).encode()
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def to_review(self, code: str, answers: dict) -> str:
        """Start with `code`, answer the ONS4 questions, and return the review page."""
        _, first = self.post("/take", self.get("/take"), code=code)
        _, review = self.post("/survey", first, nav="review")
        _, section = self.post("/survey", review, nav="section-1")  # personal wellbeing
        _, review = self.post("/survey", section, nav="review",
                              **{k: str(v) for k, v in answers.items()})
        return review


def answer(base_url: str, code: str, answers: dict) -> bool:
    """One respondent's journey; True only if it reached the thank-you page."""
    browser = Browser(base_url)
    final_url, _ = browser.post("/survey/submit", browser.to_review(code, answers))
    return final_url.endswith("/done")


def respondents_until_killed(server: Server, queue: list[tuple[int, str]], acked: list[int],
                             stop: threading.Event) -> None:
    while queue and not stop.is_set():
        index, code = queue.pop(0)  # each code is tried once, whatever happens
        try:
            done = answer(server.url, code, fingerprint(index))
        except (urllib.error.URLError, http.client.HTTPException, OSError):
            return  # in flight at the kill: unknown, never retried
        if done:
            acked.append(index)


def wait_for_progress(acked: list[int], target: int, worker: threading.Thread) -> None:
    """Until a journey of this round has been acknowledged (so every round tests a kill
    in the middle of real work, however slow the machine), or the worker has stopped."""
    deadline = time.monotonic() + 60
    while len(acked) < target and worker.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_9_in_a_loop_loses_no_acknowledged_answer(app, make_wave, issue, instrument):
    wave = make_wave(threshold=5)
    codes = issue(wave, ROUNDS * 12)
    wave_id = wave.id
    db.session.remove()
    queue = list(enumerate(codes))
    acked: list[int] = []
    rng = random.Random(9)
    for _ in range(ROUNDS):
        server = Server(app.config["SQLALCHEMY_DATABASE_URI"])
        stop = threading.Event()
        worker = threading.Thread(target=respondents_until_killed,
                                  args=(server, queue, acked, stop))
        worker.start()
        wait_for_progress(acked, len(acked) + 1, worker)
        time.sleep(rng.uniform(0.0, 1.0))  # a random point in a later journey
        server.kill()
        stop.set()
        worker.join(timeout=120)
        assert not worker.is_alive(), "a respondent thread outlived its server"
    stored = [answers for (answers,) in db.session.execute(
        select(Response.answers).where(Response.wave_id == wave_id))]
    stored_indices = [a["ons4_satisfied"] * 121 + a["ons4_worthwhile"] * 11 + a["ons4_happy"]
                      for a in stored]
    lost = set(acked) - set(stored_indices)
    print(f"\nkill -9 rounds: {ROUNDS}; acknowledged: {len(acked)}; stored: {len(stored)}; "
          f"acknowledged but lost: {len(lost)}")
    assert acked, "no respondent got through: the test proves nothing"
    assert not lost
    assert len(stored_indices) == len(set(stored_indices)), "a response was stored twice"
    assert len(stored) - len(acked) <= ROUNDS  # at most one unacknowledged per kill
