"""Layering rules that keep the design easy to see and the anonymity boundary intact."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_OR_DB = {
    "flask",
    "werkzeug",
    "sqlalchemy",
    "flask_sqlalchemy",
    "flask_migrate",
    "wtforms",
    "flask_wtf",
    "survey",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top_levels(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def test_analytics_is_pure_computation():
    for path in (ROOT / "analytics").rglob("*.py"):
        assert not top_levels(path) & WEB_OR_DB, path


def test_respondent_and_staff_blueprints_never_import_each_other():
    pairs = [("respond", "survey.admin"), ("admin", "survey.respond")]
    for package, forbidden in pairs:
        for path in (ROOT / "survey" / package).rglob("*.py"):
            assert not any(m.startswith(forbidden) for m in imported_modules(path)), path


def test_services_never_touch_the_request():
    request_bound = {"request", "session", "g", "flash", "render_template"}
    for path in (ROOT / "survey" / "services").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                assert not {a.name for a in node.names} & request_bound, path


def test_no_third_party_asset_urls_in_templates():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, path
