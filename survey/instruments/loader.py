"""Load an instrument file: structure by JSON Schema, then meaning; all or nothing.

Every problem is collected and reported together, each naming the file, the place in it
(path and code) and what is wrong, so an author can fix a file in one pass.

Uploaded YAML (instruments here, unit trees in services/instruments.py) is read by
`read_yaml`: a size cap, no anchors or aliases (a few hundred bytes of aliases expand to
gigabytes: the "billion laughs"), a nesting-depth cap (deep brackets would exhaust
Python's recursion), no NUL characters and no infinite or NaN numbers (neither can be
stored). Each refusal is a YamlRefused naming the line.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from survey.instruments.definition import PLACEHOLDER

MAX_INSTRUMENT_BYTES = 1024 * 1024  # the default instrument is 25 KB
MAX_YAML_DEPTH = 40  # lists and mappings: the default instrument nests 8, units 2 a level
MAX_VERSION = 2**31 - 1  # the database column's range
MAX_TITLE = 200  # Instrument.title

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed
_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class YamlRefused(ValueError):
    """YAML that is refused before it is built: too big, aliased, too deep, or unstorable."""


class _StrictLoader(_SafeLoader):
    """The safe loader, refusing numbers that no JSON column can store."""

    def construct_finite_float(self, node):
        value = self.construct_yaml_float(node)
        if not math.isfinite(value):
            where = f"line {node.start_mark.line + 1}"
            raise YamlRefused(f"{where}: infinite or NaN numbers are not allowed")
        return value


_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_finite_float)


def read_yaml(text: str, max_bytes: int):
    """Parse untrusted YAML safely, or raise YamlRefused (or yaml.YAMLError if malformed).

    The event stream is checked first (in linear time, building nothing), so an alias
    bomb or a deep nest is refused before any structure is built from it.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise YamlRefused(
            f"the file is {size:,} bytes; the most accepted is {max_bytes:,} bytes"
        )
    depth = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        line = f"line {event.start_mark.line + 1}" if event.start_mark else "the file"
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused(f"{line}: aliases (*{event.anchor}) are not allowed")
        if getattr(event, "anchor", None) is not None:
            raise YamlRefused(f"{line}: anchors (&{event.anchor}) are not allowed")
        if isinstance(event, _OPENS):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise YamlRefused(
                    f"{line}: lists and mappings are nested more than {MAX_YAML_DEPTH} deep"
                )
        elif isinstance(event, _CLOSES):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and "\x00" in event.value:
            raise YamlRefused(f"{line}: the NUL character is not allowed")
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506  (a safe loader)


