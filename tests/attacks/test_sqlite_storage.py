"""A DBA with SECRET_KEY and the mail-merge list copies SQLite's files after every
request and after the close, and tries to link codes to answers from page changes, WAL
frames and record positions.

docs/anonymity.md: no transaction, page or log record may hold both a code and answers,
nor let their orders be matched more finely than a release batch.
"""

from __future__ import annotations

import pytest

from survey.extensions import db
from tests.attacks.conftest import code_hashes, ground_truth, measure, measure_comments
from tests.attacks.harness import Observer, run_wave
from tests.attacks.sqlite_storage import SqliteAttacker, evidence_from


class Copies(Observer):
    def __init__(self, attacker: SqliteAttacker):
        self.attacker = attacker

    def before_answers(self, run):
        self.attacker.copy("before answers", answering=False)

    def after_submission(self, run, index):
        self.attacker.copy(f"after submission {index}", answering=True)

    def after_close(self, run):
        self.attacker.copy("after close", answering=False)


@pytest.fixture
def attacker(app, dialect):
    if dialect != "sqlite":
        pytest.skip("the SQLite file attack needs SQLite")
    return SqliteAttacker(db.engine.url.database)


def test_sqlite_files_do_not_link_codes_to_answers(
    app, client, make_wave, issue, instrument, attacker, report
):
    run = run_wave(client, make_wave, issue, instrument, Copies(attacker))
    signatures = attacker.signatures(code_hashes(app, run.mail_merge))
    responses_truth, comments_truth, _ = ground_truth(app, run)
    codes = list(signatures.codes)
    residue = attacker.final_residue(signatures)
    report.append(f"SQLite files after close still hold: {residue}")

    findings = attacker.analyse(signatures, "response")
    report += findings.notes[-1:]
    figures = measure(
        evidence_from(findings, codes, list(signatures.responses)),
        responses_truth,
        run,
        "SQLite, file copies after every request",
        report,
    )
    comment_findings = attacker.analyse(signatures, "comment")
    comments = measure_comments(
        evidence_from(comment_findings, codes, list(signatures.comments)),
        comments_truth,
        run,
        f"SQLite comments ({len(comments_truth)} commenters), file copies",
        report,
    )
    message = "\n".join(report)
    # (a) no page and no WAL commit holds a code and answers
    both = sorted(set(findings.both) | set(comment_findings.both))
    assert not both, f"holding a code and answers: {both[:20]}\n{message}"
    assert residue.get("code", 0) == 0, f"code hashes survive the close\n{message}"
    for label, result in (("responses", figures), ("comments", comments)):
        # (b) every spent-in-storage code hides among at least B responses
        if result.smallest_set is not None and result.spent_in_storage:
            assert result.smallest_set >= run.threshold, f"{label}\n{message}"
        # (c) no better than chance within a release batch
        assert result.expected_success <= result.chance_bound, f"{label}\n{message}"
        assert result.best_rank[1] / result.respondents <= result.rank_bound, f"{label}\n{message}"
