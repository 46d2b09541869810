"""The instrument schema, the default instrument and the demo unit tree.

Structure is checked against survey/instruments/schema.json; the content tests
pin the facts that must not drift: validated-scale wording, scoring keys and
the harmonised demographic categories.
"""

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "survey" / "instruments" / "schema.json"
DEFAULT_PATH = ROOT / "survey" / "instruments" / "default" / "workforce-wellbeing-fairness-v1.yaml"
UNITS_PATH = ROOT / "survey" / "demo" / "units.yaml"
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

WHO5 = [
    "I have felt cheerful and in good spirits",
    "I have felt calm and relaxed",
    "I have felt active and vigorous",
    "I woke up feeling fresh and rested",
    "My daily life has been filled with things that interest me",
]
ONS4 = [
    "Overall, how satisfied are you with your life nowadays?",
    "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
    "Overall, how happy did you feel yesterday?",
    "Overall, how anxious did you feel yesterday?",
]
CBI_WORK = [
    "Is your work emotionally exhausting?",
    "Do you feel burnt out because of your work?",
    "Does your work frustrate you?",
    "Do you feel worn out at the end of the working day?",
    "Are you exhausted in the morning at the thought of another day at work?",
    "Do you feel that every working hour is tiring for you?",
    "Do you have enough energy for family and friends during leisure time?",
]
WHITE = ["white_british", "irish", "gypsy_traveller", "roma", "white_other"]


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def default_instrument():
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


@pytest.fixture()
def instrument(default_instrument):
    """A private copy of the default instrument that a test may change."""
    return copy.deepcopy(default_instrument)


def items_by_code(instrument):
    return {item["code"]: item for section in instrument["sections"] for item in section["items"]}


def section_items(instrument, section_code):
    (section,) = [s for s in instrument["sections"] if s["code"] == section_code]
    return section["items"]


def error_messages(validator, document):
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_default_instrument_matches_schema(validator, default_instrument):
    assert error_messages(validator, default_instrument) == []


def test_who5_wording_scale_and_scoring(default_instrument):
    items = section_items(default_instrument, "mental_wellbeing")
    assert [item["text"] for item in items] == WHO5
    assert {item["scale"] for item in items} == {"who5"}
    scale = default_instrument["scales"]["who5"]
    assert {o["value"]: o["label"] for o in scale["options"]} == {
        0: "At no time",
        1: "Some of the time",
        2: "Less than half of the time",
        3: "More than half of the time",
        4: "Most of the time",
        5: "All of the time",
    }
    assert "not_counted" not in scale
    (who5,) = [m for m in default_instrument["measures"] if m["code"] == "who5"]
    assert (who5["rule"], who5["multiplier"], who5["min_answered"]) == ("sum", 4, 5)
    assert who5["cut_point"]["at_most"] == 50


def test_ons4_wording_and_scale(default_instrument):
    items = section_items(default_instrument, "personal_wellbeing")
    assert [item["text"] for item in items] == ONS4
    labels = [o["label"] for o in default_instrument["scales"]["ons11"]["options"]]
    assert labels == ["0 - Not at all", *map(str, range(1, 10)), "10 - Completely"]


def test_cbi_wording_and_only_item_7_reversed(default_instrument):
    items = section_items(default_instrument, "burnout")
    assert [item["text"] for item in items] == CBI_WORK
    assert [item["code"] for item in items if item.get("reverse")] == ["cbi_7"]
    assert [item["scale"] for item in items] == ["cbi_degree"] * 3 + ["cbi_frequency"] * 4
    (cbi,) = [m for m in default_instrument["measures"] if m["code"] == "cbi_work"]
    assert (cbi["rule"], cbi["min_answered"], cbi["higher_is_better"]) == ("mean", 4, False)


def test_ethnicity_has_19_census_categories_in_5_groups(default_instrument):
    ethnicity = items_by_code(default_instrument)["ethnicity"]
    codes = [option["code"] for option in ethnicity["options"]]
    assert len(codes) == len(set(codes)) == 19
    grouped = [code for group in ethnicity["option_groups"] for code in group["options"]]
    assert sorted(grouped) == sorted(codes) and len(ethnicity["option_groups"]) == 5

    (breakdown,) = [b for b in default_instrument["breakdowns"] if b["code"] == "ethnicity"]
    levels = {level["code"]: level for level in breakdown["levels"]}
    for level_code in ("ethnicity_5", "ethnic_minority"):
        members = [m for group in levels[level_code]["groups"].values() for m in group["members"]]
        assert sorted(members) == sorted(codes), level_code
    assert levels["ethnic_minority"]["groups"]["white"]["members"] == WHITE


