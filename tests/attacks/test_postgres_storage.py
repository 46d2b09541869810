"""A PostgreSQL superuser with SECRET_KEY and the mail-merge list tries to link codes to
answers from everything the cluster keeps: tuple headers (xmin, xmax, ctid) of live and
dead row versions, raw pages, index pages and the WAL, after close and again after VACUUM.

docs/anonymity.md: no transaction, row version, page or log record may hold both a code
and answers, nor let their orders be matched more finely than a release batch.
"""

from __future__ import annotations

import math

import pytest

from survey.extensions import db
from tests.attacks.conftest import code_hashes, ground_truth, measure, measure_comments
from tests.attacks.harness import Observer, run_wave
from tests.attacks.pg_storage import (
    Findings,
    PageCopies,
    PostgresAttacker,
    evidence_from,
    groups_holding_both,
    hint_read_links,
    merge,
    read_links,
)


class Marks(Observer):
    """Phase marks, and a copy of every page after every request."""

    def __init__(self, attacker: PostgresAttacker):
        self.attacker = attacker
        self.copies = PageCopies(attacker)

    def before_answers(self, run):
        self.attacker.mark("answering")
        self.copies.copy(answering=False)

    def after_submission(self, run, index):
        self.copies.copy(answering=True)

    def before_close(self, run):
        self.attacker.mark("closing")

    def after_close(self, run):
        self.attacker.mark("closed")
        self.copies.copy(answering=False)


@pytest.fixture
def attacker(app, dialect):
    if dialect != "postgresql":
        pytest.skip("the PostgreSQL storage attack needs PostgreSQL")
    attacker = PostgresAttacker(db.engine.url)
    if not attacker.is_superuser():
        attacker.close()
        pytest.skip("the storage attacker must be a superuser")
    attacker.prepare()
    yield attacker
    attacker.close()


@pytest.fixture
def attacked_run(app, client, make_wave, issue, instrument, attacker):
    """Answer a wave in a known order, close it, then read everything, before and after
    VACUUM, and the whole run's WAL."""
    attacker.mark("start")
    marks = Marks(attacker)
    run = run_wave(client, make_wave, issue, instrument, marks)
    signatures = attacker.signatures(code_hashes(app, run.mail_merge))
    after_close, after_vacuum, wal = Findings(), Findings(), Findings()
    attacker.read_heap(signatures, "after close", after_close)
    attacker.vacuum()
    attacker.read_heap(signatures, "after VACUUM", after_vacuum)
    attacker.read_wal(signatures, attacker.marks["start"][0], wal)
    findings = {"after close": after_close, "after VACUUM": after_vacuum, "WAL": wal}
    return run, signatures, findings, marks.copies


def combined(findings: dict, *names: str) -> Findings:
    union = Findings()
    for name in names:
        union.touches += findings[name].touches
        union.pages_with_both += findings[name].pages_with_both
        union.notes += findings[name].notes
    return union


def answering_phase(attacker: PostgresAttacker) -> tuple[int, int, int, int]:
    lsn_low, xid_low = attacker.marks["answering"]
    lsn_high, xid_high = attacker.marks["closing"]
    return xid_low, xid_high, lsn_low, lsn_high


def test_postgres_storage_does_not_link_codes_to_answers(app, attacked_run, attacker, report):
    run, signatures, findings, copies = attacked_run
    responses_truth, comments_truth, _ = ground_truth(app, run)
    everything = combined(findings, "after close", "after VACUUM", "WAL")
    phase = answering_phase(attacker)
    codes = list(signatures.codes)
    report += everything.notes
    leftovers = {key: count for part in findings.values() for key, count in part.leftovers.items()}
    if leftovers:
        report.append(f"found only in free page space (no tuple): {dict(leftovers)}")

    copied, reads = copies.evidence(signatures, "response")
    measured_copies = measure(
        copied, responses_truth, run, "PostgreSQL, pages copied after every request", report
    )
    # Reads: the first read of a code tuple sets its hint bits, changing its page.
    guesses = read_links(reads, copied)
    read_hits = sum(1 for c, r in guesses.items() if responses_truth.get(c) == r)
    report.append(
        f"PostgreSQL, pages copied after every request, code reads (hint bits): "
        f"{sum(len(v) for v in reads.values())} code tuples changed by a read during "
        f"answering; {len(guesses)} requests read one code and wrote one response; "
        f"{read_hits}/{run.respondents} of those links correct"
    )
    hint_guesses = hint_read_links(findings["WAL"])
    hint_hits = sum(1 for c, r in hint_guesses.items() if responses_truth.get(c) == r)
    report.append(
        f"PostgreSQL, WAL images logged for hint bits: {len(findings['WAL'].hint_reads)}; "
        f"{len(hint_guesses)} show one code read first; {hint_hits}/{run.respondents} "
        "links to the next answers correct"
    )
    views = {
        "heap after close": (combined(findings, "after close"), {"heap"}),
        "heap after VACUUM": (combined(findings, "after VACUUM"), {"heap"}),
        "WAL only": (findings["WAL"], {"wal"}),
        "everything": (everything, {"heap", "wal"}),
    }
    measured = {}
    for label, (part, sources) in views.items():
        evidence = evidence_from(
            part, "response", codes, list(signatures.responses), phase, sources
        )
        if label == "everything":
            evidence = merge(evidence, copied)
        measured[label] = measure(evidence, responses_truth, run, f"PostgreSQL, {label}", report)
    comment_evidence = merge(
        evidence_from(
            everything, "comment", codes, list(signatures.comments), phase, {"heap", "wal"}
        ),
        copies.evidence(signatures, "comment")[0],
    )
    comments = measure_comments(
        comment_evidence,
        comments_truth,
        run,
        f"PostgreSQL comments ({len(comments_truth)} commenters), everything",
        report,
    )

    both = groups_holding_both(everything)
    message = "\n".join(report)
    # (a) no transaction (tuple xids, WAL xids) and no page holds a code and answers
    assert not both, f"transactions holding a code and answers: {both}\n{message}"
    assert not everything.pages_with_both, f"pages: {everything.pages_with_both}\n{message}"
    # A page changed by a read must not single a code out either: the guesses may be
    # right no more often than picking within a batch of B would be.
    p = 1 / run.threshold
    chance = p * len(guesses) + 2 * math.sqrt(len(guesses) * p * (1 - p))
    assert read_hits <= chance, f"code reads single out {read_hits} respondents\n{message}"
    chance = p * len(hint_guesses) + 2 * math.sqrt(len(hint_guesses) * p * (1 - p))
    assert hint_hits <= chance, f"hint-bit WAL images single out {hint_hits}\n{message}"
    checked = [*measured.items(), ("page copies", measured_copies), ("comments", comments)]
    for label, figures in checked:
        # (b) every spent-in-storage code hides among at least B responses
        if figures.smallest_set is not None and figures.spent_in_storage:
            assert figures.smallest_set >= run.threshold, f"{label}\n{message}"
        # (c) the attacker does no better than chance within a release batch
        assert figures.expected_success <= figures.chance_bound, f"{label}\n{message}"
        assert figures.best_rank[1] / figures.respondents <= figures.rank_bound, (
            f"{label}\n{message}"
        )
