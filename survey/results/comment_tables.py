"""Free-text comments: how many each unit wrote, and the texts where enough wrote them."""

from __future__ import annotations

from survey.models import Wave
from survey.reporting import CommentSet
from survey.results import tables as t
from survey.results.tables import Column, Row, Table


def comment_tables(wave: Wave, question: str, sets: list[CommentSet]) -> list[Table]:
    """A count per unit (whole force first), then one table of texts per shown set."""
    k = wave.comment_threshold
    notes = (
        f"Comments are shown only where at least {k} people wrote them (the comments "
        f"threshold for this wave); a unit may also be hidden so that the whole-force list "
        "minus the units shown never isolates fewer than that.",
        "Comments are shown as written, in alphabetical order; only the top-level unit is "
        "kept beside them.",
    )
    subtitle = t.wave_line(wave)
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
    tables = [t.table(f"Comments: {question}", subtitle, columns, rows, notes)]
    for s in sets:
        if s.n is None or not s.texts:
            continue
        texts = [
            Row(f"{s.unit or '_all'}:{i}", (t.text(text),))
            for i, text in enumerate(s.texts, start=1)
        ]
        tables.append(
            t.table(
                f"{s.label}: {s.n:,} comments",
                subtitle,
                (Column("comment", "Comment", numeric=False),),
                texts,
            )
        )
    return tables