def test_demographic_and_workforce_items_offer_prefer_not_to_say(default_instrument):
    for section_code in ("about_you", "about_your_role"):
        for item in section_items(default_instrument, section_code):
            assert item["type"] == "choice" and item["prefer_not_to_say"] is True, item["code"]


def test_every_breakdown_and_measure_names_existing_items(default_instrument):
    items = items_by_code(default_instrument)
    for breakdown in default_instrument["breakdowns"]:
        named = (
            [breakdown["item"]]
            if "item" in breakdown
            else [code for rule in breakdown["derive"] for code in rule["when"]]
        )
        assert all(items[code]["type"] == "choice" for code in named), breakdown["code"]
    for measure in default_instrument["measures"]:
        assert all(items[code]["type"] == "scale" for code in measure["items"]), measure["code"]


def test_no_bame_anywhere_in_the_default_instrument():
    assert "bame" not in DEFAULT_PATH.read_text(encoding="utf-8").lower()


def _set(path, value):
    def change(doc):
        *parents, last = path
        for key in parents:
            doc = doc[key]
        doc[last] = value

    return change


def _delete(path):
    def change(doc):
        *parents, last = path
        for key in parents:
            doc = doc[key]
        del doc[last]

    return change


SEX = ("sections", 8, "items", 0)  # About you: sex


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_set(("titel",), "typo"), id="unknown-top-level-key"),
        pytest.param(_set(("code",), "Workforce_Survey"), id="bad-instrument-code"),
        pytest.param(_set(("sections", 0, "items", 0, "code"), "WHO5-1"), id="bad-item-code"),
        pytest.param(_set(("sections", 0, "items", 0, "type"), "slider"), id="unknown-item-type"),
        pytest.param(_set(("sections", 0, "items", 0, "options"), []), id="options-on-scale-item"),
        pytest.param(_set(("scales", "who5", "options", 0, "value"), 4.5), id="non-integer-value"),
        pytest.param(
            _set(("scales", "agree5", "not_counted", "code"), "not_stated"),
            id="reserved-not-counted",
        ),
        pytest.param(_delete(("scales", "yesno", "neutral")), id="partial-partition"),
        pytest.param(_set((*SEX, "options", 0, "code"), "prefer_not"), id="reserved-option-code"),
        pytest.param(_set((*SEX, "options", 0, "code"), True), id="yaml-boolean-code"),
        pytest.param(_set((*SEX, "options_from"), "units"), id="options-and-options-from"),
        pytest.param(_delete((*SEX, "options")), id="neither-options-nor-options-from"),
        pytest.param(_set(("sections", 7, "items", 0, "max_length"), 5001), id="text-too-long"),
        pytest.param(_set(("measures", 0, "rule"), "median"), id="unknown-rule"),
        pytest.param(_set(("measures", 0, "cut_point", "at_least"), 50), id="two-cut-points"),
        pytest.param(
            _set(
                ("breakdowns", 0, "derive"),
                [{"group": "x", "label": "X", "when": {"sex": ["male"]}}],
            ),
            id="item-and-derive",
        ),
        pytest.param(_set(("intersections", 0), ["sex"]), id="one-way-intersection"),
    ],
)
def test_schema_rejects_structural_mistakes(validator, instrument, change):
    # The cases address items by position: make sure they still hit their targets.
    assert instrument["sections"][8]["items"][0]["code"] == "sex"
    assert instrument["sections"][7]["items"][0]["type"] == "text"
    assert error_messages(validator, instrument) == []
    change(instrument)
    assert error_messages(validator, instrument) != []


def test_demo_unit_tree_has_unique_valid_codes():
    tree = yaml.safe_load(UNITS_PATH.read_text(encoding="utf-8"))

    def walk(units):
        for unit in units:
            assert set(unit) <= {"code", "name", "children"} and unit["name"], unit
            yield unit["code"]
            yield from walk(unit.get("children", []))

    codes = list(walk(tree))
    assert len(codes) == len(set(codes)) and all(CODE.match(code) for code in codes)
    assert {"north_lpa", "south_lpa", "east_lpa", "corporate_services"} <= {u["code"] for u in tree}
