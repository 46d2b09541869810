"""The respond path writes no log line holding a code, an IP address or a user agent,
even with every logger at DEBUG; the development server's request lines lose the
client address."""

from __future__ import annotations

import logging

from survey.security import quiet_request_logging
from survey.services.codes import normalise_code

ADDRESS = "203.0.113.77"
AGENT = "UniqueAgent/9.9"


def all_logged_text(records) -> str:
    lines = []
    for record in records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        lines.append(repr(getattr(record, "exc_text", "")))
        lines.append(repr(record.__dict__))
    return "\n".join(lines)


def test_the_whole_journey_logs_no_code_address_or_agent(client, walk_every_page, caplog):
    caplog.set_level(logging.DEBUG)
    client.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    code, responses = walk_every_page()
    logging.getLogger("survey.respond").debug("canary")  # the capture does see DEBUG
    assert "canary" in [record.getMessage() for record in caplog.records]
    assert any(r.request.path == "/survey/submit" and r.status_code == 303 for r in responses)
    assert all(r.request.environ["REMOTE_ADDR"] == ADDRESS for r in responses)
    logged = all_logged_text(caplog.records)
    for secret in (code, normalise_code(code), ADDRESS, "UniqueAgent"):
        assert secret not in logged


def test_the_werkzeug_filter_strips_the_client_address(caplog):
    quiet_request_logging()
    logger = logging.getLogger("werkzeug")
    caplog.set_level(logging.INFO, logger="werkzeug")
    # Werkzeug's own shape: the address is in the format string, the request in the args.
    logger.info(
        f'{ADDRESS} - - [01/Jan/2026 09:00:00] "%s" %s %s\n', "POST /take HTTP/1.1", "200", "-"
    )
    logger.info('2001:db8::77 - - [01/Jan/2026 09:00:01] "%s" %s %s\n', "GET / HTTP/1.1", 302, "-")
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        '- - - [01/Jan/2026 09:00:00] "POST /take HTTP/1.1" 200 -\n',
        '- - - [01/Jan/2026 09:00:01] "GET / HTTP/1.1" 302 -\n',
    ]
    assert ADDRESS not in all_logged_text(caplog.records)
    assert "2001:db8::77" not in all_logged_text(caplog.records)


def test_the_filter_is_installed_once(app):
    quiet_request_logging()
    quiet_request_logging()
    filters = [
        f for f in logging.getLogger("werkzeug").filters if type(f).__name__ == "_DropClientAddress"
    ]
    assert len(filters) == 1
