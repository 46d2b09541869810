"""Registering instrument versions and the organisation's unit tree."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import Definition, load_instrument_file, parse_instrument
from survey.instruments.loader import YamlRefused, read_yaml
from survey.models import Instrument, Unit, Wave
from survey.services import DomainError

DEFAULT_INSTRUMENT = (
    Path(__file__).parent.parent / "instruments/default/workforce-wellbeing-fairness-v1.yaml"
)
MAX_UNIT_FILE_BYTES = 2 * 1024 * 1024  # 8,000 units take about 300 KB
MAX_UNIT_CODE = 40  # Unit.code
MAX_UNIT_NAME = 200  # Unit.name


def register_instrument(definition: dict) -> Instrument:
    """Store a validated definition as a new version; an existing version is never replaced."""
    exists = db.session.scalar(
        select(Instrument.id).filter_by(code=definition["code"], version=definition["version"])
    )
    if exists:
        raise DomainError(
            f"{definition['code']} version {definition['version']} is already loaded; "
            "give the changed file a new version number."
        )
    instrument = Instrument(
        code=definition["code"],
        version=definition["version"],
        title=definition["title"],
        definition=definition,
    )
    db.session.add(instrument)
    db.session.flush()
    return instrument


def register_instrument_file(path: str | Path) -> Instrument:
    return register_instrument(load_instrument_file(path))


def register_instrument_text(text: str, source: str) -> Instrument:
    return register_instrument(parse_instrument(text, source))


def load_units(path: str | Path) -> int:
    """Replace the unit tree with the one in a YAML file (see load_units_text)."""
    path = Path(path)
    return load_units_text(path.read_text(encoding="utf-8"), path.name)


def load_units_text(text: str, source: str) -> int:
    """Replace the unit tree with one given as YAML (a nested list of code/name/children).

    Refused whole, with a message naming `source`, if the YAML is unsafe or malformed
    (read_yaml), a unit lacks a code or name, a code is used twice, or any wave exists
    (released responses name units by code).
    """
    try:
        tree = read_yaml(text, MAX_UNIT_FILE_BYTES)
    except YamlRefused as error:
        raise DomainError(f"The file {source} was refused: {error}") from error
    except yaml.YAMLError as error:
        raise DomainError(f"{source}: not valid YAML ({error})") from error
    try:
        nodes = list(_walk(tree, parent=None, where="units"))
    except DomainError as error:
        raise DomainError(f"{source}: {error}") from error
    if duplicates := duplicated([code for code, _, _ in nodes]):
        more = f" and {len(duplicates) - 20} more" if len(duplicates) > 20 else ""
        raise DomainError(
            f"{source}: unit codes used more than once: {', '.join(duplicates[:20])}{more}"
        )
    if db.session.scalar(select(Wave.id).limit(1)) and db.session.scalar(select(Unit.id).limit(1)):
        raise DomainError("The unit tree is in use by waves; add units rather than replace it.")
    db.session.query(Unit).delete()
    by_code: dict[str, Unit] = {}
    for code, name, parent in nodes:
        by_code[code] = Unit(code=code, name=name, parent=by_code.get(parent))
        db.session.add(by_code[code])
    db.session.flush()
    return len(nodes)


def duplicated(codes: list[str]) -> list[str]:
    """The codes listed more than once, sorted; in linear time (list.count per code took
    9.7 s for 8,000 units)."""
    return sorted(code for code, count in Counter(codes).items() if count > 1)


def _walk(nodes, parent: str | None, where: str):
    """(code, name, parent code) for every unit, depth first; nesting is capped by read_yaml."""
    if not isinstance(nodes, list):
        raise DomainError(f"{where}: expected a list of units")
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or not {"code", "name"} <= node.keys():
            raise DomainError(f"{where}[{i}]: each unit needs a code and a name")
        code, name = _text(node["code"]), _text(node["name"])
        if not 0 < len(code) <= MAX_UNIT_CODE or not 0 < len(name) <= MAX_UNIT_NAME:
            raise DomainError(
                f"{where}[{i}]: a unit's code needs 1 to {MAX_UNIT_CODE} characters and its "
                f"name 1 to {MAX_UNIT_NAME}"
            )
        yield code, name, parent
        yield from _walk(node.get("children") or [], code, f"{where}[{i}].children")


def _text(value) -> str:
    """A code or name as text: YAML may read `101` or `2020-01-01` as a number or date."""
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def unit_choices() -> list[tuple[str, str]]:
    """Units as answer options, each labelled with its path (e.g. 'North LPA: Response')."""
    units = db.session.scalars(select(Unit)).all()
    return sorted(((unit.code, _path(unit)) for unit in units), key=lambda choice: choice[1])


def top_level_units() -> dict[str, str]:
    """Map every unit code to the code of its top-level ancestor."""
    units = db.session.scalars(select(Unit)).all()
    return {unit.code: _root(unit).code for unit in units}


def top_level_names() -> dict[str, str]:
    """Top-level units (code -> name), the only unit detail kept beside comments."""
    units = db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name))
    return {unit.code: unit.name for unit in units}


def _root(unit: Unit) -> Unit:
    while unit.parent is not None:
        unit = unit.parent
    return unit


def _path(unit: Unit) -> str:
    names = []
    node: Unit | None = unit
    while node is not None:
        names.append(node.name)
        node = node.parent
    return ": ".join(reversed(names))


def unit_paths() -> dict[str, list[str]]:
    """Every unit code -> the codes from its top-level ancestor down to itself."""
    units = db.session.scalars(select(Unit)).all()
    return {unit.code: _codes_down_to(unit) for unit in units}


def _codes_down_to(unit: Unit) -> list[str]:
    path = [unit.code]
    while unit.parent is not None:
        unit = unit.parent
        path.insert(0, unit.code)
    return path


# --- per-process caches for the live path ------------------------------------------------
# An instrument version is never changed once stored, and the unit tree cannot be replaced
# once any wave exists, so a wave's definition and units can be kept for the life of the
# process. Whether a wave is open is kept for OPEN_WAVE_SECONDS only. `forget_cached`
# empties them all (the test suite does, as it reuses row ids).

_definitions: dict[int, Definition] = {}
_units: dict[int, tuple[list[tuple[str, str]], dict[str, str]]] = {}
_open: dict[int, tuple[float, OpenWave | None]] = {}


@dataclass(frozen=True)
class OpenWave:
    """What a respondent's section and review pages need of an open wave."""

    id: int
    instrument_id: int


