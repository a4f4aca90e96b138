"""The notices every installation owes its visitors: each webinar's privacy notice (GDPR Art. 13)
and the accessibility statement (the EU model of Implementing Decision (EU) 2018/1523), both in
the reader's language (issue 15).

Their facts come from the webinar (the ``[privacy]`` table) and the configuration
(``LIVE_ACCESSIBILITY_*``) and are shown as the organiser typed them, escaped, never translated;
what is stored and for how long is written in the templates from the code as it is (see
docs/privacy.md), so that a change there is a change here.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from flask import Blueprint, current_app, render_template
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App
from markupsafe import Markup

from . import current_live, service
from .i18n import DEFAULT, current_language
from .links import attendee_url, public_base
from .personal import due_date

bp = Blueprint("notices", __name__)
# the EDPB's list of the national supervisory authorities, when a webinar names none
AUTHORITIES_URL = "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en"
# the statement's dates, checked when the app starts
STATEMENT_DATES = ("ACCESSIBILITY_PREPARED", "ACCESSIBILITY_REVIEWED")


def long_date(value: date | datetime) -> str:
    """``value`` as the reader's language writes a date in full ("25 September 2024",
    "25. September 2024", "25 Σεπτεμβρίου 2024"); English in its British form, as the report."""
    language = current_language()
    return format_date(value, format="long", locale="en_GB" if language == DEFAULT else language)


def statement_date(value: object) -> date:
    """A statement date setting (``2026-11-29``) as a date; a clear error for anything else."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"not a date as YYYY-MM-DD: {value!r}") from None


def check_statement_dates(app: App) -> None:
    """Refuse to start with a statement date that cannot be read (the page would show it
    wrong in every language)."""
    for name in STATEMENT_DATES:
        value = app.config.get(name)
        if not value and name == "ACCESSIBILITY_REVIEWED":
            continue  # not reviewed since: the date it was prepared
        try:
            statement_date(value)
        except ValueError as error:
            raise ValueError(f"LIVE_{name}: {error}") from None


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    check_statement_dates(state.app)


def time_element(value: date) -> Markup:
    """A ``<time>`` element: the date for machines, in the reader's language for people."""
    return Markup('<time datetime="{0}">{1}</time>').format(value.isoformat(), long_date(value))


def contact_link(contact: str) -> Markup | str:
    """The accessibility contact as the operator set it: an email address or a web address
    as a link, anything else as text (escaped where it is shown)."""
    if "@" in contact and "/" not in contact:
        return Markup('<a href="mailto:{0}">{0}</a>').format(contact)
    if contact.startswith(("https://", "http://")):
        return Markup('<a href="{0}">{0}</a>').format(contact)
    return contact


@bp.get("/e/<code>/privacy")
def privacy(code: str) -> str:
    """Serve a webinar's privacy notice: who answers for the data, what is kept, how long, and
    the attendee's rights (public: it is read before joining, also of a private webinar)."""
    webinar = service.get_webinar(current_live().store, code)
    facts = webinar.privacy
    return render_template(
        "privacy.html",
        webinar=webinar,
        controller=facts.controller or webinar.organiser,
        privacy=facts,
        purge_date=long_date(due_date(current_live().store, webinar)),
        authorities_url=AUTHORITIES_URL,
        join_url=attendee_url(webinar.code),
    )


@bp.get("/accessibility")
def accessibility() -> str:
    """Serve the accessibility statement of this installation."""
    config = current_app.config
    prepared = statement_date(config["ACCESSIBILITY_PREPARED"])
    reviewed = config["ACCESSIBILITY_REVIEWED"]
    site = public_base()
    return render_template(
        "accessibility.html",
        body=config["ACCESSIBILITY_BODY"],
        contact=contact_link(config["ACCESSIBILITY_CONTACT"] or ""),
        enforcement=config["ACCESSIBILITY_ENFORCEMENT"],
        enforcement_url=config["ACCESSIBILITY_ENFORCEMENT_URL"],
        prepared=time_element(prepared),
        reviewed=time_element(statement_date(reviewed) if reviewed else prepared),
        site=Markup('<a href="{0}/">{0}</a>').format(site),
    )
