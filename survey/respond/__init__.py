"""Respondent blueprint: anonymous survey taking. Never imports the staff side."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from survey.respond import views  # noqa: E402, F401  (routes register on import)
