"""Results pages and API: who may read them, what they refuse, and what they load."""

from __future__ import annotations

import re

import pytest

from survey.extensions import db
from survey.models import Role
from survey.services.responses import import_responses
from tests.respond.html_check import PageReader

READERS = (Role.HR, Role.PAO)


def page_urls(code: str) -> list[str]:
    return [
        "/results/",
        f"/results/{code}",
        f"/results/{code}/breakdown",
        f"/results/{code}/breakdown?level=disability&measure=who5",
        f"/results/{code}/breakdown?level=ethnic_minority&measure=promo_decisions_fair"
        "&reference=white",
        f"/results/{code}/intersection",
        f"/results/{code}/intersection?rows=rank&cols=sex&measure=cbi_work",
        f"/results/{code}/trend?measure=who5",
        f"/results/{code}/trend?measure=pdr_regular&level=working_pattern&group=part_time",
        f"/results/{code}/comments",
        f"/results/{code}/representation?breakdown=sex&measure=who5",
        "/results/pipeline/",
        "/results/pipeline/sgt-2026",
        "/results/pipeline/sgt-2026?breakdown=ethnic_minority&reference=white",
    ]


def api_urls(code: str) -> list[str]:
    return [
        "/api/waves",
        f"/api/waves/{code}",
        f"/api/waves/{code}/breakdown?level=sex&measure=who5",
        f"/api/waves/{code}/intersection?rows=ethnicity_5&cols=sex&measure=who5",
        f"/api/waves/{code}/trend?measure=who5&level=sex&group=female",
        f"/api/waves/{code}/comments?question=comment_promotion",
        f"/api/waves/{code}/representation?breakdown=sex",
        "/api/pipeline",
        "/api/pipeline/sgt-2026?breakdown=ethnic_minority",
    ]


@pytest.fixture
def wave(results_wave, pipeline_counts, sex_headcounts):
    built = results_wave(count=400)
    sex_headcounts(built)
    return built


def test_every_page_and_api_answer_is_for_results_readers_only(wave, clients):
    """HR and the Positive Action Officer read results; administrators, who issue codes,
    read none (separation of duties); nobody signed out does."""
    for url in page_urls(wave.code) + api_urls(wave.code):
        for role in READERS:
            response = clients[role].get(url)
            assert response.status_code == 200, (url, role, response.text[:300])
        assert clients[Role.ADMIN].get(url).status_code == 403, url
        anonymous = clients[None].get(url)
        assert anonymous.status_code == 302, url
        assert "/admin/login" in anonymous.headers["Location"]


def test_exports_of_every_page_are_files(wave, hr):
    media = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats", "pdf": "application/pdf"}
    for url in page_urls(wave.code)[1:]:
        if url.endswith("/pipeline/"):
            continue
        for fmt, kind in media.items():
            joined = f"{url}{'&' if '?' in url else '?'}format={fmt}"
            response = hr.get(joined)
            assert response.status_code == 200, joined
            assert response.mimetype.startswith(kind.split(";")[0]), joined
            if fmt == "csv":  # one charset, not two
                assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "path",
    [
        "breakdown?level=no_such_level",
        "breakdown?measure=no_such_measure",
        "breakdown?level=sex&measure=respondents",
        "breakdown?level=sex&measure=_respondents",
        "breakdown?level=sex&reference=white",
        "breakdown?level=sex&reference=not_stated",
        "breakdown?level=ethnicity_5&measure=who5&format=docx",
        "intersection?rows=sex&cols=religion",
        "intersection?rows=sex",
        "intersection?pair=nonsense",
        "trend?measure=nope",
        "trend?measure=who5&level=sex",
        "trend?measure=who5&level=sex&group=white",
        "trend?measure=who5&level=nope&group=female",
        "comments?question=who5_1",
        "representation?breakdown=ethnicity_5",
        "representation?breakdown=sex&measure=nope",
    ],
)
def test_bad_parameters_are_refused_plainly(wave, hr, path):
    page = hr.get(f"/results/{wave.code}/{path}")
    assert page.status_code == 400, page.text[:500]
    assert "Traceback" not in page.text
    if "format=" not in path:  # the API answers in JSON only
        api = hr.get(f"/api/waves/{wave.code}/{path}")
        assert api.status_code == 400
        assert api.get_json()["error"]["status"] == 400


def test_unknown_draft_and_missing_things_are_not_found(make_wave, wave, hr):
    draft = make_wave(state="draft", code="not-yet")
    for url in (
        "/results/no-such-wave",
        f"/results/{draft.code}",
        f"/results/{draft.code}/breakdown",
        "/results/pipeline/no-such-round",
        "/api/waves/no-such-wave/breakdown",
        "/api/pipeline/no-such-round",
    ):
        assert hr.get(url).status_code == 404, url
    assert hr.get("/api/waves/no-such-wave").get_json()["error"]["status"] == 404


