"""The reference point: DuckDB computing the tally's aggregates from raw response rows.

The released responses of a wave are exported once into a DuckDB table with one column
per breakdown group (`g_*`), per answered item (`a_*`, the answer as text, as the tally
keys its categories) and per score (`s_*`), text codes then stored as ENUMs. Reading every
response here is the reference set-up, not the product. One statement then computes, for
`_all`, every breakdown and every intersection, per group: the respondent count, every
item's category counts and every score's n, sum, sum of squares, cut-point count and band
counts - exactly the rows the product keeps in its `tally` table. `compare_with_tally`
checks that they agree.
"""

from __future__ import annotations

import math
import statistics
import time

import duckdb
import pandas as pd
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import NOT_STATED, Definition
from survey.models import Response, Tally, Wave
from survey.services.tally import ALL, CUT, RESPONDENTS, SCORE

EXPORT_BATCH = 10_000


class Layout:
    """Column names and generated SQL for one wave's reference table."""

    def __init__(self, definition: Definition, wave: Wave):
        self.definition = definition
        self.breakdowns = list(wave.breakdowns)
        self.intersections = [tuple(pair) for pair in wave.intersections]
        self.items = [code for code, item in definition.items.items() if item["type"] != "text"]
        self.measures = definition.measures

    def create_table_sql(self) -> str:
        columns = [f'"g_{code}" VARCHAR' for code in self.breakdowns]
        columns += [f'"a_{code}" VARCHAR' for code in self.items]
        columns += [f'"s_{code}" DOUBLE' for code in self.measures]
        return f"CREATE OR REPLACE TABLE responses ({', '.join(columns)})"

    def frame(self, rows: list) -> pd.DataFrame:
        """One export batch of (answers, scores, groups) as a frame in table column order."""
        data = {f"g_{c}": [groups.get(c) for _, _, groups in rows] for c in self.breakdowns}
        for code in self.items:
            data[f"a_{code}"] = [_text(answers.get(code)) for answers, _, _ in rows]
        for code in self.measures:
            data[f"s_{code}"] = pd.array([s.get(code) for _, s, _ in rows], dtype="Float64")
        return pd.DataFrame(data)

    def level_case(self, level: str, column: str) -> str:
        """SQL for the group at a breakdown level, from the finest group in `column`."""
        members = self.definition.levels[level][1]
        if members is None:
            return column
        cases = " ".join(f"WHEN '{member}' THEN '{group}'" for member, group in members.items())
        return f"CASE {column} {cases} ELSE '{NOT_STATED}' END"

    def dimensions(self) -> list[tuple[str, tuple[str, ...]]]:
        """(dimension, finest breakdown columns grouped) for `_all`, each breakdown and each
        intersection. Intersections are grouped by their finest groups and rolled up to
        their levels afterwards, on the small aggregated result."""
        sets = [(ALL, ())] + [(code, (f"g_{code}",)) for code in self.breakdowns]
        for first, second in self.intersections:
            columns = (f"g_{self.definition.levels[first][0]}",
                       f"g_{self.definition.levels[second][0]}")
            sets.append((f"{first}*{second}", columns))
        return sets

    def _group_key(self, dimension: str, columns: tuple[str, ...]) -> str:
        """SQL for a group's key from the finest columns of its set (evaluated on the
        aggregated rows): intersections are rolled up to their levels here."""
        if not columns:
            return f"'{ALL}'"
        if "*" not in dimension:
            return f'"{columns[0]}"::VARCHAR'
        first, second = dimension.split("*")
        return (f"""{self.level_case(first, f'"{columns[0]}"::VARCHAR')} || '|' || """
                f"""{self.level_case(second, f'"{columns[1]}"::VARCHAR')}""")

    def _score_slots(self) -> list[tuple[str, str, str, str, str]]:
        """(measure, category, n SQL, total SQL, total_sq SQL) for the respondent count and
        every score slot: n, sum, sum of squares, cut-point count, band counts."""
        slots = [(RESPONDENTS, SCORE, "count(*)", "0.0", "0.0")]
        for code, measure in self.measures.items():
            score = f'"s_{code}"'
            slots.append((code, SCORE, f"count({score})", f"coalesce(sum({score}), 0.0)",
                          f"coalesce(sum({score} * {score}), 0.0)"))
            if cut := measure.get("cut_point"):
                test = f"<= {cut['at_most']}" if "at_most" in cut else f">= {cut['at_least']}"
                slots.append((code, CUT, f"count_if({score} {test})", "0.0", "0.0"))
            if bands := measure.get("bands"):
                whens = " ".join(f"WHEN {score} BETWEEN {b['min']} AND {b['max']} "
                                 f"THEN '{b['code']}'" for b in bands)
                slots += [(code, f"band:{b['code']}",
                           f"count_if((CASE {whens} END) = '{b['code']}')", "0.0", "0.0")
                          for b in bands]
        return slots

    def aggregate_sql(self) -> str:
        """Every tally row in one statement: a plain GROUP BY per (breakdown or
        intersection, answered item) counting respondents per answer, one per breakdown or
        intersection for the score statistics, all UNION ALL; then the intersections'
        finest groups are summed up to their levels."""
        slots = self._score_slots()
        aggregates = ", ".join(f'{n} AS "n{i}", {t} AS "t{i}", {q} AS "q{i}"'
                               for i, (_, _, n, t, q) in enumerate(slots))
        structs = ", ".join(
            f"""{{'measure': '{m}', 'category': '{c}', 'n': "n{i}", 'total': "t{i}", """
            f"""'total_sq': "q{i}"}}"""
            for i, (m, c, _, _, _) in enumerate(slots)
        )
        scores, items = [], []
        for dimension, columns in self.dimensions():
            key = self._group_key(dimension, columns)
            by = [f'"{c}"' for c in columns]
            group_by = f"GROUP BY {', '.join(by)}" if by else ""
            scores.append(f"SELECT '{dimension}' AS dimension, {key} AS grp, {aggregates} "
                          f"FROM typed {group_by}")
            items += [
                f"""SELECT '{dimension}' AS dimension, {key} AS grp, '{code}' AS measure, """
                f""""a_{code}"::VARCHAR AS category, count(*) AS n, 0.0 AS total, """
                f"""0.0 AS total_sq FROM typed WHERE "a_{code}" IS NOT NULL """
                f"""GROUP BY {', '.join([*by, f'"a_{code}"'])}"""
                for code in self.items
            ]
        return f"""
            WITH scores_wide AS ({" UNION ALL ".join(scores)}),
            scores AS (
                SELECT dimension, grp, unnest([{structs}], recursive := true) FROM scores_wide
            ),
            cells AS (
                SELECT dimension, grp, measure, category, n, total, total_sq
                FROM scores WHERE n > 0
                UNION ALL {" UNION ALL ".join(items)}
            )
            SELECT dimension, grp, measure, category,
                   sum(n)::BIGINT AS n, sum(total) AS total, sum(total_sq) AS total_sq
            FROM cells GROUP BY ALL
        """


