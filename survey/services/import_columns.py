"""How the cells of one column of a past wave's CSV become answers (docs/import-format.md).

A column is read by a rule: an ignored column, a comment column, or an answer column
that gives one or more items from its labels (a mapping file's), its number ranges
(an age of 34 -> the band 26 to 40) and, for one item, the questionnaire's own labels
and codes. Without a mapping file the rules come from the header: each column is
named as a question code and read with the questionnaire's labels and codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from survey.instruments import NOT_APPLICABLE, NOT_APPLICABLE_LABEL, PREFER_NOT, Definition
from survey.services.csv_files import EXTRA_COLUMNS_HINT, column_name, header_problems

Answers = dict[str, int | str]
NO_ANSWER = "no_answer"  # a mapping target: the cell counts as no answer
LISTED = 30  # options named in one message at most
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def normalise(text: str) -> str:
    """Labels and names match whatever their capitals, spacing or curly apostrophes."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


def as_number(text: str) -> float | None:
    return float(text) if NUMBER.fullmatch(text) else None


class Vocabulary:
    """The answers one scale or choice item takes: `codes` as a mapping file names them,
    `cells` as a CSV cell may give them (code or label, any capitals)."""

    def __init__(self, definition: Definition, item: dict, units: list[tuple[str, str]]):
        self.item = item["code"]
        options = definition.options(item, units if item.get("options_from") == "units" else None)
        self.codes: dict[str, int | str] = {str(o.value): o.value for o in options}
        self.labels = {str(o.value): o.label for o in options}
        if (apart := _not_applicable(definition, item)) is not None:
            self.codes.setdefault(NOT_APPLICABLE, apart)
            self.labels.setdefault(NOT_APPLICABLE, NOT_APPLICABLE_LABEL)
        self.cells: dict[str, int | str] = {}
        for code, label in self.labels.items():
            self.cells.setdefault(normalise(label), self.codes[code])
        for code, value in self.codes.items():  # codes win over a label that looks like one
            self.cells[normalise(code)] = value

    def find(self, key: str) -> int | str | None:
        """The answer a normalised cell gives, or None; `4.0` is read as `4`."""
        if key in self.cells:
            return self.cells[key]
        if re.fullmatch(r"-?\d+\.0+", key):
            return self.cells.get(key.split(".")[0])
        return None

    def describe(self, with_labels: bool = True) -> str:
        shown = [f"{code} ({label})" if with_labels else code
                 for code, label in self.labels.items()]
        more = len(shown) - LISTED
        return ", ".join(shown[:LISTED]) + (f" and {more} more" if more > 0 else "")


def _not_applicable(definition: Definition, item: dict) -> int | str | None:
    """What "not applicable" stores for an item: its own group, a scale's don't-know, or
    nothing (the item has no such answer)."""
    if item["code"] in definition.not_applicable_items:
        return NOT_APPLICABLE
    if item["type"] == "scale" and (extra := definition.scale(item).get("not_counted")):
        return extra["code"]
    return None


@dataclass(frozen=True)
class NumberRange:
    low: float | None
    high: float | None
    below: bool  # high is excluded
    answers: Answers

    def holds(self, number: float) -> bool:
        above_low = self.low is None or number >= self.low
        if self.high is None:
            return above_low
        return above_low and (number < self.high if self.below else number <= self.high)

    def overlaps(self, other: NumberRange) -> bool:
        return _starts_before_end(self, other) and _starts_before_end(other, self)

    def describe(self) -> str:
        low = "" if self.low is None else f"{self.low:g}"
        high = "" if self.high is None else f"{self.high:g}"
        return f"{low} to {'below ' if self.below else ''}{high}".strip()


def _starts_before_end(first: NumberRange, second: NumberRange) -> bool:
    if first.low is None or second.high is None:
        return True
    return first.low < second.high or (first.low == second.high and not second.below)


@dataclass
class Column:
    """A column whose cells are never read (a respondent ID, a timestamp)."""

    name: str

    @property
    def items(self) -> tuple[str, ...]:
        return ()


@dataclass
class TextColumn(Column):
    item: str = ""
    limit: int = 1000

    @property
    def items(self) -> tuple[str, ...]:
        return (self.item,)


