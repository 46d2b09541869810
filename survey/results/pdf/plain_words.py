"""Sentences a board member reads, generated from the figures of the Tables.

Every number in a sentence is a machine value of a Table row (so it is the figure the
table, the API and the workbook show), and a sentence is written only for what the
tables call significant, or for a change whose interval excludes zero.
"""

from __future__ import annotations

from survey.results.tables import Row, Table

SIGNIFICANT = "significant"


def gap_sentence(row: Row, measure: str, unit: str, earlier: Row | None,
                 earlier_wave: str | None, places: int) -> str:
    """E.g. "Disabled: 9.0 points lower on WHO-5 Wellbeing Index than other respondents
    (95% CI 6.0 to 12.0 points lower); in Autumn 2024 the gap was 11.0 points lower."."""
    v = row.values
    gap = v["gap_rest"]
    low, high = sorted((abs(v["gap_rest_ci_low"]), abs(v["gap_rest_ci_high"])))
    way = "lower" if gap < 0 else "higher"
    line = (
        f"{row.cells[0].text}: {abs(gap):.{places}f} {unit} {way} on {measure} than other "
        f"respondents (95% CI {low:.{places}f} to {high:.{places}f} {unit} {way})"
    )
    if earlier_wave is None:
        return line + "."
    before = earlier.values.get("gap_rest") if earlier is not None and not earlier.hidden else None
    if before is None:
        return line + f"; {earlier_wave} has no comparable figure for this group."
    before_way = "lower" if before < 0 else "higher"
    return line + f"; in {earlier_wave} the gap was {abs(before):.{places}f} {unit} {before_way}."


def significant_rows(table: Table) -> list[Row]:
    """Rows with a significant gap from the rest; of two groups that mirror each other
    (the only two stated groups: +9 and -9) only the one below the rest."""
    found = [
        row for row in table.rows
        if not row.hidden and row.values.get("status_rest") == SIGNIFICANT
    ]
    stated = [r for r in table.rows if r.kind in ("group", "reference")]
    if len(stated) == 2:
        return [row for row in found if row.values["gap_rest"] < 0]
    return found


def change_sentence(row: Row, title: str, unit: str) -> str | None:
    """The change of a whole-organisation score since the previous wave, in plain words."""
    v = row.values
    change, previous = v.get("change"), v.get("previous")
    if row.hidden or change is None or previous is None:
        return None
    low, high = v["change_ci_low"], v["change_ci_high"]
    if low <= 0 <= high:
        return (
            f"{title}: no clear change since {previous} ({change:+g} {unit}, "
            f"95% CI {low:+g} to {high:+g})."
        )
    way = "rose" if change > 0 else "fell"
    return (
        f"{title} {way} by {abs(change):g} {unit} since {previous} "
        f"(95% CI {low:+g} to {high:+g})."
    )


def adverse_impact_sentence(stage: Table, row: Row) -> str:
    v = row.values
    return (
        f"{stage.title}: {row.cells[0].text} progressed at {v['air']:g} times the rate of the "
        f"group with the highest rate ({v['estimate']:g}% of {v['n']:,}), below the "
        "four-fifths screening level: a reason to look closer, not proof of unfairness."
    )


GLOSSARY = (
    ("95% confidence interval (CI)", "The range the true figure very probably lies in, "
     "given how many answered: with fewer respondents the range is wider. Means use a t "
     "interval, percentages Wilson's interval, differences Welch's (means) or Newcombe's "
     "(percentages) interval; selection rates Wilson's and relative likelihoods Katz's "
     "interval; weighted estimates an interval by linearisation, treating the groups as "
     "strata (post-stratification)."),
    ("Clear change", "A change since the previous wave whose 95% confidence interval "
     "excludes 0: larger than the difference that who happened to answer each wave could "
     "make. Shown as \u201cWhat changed\u201d on the results pages."),
    ("Significant", "A difference too large to be explained by chance, even allowing for "
     "the many groups compared, in groups of 30 or more respondents each."),
    ("q-value and false discovery rate", "Comparing many groups at once finds some "
     "differences by chance. The q-value adjusts for this (Benjamini-Hochberg): among all "
     "differences with q below 0.05, at most about 1 in 20 is expected to be due to chance."),
    ("Difference from the rest", "A group's figure minus that of everyone else who stated a "
     "group in the same breakdown and whose group is shown (not those who preferred not to "
     "say, and not those the question does not apply to)."),
    ("Not stated", "People who chose 'Prefer not to say' or did not answer. A large share "
     "can hide or distort differences between groups."),
    ("k (anonymity threshold)", "The fewest people any published figure may describe, fixed "
     "when the wave opened."),
    ("Hidden to protect anonymity", "A figure for fewer than k people, or one hidden so that "
     "a hidden figure cannot be worked out by subtraction. Never zero, never blank."),
    ("Merged group", "Small groups combined with a similar group ('A + B (merged)') so they "
     "can be shown without identifying anyone."),
    ("Selection rate", "Of the people who entered a promotion step, the percentage who "
     "progressed."),
    ("Adverse impact ratio", "A group's selection rate divided by the highest group's rate. "
     "Below 0.8 (the four-fifths rule) is a flag for a closer look, not a legal test."),
    ("Relative likelihood", "The reference group's selection rate divided by the group's: "
     "above 1, the reference group was more likely to progress."),
    ("Weighted estimate", "A figure adjusted so that each group counts in proportion to its "
     "share of the workforce, not its share of respondents."),
    ("Effective n", "How many respondents a weighted estimate is worth (Kish's effective "
     "sample size): fewer than answered, since weighting makes some answers count more."),
    ("Key driver", "A question whose answers go with higher or lower scores on a measure, "
     "other questions held equal (a linear regression on standardised answers). Each "
     "question's coefficient is tested (t test) and judged with the q-value."),
    ("WHO-5", "The World Health Organization Wellbeing Index, 0-100; 50 or below suggests "
     "poor wellbeing, and a 10-point change is clinically meaningful."),
    ("PDR", "Performance and development review; one-to-ones are the regular meetings with "
     "a line manager."),
)
