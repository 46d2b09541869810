"""Personal access tokens for the JSON API: each member of staff creates and revokes
their own; a new token is shown once, on the page that created it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from survey.admin import bp
from survey.admin.forms import TokenForm
from survey.extensions import db
from survey.services import NotFound
from survey.services.tokens import create_token, revoke_token, user_tokens


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        _, created = create_token(current_user, form.name.data, form.days.data)
        db.session.commit()
        form = TokenForm(formdata=None)
    return render_template("admin/tokens.html", form=form, created=created,
                           tokens=user_tokens(current_user), title="API tokens")


@bp.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    try:
        row = revoke_token(current_user, token_id)
    except NotFound:
        abort(404)
    db.session.commit()
    flash(f"Revoked the token \u201c{row.name}\u201d.")
    return redirect(url_for("admin.tokens"))
