"""Free-text comments: how many each unit wrote, and the texts where enough wrote them."""

from __future__ import annotations

from survey.models import Wave
from survey.reporting import PAGE_SIZE, CommentPage, CommentSet
from survey.results import tables as t
from survey.results.tables import Column, Row, Table

TEXT_COLUMNS = (Column("comment", "Comment", numeric=False),)


def comment_tables(
    wave: Wave,
    question: str,
    sets: list[CommentSet],
    selected: CommentSet | None = None,
    listed: CommentPage | None = None,
) -> list[Table]:
    """A count per unit (whole force first), then texts: one page of the selected set's
    when `listed` is given, else one table per shown set with all its texts."""
    tables = [_counts_table(wave, question, sets)]
    if listed is not None and selected is not None:
        tables.append(_page_table(wave, selected, listed))
        return tables
    for s in sets:
        if s.n and s.texts:
            tables.append(
                t.table(f"{s.label}: {s.n:,} comments", t.wave_line(wave), TEXT_COLUMNS,
                        _text_rows(s, s.texts, 1))
            )
    return tables


def _counts_table(wave: Wave, question: str, sets: list[CommentSet]) -> Table:
    k = wave.comment_threshold
    notes = (
        f"Comments are shown only where at least {k} people wrote them (the comments "
        f"threshold for this wave); a unit may also be hidden so that the whole-force list "
        "minus the units shown never isolates fewer than that.",
        "Comments are shown as written, in alphabetical order; only the top-level unit is "
        "kept beside them.",
    )
    columns = (Column("unit", "Where", numeric=False), Column("n", "Comments (n)"))
    rows = [
        Row(
            s.unit or "_all",
            (t.text(s.label), t.count(s.n)),
            kind="overall" if s.unit is None else "group",
        )
        if s.n is not None
        else t.hidden_row(
            s.unit or "_all", s.label, 2, kind="overall" if s.unit is None else "group"
        )
        for s in sets
    ]
    return t.table(f"Comments: {question}", t.wave_line(wave), columns, rows, notes)


def _page_table(wave: Wave, selected: CommentSet, listed: CommentPage) -> Table:
    title = f"{selected.label}: {selected.n:,} comments"
    if listed.matches != selected.n:
        title += f", {listed.matches:,} matching the search"
    subtitle = f"{t.wave_line(wave)}. Page {listed.page:,} of {listed.pages:,}"
    first = (listed.page - 1) * PAGE_SIZE + 1
    return t.table(title, subtitle, TEXT_COLUMNS, _text_rows(selected, listed.texts, first))


def _text_rows(s: CommentSet, texts, first: int) -> list[Row]:
    return [
        Row(f"{s.unit or '_all'}:{i}", (t.text(text),)) for i, text in enumerate(texts, first)
    ]
