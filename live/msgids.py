"""The no-op marker of messages translated later, at the edge (issue 15).

``N_("Only moderators may do this.")`` is the text itself: modules that must stay free of Flask
(``live/domain.py``) or that build a message before its reader's language is known mark it so
that ``make messages`` extracts it; ``live.i18n.translate`` gives it in the reader's language
where it is sent (a Socket.IO ack, a refused connection). A message with values uses named
placeholders, ``N_("There is no event %(event)s.")``, filled in when it is translated.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark ``message`` for the catalogue and return it unchanged."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - as N_
    """Mark a message with a plural (``ngettext``'s two msgids) for the catalogue; the edge
    picks the form for a count (``live.i18n.translate_plural``)."""
    return singular, plural
