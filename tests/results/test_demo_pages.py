"""Every results page and export of the demo force (headcounts and a promotion round
loaded) for every breakdown, as HR reads them: nothing fails, every figure is there."""

from __future__ import annotations

from survey.demo.workforce import PROMOTION_ROUND
from survey.instruments import Definition
from survey.models import Wave
from survey.reporting import level_categories
from survey.results import params
from survey.results.queries import round_breakdowns
from survey.services.instruments import unit_choices

FORMATS = ("csv", "xlsx", "pdf")


def demo_urls(wave: Wave) -> list[str]:
    definition = Definition(wave.instrument.definition)
    base = f"/results/{wave.code}"
    urls = ["/results/", base, f"{base}/comments", f"{base}/intersection", "/results/pipeline/"]
    for level in params.wave_levels(wave, definition):
        group = next(iter(level_categories(definition, level, dict(unit_choices()))))
        urls += [
            f"{base}/breakdown?level={level}&measure=who5",
            f"{base}/trend?measure=promotion_fairness&level={level}&group={group}",
        ]
    for breakdown in wave.breakdowns:
        urls.append(f"{base}/representation?breakdown={breakdown}&measure=who5")
    for pair in wave.intersections:
        urls.append(f"{base}/intersection?rows={pair[0]}&cols={pair[1]}&measure=who5")
    for breakdown in round_breakdowns(PROMOTION_ROUND):
        urls.append(f"/results/pipeline/{PROMOTION_ROUND}?breakdown={breakdown}")
    return urls


def test_every_demo_page_and_export_renders_for_hr(demo, hr):
    urls = demo_urls(demo)
    assert len(urls) > 40
    for url in urls:
        response = hr.get(url)
        assert response.status_code == 200, url
        if "?" not in url:
            continue
        for fmt in FORMATS:
            export = hr.get(f"{url}&format={fmt}")
            assert export.status_code == 200, (url, fmt)
        api = hr.get(url.replace("/results/", "/api/waves/", 1).replace(
            "/api/waves/pipeline/", "/api/pipeline/"))
        assert api.status_code == 200, url


def test_demo_representation_compares_with_headcounts_for_every_breakdown(demo, hr):
    for breakdown in demo.breakdowns:
        body = hr.get(
            f"/api/waves/{demo.code}/representation?breakdown={breakdown}"
        ).get_json()
        rows = body["tables"][0]["rows"]
        assert not body["notices"], breakdown
        shown = [r for r in rows if not r["hidden"] and r["values"].get("headcount")]
        assert shown, breakdown
