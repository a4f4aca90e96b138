"""The addresses the app hands out: the attendee page and the moderator link of a webinar.

Built on ``LIVE_PUBLIC_URL`` when it is set (the address attendees really use, behind a proxy),
else on the host of the current request.
"""

from __future__ import annotations

from flask import current_app, request


def public_base() -> str:
    return str(current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")


def attendee_url(code: str) -> str:
    """Return the URL attendees open (printed, and in the QR code)."""
    return f"{public_base()}/e/{code}"


def moderator_url(code: str, key: str) -> str:
    """Return the moderator link: the console, with the key it exchanges for a session."""
    return f"{public_base()}/e/{code}/moderate?key={key}"
