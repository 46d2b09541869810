"""Static charts for the PDF, drawn with matplotlib from a Table's machine values.

The same numbers as the table beside them, and as the page's interactive chart. A hidden
group keeps its place in a bar chart as a labelled gap ("Hidden to protect anonymity"),
so nobody reads its absence as "no difference". Every chart comes with alternative text
that reads its figures out.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analytics.disclosure import HIDDEN_LABEL
from survey.results.tables import Row, Table

BRAND = "#1d3a6e"
SOFT = "#6f777b"
INK = "#0b0c0c"
DPI = 110
WIDTH = 7.6  # inches: the text width of an A4 portrait page
CHAR_WIDTH = 0.058  # inches: an average character of 7.5 pt DejaVu Sans
LINE_HEIGHT = 0.17  # inches: one line of 7.5-8 pt text


@dataclass(frozen=True)
class StaticChart:
    png: bytes
    alt: str
    width: float  # inches
    height: float


def breakdown_png(table: Table, axis: str, low: float, high: float) -> StaticChart | None:
    """Horizontal bars with 95% intervals for each group; hidden groups as labelled gaps;
    a dashed line for the whole organisation."""
    rows = [r for r in table.rows if r.kind != "overall"]
    if not any(_drawable(r) for r in rows):
        return None
    height = 0.9 + 0.32 * len(rows)
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    ax = figure.add_subplot()
    labels = [textwrap.shorten(r.cells[0].text, 42, placeholder="...") for r in rows]
    positions = list(range(len(rows)))[::-1]
    drawn = [(row, y) for row, y in zip(rows, positions, strict=True) if _drawable(row)]
    for row, y in zip(rows, positions, strict=True):
        if not _drawable(row):
            ax.text(low + (high - low) * 0.01, y, HIDDEN_LABEL, va="center", fontsize=7.5,
                    style="italic", color=SOFT)
    values = [row.values["estimate"] for row, _ in drawn]
    ys = [y for _, y in drawn]
    ax.barh(ys, [v - low for v in values], left=low, height=0.6,
            color=[SOFT if row.kind == "not_stated" else BRAND for row, _ in drawn])
    error = [[v - row.values["ci_low"] for (row, _), v in zip(drawn, values, strict=True)],
             [row.values["ci_high"] - v for (row, _), v in zip(drawn, values, strict=True)]]
    ax.errorbar(values, ys, xerr=error, fmt="none", ecolor=INK, elinewidth=1, capsize=2.5)
    overall = next((r for r in table.rows if r.kind == "overall" and _drawable(r)), None)
    if overall is not None:
        ax.axvline(overall.values["estimate"], color=INK, linestyle="--", linewidth=1)
    ax.set_yticks(positions, labels, fontsize=7.5)
    _finish(ax, axis, low, high)
    _fit_margins(figure, height, max(map(len, labels)))
    return StaticChart(_png(figure), _breakdown_alt(table, rows, overall), WIDTH, height)


def trend_png(table: Table, axis: str, low: float, high: float) -> StaticChart | None:
    """The figure of each wave with its 95% interval as a band; a hidden wave is a gap."""
    if not any(_drawable(r) for r in table.rows):
        return None
    height = 2.4
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    ax = figure.add_subplot()
    xs = list(range(len(table.rows)))
    values = [r.values["estimate"] if _drawable(r) else float("nan") for r in table.rows]
    lows = [r.values["ci_low"] if _drawable(r) else float("nan") for r in table.rows]
    highs = [r.values["ci_high"] if _drawable(r) else float("nan") for r in table.rows]
    ax.fill_between(xs, lows, highs, color=BRAND, alpha=0.15, linewidth=0)
    ax.plot(xs, values, color=BRAND, marker="o", linewidth=1.8)
    for x, row in zip(xs, table.rows, strict=True):
        if not _drawable(row):
            ax.text(x, (low + high) / 2, "Hidden", ha="center", fontsize=7.5, color=SOFT)
    ax.set_xticks(xs, [r.cells[0].text for r in table.rows], fontsize=7.5)
    ax.set_ylim(low, high)
    ax.set_ylabel(axis, fontsize=8)
    ax.tick_params(axis="y", labelsize=7.5)
    ax.spines[["top", "right"]].set_visible(False)
    _fit_margins(figure, height, 5, bottom_lines=1)
    points = "; ".join(_read_out(r) for r in table.rows)
    return StaticChart(_png(figure), f"Line chart of {table.title}: {points}.", WIDTH, height)


def _finish(ax, axis: str, low: float, high: float) -> None:
    ax.set_xlim(min(low, 0), high)
    ax.set_xlabel(axis, fontsize=8)
    ax.tick_params(axis="x", labelsize=7.5)
    ax.spines[["top", "right"]].set_visible(False)


def _fit_margins(figure: Figure, height: float, label_chars: int, bottom_lines: int = 2) -> None:
    """Room for the tick labels and axis title, worked out from their length in 7.5 pt
    text rather than measured by drawing (tight_layout draws the chart twice)."""
    left = 0.25 + label_chars * CHAR_WIDTH
    bottom = 0.15 + bottom_lines * LINE_HEIGHT
    figure.subplots_adjust(left=left / WIDTH, right=1 - 0.15 / WIDTH,
                           bottom=bottom / height, top=1 - 0.1 / height)


def _drawable(row: Row) -> bool:
    values = row.values
    return not row.hidden and all(
        isinstance(values.get(key), int | float) for key in ("estimate", "ci_low", "ci_high")
    )


def _read_out(row: Row) -> str:
    if not _drawable(row):
        return f"{row.cells[0].text}: {HIDDEN_LABEL.lower()}"
    v = row.values
    return f"{row.cells[0].text} {v['estimate']:g} (95% CI {v['ci_low']:g} to {v['ci_high']:g})"


def _breakdown_alt(table: Table, rows: list[Row], overall: Row | None) -> str:
    parts = [_read_out(r) for r in rows]
    line = f"Bar chart of {table.title}: " + "; ".join(parts) + "."
    if overall is not None:
        line += f" Whole organisation {overall.values['estimate']:g} (dashed line)."
    return line


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    FigureCanvasAgg(figure).print_png(out)
    return out.getvalue()
