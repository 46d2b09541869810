"""The only module-level application: `flask --app wsgi ...` and WSGI servers load this."""

from survey import create_app

app = create_app()
