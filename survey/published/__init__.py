"""Public pages for the workforce, without sign-in: "you said, we did".

They show only text staff wrote to publish (findings, actions, owner roles, progress
notes), never a figure. Like the respondent side, this never imports the staff side.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from survey.services.actions import STATUS_NAMES, actions_by_wave, wave_measures

bp = Blueprint("published", __name__)


@bp.get("/you-said-we-did")
def you_said_we_did():
    grouped = [(wave, wave_measures(wave), rows) for wave, rows in actions_by_wave()]
    return render_template("published/you_said_we_did.html", grouped=grouped,
                           status_names=STATUS_NAMES, title="You said, we did")
