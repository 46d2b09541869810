"""Plotly figures drawn from a Table's machine values, so a chart and its table agree.

Each Chart carries the figure as JSON (for a data-figure attribute drawn by
static/js/charts.js) and a text summary for its aria-label. Hidden rows never reach a
chart: they have no numbers to draw.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

from survey.results.tables import Row, Table

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#0b0c0c"
BRAND = "#1d3a6e"
SOFT = "#6f777b"
ACTION = "#b3541e"  # actions on results: 5:1 contrast on white
STAGE_COLOURS = ("#1d3a6e", "#00703c", "#b58840", "#6f72af", "#912b88", "#28a197")
HOVER = "%{y}: %{x} (95% CI %{customdata[0]} to %{customdata[1]}), n = %{customdata[2]:,}"


@dataclass(frozen=True)
class Chart:
    figure: str
    label: str


def breakdown_chart(table: Table, axis: str, low: float, high: float) -> Chart | None:
    """Horizontal bars with 95% intervals, one per shown group; a line for the whole
    organisation."""
    shown = [r for r in table.rows if r.kind != "overall" and _drawable(r)]
    if not shown:
        return None
    figure = go.Figure(_bars(shown, BRAND, None))
    figure.update_traces(marker_color=[SOFT if r.kind == "not_stated" else BRAND for r in shown])
    overall = next((r for r in table.rows if r.kind == "overall" and _drawable(r)), None)
    if overall is not None:
        value = overall.values["estimate"]
        figure.add_vline(
            x=value,
            line_dash="dash",
            line_color=INK,
            line_width=1.5,
            annotation_text=f"Whole organisation {value}",
            annotation_position="top",
        )
    _layout(figure, len(shown), axis, [min(low, 0), high])
    _wrap_labels(figure, [r.cells[0].text for r in shown])
    return Chart(pio.to_json(figure), _summary(f"Bar chart of {table.title}", table, shown))


def trend_chart(table: Table, axis: str, low: float, high: float) -> Chart | None:
    """A line through each shown wave's figure, with its 95% interval as a band."""
    shown = [r for r in table.rows if _drawable(r)]
    if not shown:
        return None
    waves = [r.cells[0].text for r in shown]
    values = [r.values for r in shown]
    band = dict(x=waves, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False)
    figure = go.Figure(
        [
            go.Scatter(y=[v["ci_high"] for v in values], **band),
            go.Scatter(
                y=[v["ci_low"] for v in values],
                fill="tonexty",
                fillcolor="rgba(29, 58, 110, 0.18)",
                **band,
            ),
            go.Scatter(
                x=waves,
                y=[v["estimate"] for v in values],
                mode="lines+markers",
                name="Estimate",
                line={"color": BRAND, "width": 3},
                showlegend=False,
                customdata=[[v["ci_low"], v["ci_high"], v["n"]] for v in values],
                hovertemplate=HOVER.replace("%{y}: %{x}", "%{x}: %{y}") + "<extra></extra>",
            ),
        ]
    )
    categories = [r.cells[0].text for r in table.rows]
    actions = _action_markers(figure, table, high)
    figure.update_layout(
        height=380,
        margin={"l": 10, "r": 20, "t": 20, "b": 10},
        font={"family": FONT, "size": 14, "color": INK},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": categories,
            "automargin": True,
        },
        yaxis={
            "title": {"text": axis},
            "range": [min(low, 0), high],
            "automargin": True,
            "gridcolor": "#dddddd",
            "zeroline": False,
        },
    )
    summary = _summary(f"Line chart of {table.title}", table, shown)
    return Chart(pio.to_json(figure), f"{summary}{actions}")


