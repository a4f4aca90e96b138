"""The organiser page (``/admin``): create, edit, duplicate and delete the server's webinars.

Protected by the installation's admin key (``LIVE_ADMIN_KEY``, else generated once; run.py
prints the link), exchanged once for a session like the moderator key, and every form carries a
token of that session, so that no other site can make an organiser's browser post one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from . import current_live, service
from .domain import (
    FILTER_LANGUAGES,
    PRIVACY_TEXTS,
    LiveError,
    Privacy,
    Webinar,
    with_settings,
)
from .i18n import DEFAULT, error_message, languages, native_name
from .identity import key_fingerprint, new_moderator_key
from .keys import key_valid
from .links import attendee_url, moderator_url
from .msgids import N_
from .personal import due_date
from .tasks import sign_out_of_deleted_webinars
from .webinar_file import parse_webinar
from .wordfilter import LANGUAGES

bp = Blueprint("admin", __name__, url_prefix="/admin")


def signed_in() -> bool:
    """Say whether this browser's session is an organiser's (and has its form token)."""
    fingerprint = key_fingerprint(current_app.config["ADMIN_KEY"])
    return session.get("admin") == fingerprint and "csrf" in session


def check_form() -> None:
    """Refuse a form not sent by a signed-in organiser's page (403), or without its token (400)."""
    if not signed_in():
        abort(403)
    if not secrets.compare_digest(str(request.form.get("csrf", "")), session["csrf"]):
        abort(400)


def done(message: str, error: bool = False) -> Response:
    """Back to the organiser page, which says ``message`` once (an error if ``error``)."""
    session["admin_message"] = [message, error]
    return redirect("/admin", code=303)  # type: ignore[return-value]


@bp.route("", methods=["GET", "POST"])
def page() -> Any:
    """The organiser page; the admin key arrives once (link or form) and becomes a session."""
    live = current_live()
    given = request.args.get("key") if request.method == "GET" else request.form.get("key")
    if given is not None:
        if not key_valid(live, given, current_app.config["ADMIN_KEY"], request.remote_addr):
            return render_template("admin_key.html", wrong=True), 403
        # the key's fingerprint, so that a changed LIVE_ADMIN_KEY ends the old key's sessions
        session["admin"] = key_fingerprint(current_app.config["ADMIN_KEY"])
        session["csrf"] = secrets.token_urlsafe(16)
        return redirect("/admin", code=303)
    if not signed_in():
        return render_template("admin_key.html", wrong=False), 401
    return _page(session.pop("admin_message", None))


def _page(message: list[Any] | None, typed: Any = None, errors: Any = None) -> str:
    """Render the organiser page; ``typed`` refills the new webinar's form after a mistake,
    ``errors`` (field -> sentence) are said beside their fields."""
    store = current_live().store
    webinars = [store.get_webinar(code) for code in store.webinar_codes()]
    return render_template(
        "admin.html",
        webinars=[_card(w) for w in webinars if w is not None],
        message=message,
        csrf=session["csrf"],
        typed=typed or {},
        errors=errors or {},
        # the word filter's lists, each language named in itself
        languages={code: native_name(code) for code in LANGUAGES},
        content_languages=languages().names(),
    )


def _card(webinar: Webinar) -> dict[str, Any]:
    """What the organiser page says of one webinar (its questions read once)."""
    # late: the translation editor builds on this module's sign-in and forms
    from .admin_translations import states

    store = current_live().store
    questions = store.questions(webinar.code)
    return {
        "webinar": webinar,
        "translations": states(webinar, store.polls(webinar.code)),
        "attendee_url": attendee_url(webinar.code),
        "moderator_url": moderator_url(webinar.code, store.moderator_key(webinar.code) or ""),
        "questions": len(questions),
        "purge_date": due_date(store, webinar, questions),
        "purged_at": store.webinar_field(webinar.code, "purged_at"),
    }


# the form field a refusal is about, by its error code (the rest name the field in quotes)
_FIELDS = {
    "bad_code": "code",
    "taken": "code",
    "bad_title": "title",
    "bad_topics": "topics",
    "bad_accent": "accent",
    "unknown_language": "language",
    "bad_language": "language",
}


def _field_of(error: LiveError) -> str:
    """Return the form field a refusal of the new webinar's form is about."""
    if error.code in _FIELDS:
        return _FIELDS[error.code]
    if error.code == "bad_time":
        return "starts_at" if "time zone" in error.message else "ends_at"
    if "time zone" in error.message:
        return "timezone"
    named = re.search(r"'(\w+)'", error.message)
    return named.group(1) if named else "code"


def _privacy_from_form(stored: Privacy) -> dict[str, Any]:
    """Read the privacy fields of the form; a field the form left out keeps its stored value."""
    form = request.form
    privacy: dict[str, Any] = {
        name: form.get(name, getattr(stored, name)) for name in PRIVACY_TEXTS
    }
    days = form.get("retention_days", "").strip()
    try:
        privacy["retention_days"] = int(days) if days else stored.retention_days
    except ValueError:
        raise LiveError(N_("'retention_days' must be a whole number of days.")) from None
    return privacy