@dataclass
class AnswerColumn(Column):
    """Cells -> answers of `item_codes`: mapped labels, then number ranges, then (for one
    item) the questionnaire's own labels and codes."""

    item_codes: tuple[str, ...] = ()
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    labels: dict[str, Answers] = field(default_factory=dict)  # normalised label -> answers
    ranges: tuple[NumberRange, ...] = ()
    mapped: bool = False
    shown_labels: dict[str, str] = field(default_factory=dict)  # normalised -> as written

    @property
    def items(self) -> tuple[str, ...]:
        return self.item_codes

    def read(self, raw: str) -> Answers:
        key = normalise(raw)
        if key in self.labels:
            return self.labels[key]
        number = as_number(key)
        for span in self.ranges if number is not None else ():
            if span.holds(number):
                return span.answers
        if len(self.item_codes) == 1:
            value = self.vocabularies[self.item_codes[0]].find(key)
            if value is not None:
                return {self.item_codes[0]: value}
        raise ValueError(self.refusal(raw.strip()))

    def outcomes(self) -> list[tuple[str, Answers]]:
        """Every (label, answers) this column can give, for checks over the whole file."""
        found = [(self.shown_labels.get(k, k), answers) for k, answers in self.labels.items()]
        found += [(span.describe(), span.answers) for span in self.ranges]
        if len(self.item_codes) == 1:
            vocabulary = self.vocabularies[self.item_codes[0]]
            found += [(vocabulary.labels[code], {vocabulary.item: value})
                      for code, value in vocabulary.codes.items()]
        return found

    def refusal(self, raw: str) -> str:
        spans = ", ".join(span.describe() for span in self.ranges)
        numbers = f" Its number ranges are {spans}." if spans else ""
        if len(self.item_codes) > 1:
            return (f"{raw!r} is not one of this column's labels in the mapping file. Add it "
                    "under the column's labels, with the answers it gives: "
                    + "; ".join(f"{code}: one of {v.describe(False)}, {NO_ANSWER}"
                                for code, v in self.vocabularies.items()) + "." + numbers)
        vocabulary = self.vocabularies[self.item_codes[0]]
        if self.mapped:
            return (f"{raw!r} is not an answer to {vocabulary.item}, and the mapping file does "
                    f"not list it. Add it under the column's labels, mapped to one of "
                    f"{vocabulary.describe()} or {NO_ANSWER}." + numbers)
        return (f"{raw!r} is not an answer to {vocabulary.item}; use one of "
                f"{vocabulary.describe()}, or give a mapping file that maps it.")


def item_column(name: str, definition: Definition, code: str, units) -> Column:
    """A column read as one question with the questionnaire's own labels and codes."""
    item = definition.items[code]
    if item["type"] == "text":
        return TextColumn(name, code, item.get("max_length", 1000))
    return AnswerColumn(name, (code,), {code: Vocabulary(definition, item, units)})


def header_columns(
    definition: Definition, units, names: list[str], header: list[str]
) -> tuple[list[Column], list[str]]:
    """Without a mapping file: each column is named as a question code."""
    problems = header_problems(
        header,
        set(definition.items),
        f"this is not a question code of {definition.code}. Give a mapping file that maps "
        f"it to a question or to ignore, or remove it. {EXTRA_COLUMNS_HINT}",
    )
    if problems:
        return [], problems
    return [item_column(name, definition, code, units)
            for name, code in zip(names, header, strict=True)], []


def unreachable_groups(definition: Definition, columns: list[Column]) -> list[str]:
    """Answers that could never place anyone in a group of a derived breakdown.

    Disability needs two questions (a condition, and whether it limits activities): a
    file that gives only the first would silently leave every "Yes" not stated.
    """
    fed = {code for column in columns for code in column.items}
    problems = []
    for breakdown in (b for b in definition.breakdowns.values() if "derive" in b):
        for index, column in enumerate(columns):
            if not isinstance(column, AnswerColumn):
                continue
            for label, answers in column.outcomes():
                missing = _missing_for(breakdown, answers, fed)
                if missing:
                    problems.append(_unreachable(index, column, label, answers, breakdown, missing))
    return problems


def _missing_for(breakdown: dict, answers: Answers, fed: set[str]) -> set[str]:
    """Items no column gives without which these answers fit no rule of the breakdown."""
    rules = breakdown["derive"]
    given = {code: value for code, value in answers.items()
             if any(code in rule["when"] for rule in rules)
             and value not in (PREFER_NOT, NOT_APPLICABLE)}
    if not given:
        return set()
    fitting = [rule["when"] for rule in rules
               if all(value in rule["when"].get(code, [value]) for code, value in given.items())]
    if any(set(when) <= fed for when in fitting):
        return set()
    return {code for when in fitting for code in when if code not in fed}


def _unreachable(index, column, label, answers, breakdown, missing) -> str:
    given = ", ".join(f"{code} = {value}" for code, value in answers.items())
    needs = ", ".join(sorted(missing))
    return (
        f"row 1, column {column_name(index)} ({column.name}): {label!r} gives {given}, which "
        f"can never place a respondent in a group of {breakdown['title']}: its rules also "
        f"need {needs}, which no column gives. Map the label to answers of every item the "
        f"breakdown needs (a column can give several), or to {NO_ANSWER}."
    )
