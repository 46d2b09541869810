"""The participation oracle: someone holding the codes list (the mail-merge) tries every
code on the respondent pages to learn who has answered.

docs/anonymity.md: nothing tells a codes-list holder who has answered; a code's state is
revealed only to the person submitting with it. So entering a code gives the same page
whether the code was spent (written or still pending), never used or never issued; and a
refusal comes only at submission, the same for a spent code as for an unknown one.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select, text

from survey.extensions import db
from survey.services.codes import new_code
from tests.attacks.harness import answer
from tests.conftest import csrf_token
from tests.respond.conftest import Journey, hidden_state, section_index

SPENT = 12  # more than the threshold: some spends are written, the rest may be pending
UNSPENT = 3
UNKNOWN = 3
# Refused submissions are throttled per client (10 per 10 minutes): probe fewer than that,
# spent codes answered early (spend written, if batches are of 10) and last (pending).
PROBED_SPENT = [0, 4, 9, 10, 11]


def comparable(page: str) -> str:
    """The page without its per-session CSRF token, its state and the typed code."""
    page = re.sub(r'(name="csrf_token" type="hidden" value=")[^"]*"', r'\1"', page)
    page = re.sub(r'(name="state" type="hidden" value=")[^"]*"', r'\1"', page)
    return re.sub(r'(id="code" name="code"[^>]*value=")[^"]*"', r'\1"', page)


def stored_rows() -> dict[str, int]:
    tables = [t.name for t in db.metadata.sorted_tables if t.name != "audit_event"]
    counts = {
        name: db.session.scalar(select(func.count()).select_from(text(f'"{name}"')))
        for name in tables
    }
    db.session.remove()
    return counts


def test_entering_a_code_never_tells_whether_it_was_used(client, make_wave, issue, instrument):
    wave = make_wave(threshold=10)
    codes = issue(wave, SPENT + UNSPENT)
    comments = section_index(instrument, "comments")
    db.session.remove()
    for index in range(SPENT):
        assert answer(client, codes[index], index, comments) == 303
    probed = {codes[index] for index in PROBED_SPENT}
    kinds = {
        **{code: "spent" for code in codes[:SPENT]},
        **{code: "never used" for code in codes[SPENT:]},
        **{new_code(): "never issued" for _ in range(UNKNOWN)},
    }

    entries, journeys = {}, {}
    for code, kind in kinds.items():
        journey = Journey(client)
        response = journey.start(code)
        entries.setdefault((response.status_code, comparable(journey.page)), []).append(kind)
        journeys[code] = journey
    assert len(entries) == 1, "entering a code tells apart: " + "; ".join(
        f"{status}: {sorted(set(kinds_seen))}" for (status, _), kinds_seen in entries.items()
    )
    ((status, _),) = entries
    assert status == 200, f"a code is refused at entry ({status}), not only at submission"

    # Submitting: a spent code and a never-issued one get one and the same refusal.
    before = stored_rows()
    refusals = {}
    for code, kind in kinds.items():
        if kind == "never used" or (kind == "spent" and code not in probed):
            continue  # submitting a never-used code answers with it: not an oracle
        journey = journeys[code]
        assert hidden_state(journey.page)
        journey.post("review")
        review = journey.page
        response = journey.submit()
        assert response.status_code != 303, f"a {kind} code was accepted at submission"
        refusals.setdefault((response.status_code, comparable(journey.page)), []).append(kind)
        assert csrf_token(review)
    assert len(refusals) == 1, "the refusal at submission tells apart: " + "; ".join(
        f"{status}: {sorted(set(kinds_seen))}" for (status, _), kinds_seen in refusals.items()
    )
    assert stored_rows() == before, "a refused submission changed what is stored"
