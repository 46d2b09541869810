"""Registering instrument versions and the organisation's unit tree."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import Definition, load_instrument_file, parse_instrument
from survey.models import Instrument, Unit, Wave
from survey.services import DomainError

DEFAULT_INSTRUMENT = (
    Path(__file__).parent.parent / "instruments/default/workforce-wellbeing-fairness-v1.yaml"
)


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
    """Replace the unit tree with the one in a YAML file (a nested list of code/name/children).

    Refused once any wave exists, because released responses name units by code.
    """
    tree = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    nodes = list(_walk(tree, parent=None, where="units"))
    codes = [code for code, _, _ in nodes]
    if duplicates := sorted({c for c in codes if codes.count(c) > 1}):
        raise DomainError(f"unit codes used more than once: {', '.join(duplicates)}")
    if db.session.scalar(select(Wave.id).limit(1)) and db.session.scalar(select(Unit.id).limit(1)):
        raise DomainError("The unit tree is in use by waves; add units rather than replace it.")
    db.session.query(Unit).delete()
    by_code: dict[str, Unit] = {}
    for code, name, parent in nodes:
        by_code[code] = Unit(code=code, name=name, parent=by_code.get(parent))
        db.session.add(by_code[code])
    db.session.flush()
    return len(nodes)


def _walk(nodes, parent: str | None, where: str):
    if not isinstance(nodes, list):
        raise DomainError(f"{where}: expected a list of units")
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or not {"code", "name"} <= node.keys():
            raise DomainError(f"{where}[{i}]: each unit needs a code and a name")
        yield str(node["code"]), str(node["name"]), parent
        yield from _walk(node.get("children", []), node["code"], f"{where}[{i}].children")


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
# process. `forget_cached` empties them (the test suite does, as it reuses row ids).

_definitions: dict[int, Definition] = {}
_units: dict[int, tuple[list[tuple[str, str]], dict[str, str]]] = {}


def wave_definition(wave: Wave) -> Definition:
    """The wave's instrument definition, read from the database once per process."""
    key = wave.instrument_id
    if key is None:
        return Definition(wave.instrument.definition)
    if key not in _definitions:
        data = db.session.scalar(select(Instrument.definition).where(Instrument.id == key))
        _definitions[key] = Definition(data)
    return _definitions[key]


def wave_unit_choices(wave: Wave) -> list[tuple[str, str]]:
    """unit_choices() as fixed for this wave, read once per process."""
    return _wave_units(wave)[0]


def wave_top_level_units(wave: Wave) -> dict[str, str]:
    """top_level_units() as fixed for this wave, read once per process."""
    return _wave_units(wave)[1]


def _wave_units(wave: Wave) -> tuple[list[tuple[str, str]], dict[str, str]]:
    if wave.id not in _units:
        _units[wave.id] = (unit_choices(), top_level_units())
    return _units[wave.id]


def forget_cached() -> None:
    _definitions.clear()
    _units.clear()
