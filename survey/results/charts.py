"""Plotly figures drawn from a Table's machine values, so a chart and its table agree.

Each Chart carries the figure as JSON (for a data-figure attribute drawn by
static/js/charts.js) and a text summary for its aria-label. A hidden row has no number
to draw, but keeps its place as a labelled gap ("Hidden to protect anonymity"), so
nobody reads its absence as no difference.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

from analytics.disclosure import HIDDEN_LABEL
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
    placed = [r for r in table.rows if r.kind != "overall" and (r in shown or r.hidden)]
    hidden = [r.cells[0].text for r in placed if r.hidden]
    if hidden:
        figure.add_trace(_gap_labels([min(low, 0)] * len(hidden), hidden, "middle right"))
    _layout(figure, len(placed), axis, [min(low, 0), high])
    _wrap_labels(figure, [r.cells[0].text for r in placed])
    return Chart(pio.to_json(figure), _summary(f"Bar chart of {table.title}", table, shown))


def overview_chart(table: Table, high: float) -> Chart | None:
    """The headline measures as bars with their 95% intervals; each label says its change
    since the last wave, flagged "What changed" where the change's interval excludes 0."""
    shown = [r for r in table.rows if _drawable(r)]
    if not shown:
        return None
    figure = go.Figure(_bars(shown, BRAND, None))
    hidden = [_headline(r) for r in table.rows if r.hidden]
    if hidden:
        figure.add_trace(_gap_labels([0] * len(hidden), hidden, "middle right"))
    figure.update_traces(y=[_headline(r) for r in shown], selector={"type": "bar"})
    _layout(figure, len(table.rows), "Score (95% CI)", [0, high])
    figure.update_yaxes(categoryorder="array", categoryarray=[_headline(r) for r in table.rows])
    changed = [r.cells[0].text for r in shown if r.values.get("clear")]
    flag = f" What changed: {'; '.join(changed)}." if changed else " No clear change."
    return Chart(pio.to_json(figure),
                 _summary(f"Bar chart of {table.title}", table, shown) + flag)


def change_sentence(row: Row) -> str | None:
    """"Up 3.2 points since Autumn 2025 (95% CI +1.0 to +5.4)" where the change is clear."""
    values = row.values
    if row.hidden or not values.get("clear"):
        return None
    way = "Up" if values["change"] > 0 else "Down"
    return (f"{way} {abs(values['change']):g} points since {values['previous']} (95% CI "
            f"{values['change_ci_low']:+g} to {values['change_ci_high']:+g})")


def _headline(row: Row) -> str:
    """A measure's label, with its change and the flag where the change is clear."""
    said = change_sentence(row)
    return f"{row.cells[0].text}<br>What changed: {said}" if said else row.cells[0].text


def trend_chart(table: Table, axis: str, low: float, high: float) -> Chart | None:
    """A line through each shown wave's figure, with its 95% interval as a band; a hidden
    wave is a labelled gap in the line."""
    return trends_chart({"": table}, axis, low, high)


def trends_chart(tables: dict[str, Table], axis: str, low: float, high: float) -> Chart | None:
    """One line per named series (a group; "" for a single series) across the waves, each
    wave's figure under its own wave's disclosure control; a hidden point is a gap in its
    line, labelled. A single series also shows its 95% interval as a band."""
    if not any(_drawable(r) for table in tables.values() for r in table.rows):
        return None
    waves = list(dict.fromkeys(r.cells[0].text for t in tables.values() for r in t.rows))
    traces = []
    for number, (name, table) in enumerate(tables.items()):
        if len(tables) == 1:
            traces += _band(table)
        traces.append(_line(name, table, number))
        hidden = [r.cells[0].text for r in table.rows if not _drawable(r)]
        if hidden:
            height = low + (high - low) * (0.08 + 0.09 * number)
            traces.append(_gap_labels(hidden, [height] * len(hidden), "middle center"))
            traces[-1].update(text=[f"{name}: {HIDDEN_LABEL}" if name else HIDDEN_LABEL]
                              * len(hidden))
    figure = go.Figure(traces)
    _trend_layout(figure, waves, axis, [min(low, 0), high], len(tables) > 1)
    kind = "Line chart" if len(tables) == 1 else f"Line chart of {len(tables)} groups"
    summary = " ".join(
        _summary(f"{kind} of {table.title}", table, [r for r in table.rows if _drawable(r)])
        for table in tables.values()
    )
    actions = _action_markers(figure, next(iter(tables.values())), high)
    return Chart(pio.to_json(figure), f"{summary}{actions}")


DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")


def _line(name: str, table: Table, number: int) -> go.Scatter:
    """Every wave of the table; a hidden one is None, so the line has a gap there."""
    values = [r.values if _drawable(r) else None for r in table.rows]
    return go.Scatter(
        x=[r.cells[0].text for r in table.rows],
        y=[v["estimate"] if v else None for v in values],
        mode="lines+markers",
        name=name or "Estimate",
        connectgaps=False,
        line={"color": STAGE_COLOURS[number % len(STAGE_COLOURS)], "width": 3,
              "dash": DASHES[number % len(DASHES)]},
        marker={"symbol": SYMBOLS[number % len(SYMBOLS)], "size": 9},
        showlegend=bool(name),
        customdata=[[v["ci_low"], v["ci_high"], v["n"]] if v else [None, None, None]
                    for v in values],
        hovertemplate=(f"{name}, " if name else "")
        + HOVER.replace("%{y}: %{x}", "%{x}: %{y}") + "<extra></extra>",
    )


def _band(table: Table) -> list[go.Scatter]:
    shown = [r for r in table.rows if _drawable(r)]
    waves = [r.cells[0].text for r in shown]
    band = dict(x=waves, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False)
    return [
        go.Scatter(y=[r.values["ci_high"] for r in shown], **band),
        go.Scatter(y=[r.values["ci_low"] for r in shown], fill="tonexty",
                   fillcolor="rgba(29, 58, 110, 0.18)", **band),
    ]


def _trend_layout(figure: go.Figure, waves: list[str], axis: str, span: list[float],
                  legend: bool) -> None:
    figure.update_layout(
        height=380 + (40 if legend else 0),
        margin={"l": 10, "r": 20, "t": 60 if legend else 20, "b": 10},
        font={"family": FONT, "size": 14, "color": INK},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        showlegend=legend,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": waves,
               "automargin": True},
        yaxis={"title": {"text": axis}, "range": span, "automargin": True,
               "gridcolor": "#dddddd", "zeroline": False},
    )


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


def _gap_labels(xs: list, ys: list, position: str) -> go.Scatter:
    """The label of each hidden row, drawn where its figure would be."""
    return go.Scatter(
        x=xs, y=ys, mode="text", text=[HIDDEN_LABEL] * len(xs), textposition=position,
        textfont={"color": SOFT, "size": 13}, showlegend=False,
        hovertemplate=f"%{{y}}: {HIDDEN_LABEL}<extra></extra>" if position == "middle right"
        else f"%{{x}}: {HIDDEN_LABEL}<extra></extra>",
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
    figure.update_yaxes(tickmode="array", tickvals=labels, ticktext=wrapped,
                        categoryorder="array", categoryarray=labels)


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
