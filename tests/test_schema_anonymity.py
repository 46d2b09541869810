"""The schema itself cannot link answers to people, codes, times or arrival order."""

from __future__ import annotations

from sqlalchemy import inspect, text

from survey.extensions import db

ANSWER_TABLES = {
    "response": {"key", "wave_id", "answers", "scores", "groups"},
    "comment": {"key", "wave_id", "question", "unit_top", "text"},
}
CODE_COLUMNS = {"code_hash", "wave_id", "spent"}


def columns(table: str) -> dict[str, object]:
    return {c["name"]: c for c in inspect(db.engine).get_columns(table)}


def test_answer_tables_hold_only_what_the_design_allows(app):
    for table, allowed in ANSWER_TABLES.items():
        assert set(columns(table)) == allowed, table


def test_answer_tables_have_random_keys_not_sequences(app):
    for table in ANSWER_TABLES:
        key = columns(table)["key"]
        assert str(key["type"]).startswith("VARCHAR")
        assert key.get("autoincrement") is not True
        assert "nextval" not in str(key.get("default") or "")


def test_codes_hold_no_recipient_and_no_time(app):
    assert set(columns("invitation_code")) == CODE_COLUMNS


def test_sqlite_answer_tables_have_no_rowid(app, dialect):
    if dialect != "sqlite":
        return
    for table in [*ANSWER_TABLES, "invitation_code"]:
        sql = db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": table},
        ).scalar()
        assert sql.rstrip().upper().endswith("WITHOUT ROWID"), table


def test_no_foreign_key_or_index_links_answers_to_codes(app):
    inspector = inspect(db.engine)
    for table in ANSWER_TABLES:
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert targets == {"wave"}, table
