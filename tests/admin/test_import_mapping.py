"""Importing a force's own past-wave file through a mapping: its columns and labels become
the questionnaire's answers, and the closed wave's tally counts the groups expected."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import AuditEvent, Response, WaveState
from survey.reporting.stats import read_tally
from survey.services.audit import WAVE_IMPORTED
from survey.services.csv_files import CsvRejected
from survey.services.import_columns import unreachable_groups
from survey.services.import_mapping import (
    MAPPING_MAX_BYTES,
    MappingRejected,
    load_mapping,
    mapped_columns,
)
from survey.services.imports import import_past_wave, parse_past_responses
from survey.services.instruments import unit_choices
from survey.services.tally import ALL, RESPONDENTS, SCORE
from tests.admin.force_file import HEADER, MAPPING, ROWS, force_csv, respondent
from tests.admin.test_csrf import snapshot


def group_sizes(wave, breakdown: str) -> dict[str, int]:
    tally = read_tally(wave, [breakdown], [RESPONDENTS])[breakdown]
    return {group: round(stats[RESPONDENTS][SCORE][0]) for group, stats in tally.items()}


def test_a_force_file_imports_into_exactly_the_groups_expected(make_wave):
    wave = make_wave(state="draft", code="2023-autumn")
    data, expected, who5_total = force_csv()
    result = import_past_wave(wave, data, MAPPING.encode())
    db.session.commit()
    assert result.responses == ROWS and wave.state == WaveState.CLOSED
    for breakdown, counts in expected.items():
        assert group_sizes(wave, breakdown) == dict(counts), breakdown
    # Police staff answered rank "N/A" or "Not applicable": none of them is "not stated".
    assert group_sizes(wave, "rank")["not_applicable"] == ROWS // 3
    assert "not_stated" not in group_sizes(wave, "rank")
    overall = read_tally(wave, [ALL], ["who5", "lm_notices_struggling"])[ALL][ALL]
    assert overall["who5"][SCORE][:2] == [ROWS, pytest.approx(who5_total)]
    # "N/A" to the line-manager item is the scale's don't-know, not counted.
    assert overall["lm_notices_struggling"]["dk"][0] == ROWS // 5
    assert overall["lm_notices_struggling"]["5"][0] == ROWS // 5


def test_a_one_column_disability_answer_gives_both_questions(instrument):
    parsed = parse_past_responses(*force_file_args(instrument, 9))
    disability = [
        {k: v for k, v in answers.items() if k.startswith("disability")}
        for answers, _ in parsed.rows
    ]
    assert disability[:8] == [
        {"disability_condition": "yes", "disability_impact": "a_lot"},
        {"disability_condition": "yes", "disability_impact": "a_little"},
        {"disability_condition": "no"}, {"disability_condition": "no"},
        {"disability_condition": "no"},
        {"disability_condition": "yes", "disability_impact": "not_at_all"},
        {"disability_condition": "prefer_not"}, {},
    ]
    assert parsed.rows[0][1] == {"comment_wellbeing": "More staff on nights"}
    assert "Resp ID" not in str(parsed.rows) and "R1000" not in str(parsed.rows)


def force_file_args(instrument, count: int, mapping: str = MAPPING):
    return (force_csv(count)[0], Definition(instrument.definition), unit_choices(),
            load_mapping(mapping.encode()))


def with_cells(changes: dict[tuple[int, str], str], count: int = 30) -> bytes:
    """The force file with some cells changed: (respondent number, column name) -> cell."""
    lines = [",".join(HEADER)]
    for n in range(count):
        cells = respondent(n)[0]
        for (row, column), value in changes.items():
            if row == n:
                cells[HEADER.index(column)] = value
        lines.append(",".join(f'"{cell}"' for cell in cells))
    return ("\n".join(lines) + "\n").encode()


def test_every_bad_cell_is_listed_by_row_and_column_and_unknown_labels_name_the_options(
    instrument,
):
    data = with_cells({
        (1, "Rank"): "Chief Constable",
        (2, "Age"): "14",
        (4, "Disability"): "Yes",
        (7, "Rank"): "chief  constable",
        (8, "Gender"): "X",
        (20, "Years service"): "lots",
    })
    args = force_file_args(instrument, 0)
    with pytest.raises(CsvRejected) as refused:
        parse_past_responses(data, *args[1:])
    problems = refused.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "row 3, column M (Rank)", "row 4, column K (Age)", "row 6, column N (Disability)",
        "row 9, column M (Rank)", "row 10, column I (Gender)",
        "row 22, column O (Years service)",
    ]
    rank = problems[0]
    assert "'Chief Constable' is not an answer to rank, and the mapping file does not list it" \
        in rank
    for option in ("constable (Constable)", "chief_officer (Chief officer (ACC and above))",
                   "prefer_not (Prefer not to say)", "not_applicable (Not applicable)",
                   "no_answer"):
        assert option in rank
    assert "'14' is not an answer to age_band" in problems[1]
    assert "16 to 25, 26 to 40, 41 to 55, 56 to" in problems[1]
    assert "'Yes' is not one of this column's labels" in problems[2]
    assert "disability_condition: one of yes, no, prefer_not, no_answer" in problems[2]
    assert "disability_impact: one of a_lot, a_little, not_at_all, prefer_not" in problems[2]
    assert problems[3].endswith("'chief  constable' is not an answer here either (see row 3).")


def test_problems_past_200_are_counted_not_dropped(instrument):
    data = with_cells({(n, "Gender"): "X" for n in range(250)}, count=250)
    with pytest.raises(CsvRejected) as refused:
        parse_past_responses(data, *force_file_args(instrument, 0)[1:])
    problems = refused.value.problems
    assert len(problems) == 201
    assert problems[199].startswith("row 201, column I (Gender)")
    assert problems[200] == "... and 50 more problems."


MINIMAL = "format: 1\ncolumns:\n"


@pytest.mark.parametrize(("columns", "header", "problem"), [
    ("  Gender: gender\n", "Gender", "mapping file, columns['Gender']: gender is not a question"),
    ("  Gender: {item: sex, labels: {F: woman}}\n", "Gender",
     "mapping file, columns['Gender'].labels['F']: 'woman' is not an answer to sex; use one of "
     "female (Female), male (Male), prefer_not (Prefer not to say) or no_answer."),
    ("  Gender: {item: sex, labels: {N/A: not_applicable}}\n", "Gender",
     "'not_applicable' is not an answer to sex"),
    ("  Gender: sex\n  Sex: sex\n", "Gender,Sex",
     "mapping file: sex is given by more than one column ('Gender', 'Sex')."),
    ("  Age: {item: age_band, ranges: [{from: 16, to: 30, answer: under_26},"
     " {from: 26, to: 40, answer: age_26_to_40}]}\n", "Age",
     "mapping file, columns['Age'].ranges: 16 to 30 and 26 to 40 overlap."),
    ("  Age: {item: age_band, ranges: [{from: 40, to: 30, answer: under_26}]}\n", "Age",
     "the range ends before it starts"),
    ("  Gender: sex\n", "Gender,Staff number",
     "row 1, column B (Staff number): the mapping file does not name this column"),
    ("  Gender: sex\n  Unit: unit\n", "Gender", "'Unit' is not a column of the file."),
    ("  Gender: sex\n  GENDER: sex\n", "Gender", "'GENDER' is named twice."),
    ("  Disability: {items: [disability_condition, disability_impact]}\n", "Disability",
     "a column giving several items needs labels"),
    ("  Disability:\n    items: [disability_condition, disability_impact]\n"
     "    labels: {Yes: yes}\n", "Disability", "map the label to answers of each"),
    ("  Comment: {item: comment_wellbeing, labels: {x: y}}\n", "Comment",
     "a comment question takes the cell as written"),
    ("  Disability: {item: disability_condition, labels: {Y: 'yes'}}\n", "Disability",
     "row 1, column A (Disability): 'Y' gives disability_condition = yes, which can never place "
     "a respondent in a group of Disability (Equality Act 2010): its rules also need "
     "disability_impact, which no column gives."),
])
def test_mapping_problems_are_named(instrument, columns, header, problem):
    mapping = load_mapping((MINIMAL + columns).encode())
    data = f"{header}\n{',' * header.count(',')}x\n".encode()
    with pytest.raises(CsvRejected) as refused:
        parse_past_responses(data, Definition(instrument.definition), unit_choices(), mapping)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


@pytest.mark.parametrize(("text", "problem"), [
    (b"format: 1\ncolumns:\n  A: &one sex\n  B: *one\n", "anchors and aliases"),
    (b"format: 1\ncolumns: [oops\n", "not valid YAML"),
    (b"format: 1\ncolumns: {A: !!int 5}\n", "line 2: tags such as !!int are not allowed"),
    (b"format: 1\ncolumns: {A: !!python/object:os.system x}\n", "tags such as !!int"),
    (b"[" * 100_000, "line 1: the file nests deeper than a mapping ever needs"),
    (b"format: 1\ncolumns:\n  - sex\n", "mapping file, columns: ['sex'] is not of type"),
    (b"format: 2\ncolumns: {A: sex}\n", "mapping file, format: '1' was expected"),
    (b"format: 1\ncolumns: {A: {item: sex, items: [a, b]}}\n", "exactly one of item"),
    (b"format: 1\ncolumns: {A: {item: age_band, ranges: [{to: 3, below: 4, answer: x}]}}\n",
     "give to or below, not both"),
    (b"format: 1\ncolumns: {A: {item: age_band, ranges: [{from: ten, answer: x}]}}\n",
     "'ten' does not match"),
    (b"", "it is empty"),
    (b"format: 1\ncolumns: {A: s\xe9x}\n", "not UTF-8"),
    (b"# " + b"x" * MAPPING_MAX_BYTES + b"\n", "larger than 256 KB"),
])
def test_a_bad_mapping_file_is_refused_with_its_problems(text, problem):
    with pytest.raises(MappingRejected) as refused:
        load_mapping(text)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_yaml_types_are_not_guessed():
    """No stays "No", not false; 010 stays "010", not 8."""
    mapping = load_mapping(b"format: 1\ncolumns:\n  A:\n    item: sex\n"
                           b"    labels: {No: male, 010: female, on: prefer_not}\n")
    assert mapping["columns"]["A"]["labels"] == {"No": "male", "010": "female", "on": "prefer_not"}


def test_a_mapping_for_another_questionnaire_is_refused(instrument):
    mapping = load_mapping(b"format: 1\ninstrument: staff-pulse\ncolumns: {Gender: sex}\n")
    with pytest.raises(CsvRejected, match="it is for staff-pulse"):
        parse_past_responses(b"Gender\nF\n", Definition(instrument.definition), unit_choices(),
                             mapping)


def test_without_a_mapping_rank_may_be_not_applicable_and_disability_needs_both(instrument):
    definition = Definition(instrument.definition)
    parsed = parse_past_responses(b"worker_type,rank\npolice staff,Not applicable\n"
                                  b"police_officer,Sergeant\n", definition, unit_choices())
    assert [a["rank"] for a, _ in parsed.rows] == ["not_applicable", "sergeant"]
    with pytest.raises(CsvRejected) as refused:
        parse_past_responses(b"disability_condition\nYes\nNo\n", definition, unit_choices())
    assert refused.value.problems == [
        "row 1, column A (disability_condition): 'Yes' gives disability_condition = yes, which "
        "can never place a respondent in a group of Disability (Equality Act 2010): its rules "
        "also need disability_impact, which no column gives. Map the label to answers of every "
        "item the breakdown needs (a column can give several), or to no_answer."
    ]


def upload(client, url: str, token: str, data: bytes, mapping: bytes | None):
    files = {"csrf_token": token, "file": (io.BytesIO(data), "past.csv")}
    if mapping is not None:
        files["mapping"] = (io.BytesIO(mapping), "mapping.yaml")
    return client.post(url, data=files, content_type="multipart/form-data")


def test_the_import_page_takes_a_mapping_beside_the_csv(admin_client, form_token, make_wave):
    wave = make_wave(state="draft", code="2023-autumn")
    url = f"/admin/waves/{wave.id}/import"
    page = admin_client.get(url).text
    assert 'name="mapping"' in page and 'type="file"' in page
    data, expected, _ = force_csv(120)
    response = upload(admin_client, url, form_token(admin_client, url), data, MAPPING.encode())
    assert response.status_code == 302
    db.session.expire_all()
    assert group_sizes(wave, "disability") == dict(expected["disability"])
    event = db.session.scalar(select(AuditEvent).filter_by(action=WAVE_IMPORTED))
    assert event.detail == {"wave": "2023-autumn", "responses": 120, "mapping": True}
    assert event.actor_email == "admin@force.test"


def test_a_bad_cell_or_mapping_through_the_page_stores_nothing(
    admin_client, form_token, make_wave
):
    wave = make_wave(state="draft", code="2023-autumn")
    url = f"/admin/waves/{wave.id}/import"
    before = snapshot()
    bad_cell = with_cells({(200, "Rank"): "Chief Constable"}, count=300)
    response = upload(admin_client, url, form_token(admin_client, url), bad_cell,
                      MAPPING.encode())
    assert response.status_code == 422
    assert "row 202, column M (Rank): &#39;Chief Constable&#39; is not an answer" in response.text
    bad_mapping = MAPPING.replace("PC: constable", "PC: constabl")
    response = upload(admin_client, url, form_token(admin_client, url), force_csv(30)[0],
                      bad_mapping.encode())
    assert response.status_code == 422
    assert "&#39;constabl&#39; is not an answer to rank" in response.text
    assert snapshot() == before
    assert db.session.scalar(select(Response.key).filter_by(wave_id=wave.id)) is None


def test_the_documented_example_mapping_is_valid(instrument):
    docs = (Path(__file__).parents[2] / "docs/import-format.md").read_text()
    example = docs.split("### Mapping file", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    mapping = load_mapping(example.encode())
    definition = Definition(instrument.definition)
    names = list(mapping["columns"])
    columns, problems = mapped_columns(mapping, definition, unit_choices(), names)
    assert problems == [] and unreachable_groups(definition, columns) == []
    row = ["R1", "x", "5", "4", "3", "2", "1", "N/A", "F", "Other", "34", "Staff", "N/A",
           "Yes, limited a little", "5.5", "More rest"]
    data = "\n".join(",".join(f'"{cell}"' for cell in line) for line in (names, row)).encode()
    answers, comments = parse_past_responses(data, definition, unit_choices(), mapping).rows[0]
    assert answers == {
        "who5_1": 5, "who5_2": 4, "who5_3": 3, "who5_4": 2, "who5_5": 1,
        "lm_notices_struggling": "dk", "sex": "female", "sexual_orientation": "other_orientation",
        "age_band": "age_26_to_40", "worker_type": "police_staff", "rank": "not_applicable",
        "disability_condition": "yes", "disability_impact": "a_little",
        "service_length": "years_2_to_5"}
    assert comments == {"comment_wellbeing": "More rest"}
