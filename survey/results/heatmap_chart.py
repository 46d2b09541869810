"""The heatmap as a plotly figure, drawn from the Table's machine values.

Colours are the Table's shade steps (-3..+3) on a diverging purple-orange scale
(ColorBrewer PuOr, safe for the common forms of colour blindness); every cell shows its
text, so colour is never the only carrier. Hidden cells have no number: they are drawn
empty and labelled as hidden.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import plotly.io as pio

from analytics.disclosure import HIDDEN_LABEL
from survey.results.charts import FONT, INK, Chart
from survey.results.tables import Table

PUOR = ("#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788")
"""Shade -3 (worse than the rest) .. +3 (better), ColorBrewer PuOr 7."""


def colour_scale() -> list[list]:
    """Discrete bands: each step of -3..+3 one colour (z mapped onto 0..1)."""
    scale = []
    for step, colour in enumerate(PUOR):
        scale += [[step / len(PUOR), colour], [(step + 1) / len(PUOR), colour]]
    return scale


def heatmap_chart(table: Table) -> Chart | None:
    groups = [c.key.removesuffix(":gap") for c in table.columns if c.key.endswith(":gap")]
    labels = [c.label.removesuffix(": difference") for c in table.columns if c.key.endswith(":gap")]
    rows = [r for r in table.rows if not r.hidden]
    if not groups or not rows:
        return None
    z = [[r.values.get(f"{g}:shade") for g in groups] for r in rows]
    text = [[_cell_text(r, table, g) for g in groups] for r in rows]
    names = ["<br>".join(textwrap.wrap(r.cells[0].text, 40)) for r in rows]
    figure = go.Figure(go.Heatmap(
        z=z, x=["<br>".join(textwrap.wrap(label, 16)) for label in labels], y=names, text=text,
        texttemplate="%{text}", colorscale=colour_scale(), zmin=-3.5, zmax=3.5, xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", showscale=False,
    ))
    figure.update_layout(
        height=int(140 + 34 * len(rows)), margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT, "size": 12, "color": INK}, plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff", xaxis={"side": "top", "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    marked = sum(1 for r in rows for g in groups if r.values.get(f"{g}:status") == "significant")
    label = (
        f"Heatmap of {table.title}: {len(rows)} measures by {len(groups)} groups; "
        f"{marked} differences significant (too large to be chance). "
        "The table gives the same figures."
    )
    return Chart(pio.to_json(figure), label)


def _cell_text(row, table: Table, group: str) -> str:
    index = next(i for i, c in enumerate(table.columns) if c.key == f"{group}:gap")
    shown = row.cells[index].text
    return "Hidden" if shown == HIDDEN_LABEL else shown
