"""Malformed instrument files are rejected whole, naming the file, the item and the problem."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select

from survey.extensions import db
from survey.instruments import (
    NOT_APPLICABLE,
    Definition,
    InstrumentError,
    load_instrument_file,
    parse_instrument,
)
from survey.instruments.scoring import group_response, score_response
from survey.models import Instrument
from survey.services.instruments import DEFAULT_INSTRUMENT


@pytest.fixture
def default_data() -> dict:
    return yaml.safe_load(DEFAULT_INSTRUMENT.read_text())


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InstrumentError) as error:
        parse_instrument(yaml.safe_dump(data), source="broken.yaml")
    assert str(error.value).startswith("broken.yaml: ")
    return error.value.problems


def test_the_default_instrument_loads(default_data):
    assert parse_instrument(yaml.safe_dump(default_data), "x.yaml")["code"] == default_data["code"]


def test_an_unknown_scale_names_the_item(default_data):
    default_data["sections"][0]["items"][1]["scale"] = "nope"
    assert problems_of(default_data) == [
        "sections[0].items[1] (who5_2): scale 'nope' is not defined"
    ]


def test_a_duplicate_item_code_is_named(default_data):
    default_data["sections"][1]["items"][0]["code"] = "who5_1"
    assert any("who5_1" in p and "twice" in p for p in problems_of(default_data))


def test_a_structural_error_names_its_path(default_data):
    default_data["sections"][2]["items"][3]["type"] = "slider"
    assert any(p.startswith("sections[2].items[3]") for p in problems_of(default_data))


def test_a_measure_over_a_text_item_is_refused(default_data):
    default_data["measures"][0]["items"].append("comment_wellbeing")
    assert any(
        "comment_wellbeing" in p and "not a scale item" in p for p in problems_of(default_data)
    )


def test_a_hierarchy_must_place_every_option(default_data):
    ethnicity = next(b for b in default_data["breakdowns"] if b["code"] == "ethnicity")
    first_group = next(iter(ethnicity["levels"][1]["groups"].values()))
    first_group["members"].pop()
    assert any("ethnicity" in p and "exactly one group" in p for p in problems_of(default_data))


def test_an_unknown_label_placeholder_is_refused(default_data):
    default_data["sections"][4]["items"][1]["text"] = "My {meeting_name} happens"
    assert any("meeting_name" in p for p in problems_of(default_data))


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "oops.yaml"
    path.write_text("code: [unclosed")
    with pytest.raises(InstrumentError, match=r"^oops\.yaml: not valid YAML"):
        load_instrument_file(path)


def test_a_rejected_file_loads_nothing(app, tmp_path, default_data):
    default_data["measures"][0]["items"] = ["ghost"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(default_data))
    result = app.test_cli_runner().invoke(args=["instruments", "load", str(path)])
    assert result.exit_code != 0
    assert "bad.yaml" in result.output and "ghost" in result.output
    assert db.session.scalar(select(func.count()).select_from(Instrument)) == 0


def test_a_version_is_never_replaced(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["instruments", "load", str(DEFAULT_INSTRUMENT)]).exit_code == 0
    again = runner.invoke(args=["instruments", "load", str(DEFAULT_INSTRUMENT)])
    assert again.exit_code != 0 and "new version number" in again.output


def _default_text() -> str:
    return DEFAULT_INSTRUMENT.read_text(encoding="utf-8")


def test_indices_need_at_least_half_their_items() -> None:
    data = yaml.safe_load(_default_text())
    indices = {m["code"]: m for m in data["measures"]}
    for measure in indices.values():
        assert 2 * measure["min_answered"] >= len(measure["items"]), measure["code"]
    assert indices["pdr_quality"]["min_answered"] == 5  # of 9
    indices["pdr_quality"]["min_answered"] = 4
    with pytest.raises(InstrumentError, match="at least half of the 9 items"):
        parse_instrument(yaml.safe_dump(data), "changed.yaml")


def test_an_index_is_not_scored_from_fewer_than_half_its_items() -> None:
    definition = Definition(parse_instrument(_default_text(), "default.yaml"))
    items = definition.measures["promotion_fairness"]["items"]  # 8 items, 4 needed
    three = dict.fromkeys(items[:3], 4)
    assert "promotion_fairness" not in score_response(definition, three)
    four = dict.fromkeys(items[:4], 4)
    assert score_response(definition, four)["promotion_fairness"] == 100.0


def test_rank_does_not_apply_to_police_staff() -> None:
    definition = Definition(parse_instrument(_default_text(), "default.yaml"))
    staff = group_response(definition, ["rank", "staff_grade"],
                           {"worker_type": "police_staff", "staff_grade": "band_d_to_f"})
    assert staff == {"rank": NOT_APPLICABLE, "staff_grade": "band_d_to_f"}
    officer = group_response(definition, ["rank"], {"worker_type": "police_officer"})
    assert officer == {"rank": "not_stated"}


def test_not_applicable_conditions_must_name_real_answers() -> None:
    data = yaml.safe_load(_default_text())
    rank = next(b for b in data["breakdowns"] if b["code"] == "rank")
    rank["not_applicable_when"] = {"worker_type": ["civilian"]}
    with pytest.raises(InstrumentError, match="not_applicable_when: worker_type has no options"):
        parse_instrument(yaml.safe_dump(data), "changed.yaml")
