"""Who is who: signed anonymous participant tokens and moderator keys.

A participant token is issued by the server for one webinar and signed with the app's secret key,
so that nobody can vote as someone else or forge an identity, and a token of one webinar is refused
by another. Moderator keys are compared in constant time and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeSerializer

from .domain import Forbidden
from .msgids import N_

_SALT = "live.participant.v1"


class Identities:
    """Issue and check participant tokens for every webinar of one app."""

    def __init__(self, secret_key: str | bytes) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=_SALT)

    def issue(self, code: str, scope: str = "", participant: str | None = None) -> tuple[str, str]:
        """Create a new anonymous participant of a webinar (or, given ``participant``, a new token
        of the same one); return (participant id, token). ``scope`` binds the token to a private
        webinar's passcode (its fingerprint): a changed passcode makes it invalid there."""
        participant = participant or secrets.token_urlsafe(12)
        fields = [code, participant, scope] if scope else [code, participant]
        return participant, self._serializer.dumps(fields)

    def read(self, code: str, token: object) -> tuple[str, str]:
        """Return the participant id a token names and its scope, or raise ``Forbidden``."""
        if not isinstance(token, str) or len(token) > 200:
            raise Forbidden(N_("The participant token is missing or malformed."), "bad_token")
        try:
            token_code, participant, *scope = self._serializer.loads(token)
        except (BadSignature, ValueError, TypeError) as error:
            raise Forbidden(N_("The participant token is not valid."), "bad_token") from error
        if token_code != code:
            raise Forbidden(N_("The participant token belongs to another webinar."), "bad_token")
        return str(participant), str(scope[0]) if scope else ""

    def participant(self, code: str, token: object, scope: str = "") -> str:
        """Return the participant id a token names; raise ``Forbidden`` if it is not valid here
        (with a ``scope``: if it was not issued for it, ``bad_passcode``)."""
        participant, given = self.read(code, token)
        if scope and given != scope:
            raise Forbidden(
                N_("This webinar is private: enter its passcode first."), "bad_passcode"
            )
        return participant


def new_moderator_key() -> str:
    """Generate a moderator key that is hard to guess and easy to paste."""
    return secrets.token_urlsafe(18)


def key_matches(given: object, expected: str | None) -> bool:
    """Compare a moderator key in constant time (any text: a lone surrogate is simply wrong)."""
    if not isinstance(given, str) or not expected:
        return False
    return hmac.compare_digest(given.encode(errors="surrogatepass"), expected.encode())


def key_fingerprint(key: str | None) -> str:
    """A short digest of a moderator key, kept with a moderator's session and connection: when
    the webinar's key changes, theirs no longer matches and they are signed out. The key itself
    is never kept there (a session cookie is signed, not encrypted)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16] if key else ""
