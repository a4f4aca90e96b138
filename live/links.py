"""The addresses the app hands out: a webinar's attendee page, projector and moderator link, and
the organiser page.

Built on ``base`` when given (the command line and run.py, outside any request), else on
``LIVE_PUBLIC_URL`` when it is set (the address attendees really use, behind a proxy), else on
the host of the current request.
"""

from __future__ import annotations

from flask import current_app, request


def public_base() -> str:
    """Return the address the current request's app is reached at, without a trailing slash."""
    return str(current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")


def _base(base: str | None) -> str:
    return base.rstrip("/") if base else public_base()


def attendee_url(code: str, base: str | None = None) -> str:
    """Return the URL attendees open (printed, and in the QR code)."""
    return f"{_base(base)}/e/{code}"


def projector_url(code: str, base: str | None = None) -> str:
    """Return the projector screen's URL."""
    return f"{_base(base)}/e/{code}/present"


def moderator_url(code: str, key: str, base: str | None = None) -> str:
    """Return the moderator link: the console, with the key it exchanges for a session."""
    return f"{_base(base)}/e/{code}/moderate?key={key}"


def admin_url(key: str, base: str | None = None) -> str:
    """Return the organiser page's link, with the admin key it exchanges for a session."""
    return f"{_base(base)}/admin?key={key}"
