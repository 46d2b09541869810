"""The figures table and the verdict on the targets of the scale issue."""

from __future__ import annotations

import math

REPORT_SECONDS = 3.0
DUCKDB_RATIO = 3.0
QUERY_SECONDS = 0.3
PEAK_MB = 500.0
TARGET_SIZE = 250_000
# Growth exponent b in time ~ N^b between the smallest and the largest size; 1 is linear.
# A little slack absorbs timer noise on runs of a few milliseconds.
LINEAR_SLACK = 1.1

HEADER = (
    "| database | responses | tally rows | load s | release rate /s | full report s "
    "| one query ms | release of 10 ms | peak RSS MB (report) | tracemalloc MB | DuckDB s "
    "| report / DuckDB | tally = DuckDB |"
)


def _ratio(result: dict) -> float | None:
    reference = result.get("reference")
    return result["report"]["median"] / reference["median"] if reference else None


def _row(result: dict) -> str:
    load, report, view = result["load"], result["report"], result["view"]
    reference = result.get("reference")
    ratio = _ratio(result)
    cells = [
        result["database"],
        f"{result['size']:,}",
        f"{load['tally_rows']:,}",
        f"{load['release_seconds']:.1f}",
        f"{load['responses_per_second']:,.0f}",
        f"{report['median']:.3f}",
        f"{view['median'] * 1000:.1f}",
        f"{result['small_release']['median'] * 1000:.0f}" if "small_release" in result else "-",
        f"{report['rss_peak_mb']:.0f}",
        f"{report['tracemalloc_peak_mb']:.0f}",
        f"{reference['median']:.3f}" if reference else "-",
        f"{ratio:.2f}x" if ratio is not None else "-",
        ("yes" if reference["check"]["agree"] else "NO") if reference else "-",
    ]
    return "| " + " | ".join(cells) + " |"


def markdown_table(results: list[dict]) -> str:
    separator = "|" + "---|" * HEADER.count(" | ") + "---|"
    return "\n".join([HEADER, separator, *(_row(r) for r in results)])


def _exponent(small: dict, large: dict, seconds) -> float | None:
    ratio_n = large["size"] / small["size"]
    a, b = seconds(small), seconds(large)
    if ratio_n <= 1 or a <= 0 or b <= 0:
        return None
    return math.log(b / a) / math.log(ratio_n)


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def evaluate_targets(results: list[dict]) -> list[dict]:
    """One verdict per target and database, at the largest size measured."""
    verdicts = []
    for database in sorted({r["database"] for r in results}):
        runs = sorted((r for r in results if r["database"] == database), key=lambda r: r["size"])
        largest, smallest = runs[-1], runs[0]
        at = f"{database}, {largest['size']:,} responses"
        if largest["size"] != TARGET_SIZE:
            at += f" (targets are set at {TARGET_SIZE:,})"
        report, view = largest["report"]["median"], largest["view"]["median"]
        rss = largest["report"]["rss_peak_mb"]
        verdicts.append({"target": f"full report < {REPORT_SECONDS:.0f} s", "at": at,
                         "verdict": _verdict(report < REPORT_SECONDS),
                         "detail": f"{at}: {report:.3f} s"})
        if (ratio := _ratio(largest)) is not None:
            verdicts.append({"target": f"full report within {DUCKDB_RATIO:.0f}x of DuckDB",
                             "at": at, "verdict": _verdict(ratio <= DUCKDB_RATIO),
                             "detail": f"{at}: {ratio:.2f}x"})
        verdicts.append({"target": f"one query < {QUERY_SECONDS * 1000:.0f} ms", "at": at,
                         "verdict": _verdict(view < QUERY_SECONDS),
                         "detail": f"{at}: {view * 1000:.1f} ms"})
        verdicts.append({"target": f"peak memory < {PEAK_MB:.0f} MB", "at": at,
                         "verdict": _verdict(rss < PEAK_MB),
                         "detail": f"{at}: peak RSS {rss:.0f} MB"})
        if len(runs) > 1:
            verdicts.append(_growth(database, smallest, largest))
    return verdicts


def _growth(database: str, smallest: dict, largest: dict) -> dict:
    report = _exponent(smallest, largest, lambda r: r["report"]["median"])
    view = _exponent(smallest, largest, lambda r: r["view"]["median"])
    load = _exponent(smallest, largest, lambda r: r["load"]["release_seconds"])
    exponents = [e for e in (report, view, load) if e is not None]
    span = f"{smallest['size']:,} -> {largest['size']:,}"

    def fmt(value):
        return "n/a" if value is None else f"{value:.2f}"

    return {
        "target": "cost grows no faster than linearly",
        "at": f"{database}, {span}",
        "verdict": _verdict(all(e <= LINEAR_SLACK for e in exponents)),
        "detail": f"{database}, {span}: time ~ N^b with b = {fmt(report)} (full report), "
                  f"{fmt(view)} (one query), {fmt(load)} (release)",
        "exponents": {"report": report, "view": view, "release": load},
    }