def _language_from_form(stored: str) -> str:
    """The webinar's language from the form: a shipped one, or the one it has (a webinar file
    may give another); a form without the field keeps the stored one."""
    language = request.form.get("language", stored).strip()
    if language != stored and language not in languages().codes:
        raise LiveError(
            N_("There is no language %(lang)s here."),
            "unknown_language",
            lang=repr(language[:10]),
        )
    return language


def _webinar_from_form(
    code: str, stored: Privacy | None = None, passcode: str = "", language: str = DEFAULT
) -> Any:
    """Read the create and edit forms into a webinar (checked like a webinar file)."""
    form = request.form

    def moment(name: str) -> datetime:
        try:
            return datetime.fromisoformat(form.get(name, ""))
        except ValueError:
            raise LiveError(N_("'%(field)s' must be a date and time."), field=name) from None

    data = {
        "code": code,
        "title": form.get("title", ""),
        "organiser": form.get("organiser", ""),
        "description": form.get("description", ""),
        "timezone": form.get("timezone", ""),
        "starts_at": moment("starts_at").replace(tzinfo=None),
        "ends_at": moment("ends_at").replace(tzinfo=None),
        "topics": [t.strip() for t in form.get("topics", "").splitlines() if t.strip()],
        "privacy": _privacy_from_form(stored or Privacy()),
        "passcode": form.get("passcode", passcode),
        # checked as in a webinar file: a colour too light for its white text is refused
        "accent": form.get("accent", ""),
        "language": _language_from_form(language),
    }
    return parse_webinar(data).webinar


@bp.post("/webinars")
def create() -> Any:
    """Create a webinar from the form, with a new moderator key."""
    check_form()
    try:
        webinar = _webinar_from_form(request.form.get("code", "").strip().lower())
        if not current_live().store.create_webinar(webinar, new_moderator_key(), []):
            raise LiveError(N_("The code %(webinar)s is taken."), "taken", webinar=webinar.code)
    except LiveError as error:
        # the form comes back as it was typed, the mistake said at the top and beside its field
        message = [_("Not created: %(problem)s", problem=error_message(error)), True]
        return _page(message, request.form, {_field_of(error): error_message(error)}), 400
    return done(_("Created %(code)s.", code=webinar.code))


@bp.post("/webinars/<code>")
def edit(code: str) -> Response:
    """Change a webinar's details (its settings, questions and polls stay)."""
    check_form()
    store = current_live().store
    stored = service.get_webinar(store, code)
    try:
        edited = _webinar_from_form(stored.code, stored.privacy, stored.passcode, stored.language)
    except LiveError as error:
        return done(
            _("%(code)s not changed: %(problem)s", code=stored.code, problem=error_message(error)),
            error=True,
        )
    # the logo is a file beside the webinar file, and the translations have their own editor
    # (live/admin_translations.py): the stored ones stay
    store.update_webinar(replace(edited, logo=stored.logo, translations=stored.translations))
    if "more_settings" in request.form:
        # the checkboxes of a private webinar and the word filter (unticked boxes are not sent)
        options = {name: name in request.form for name in ("show_passcode", "passcode_in_qr")}
        languages = [v for v in FILTER_LANGUAGES if v in request.form.getlist("word_filter")]
        changes = {**options, "word_filter": languages}
        settings = with_settings(stored.settings, changes)
        store.update_settings(stored.code, {name: getattr(settings, name) for name in changes})
    return done(_("Saved %(code)s.", code=stored.code))


@bp.post("/webinars/<code>/duplicate")
def duplicate(code: str) -> Response:
    """Start a new webinar from this one: details, topics and polls (as drafts), no questions."""
    check_form()
    try:
        copy, _key, _url = service.duplicate_webinar(
            current_live().store, code, request.form.get("new_code", "")
        )
    except LiveError as error:
        return done(_("Not duplicated: %(problem)s", problem=error_message(error)), error=True)
    return done(_("Created %(code)s from %(source)s.", code=copy.code, source=code))


@bp.post("/webinars/<code>/delete")
def delete(code: str) -> Response:
    """Delete a webinar and all its data, once its code is typed again to confirm."""
    check_form()
    store = current_live().store
    webinar = service.get_webinar(store, code)
    if request.form.get("confirm", "").strip().lower() != webinar.code:
        return done(
            _("%(code)s not deleted: type its code to confirm.", code=webinar.code), error=True
        )
    store.delete_webinar(webinar.code)
    # this process's connections to it close at once; the other processes' within a second
    sign_out_of_deleted_webinars(current_live())
    return done(_("Deleted %(code)s and all its data.", code=webinar.code))
