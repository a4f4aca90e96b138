"""Keys: checking the moderator and admin keys, moderator sessions, and changing a moderator key.

A changed key signs out, on this process at once and on the others within a second (tasks.py),
every moderator connection that proved the old one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import session

from . import Connection, Live, service, socketio
from .domain import TooMany
from .i18n import DEFAULT, translate
from .identity import key_fingerprint, key_matches
from .moderation_log import log_action
from .msgids import N_

log = logging.getLogger(__name__)

KEY_CHANGED = N_("The moderator key was changed: open the new moderator link to go on moderating.")


# the refusal once an address gave too many wrong keys, by what they were (whole sentences)
TOO_MANY_WRONG = {
    "keys": N_("Too many wrong keys from your address; wait a minute."),
    "moderator keys": N_("Too many wrong moderator keys from your address; wait a minute."),
    "passcodes": N_("Too many wrong passcodes from your address; wait a minute."),
}


def key_valid(
    live: Live,
    given: object,
    expected: str | None,
    address: str | None,
    what: str = "keys",
    limiter: Any = None,
) -> bool:
    """Check a key, counting wrong ones per address: past the limit, refuse any key.

    The one check of every key the server takes: moderator keys (connect, HTTP), the admin key
    and private webinars' passcodes (``what`` names them in the refusal; ``limiter`` counts them,
    by default with the wrong keys).
    """
    address = address or "unknown"
    limiter = limiter or live.wrong_keys
    if limiter.blocked(address):
        raise TooMany(TOO_MANY_WRONG.get(what, TOO_MANY_WRONG["keys"]))
    if key_matches(given, expected):
        return True
    limiter.allow(address)
    return False


def moderator_key_valid(live: Live, code: str, given: object, address: str | None) -> bool:
    """Check a webinar's moderator key (see ``key_valid``)."""
    return key_valid(live, given, live.store.moderator_key(code), address, "moderator keys")


def current_fingerprint(live: Live, code: str) -> str:
    """Return the fingerprint of the webinar's moderator key as it is now."""
    return key_fingerprint(live.store.moderator_key(code))


def session_moderates(live: Live, code: str) -> bool:
    """Say whether this browser's session proved the webinar's current moderator key."""
    moderates = session.get("moderates")
    return isinstance(moderates, dict) and moderates.get(code) == current_fingerprint(live, code)


def rotate_moderator_key(
    live: Live, code: str, by: Connection | None = None, detail: str = ""
) -> str:
    """Give a webinar a new moderator key, sign out the moderators of the old one, log it.

    ``by`` is the moderator connection that asked (it stays, with the new key); without it the
    change came from the HTTP API or the command line (moderator 0 in the log). Returns the key.
    """
    key = service.rotate_moderator_key(live.store, code=code)
    if by is not None:
        by.key_fingerprint = key_fingerprint(key)
    sign_out_stale_moderators(live)
    log_action(live, code, by.moderator_number if by else 0, "rotate_key", None, detail)
    return key


def sign_out_stale_moderators(live: Live) -> int:
    """Disconnect this process's moderator connections whose key is no longer their webinar's.

    Called at once where a key is changed, and every second by each process (tasks.py), so that
    a change made by another process or the command line reaches every moderator too.
    """
    current: dict[str, str] = {}
    stale = []
    for sid, connection in list(live.connections.items()):
        if not connection.moderator:
            continue
        if connection.code not in current:
            current[connection.code] = current_fingerprint(live, connection.code)
        if connection.key_fingerprint != current[connection.code]:
            stale.append(sid)
    sign_out(stale, "key_changed", KEY_CHANGED)
    if stale:
        log.info("signed out %d moderator connections: their key was changed", len(stale))
    return len(stale)


def _current_or_none() -> Live | None:
    """The app's state where there is an app context (always, in the server), else ``None``."""
    from . import current_live  # late: the app package imports this module

    try:
        return current_live()
    except RuntimeError:
        return None


def sign_out(sids: Iterable[str], reason: str, message: str) -> None:
    """End connections of this process for good, telling each why (``signed_out``)."""
    live = _current_or_none()
    for sid in sids:
        # say why first: a Socket.IO disconnect tells the page not to reconnect by itself
        # the sentence (a msgid) in the language the page connected with
        connection = live.connections.get(sid) if live is not None else None
        language = connection.language if connection is not None else DEFAULT
        text = translate(message, language) if live is not None else message
        socketio.emit("signed_out", {"reason": reason, "message": text}, to=sid, ignore_queue=True)
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