class InstrumentError(ValueError):
    """A file that is not a valid instrument; `problems` lists every reason."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@cache
def _schema() -> dict:
    return json.loads(resources.files("survey.instruments").joinpath("schema.json").read_text())


def load_instrument_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError(path.name, [f"cannot read the file ({exc})"]) from exc
    return parse_instrument(text, source=path.name)


def parse_instrument(text: str, source: str) -> dict:
    """Parse and validate instrument YAML (JSON is valid YAML); return the definition dict."""
    try:
        data = read_yaml(text, MAX_INSTRUMENT_BYTES)
    except YamlRefused as exc:
        raise InstrumentError(source, [f"The file {source} was refused: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise InstrumentError(source, [f"not valid YAML ({exc})"]) from exc
    validator = jsonschema.Draft202012Validator(_schema())
    problems = [_describe(error) for error in sorted(validator.iter_errors(data), key=str)]
    if not problems:
        problems = _check_storable(data) + _check_meaning(data)
    if problems:
        raise InstrumentError(source, problems)
    return data


def _describe(error: jsonschema.ValidationError) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{where.lstrip('.') or 'top level'}: {error.message}"


def _check_storable(data: dict) -> list[str]:
    """What the schema allows but the instrument table cannot hold."""
    problems = []
    if data["version"] > MAX_VERSION:
        problems.append(f"version: must be at most {MAX_VERSION}")
    if len(data["title"]) > MAX_TITLE:
        problems.append(f"title: must be at most {MAX_TITLE} characters")
    return problems


def _check_meaning(data: dict) -> list[str]:
    problems: list[str] = []
    items = _check_items(data, problems)
    _check_scales(data, problems)
    _check_measures(data, items, problems)
    levels = _check_breakdowns(data, items, problems)
    for pair in data.get("intersections", []):
        for code in pair:
            if code not in levels:
                problems.append(f"intersections {pair}: {code!r} is not a breakdown or level")
    return problems


def _check_items(data: dict, problems: list[str]) -> dict[str, dict]:
    items: dict[str, dict] = {}
    labels = data.get("labels", {})
    for s, section in enumerate(data["sections"]):
        for i, item in enumerate(section["items"]):
            where = f"sections[{s}].items[{i}] ({item['code']})"
            if item["code"] in items:
                problems.append(f"{where}: item code is used twice")
            items[item["code"]] = item
            if item["type"] == "scale" and item.get("scale") not in data["scales"]:
                problems.append(f"{where}: scale {item.get('scale')!r} is not defined")
            texts = [item["text"], item.get("hint", "")]
            if i == 0:
                texts += [section["title"], section.get("intro", "")]
            for name in {n for text in texts for n in PLACEHOLDER.findall(text)} - labels.keys():
                problems.append(f"{where}: uses {{{name}}} but labels has no {name}")
            problems.extend(f"{where}: {p}" for p in _option_problems(item))
    return items


def _option_problems(item: dict) -> list[str]:
    codes = [o["code"] for o in item.get("options", [])]
    problems = [f"option {c!r} is listed twice" for c in sorted(set(codes)) if codes.count(c) > 1]
    grouped = [c for group in item.get("option_groups", []) for c in group["options"]]
    problems += [f"option_groups name unknown option {c!r}" for c in grouped if c not in codes]
    problems += [
        f"option {c!r} is in two option_groups" for c in set(grouped) if grouped.count(c) > 1
    ]
    if grouped and set(codes) - set(grouped):
        problems.append(f"options {sorted(set(codes) - set(grouped))} are in no option_group")
    return problems


def _check_scales(data: dict, problems: list[str]) -> None:
    for code, scale in data["scales"].items():
        values = [o["value"] for o in scale["options"]]
        if len(set(values)) != len(values):
            problems.append(f"scales.{code}: option values must be unique")
        parts = [scale.get(k) for k in ("favourable", "neutral", "unfavourable")]
        if any(p is not None for p in parts):
            listed = [v for p in parts for v in (p or [])]
            if sorted(listed) != sorted(values):
                problems.append(
                    f"scales.{code}: favourable, neutral and unfavourable must list each "
                    f"option value exactly once"
                )


def _check_measures(data: dict, items: dict[str, dict], problems: list[str]) -> None:
    seen: set[str] = set()
    for m, measure in enumerate(data.get("measures", [])):
        where = f"measures[{m}] ({measure['code']})"
        if measure["code"] in seen or measure["code"] in items:
            problems.append(f"{where}: code clashes with another measure or item")
        seen.add(measure["code"])
        for code in measure["items"]:
            item = items.get(code)
            if item is None or item["type"] != "scale":
                problems.append(f"{where}: {code!r} is not a scale item")
            elif (
                measure["rule"] == "favourable_share"
                and "favourable" not in data["scales"][item["scale"]]
            ):
                problems.append(f"{where}: item {code!r} has a scale with no favourable answers")
        if measure["min_answered"] > len(measure["items"]):
            problems.append(f"{where}: min_answered exceeds the number of items")
        elif 2 * measure["min_answered"] < len(measure["items"]):
            problems.append(f"{where}: min_answered must be at least half of the "
                            f"{len(measure['items'])} items")


def _check_breakdowns(data: dict, items: dict[str, dict], problems: list[str]) -> set[str]:
    levels: set[str] = set()
    for b, breakdown in enumerate(data.get("breakdowns", [])):
        where = f"breakdowns[{b}] ({breakdown['code']})"
        levels.add(breakdown["code"])
        levels.update(level["code"] for level in breakdown.get("levels", []))
        for code, allowed in breakdown.get("not_applicable_when", {}).items():
            problems.extend(f"{where}: not_applicable_when: {p}"
                            for p in _condition_problems(code, allowed, items))
        if "derive" in breakdown:
            problems.extend(f"{where}: {p}" for p in _derive_problems(breakdown, items))
            continue
        item = items.get(breakdown["item"])
        if item is None or item["type"] != "choice":
            problems.append(f"{where}: item {breakdown['item']!r} is not a choice item")
            continue
        options = {o["code"] for o in item.get("options", [])}
        for level in breakdown.get("levels", [])[1:]:
            members = [c for group in level.get("groups", {}).values() for c in group["members"]]
            if "options_from" not in item and sorted(members) != sorted(options):
                problems.append(
                    f"{where}: level {level['code']} must place every option of "
                    f"{item['code']} in exactly one group"
                )
    return levels


def _derive_problems(breakdown: dict, items: dict[str, dict]) -> list[str]:
    problems = []
    for rule in breakdown["derive"]:
        for code, allowed in rule["when"].items():
            problems.extend(f"rule {rule['group']}: {p}"
                            for p in _condition_problems(code, allowed, items))
    return problems


def _condition_problems(code: str, allowed: list[str], items: dict[str, dict]) -> list[str]:
    item = items.get(code)
    if item is None or item["type"] != "choice" or "options" not in item:
        return [f"{code!r} is not a choice item"]
    unknown = set(allowed) - {o["code"] for o in item["options"]}
    return [f"{code} has no options {sorted(unknown)}"] if unknown else []
