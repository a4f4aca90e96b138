"""Private webinars: a passcode that attendees enter once before joining.

The passcode, checked in constant time and counted per address like moderator keys, becomes a
mark in the browser's session (its fingerprint: a changed passcode ends it) and scopes the
participant tokens issued after it (``Identities.issue``). A moderator's session opens everything
too. The pages, the public JSON, the follow-up page and the screen of a private webinar ask for it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, session

from . import Live, current_live
from .domain import Forbidden, Webinar
from .identity import key_fingerprint
from .keys import key_valid, session_moderates
from .msgids import N_

BAD_PASSCODE = N_("That passcode is not this webinar's. Check it and try again.")
NEEDED = N_("This webinar is private: enter its passcode first.")


def scope(webinar: Webinar) -> str:
    """Return what a private webinar's participant tokens are bound to ("" for a public one)."""
    return key_fingerprint(webinar.passcode) if webinar.passcode else ""


def admitted(live: Live, webinar: Webinar) -> bool:
    """Say whether this request may see the webinar: public, a session that entered the current
    passcode, a moderator's session or the organiser's."""
    if not webinar.passcode:
        return True
    joined = session.get("joined")
    if isinstance(joined, dict) and joined.get(webinar.code) == scope(webinar):
        return True
    # the organiser page's session (its links to the screen and the QR code)
    if session.get("admin") == key_fingerprint(current_app.config["ADMIN_KEY"]):
        return True
    return session_moderates(live, webinar.code)


def check(live: Live, webinar: Webinar, given: object, remember: bool = True) -> None:
    """Check a passcode (counted per address: past the limit every passcode is refused with
    ``rate_limited``); raise ``Forbidden`` with ``bad_passcode`` if it is wrong or missing;
    ``remember`` the right one in the session."""
    if not key_valid(
        live, given, webinar.passcode, request.remote_addr, "passcodes", live.wrong_passcodes
    ):
        raise Forbidden(BAD_PASSCODE if given else NEEDED, "bad_passcode")
    if not remember:
        return
    joined = session.get("joined")
    joined = joined if isinstance(joined, dict) else {}
    session["joined"] = {**joined, webinar.code: scope(webinar)}
    session.permanent = True


def require(webinar: Webinar) -> None:
    """Refuse a request for a private webinar's content without its passcode (JSON, 403)."""
    if not admitted(current_live(), webinar) and not _bearer_passcode(webinar):
        raise Forbidden(NEEDED, "bad_passcode")


def _bearer_passcode(webinar: Webinar) -> bool:
    # API clients send the passcode in a header, once per request (no session)
    given = request.headers.get("X-Passcode")
    if given is None:
        return False
    check(current_live(), webinar, given, remember=False)
    return True


def form(webinar: Webinar, wrong: str = "", next_page: str = "", status: int = 401) -> Any:
    """Render the passcode form (``wrong``: why the last attempt was refused)."""
    page = render_template("passcode.html", webinar=webinar, wrong=wrong, next_page=next_page)
    return page, status
