"""Mapping files: a force's CSV columns and labels -> the questionnaire's items and options.

The YAML is read with every scalar as the text written (no type guessing: `No` is not
false, `010` is not 8), anchors and aliases are refused, and the size is capped. The
structure is checked with import_mapping.schema.json, then the meaning against the
questionnaire and the file's header; every problem is reported together.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from importlib import resources

import jsonschema
import yaml

from survey.instruments import Definition
from survey.services.csv_files import CsvRejected, column_name
from survey.services.import_columns import (
    NO_ANSWER,
    AnswerColumn,
    Answers,
    Column,
    NumberRange,
    Vocabulary,
    item_column,
    normalise,
)

MAPPING_MAX_BYTES = 256 * 1024
IGNORE = "ignore"


class MappingRejected(CsvRejected):
    """A mapping file refused before any CSV cell is read; `problems` lists every reason."""


class _Refused(yaml.YAMLError):
    """YAML this loader does not accept, though a YAML parser would."""


class _TextLoader(yaml.SafeLoader):
    """Safe YAML whose scalars all stay text. Anchors and aliases (an alias bomb expands a
    small file into a huge document), explicit tags and deep nesting are refused."""

    yaml_implicit_resolvers: dict = {}  # replaces the parent's (type guessing) for this class
    MAX_DEPTH = 12

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = f"line {event.start_mark.line + 1}"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(f"{line}: anchors and aliases (& and *) are not allowed; write each "
                           "value out")
        if getattr(event, "tag", None) is not None:
            raise _Refused(f"{line}: tags such as !!int are not allowed; every value is text")
        if self.depth >= self.MAX_DEPTH:
            raise _Refused(f"{line}: the file nests deeper than a mapping ever needs")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@cache
def _schema() -> dict:
    text = resources.files("survey.services").joinpath("import_mapping.schema.json").read_text()
    return json.loads(text)


def load_mapping(data: bytes) -> dict:
    """Parse and check a mapping file's structure; MappingRejected lists every problem."""
    if len(data) > MAPPING_MAX_BYTES:
        raise MappingRejected([
            f"mapping file: it is larger than {MAPPING_MAX_BYTES // 1024} KB; a mapping names "
            "columns and labels, not data."
        ])
    try:
        loader = _TextLoader(data.decode("utf-8-sig"))
        try:
            document = loader.get_single_data()
        finally:
            loader.dispose()
    except UnicodeDecodeError as error:
        raise MappingRejected(["mapping file: it is not UTF-8 text."]) from error
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        raise MappingRejected([f"mapping file: it is not valid YAML ({detail})."]) from error
    if document is None:
        raise MappingRejected(["mapping file: it is empty."])
    validator = jsonschema.Draft202012Validator(_schema())
    problems = [_describe(e) for e in sorted(validator.iter_errors(document), key=_error_order)]
    if problems:
        raise MappingRejected(problems)
    return document


def _error_order(error: jsonschema.ValidationError) -> tuple:
    return tuple(str(part) for part in error.absolute_path), error.message


def _describe(error: jsonschema.ValidationError) -> str:
    where = "".join(
        f".{part}" if isinstance(part, str) and part.isidentifier() else f"[{part!r}]"
        for part in error.absolute_path
    ).lstrip(".")
    message = error.message
    if error.validator == "oneOf":
        message = "give exactly one of item (one question) or items (several)"
    elif error.validator == "not":
        message = "give to or below, not both"
    return f"mapping file, {where or 'top level'}: {message}"


def mapped_columns(
    mapping: dict, definition: Definition, units, names: list[str]
) -> tuple[list[Column], list[str]]:
    """The rule for each file column (in file order) and every problem of the mapping
    against the questionnaire and the file's header."""
    problems: list[str] = []
    if mapping.get("instrument", definition.code) != definition.code:
        problems.append(f"mapping file: it is for {mapping['instrument']}, but the wave's "
                        f"questionnaire is {definition.code}.")
    rules: dict[str, Column] = {}
    for name, spec in mapping["columns"].items():
        key = normalise(name)
        if key in rules:
            problems.append(f"mapping file, columns: {name!r} is named twice.")
        rules[key] = _column(name, spec, definition, units, problems)
    problems += _items_given_twice(rules.values())
    columns = _in_file_order(rules, names, problems)
    return columns, problems