def cached_open_wave(wave_id: int) -> OpenWave | None:
    """The wave if it is open, else None, as seen at most OPEN_WAVE_SECONDS ago.

    Section pages store nothing, so between two looks at the database they need none: a
    wave closed a moment ago may show its next page, and its submission is then refused,
    since submit_response locks the wave row and checks it is open."""
    now = time.monotonic()
    seen = _open.get(wave_id)
    if seen is not None and seen[0] > now:
        return seen[1]
    wave = db.session.get(Wave, wave_id)
    found = OpenWave(wave.id, wave.instrument_id) if wave is not None and wave.is_open else None
    _open[wave_id] = (now + current_app.config["OPEN_WAVE_SECONDS"], found)
    return found


def wave_definition(wave: Wave | OpenWave) -> Definition:
    """The wave's instrument definition, read from the database once per process."""
    key = wave.instrument_id
    if key is None:
        return Definition(wave.instrument.definition)
    if key not in _definitions:
        data = db.session.scalar(select(Instrument.definition).where(Instrument.id == key))
        _definitions[key] = Definition(data)
    return _definitions[key]


def wave_unit_choices(wave: Wave | OpenWave) -> list[tuple[str, str]]:
    """unit_choices() as fixed for this wave, read once per process."""
    return _wave_units(wave)[0]


def wave_top_level_units(wave: Wave) -> dict[str, str]:
    """top_level_units() as fixed for this wave, read once per process."""
    return _wave_units(wave)[1]


def _wave_units(wave: Wave | OpenWave) -> tuple[list[tuple[str, str]], dict[str, str]]:
    if wave.id not in _units:
        _units[wave.id] = (unit_choices(), top_level_units())
    return _units[wave.id]


def forget_cached() -> None:
    _definitions.clear()
    _units.clear()
    _open.clear()