def _text(value) -> str | None:
    return None if value is None else str(value)


def export_wave(wave: Wave, connection: duckdb.DuckDBPyConnection) -> tuple[Layout, int, float]:
    """Copy a wave's released responses into DuckDB; (layout, rows, seconds)."""
    began = time.perf_counter()
    layout = Layout(Definition(wave.instrument.definition), wave)
    connection.execute(layout.create_table_sql())
    query = (
        select(Response.answers, Response.scores, Response.groups)
        .where(Response.wave_id == wave.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    count = 0
    for batch in db.session.execute(query).partitions():
        frame = layout.frame(batch)
        connection.register("batch", frame)
        connection.execute("INSERT INTO responses SELECT * FROM batch")
        connection.unregister("batch")
        count += len(batch)
    _to_enums(connection)
    return layout, count, time.perf_counter() - began


def _to_enums(connection: duckdb.DuckDBPyConnection) -> None:
    """`typed`: the exported table with every text column as an ENUM of its values, the
    analytic engine's natural storage for codes (group-bys on small integers)."""
    columns = []
    for name, kind, *_ in connection.execute("DESCRIBE responses").fetchall():
        if kind != "VARCHAR":
            columns.append(f'"{name}"')
            continue
        values = [row[0] for row in connection.execute(
            f'SELECT DISTINCT "{name}" FROM responses WHERE "{name}" IS NOT NULL ORDER BY 1'
        ).fetchall()]
        labels = ", ".join("'" + value.replace("'", "''") + "'" for value in values) or "''"
        columns.append(f'CAST("{name}" AS ENUM({labels})) AS "{name}"')
    select_list = ", ".join(columns)
    connection.execute(f"CREATE OR REPLACE TABLE typed AS SELECT {select_list} FROM responses")
    connection.execute("DROP TABLE responses")


def time_aggregates(connection, layout: Layout, runs: int) -> tuple[list[float], list[tuple]]:
    """Wall times of the aggregate query (results fetched into Python), and its rows."""
    sql = layout.aggregate_sql()
    times, rows = [], []
    for _ in range(runs):
        began = time.perf_counter()
        rows = connection.execute(sql).fetchall()
        times.append(time.perf_counter() - began)
    return times, rows


def compare_with_tally(wave: Wave, rows: list[tuple]) -> dict:
    """Do DuckDB's aggregates from raw rows equal the tally the product maintained?"""
    tally = {
        (d, g, m, c): (n, t, q)
        for d, g, m, c, n, t, q in db.session.execute(
            select(Tally.dimension, Tally.grp, Tally.measure, Tally.category, Tally.n,
                   Tally.total, Tally.total_sq).where(Tally.wave_id == wave.id)
        )
    }
    reference = {(d, g, m, c): (n, t, q) for d, g, m, c, n, t, q in rows}
    missing = reference.keys() - tally.keys()
    extra = tally.keys() - reference.keys()
    differ = [
        key for key in reference.keys() & tally.keys()
        if reference[key][0] != tally[key][0]
        or not all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
                   for a, b in zip(reference[key][1:], tally[key][1:], strict=True))
    ]
    return {
        "tally_rows": len(tally),
        "reference_rows": len(reference),
        "missing_from_tally": len(missing),
        "only_in_tally": len(extra),
        "different": len(differ),
        "examples": [repr(k) for k in sorted(missing | extra | set(differ))[:5]],
        "agree": not (missing or extra or differ),
    }


def run_reference(wave: Wave, runs: int) -> dict:
    """Export, time the aggregates (median of `runs`), and check them against the tally."""
    connection = duckdb.connect()
    layout, count, export_seconds = export_wave(wave, connection)
    times, rows = time_aggregates(connection, layout, runs)
    began = time.perf_counter()
    connection.execute("EXPLAIN " + layout.aggregate_sql()).fetchall()
    plan_seconds = time.perf_counter() - began
    check = compare_with_tally(wave, rows)
    threads = connection.execute("SELECT current_setting('threads')").fetchone()[0]
    connection.close()
    return {
        "duckdb": duckdb.__version__,
        "threads": threads,
        "responses": count,
        "export_seconds": export_seconds,
        "seconds": times,
        "median": statistics.median(times),
        "plan_seconds": plan_seconds,  # parsing and planning the long generated statement
        "rows": len(rows),
        "check": check,
    }
