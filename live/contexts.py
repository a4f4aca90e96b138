"""Cheaper Flask contexts: what a join storm repeats thousands of times, done once or not at all.

Flask-SocketIO handles every Socket.IO event (the ``connect`` of a joining attendee among them)
inside a request context of its own, made from the connection's first HTTP request. Pushing one
matched that request's URL against every route (``/socket.io/`` never matches) and opened the
signed-cookie session, building a new ``itsdangerous`` serializer each time even when the request
carried no session cookie (attendees never have one: only moderators sign in). In a profile of
5,000 attendees joining at 500 a second this was about a tenth of the server's CPU.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.routing import MapAdapter

# where Socket.IO's requests arrive (Flask-SocketIO's default path, which create_app keeps)
SOCKETIO_PATH = "/socket.io/"


class LiveFlask(Flask):
    """Flask, without URL matching for Socket.IO events: no route serves ``/socket.io/``, and no
    handler of an event builds a URL with ``url_for`` (links.py builds them from the host)."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is not None and request.environ.get("PATH_INFO", "").startswith(SOCKETIO_PATH):
            return None
        return super().create_url_adapter(request)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened only for requests that carry the cookie, with one
    serializer per secret key instead of one per request."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            self._serializers = {keys: serializer}
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.environ.get("HTTP_COOKIE"):
            # what Flask returns for a request without the cookie, without parsing any
            return self.session_class()
        return super().open_session(app, request)
