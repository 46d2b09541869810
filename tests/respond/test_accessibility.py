"""Every respondent page, read as a screen reader would meet it: each control labelled,
each radio group a fieldset with a legend (no Likert tables), one error summary linked
to the field, unique ids, a skip link, and page titles that say where you are."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from tests.respond.conftest import section_index
from tests.respond.html_check import PageReader, legend_of


@pytest.fixture
def pages(walk_every_page):
    _, responses = walk_every_page()
    return [r for r in responses if r.mimetype == "text/html" and r.location is None]


def test_every_page_kind_was_visited(pages):
    statuses = sorted({response.status_code for response in pages})
    assert statuses == [200, 400, 403, 404, 405, 422]
    assert len(pages) > 15


def test_every_control_has_a_label(pages):
    for response in pages:
        page = PageReader(response.get_data(as_text=True))
        labelled = page.label_targets()
        for control in page.controls():
            in_legend_fieldset = any(
                a.tag == "fieldset" and legend_of(a) for a in control.ancestors()
            )
            assert control.attrs.get("id") in labelled or in_legend_fieldset, (
                f"{response.request.path}: {control.tag} {control.attrs} has no label"
            )
            if control.attrs.get("type") in ("radio", "checkbox"):
                # Options need their own label as well as the group's legend.
                assert control.attrs["id"] in labelled


def test_every_radio_group_is_a_fieldset_with_a_legend_not_a_table(pages):
    radios_seen = 0
    for response in pages:
        page = PageReader(response.get_data(as_text=True))
        assert not page.find("table"), f"{response.request.path} lays questions out in a table"
        groups = defaultdict(list)
        for radio in (c for c in page.controls() if c.attrs.get("type") == "radio"):
            radios_seen += 1
            fieldsets = [a for a in radio.ancestors() if a.tag == "fieldset" and legend_of(a)]
            assert fieldsets, f"radio {radio.attrs['id']} is not in a fieldset with a legend"
            groups[radio.attrs["name"]].append({id(f) for f in fieldsets})
        for name, chains in groups.items():
            # One fieldset (the question's) holds every option of the group.
            assert set.intersection(*chains), f"radio group {name} is split across fieldsets"
    assert radios_seen > 100


def test_ids_are_unique_on_every_page(pages):
    for response in pages:
        ids = [
            e.attrs["id"]
            for e in PageReader(response.get_data(as_text=True)).elements
            if "id" in e.attrs
        ]
        duplicates = {i for i in ids if ids.count(i) > 1}
        assert not duplicates, f"{response.request.path}: duplicate ids {duplicates}"


def test_aria_references_point_at_elements_on_the_page(pages):
    for response in pages:
        page = PageReader(response.get_data(as_text=True))
        ids = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
        for element in page.elements:
            for name in ("aria-describedby", "aria-labelledby", "for"):
                for target in element.attrs.get(name, "").split():
                    assert target in ids, f"{name}={target!r} names nothing"
        for _, name, value in page.urls():
            if name == "href" and value.startswith("#") and len(value) > 1:
                assert value[1:] in ids, f"link to {value} goes nowhere"


def test_every_page_has_a_language_a_title_one_h1_and_a_skip_link(pages):
    for response in pages:
        page = PageReader(response.get_data(as_text=True))
        assert page.find("html")[0].attrs["lang"] == "en-GB"
        assert page.find("title")[0].text.strip().endswith("- Workforce survey")
        assert len(page.find("h1")) == 1
        first_link = page.find("a")[0]
        assert first_link.attrs["href"] == "#main" and "Skip to main content" in first_link.text
        assert page.find("main")[0].attrs["id"] == "main"


def test_buttons_say_what_they_do(pages):
    for response in pages:
        for button in PageReader(response.get_data(as_text=True)).find("button"):
            assert button.text.strip(), "a button without words"
            assert button.attrs.get("type") == "submit"


def test_error_summary_links_to_the_comment_field(journey, make_wave, issue, instrument):
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.continue_to(section_index(instrument, "comments"))
    response = journey.post("next", {"comment_wellbeing": "a" * 1001})
    assert response.status_code == 422
    page = PageReader(journey.page)
    summary = [d for d in page.find("div") if "error-summary" in d.attrs.get("class", "")]
    assert len(summary) == 1
    assert summary[0].attrs["role"] == "alert"
    links = [a for a in page.find("a") if summary[0] in a.ancestors()]
    assert [a.attrs["href"] for a in links] == ["#comment_wellbeing"]
    assert "must be 1000 characters or fewer. It has 1001." in links[0].text
    textarea = [t for t in page.find("textarea") if t.attrs["id"] == "comment_wellbeing"]
    assert textarea, "the summary links to no field"
    described = textarea[0].attrs["aria-describedby"].split()
    assert described == ["comment_wellbeing-hint", "comment_wellbeing-error"]
    assert page.find("title")[0].text.startswith("Error: ")
    # What was typed is kept, so the person can shorten it rather than start again.
    assert textarea[0].text.strip() == "a" * 1001


def test_a_comment_at_the_limit_is_accepted_counting_a_line_break_as_one(
    journey, make_wave, issue, instrument
):
    """Browsers count a line break as one character against maxlength but send CRLF."""
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.continue_to(section_index(instrument, "comments"))
    typed = "a" * 500 + "\r\n" + "b" * 499
    response = journey.post("review", {"comment_wellbeing": typed})
    assert response.status_code == 200
    assert "Check your answers" in journey.page


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted(map(relative_luminance, (foreground, background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture
def stylesheet(client) -> str:
    with client.get("/static/css/site.css") as response:
        return response.get_data(as_text=True)


def test_text_colours_have_at_least_aa_contrast(stylesheet):
    """WCAG 1.4.3: 4.5:1 for text; 1.4.11: 3:1 for the focus ring against white."""
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", stylesheet))
    white = "#ffffff"
    pairs = {
        "body text": (colours["text"], white),
        "hints": (colours["muted"], white),
        "hints on the code panel": (colours["muted"], colours["bg-soft"]),
        "links": (colours["link"], white),
        "errors": (colours["error"], white),
        "header": (white, colours["brand"]),
        "thank-you panel": (white, colours["panel"]),
        "primary button": (white, "#00703c"),
        "secondary button": (colours["text"], colours["bg-soft"]),
        "focused link": (colours["text"], colours["focus"]),
    }
    for name, (foreground, background) in pairs.items():
        assert contrast(foreground, background) >= 4.5, name
    # The yellow focus ring is edged in black, which is what contrasts with white.
    assert contrast(colours["text"], white) >= 3


def test_every_kind_of_control_has_a_visible_focus_style(stylesheet):
    """WCAG 2.4.7 and 2.4.13: nothing removes the focus outline without a replacement."""
    for selector in (
        "a:focus-visible",
        "button:focus-visible",
        "input:focus-visible",
        "textarea:focus-visible",
    ):
        assert selector in stylesheet
    assert "outline: none" not in stylesheet.replace(".main:focus { outline: none; }", "")


def test_radio_and_button_targets_are_at_least_24_px(stylesheet):
    """WCAG 2.5.8 target size (minimum): radios are 28 px, buttons and rows 44 px."""
    radio = re.search(r"\.radio__input \{ width: ([\d.]+)rem; height: ([\d.]+)rem;", stylesheet)
    assert radio and min(float(radio.group(1)), float(radio.group(2))) * 16 >= 24
    button = re.search(r"\.button \{[^}]*min-height: ([\d.]+)rem", stylesheet)
    assert button and float(button.group(1)) * 16 >= 24
