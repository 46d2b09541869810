"""Attack scenarios against anonymity (docs/anonymity.md, "not even on disk").

harness.py answers a wave through the real respondent pages in a known order;
pg_storage.py and sqlite_storage.py read what the storage keeps, as a superuser or a DBA
copying files would; linker.py (pure) turns those sightings into each code's anonymity
set. Run with `pytest tests/attacks -s` (and TEST_DATABASE_URL for PostgreSQL) to see
the measured figures.
"""
