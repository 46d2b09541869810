"""Property-based calls over the OpenAPI document (schemathesis, bounded examples): no
operation answers with a server error, whatever the parameters, on either database."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.models import Role
from tests.api.conftest import bearer

EXAMPLES = 6


def test_no_operation_gives_a_server_error(app, results_wave, tokens):
    wave = results_wave(count=300)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    # The WSGI transport hands back the body as sent: ask for it uncompressed.
    headers = {**bearer(tokens[Role.HR]), "Accept-Encoding": "identity"}
    seen: dict[int, int] = {}

    for operation in operations:

        @given(case=operation.as_strategy(), real_wave=st.booleans())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def call(case, real_wave):
            if real_wave and "wave" in (case.path_parameters or {}):
                case.path_parameters["wave"] = wave.code  # reach past the 404
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.path, case.query, response.text[:300])
            assert isinstance(response.json(), dict)  # a JSON body, errors included
            seen[response.status_code] = seen.get(response.status_code, 0) + 1

        call()
    assert 200 in seen and (404 in seen or 422 in seen), seen
