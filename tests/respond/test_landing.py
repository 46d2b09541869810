"""The landing page tells people, before they start, what is stored and what is not,
each open wave's threshold k, when results appear and the breakdowns fixed at opening."""

from __future__ import annotations

import re
from html import unescape

from survey.instruments import Definition


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def wave_block(page: str, wave) -> str:
    opening = f'<section class="wave-facts" aria-labelledby="wave-{wave.id}">'
    match = re.search(re.escape(opening) + "(.*?)</section>", page, re.S)
    assert match, f"no facts for wave {wave.code}"
    return match.group(1)


def fact(block: str, term: str) -> str:
    match = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", block, re.S)
    assert match, f"no {term!r} fact"
    return text_of(match.group(1)).strip()


def test_the_threshold_shown_is_each_open_waves_own(client, make_wave):
    small = make_wave(threshold=7)
    large = make_wave(threshold=12)
    page = client.get("/take").get_data(as_text=True)
    assert fact(wave_block(page, small), "Smallest group reported").startswith("7 people.")
    assert fact(wave_block(page, large), "Smallest group reported").startswith("12 people.")
    assert "with at least 7 answers" in fact(wave_block(page, small), "When results appear")
    assert "Only when the survey closes" in fact(wave_block(page, small), "When results appear")
    assert "with at least 12 answers" in fact(wave_block(page, large), "When results appear")


def test_only_open_waves_are_described(client, make_wave):
    open_wave = make_wave(threshold=8)
    draft = make_wave(state="draft", threshold=9)
    closed = make_wave(state="closed", threshold=11)
    page = client.get("/take").get_data(as_text=True)
    wave_block(page, open_wave)
    for hidden in (draft, closed):
        assert f'aria-labelledby="wave-{hidden.id}"' not in page


def test_no_open_wave_says_so(client, instrument):
    page = client.get("/take").get_data(as_text=True)
    assert "No survey is open at the moment." in page


def test_breakdowns_fixed_at_opening_are_listed(client, make_wave, instrument):
    wave = make_wave(breakdowns=["sex", "rank", "unit"])
    page = client.get("/take").get_data(as_text=True)
    groups = fact(wave_block(page, wave), "Groups results may be shown for")
    assert groups.startswith("Sex, Rank, Unit.")
    assert "fixed when the survey opened" in groups
    titles = [b["title"] for b in Definition(instrument.definition).breakdowns.values()]
    for title in set(titles) - {"Sex", "Rank", "Unit"}:
        assert title not in groups


def test_comment_threshold_and_closing_date_are_shown(client, make_wave):
    wave = make_wave(threshold=10)
    page = client.get("/take").get_data(as_text=True)
    block = wave_block(page, wave)
    assert fact(block, "Comments") == (
        f"Shown only for parts of the force with at least {wave.comment_threshold} comments."
    )
    assert fact(block, "Open until") == f"{wave.closes_on.day} {wave.closes_on:%B %Y}"


def test_what_is_stored_and_what_is_not_is_said_in_plain_words(client, make_wave):
    make_wave()
    page = text_of(client.get("/take").get_data(as_text=True))
    for words in (
        "What we store",
        "Your answers, under a random reference that has nothing to do with your code.",
        "All codes are deleted when the survey closes.",
        "Your written comments, kept apart from your other answers.",
        "What we never store",
        "The time you answered, your IP address, your browser or your device.",
        "Anything that links your code to your answers.",
        "Nothing is saved until you press Submit my answers on the last page.",
        "Every question is optional.",
    ):
        assert words in page


def test_an_empty_code_asks_for_one(journey, make_wave):
    make_wave()
    response = journey.start("   ")
    assert response.status_code == 400
    assert '<a href="#code">Enter the code from your invitation</a>' in journey.page