def test_a_level_changed_in_the_form_drops_the_old_reference_or_group(wave, hr):
    stale = hr.get(
        f"/results/{wave.code}/breakdown?shown_level=ethnic_minority&level=sex"
        "&measure=who5&reference=white"
    )
    assert stale.status_code == 200
    moved = hr.get(f"/results/{wave.code}/trend?shown_level=&measure=who5&level=sex")
    assert moved.status_code == 200 and "Female" in moved.text
    strict = hr.get(
        f"/api/waves/{wave.code}/breakdown?shown_level=ethnic_minority&level=sex"
        "&measure=who5&reference=white"
    )
    assert strict.status_code == 400


def test_pages_reference_nothing_outside_the_server(wave, hr):
    for url in page_urls(wave.code):
        page = hr.get(url).text
        reader = PageReader(page)
        for element in reader.elements:
            for name in ("src", "href", "action"):
                value = element.attrs.get(name, "")
                assert not re.match(r"^(https?:)?//", value), (url, element.tag, value)
            assert "style" not in element.attrs, (url, element.tag)
            if element.tag == "script":
                assert element.attrs.get("src", "").startswith("/"), (url, "inline script")
        assert "cdn.plot.ly" not in page


def test_plotly_is_served_from_here_and_kept_by_browsers(wave, hr):
    page = hr.get(f"/results/{wave.code}/breakdown?level=sex&measure=who5").text
    (src,) = re.findall(r'<script src="(/results/assets/plotly-[^"]+)"', page)
    script = hr.get(src)
    head = script.data[:20]
    script.close()  # a file streamed from disk
    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    assert head.startswith(b"/**\n* plotly.js v")
    assert script.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "Content-Security-Policy" in script.headers
    again = hr.get(src, headers={"If-None-Match": script.headers["ETag"]})
    again.close()
    assert again.status_code == 304
    assert hr.get("/results/assets/plotly-0.0.0.min.js").status_code == 404
    # Everything else a reader sees stays out of caches.
    assert hr.get(f"/results/{wave.code}").headers["Cache-Control"] == "no-store"
    assert hr.get(f"/api/waves/{wave.code}").headers["Cache-Control"] == "no-store"


def test_charts_are_images_with_a_summary_and_the_table_beside_them(wave, hr):
    page = hr.get(f"/results/{wave.code}/trend?measure=who5").text
    reader = PageReader(page)
    (chart,) = [e for e in reader.elements if "data-figure" in e.attrs]
    assert chart.attrs["role"] == "img"
    assert chart.attrs["aria-label"].startswith("Line chart of WHO-5 Wellbeing Index")
    assert any(e.tag == "table" for e in reader.elements)
    assert "js/charts.js" in page


def test_pages_without_charts_load_no_plotly(wave, hr):
    for url in (f"/results/{wave.code}/comments", "/results/", "/results/glossary"):
        assert "/results/assets/plotly" not in hr.get(url).text
    assert "/results/assets/plotly" in hr.get(f"/results/{wave.code}").text  # headline chart


def test_the_results_index_lists_released_waves_only(make_wave, wave, hr):
    make_wave(state="draft", code="draft-wave")
    make_wave(state="open", code="empty-wave")
    open_with_answers = make_wave(state="open", code="open-wave")
    import_responses(open_with_answers, [({"sex": "female"}, {}) for _ in range(30)])
    db.session.commit()
    page = hr.get("/results/").text
    assert wave.code in page
    assert "draft-wave" not in page and "empty-wave" not in page
    assert "open-wave" not in page, "an open wave publishes nothing"
    assert hr.get("/results/open-wave").status_code == 404
    assert hr.get("/api/waves/open-wave").status_code == 404
    assert "sgt-2026" in page
    listed = hr.get("/api/waves").get_json()["waves"]
    assert [w["code"] for w in listed] == [wave.code]
    assert listed[0]["respondents"] == 400


TECHNICAL_TERMS = ("Benjamini", "Hochberg", "Welch", "Newcombe", "Wilson", "Katz", "Kish")


def test_footnotes_speak_plain_words_and_the_glossary_names_the_methods(wave, hr):
    pages = [*page_urls(wave.code), f"/results/{wave.code}/heatmap?level=sex",
             f"/results/{wave.code}/drivers"]
    for url in pages:
        text = hr.get(url).text
        assert not [term for term in TECHNICAL_TERMS if term in text], url
    glossary = hr.get("/results/glossary").text
    assert [term for term in TECHNICAL_TERMS if term not in glossary] == []
