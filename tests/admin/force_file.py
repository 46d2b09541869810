"""A past survey as a force keeps it: its own column names and labels, a few hundred rows,
and the mapping that reads it into the default questionnaire. Each row's expected groups
are worked out here by hand, apart from the importer."""

from __future__ import annotations

import csv
import io
from collections import Counter

ROWS = 360

MAPPING = """\
format: 1
instrument: workforce-wellbeing-fairness
columns:
  Resp ID: ignore
  Submitted: ignore
  Q1 cheerful: who5_1
  Q2 calm: who5_2
  Q3 active: who5_3
  Q4 rested: who5_4
  Q5 interested: who5_5
  My manager notices when I struggle:
    item: lm_notices_struggling
    labels:
      Agree strongly: "5"
      Disagree strongly: "1"
      N/A: not_applicable
  Gender:
    item: sex
    labels:
      F: female
      M: male
      Rather not say: prefer_not
  Sexuality:
    item: sexual_orientation
    labels:
      Heterosexual: straight
      Gay/Lesbian: gay_lesbian
      Other: other_orientation
  AGE:
    item: age_band
    labels:
      16-25: under_26
      26-40: age_26_to_40
      41-55: age_41_to_55
      56+: over_55
    ranges:
      - {from: 16, to: 25, answer: under_26}
      - {from: 26, to: 40, answer: age_26_to_40}
      - {from: 41, to: 55, answer: age_41_to_55}
      - {from: 56, answer: over_55}
  Role:
    item: worker_type
    labels:
      Officer: police_officer
      Staff: police_staff
  Rank:
    item: rank
    labels:
      PC: constable
      Sgt: sergeant
      Insp: inspector
      CI: chief_inspector
      Superintendent and above: chief_officer
      N/A: not_applicable
  Disability:
    items: [disability_condition, disability_impact]
    labels:
      Yes, limited a lot: {disability_condition: "yes", disability_impact: a_lot}
      Yes, limited a little: {disability_condition: "yes", disability_impact: a_little}
      Yes, not limited: {disability_condition: "yes", disability_impact: not_at_all}
      No: {disability_condition: "no"}
      Prefer not to say: {disability_condition: prefer_not}
      Not known: no_answer
  Years service:
    item: service_length
    labels:
      0-2 years: under_2_years
      21 years +: over_20_years
    ranges:
      - {below: 2, answer: under_2_years}
      - {from: 2, below: 6, answer: years_2_to_5}
      - {from: 6, below: 11, answer: years_6_to_10}
      - {from: 11, below: 21, answer: years_11_to_20}
      - {from: 21, answer: over_20_years}
  What would improve your wellbeing: comment_wellbeing
"""

HEADER = [
    "Resp ID", "Submitted", "Q1 Cheerful", "Q2 Calm", "Q3 Active", "Q4 Rested", "Q5 Interested",
    "My manager notices when I struggle", "Gender", "Sexuality", "Age", "Role", "Rank",
    "Disability", "Years service", "What would improve your wellbeing",
]
RANKS = [("PC", "constable"), ("Sgt", "sergeant"), ("Insp", "inspector"),
         ("CI", "chief_inspector"), ("Superintendent and above", "chief_officer")]
DISABILITY = [("Yes, limited a lot", "disabled"), ("Yes, limited a little", "disabled"),
              ("No", "not_disabled"), ("NO", "not_disabled"), ("no ", "not_disabled"),
              ("Yes, not limited", "not_disabled"), ("Prefer not to say", "not_stated"),
              ("Not known", "not_stated"), ("", "not_stated")]
ORIENTATION = [("Heterosexual", "straight"), ("Gay/Lesbian", "gay_lesbian"),
               ("Other", "other_orientation"), ("Bisexual", "bisexual")]
WHO5 = ["All of the time", "Most of the time", "3", "2", "Some of the time", "At no time"]
WHO5_VALUE = {"All of the time": 5, "Most of the time": 4, "3": 3, "2": 2,
              "Some of the time": 1, "At no time": 0}
AGE_LABELS = [("16-25", "under_26"), ("26-40", "age_26_to_40"), ("41-55", "age_41_to_55"),
              ("56+", "over_55")]


def age_band(age: int) -> str:
    if age < 26:
        return "under_26"
    if age <= 40:
        return "age_26_to_40"
    return "age_41_to_55" if age <= 55 else "over_55"


def service_band(years: float) -> str:
    """Bands count completed years: 5.5 years is in 2 to 5."""
    for below, band in ((2, "under_2_years"), (6, "years_2_to_5"), (11, "years_6_to_10"),
                        (21, "years_11_to_20")):
        if years < below:
            return band
    return "over_20_years"


def respondent(n: int) -> tuple[list[str], dict[str, str], int]:
    """Row n of the file, the groups it must land in, and its raw WHO-5 sum."""
    staff = n % 3 == 0
    role = "" if n % 9 == 0 else ("Staff" if staff else "Officer")
    rank, rank_group = ("N/A", "not_applicable") if staff else RANKS[n % 5]
    if staff and n % 2:
        rank = "Not applicable"  # the questionnaire's own label, read without mapping it
    disability, disability_group = DISABILITY[n % len(DISABILITY)]
    orientation, orientation_group = ORIENTATION[n % 4]
    if n % 4 == 1:
        age = 18 + (n * 7) % 47
        age_cell, age_group = str(age), age_band(age)
    else:
        age_cell, age_group = AGE_LABELS[(n // 2) % 4]
    years = (n * 13) % 34 + (0.5 if n % 10 == 0 else 0)
    service_cell, service_group = (
        ("0-2 years", "under_2_years") if n % 11 == 0 else (f"{years:g}", service_band(years))
    )
    gender, sex_group = [("F", "female"), ("M", "male"), ("m", "male"),
                         ("Rather not say", "not_stated")][n % 4]
    who5 = [WHO5[(n + i) % 6] for i in range(5)]
    manager = ["Agree strongly", "Agree", "N/A", "Disagree strongly", ""][n % 5]
    cells = [f"R{1000 + n}", f"2023-10-0{n % 9 + 1} 09:1{n % 10}", *who5, manager,
             gender, orientation, age_cell, role, rank, disability, service_cell,
             "More staff on nights" if n % 6 == 0 else ""]
    groups = {"rank": rank_group, "disability": disability_group, "age_band": age_group,
              "service_length": service_group, "sex": sex_group,
              "sexual_orientation": orientation_group}
    return cells, groups, sum(WHO5_VALUE[v] for v in who5)


def force_csv(count: int = ROWS) -> tuple[bytes, dict[str, Counter], int]:
    """The file, the expected size of every group by breakdown, and the WHO-5 score total."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    expected: dict[str, Counter] = {}
    who5_total = 0
    for n in range(count):
        cells, groups, raw = respondent(n)
        writer.writerow(cells)
        for breakdown, group in groups.items():
            expected.setdefault(breakdown, Counter())[group] += 1
        who5_total += 4 * raw
    return buffer.getvalue().encode(), expected, who5_total