def _action_markers(figure: go.Figure, table: Table, top: float) -> str:
    """A marker and a label at the top of each wave that has actions on its results; the
    hover gives the action text. Returns the same as words, for the chart's label."""
    marked = [(r.cells[0].text, r.values["actions"]) for r in table.rows
              if isinstance(r.values.get("actions"), str)]
    if not marked:
        return ""
    figure.add_trace(go.Scatter(
        x=[wave for wave, _ in marked], y=[top] * len(marked), mode="markers",
        name="Action", showlegend=False, cliponaxis=False,
        marker={"symbol": "triangle-down", "size": 14, "color": ACTION},
        hovertext=["<br>".join(textwrap.wrap(text, 60)) for _, text in marked],
        hovertemplate="%{x}: action on the results<br>%{hovertext}<extra></extra>",
    ))
    for wave, _ in marked:
        figure.add_annotation(x=wave, y=top, text="Action", showarrow=False, yshift=18,
                              font={"color": ACTION, "size": 13})
    listed = "; ".join(f"{wave}: {text}" for wave, text in marked)
    return f" Actions on the results, marked at their wave: {listed}."


def pipeline_chart(tables: list[Table]) -> Chart | None:
    """Grouped horizontal bars: each stage's selection rate per shown group."""
    traces, drawn = [], []
    for number, table in enumerate(tables):
        shown = [r for r in table.rows if _drawable(r)]
        if shown:
            colour = STAGE_COLOURS[number % len(STAGE_COLOURS)]
            traces.append(_bars(shown, colour, table.title))
            drawn += shown
    if not traces:
        return None
    figure = go.Figure(traces)
    groups = list(dict.fromkeys(r.cells[0].text for r in drawn))
    _wrap_labels(figure, groups)
    _layout(figure, len(groups) * max(1, len(traces)) / 1.6, "Selection rate (%)", [0, 100])
    figure.update_layout(
        barmode="group",
        showlegend=True,
        margin={"l": 10, "r": 30, "t": 60, "b": 10},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
    )
    summary = " ".join(
        _summary(t.title, t, [r for r in t.rows if _drawable(r)], False)
        for t in tables
        if any(_drawable(r) for r in t.rows)
    )
    return Chart(
        pio.to_json(figure),
        f"Bar chart of selection rates by stage. {summary} The tables give the same figures.",
    )


def _drawable(row: Row) -> bool:
    values = row.values
    return not row.hidden and all(
        isinstance(values.get(key), int | float) for key in ("estimate", "ci_low", "ci_high")
    )


def _bars(rows: list[Row], colour: str, name: str | None) -> go.Bar:
    values = [r.values for r in rows]
    return go.Bar(
        x=[v["estimate"] for v in values],
        y=[r.cells[0].text for r in rows],
        orientation="h",
        name=name,
        marker_color=colour,
        error_x={
            "type": "data",
            "symmetric": False,
            "color": INK,
            "thickness": 1.5,
            "array": [v["ci_high"] - v["estimate"] for v in values],
            "arrayminus": [v["estimate"] - v["ci_low"] for v in values],
        },
        customdata=[[v["ci_low"], v["ci_high"], v.get("n")] for v in values],
        hovertemplate=HOVER + "<extra></extra>",
    )


def _layout(figure: go.Figure, bars: float, axis: str, span: list[float]) -> None:
    figure.update_layout(
        height=int(120 + 44 * max(bars, 2)),
        margin={"l": 10, "r": 30, "t": 30, "b": 10},
        font={"family": FONT, "size": 14, "color": INK},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        showlegend=False,
        bargap=0.3,
        xaxis={
            "title": {"text": axis},
            "range": span,
            "gridcolor": "#dddddd",
            "zeroline": True,
            "zerolinecolor": INK,
            "automargin": True,
        },
        yaxis={"autorange": "reversed", "automargin": True},
    )


def _wrap_labels(figure: go.Figure, labels: list[str], width: int = 28) -> None:
    """Long group names over several lines, so the bars keep most of the width."""
    wrapped = ["<br>".join(textwrap.wrap(label, width)) or label for label in labels]
    figure.update_yaxes(tickmode="array", tickvals=labels, ticktext=wrapped)


def _summary(kind: str, table: Table, shown: list[Row], last: bool = True) -> str:
    parts = [
        f"{r.cells[0].text} {r.values['estimate']} (95% CI {r.values['ci_low']} to "
        f"{r.values['ci_high']})"
        for r in shown
    ]
    hidden = sum(1 for r in table.rows if r.hidden)
    tail = f" {hidden} hidden to protect anonymity." if hidden else ""
    end = " The table gives the same figures." if last else ""
    return f"{kind}: {'; '.join(parts)}.{tail}{end}"