def _in_file_order(rules: dict[str, Column], names: list[str], problems: list[str]):
    columns, seen = [], set()
    for index, name in enumerate(names):
        key, where = normalise(name), f"row 1, column {column_name(index)}"
        if not key:
            problems.append(f"{where}: the column has no name.")
        elif key in seen:
            problems.append(f"{where} ({name}): the column appears twice.")
        elif key not in rules:
            problems.append(f"{where} ({name}): the mapping file does not name this column; map "
                            f"it to a question, or to {IGNORE} (respondent IDs, timestamps).")
        else:
            columns.append(replace(rules[key], name=name))  # messages name it as the file does
        seen.add(key)
    problems += [f"mapping file, columns: {rule.name!r} is not a column of the file."
                 for key, rule in rules.items() if key not in seen]
    return columns


def _items_given_twice(columns) -> list[str]:
    givers: dict[str, list[str]] = {}
    for column in columns:
        for code in column.items:
            givers.setdefault(code, []).append(column.name)
    return [f"mapping file: {code} is given by more than one column ({', '.join(map(repr, n))})."
            for code, n in givers.items() if len(n) > 1]


def _column(name: str, spec, definition: Definition, units, problems: list[str]) -> Column:
    where = f"mapping file, columns[{name!r}]"
    if isinstance(spec, str):
        spec = {"item": spec}
    if spec.get("item") == IGNORE:
        return Column(name)
    codes = spec.get("items") or [spec["item"]]
    unknown = [code for code in codes if code not in definition.items]
    problems += [f"{where}: {code} is not a question of {definition.code}." for code in unknown]
    if unknown:
        return Column(name)
    items = [definition.items[code] for code in codes]
    if any(item["type"] == "text" for item in items):
        if len(codes) > 1 or "labels" in spec or "ranges" in spec:
            problems.append(f"{where}: a comment question takes the cell as written: give it "
                            "alone, without labels or ranges.")
        return item_column(name, definition, codes[0], units)
    return _answer_column(name, spec, {c: Vocabulary(definition, i, units)
                                       for c, i in zip(codes, items, strict=True)}, problems)


def _answer_column(name: str, spec: dict, vocabularies: dict[str, Vocabulary], problems):
    where = f"mapping file, columns[{name!r}]"
    several = "items" in spec
    if several and "labels" not in spec:
        problems.append(f"{where}: a column giving several items needs labels.")
    labels, shown = {}, {}
    for label, target in spec.get("labels", {}).items():
        key = normalise(label)
        if key in labels:
            problems.append(f"{where}.labels: {label!r} is listed twice (capitals and spacing "
                            "do not count).")
        labels[key] = _answers(f"{where}.labels[{label!r}]", target, vocabularies, problems)
        shown[key] = label
    ranges = tuple(_range(f"{where}.ranges[{n}]", span, vocabularies, problems)
                   for n, span in enumerate(spec.get("ranges", [])))
    problems += [f"{where}.ranges: {a.describe()} and {b.describe()} overlap."
                 for n, a in enumerate(ranges) for b in ranges[n + 1:] if a.overlaps(b)]
    return AnswerColumn(name, tuple(vocabularies), vocabularies, labels, ranges,
                        mapped=True, shown_labels=shown)


def _range(where: str, span: dict, vocabularies, problems) -> NumberRange:
    low = float(span["from"]) if "from" in span else None
    high = span.get("to", span.get("below"))
    high = float(high) if high is not None else None
    if low is not None and high is not None and high < low:
        problems.append(f"{where}: the range ends before it starts.")
    return NumberRange(low, high, "below" in span,
                       _answers(where + ".answer", span["answer"], vocabularies, problems))


def _answers(where: str, target, vocabularies: dict[str, Vocabulary], problems) -> Answers:
    """A label's or range's target -> the answers it stores, checked against the items."""
    if target == NO_ANSWER:
        return {}
    if len(vocabularies) > 1 and not isinstance(target, dict):
        problems.append(f"{where}: this column gives {', '.join(vocabularies)}; map the label "
                        f"to answers of each (item: answer), or to {NO_ANSWER}.")
        return {}
    if not isinstance(target, dict):
        target = {next(iter(vocabularies)): target}
    answers: Answers = {}
    for code, answer in target.items():
        vocabulary = vocabularies.get(code)
        if vocabulary is None:
            problems.append(f"{where}: {code} is not an item of this column "
                            f"({', '.join(vocabularies)}).")
        elif answer == NO_ANSWER:
            continue
        elif answer not in vocabulary.codes:
            problems.append(f"{where}: {answer!r} is not an answer to {code}; use one of "
                            f"{vocabulary.describe()} or {NO_ANSWER}.")
        else:
            answers[code] = vocabulary.codes[answer]
    return answers
