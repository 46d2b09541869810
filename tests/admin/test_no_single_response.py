"""No role, the administrator included, can see or export a single response: walking every
page, API answer and CSV export finds no response key and no comment from a group below
the thresholds."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import Response, Role
from survey.results.views import plotly_version
from survey.services.responses import import_responses
from survey.services.waves import close_wave
from tests.admin.test_access import registered_routes, url_for_rule

NEEDLE = "needle comment 4471"


def test_no_page_or_export_shows_a_single_response(app, admin_client, staff, make_wave, instrument):
    wave = make_wave(state="open")
    import_responses(
        wave,
        [
            ({"sex": "female", "who5_1": 5, "unit": "north_cid"}, {"comment_wellbeing": NEEDLE})
            for _ in range(3)
        ],
    )
    close_wave(wave)
    db.session.commit()
    keys = list(db.session.scalars(select(Response.key)))
    values = {
        "wave_id": wave.id,
        "wave_code": wave.code,
        "round_code": "none",
        "version": plotly_version(),
        "instrument_id": instrument.id,
        "user_id": staff[Role.PAO].id,
        "filename": "css/site.css",
        "job": "none",
        "action_id": 1,
        "token_id": 1,
    }
    admin = admin_client
    seen = 0
    for method, endpoint, rule in registered_routes(app):
        if method != "GET" or endpoint in ("static", "results.plotly_js"):
            continue
        url = url_for_rule(app, rule, values)
        for suffix in ("", "?format=csv", "?question=comment_wellbeing"):
            body = admin.get(url + suffix).get_data(as_text=True)
            seen += 1
            assert NEEDLE not in body, url + suffix
            assert not any(key in body for key in keys), url + suffix
    assert seen > 50
