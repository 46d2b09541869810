"""`waves import` and `headcounts load`: the web uploads' work from the command line,
audited with the actor "command line", refusing bad files whole with every problem listed."""

from __future__ import annotations

from sqlalchemy import select

from survey.cli import CLI_ACTOR
from survey.extensions import db
from survey.models import AuditEvent, Headcount, Wave, WaveState
from survey.services.audit import HEADCOUNTS_LOADED, WAVE_IMPORTED
from tests.admin.force_file import MAPPING, force_csv
from tests.admin.test_csrf import snapshot
from tests.admin.test_import_mapping import group_sizes, with_cells


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def files(tmp_path, data: bytes, mapping: str = MAPPING):
    (tmp_path / "past.csv").write_bytes(data)
    (tmp_path / "map.yaml").write_text(mapping)
    return tmp_path / "past.csv", tmp_path / "map.yaml"


def test_waves_import_reads_through_a_mapping_and_is_audited(app, make_wave, tmp_path):
    make_wave(state="draft", code="2023-autumn")
    data, expected, _ = force_csv(90)
    csv_path, map_path = files(tmp_path, data)
    result = run(app, "waves", "import", "2023-autumn", csv_path, "--mapping", map_path)
    assert result.exit_code == 0, result.output
    assert result.output == "Imported 90 responses into 2023-autumn, which is now closed.\n"
    db.session.expire_all()
    wave = db.session.scalar(select(Wave).filter_by(code="2023-autumn"))
    assert wave.state == WaveState.CLOSED
    assert group_sizes(wave, "rank") == dict(expected["rank"])
    event = db.session.scalar(select(AuditEvent).filter_by(action=WAVE_IMPORTED))
    assert event.actor_email == CLI_ACTOR == "command line"
    assert event.detail == {"wave": "2023-autumn", "responses": 90, "mapping": True}


def test_waves_import_without_a_mapping_takes_question_codes(app, make_wave, tmp_path):
    make_wave(state="draft", code="2022-spring")
    path = tmp_path / "past.csv"
    path.write_text("sex,rank\nfemale,Sergeant\nMale,constable\n\n")
    result = run(app, "waves", "import", "2022-spring", path)
    assert result.exit_code == 0, result.output
    assert "Imported 2 responses" in result.output and "1 empty rows were skipped" in result.output
    assert db.session.scalar(select(AuditEvent.detail).filter_by(action=WAVE_IMPORTED)) == {
        "wave": "2022-spring", "responses": 2, "mapping": False}


def test_a_refused_import_exits_non_zero_lists_every_problem_and_stores_nothing(
    app, make_wave, tmp_path
):
    make_wave(state="draft", code="2023-autumn")
    before = snapshot()
    data = with_cells({(3, "Rank"): "Chief Constable", (25, "Gender"): "X"}, count=40)
    csv_path, map_path = files(tmp_path, data)
    result = run(app, "waves", "import", "2023-autumn", csv_path, "--mapping", map_path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Error: The file was refused and nothing was stored. Fix these problems:"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  row 5, column M (Rank)", "  row 27, column I (Gender)"]
    assert snapshot() == before
    assert db.session.scalar(select(AuditEvent).filter_by(action=WAVE_IMPORTED)) is None


def test_a_bad_mapping_or_wave_is_refused_from_the_command_line(app, make_wave, tmp_path):
    make_wave(state="draft", code="past")
    make_wave(state="open", code="live")
    csv_path, map_path = files(tmp_path, force_csv(20)[0], mapping="format: 1\ncolumns: [x]\n")
    result = run(app, "waves", "import", "past", csv_path, "--mapping", map_path)
    assert result.exit_code == 1
    assert "  mapping file, columns: ['x'] is not of type 'object'" in result.output
    result = run(app, "waves", "import", "live", csv_path)
    assert result.exit_code == 1 and "only a draft wave" in result.output
    result = run(app, "waves", "import", "nowhere", csv_path)
    assert result.exit_code == 1 and "There is no wave 'nowhere'" in result.output


def test_a_file_above_the_upload_limit_is_not_read(app, make_wave, tmp_path, monkeypatch):
    make_wave(state="draft", code="2023-autumn")
    csv_path, _ = files(tmp_path, force_csv(20)[0])
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024 * 1024)
    csv_path.write_bytes(b"sex\n" + b"female\n" * 200_000)
    result = run(app, "waves", "import", "2023-autumn", csv_path)
    assert result.exit_code == 1 and "is larger than 1 MB (UPLOAD_MAX_BYTES)" in result.output


def headcount_rows(wave_code: str):
    return sorted(db.session.execute(
        select(Headcount.unit, Headcount.breakdown, Headcount.group_code, Headcount.count)
        .join(Wave).where(Wave.code == wave_code)
    ).all())


def test_headcounts_load_replaces_a_wave_headcounts_and_is_audited(app, make_wave, tmp_path):
    make_wave(state="open", code="2026-spring")
    path = tmp_path / "heads.csv"
    path.write_text("unit,breakdown,group,headcount\n,,,2000\nnorth_lpa,,,600\n"
                    ",rank,not_stated,40\n")
    result = run(app, "headcounts", "load", "2026-spring", path)
    assert result.exit_code == 0, result.output
    assert "Loaded 3 headcounts for 2026-spring" in result.output
    assert headcount_rows("2026-spring") == [
        ("", "", "", 2000), ("", "rank", "not_stated", 40), ("north_lpa", "", "", 600)]
    event = db.session.scalar(select(AuditEvent).filter_by(action=HEADCOUNTS_LOADED))
    assert event.actor_email == "command line"
    assert event.detail == {"wave": "2026-spring", "rows": 3}


def test_a_bad_headcount_file_changes_nothing_and_lists_its_problems(app, make_wave, tmp_path):
    make_wave(state="open", code="2026-spring")
    good = tmp_path / "good.csv"
    good.write_text("unit,headcount\nnorth_lpa,600\n")
    assert run(app, "headcounts", "load", "2026-spring", good).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,headcount\nnorth_lpa,700\nnowhere,3\nsouth_lpa,many\n")
    result = run(app, "headcounts", "load", "2026-spring", bad)
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "  row 3, column A (unit): there is no unit 'nowhere'.",
        "  row 4, column B (headcount): 'many' is not a whole number of people.",
    ]
    assert headcount_rows("2026-spring") == [("north_lpa", "", "", 600)]
    assert len(db.session.scalars(
        select(AuditEvent).filter_by(action=HEADCOUNTS_LOADED)).all()) == 1
