"""Malformed instrument files are rejected whole, naming the file, the item and the problem."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select

from survey.extensions import db
from survey.instruments import InstrumentError, load_instrument_file, parse_instrument
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
