"""Staff blueprint: everything staff do, behind a sign-in. Never imports the respondent side.

Access is deny-by-default (access.py): every endpoint needs a role unless it is on the
public allow-list.
"""

from flask import Blueprint

from survey.services.users import ROLE_NAMES

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.after_request
def _no_store(response):
    # Staff pages hold unpublished figures and one-time downloads: keep them out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("role_name")
def _role_name(role) -> str:
    return ROLE_NAMES.get(role, str(role))


from survey.admin import (  # noqa: E402, F401  (routes)
    actions,
    instruments,
    pipeline,
    signin,
    staff,
    tokens,
    waves,
)
