"""Signing in and out, and the staff home page."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from survey.admin import bp
from survey.admin.access import SEEN, safe_next
from survey.admin.forms import ConfirmForm, LoginForm
from survey.admin.sessions import STARTED
from survey.errors import throttled_retry_after
from survey.extensions import db, limiter
from survey.models import Wave
from survey.services.audit import SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, record
from survey.services.auth import authenticate, begin_session, end_sessions
from survey.services.users import normalise_email

# Failed attempts allowed (only failures count; see _failed):
# - per account from one client address: tight, so guessing one password is slow;
# - per account from every address together: looser than one client could ever reach
#   through the limit above, so no single client can lock anyone else out, yet a guess
#   spread over many addresses is still capped;
# - per client address, whatever account: for one client trying many accounts. It blocks
#   only that address (behind a proxy, set TRUSTED_PROXY_HOPS so that the address is the
#   client's, not the proxy's: survey/__init__.py).
PER_PAIR = "5 per minute; 20 per hour"
PER_ACCOUNT = "15 per minute; 50 per hour"
PER_CLIENT = "20 per minute; 100 per hour"
FAILED = "The email address or password is not right, or the account is not active."
THROTTLED = (
    "Too many failed sign-in attempts. Wait a few minutes, then try again. If you have "
    "forgotten your password, ask an administrator to set a new one."
)


def _hashed_email() -> str:
    """The address tried, keyed with the secret: throttle storage never holds it in clear."""
    email = normalise_email(request.form.get("email", ""))
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


def _account_key() -> str:
    return "account:" + _hashed_email()


def _client_key() -> str:
    """The client's address: REMOTE_ADDR, as rewritten by ProxyFix for trusted proxies."""
    return "client:" + get_remote_address()


def _pair_key() -> str:
    return f"pair:{_hashed_email()}:{get_remote_address()}"


FAILED_FLAG = "survey.sign_in_failed"


def _failed(_response) -> bool:
    """Only failed attempts count towards the limits (checked when the response is ready)."""
    return request.environ.get(FAILED_FLAG, False)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(PER_CLIENT, key_func=_client_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(PER_ACCOUNT, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(PER_PAIR, key_func=_pair_key, methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("admin.index"))
        return render_template("admin/login.html", form=form)
    if not form.validate():
        return render_template("admin/login.html", form=form), 422
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        request.environ[FAILED_FLAG] = True
        record(SIGN_IN_FAILED, None)
        db.session.commit()
        return render_template("admin/login.html", form=form, problem=FAILED), 422
    _start_session(user)
    return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))


def _start_session(user) -> None:
    """A fresh session: nothing from before sign-in survives, and older cookies die."""
    session.clear()
    begin_session(user)
    record(SIGN_IN, user)
    db.session.commit()
    login_user(user)
    session.permanent = True
    session[SEEN] = session[STARTED] = int(time.time())


@bp.errorhandler(RateLimitExceeded)
def _throttled(_error):
    page = render_template("admin/login.html", form=LoginForm(), problem=THROTTLED)
    return page, 429, {"Retry-After": str(throttled_retry_after())}


@bp.post("/logout")
def logout():
    user = current_user._get_current_object()
    end_sessions(user)
    record(SIGN_OUT, user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("admin.login"))


@bp.get("/")
def index():
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_on.desc(), Wave.id.desc())).all()
    return render_template("admin/index.html", waves=waves, signout=ConfirmForm())
