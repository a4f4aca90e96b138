"""live: self-hosted live webinar Q&A and polling.

``create_app`` builds the Flask app, opens the store, loads the configured webinar and wires the
Socket.IO handlers; ``run.py`` serves it with eventlet.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, frames
from .broadcast import Broadcaster
from .config import Config
from .contexts import CookieSessions, LiveFlask
from .identity import Identities, new_moderator_key
from .limits import RateLimiter
from .rooms import IndexedManager
from .store import Store, StoreUnavailable, store_from_url
from .webinar_file import default_webinar_path, load_webinar_file

socketio = SocketIO()
log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# well within the store's expiry of a connection (30 s in Redis)
PRESENCE_REFRESH_SECONDS = 10.0
# the largest WebSocket frame or request body accepted: far above any event, far below the
# libraries' default of 1 MB
MAX_MESSAGE_BYTES = 64 * 1024


@dataclass
class Connection:
    """Who is on one Socket.IO connection: set at connect, read by every handler."""

    code: str
    moderator: bool
    participant: str | None
    # events refused in a row for flooding
    refused: int = 0
    # moderators: the fingerprint of the key they proved; a changed key signs them out
    key_fingerprint: str = ""
    # moderators: their number in the moderation log ("moderator 2")
    moderator_number: int = 0
    # the language of the page (``lang`` in auth): acks' messages are in it (live/i18n.py)
    language: str = "en"

    @property
    def role(self) -> str:
        """Say who this is: a moderator, an attendee, or a viewer (the projector)."""
        if self.moderator:
            return "moderator"
        return "attendee" if self.participant is not None else "viewer"


@dataclass
class Live:
    """The app's live-room services, kept in ``app.extensions["live"]``."""

    store: Store
    identities: Identities
    broadcaster: Broadcaster
    default_code: str
    # RateLimiter, or a limiter of the same interface shared through the store
    new_participants: Any = field(default_factory=lambda: RateLimiter(0))
    wrong_keys: Any = field(default_factory=lambda: RateLimiter(0))
    wrong_passcodes: Any = field(default_factory=lambda: RateLimiter(0))
    socket_events: RateLimiter = field(default_factory=lambda: RateLimiter(0))
    questions_asked: Any = field(default_factory=lambda: RateLimiter(0))
    connections: dict[str, Connection] = field(default_factory=dict)
    # set while the process stops (live/shutdown.py): new connections are refused
    draining: bool = False
    # client events being handled right now
    in_flight: int = 0
    # when this process last logged that it is full (monotonic seconds)
    full_logged_at: float | None = None
    # per webinar: (when read, its live questions), for suggestions while attendees type
    live_questions: dict[str, tuple[float, list[Any]]] = field(default_factory=dict)


def current_live() -> Live:
    """Return the live-room services of the app handling this request or event."""
    return current_app.extensions["live"]  # type: ignore[no-any-return]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from ``Config``, then ``LIVE_*`` variables, then ``config``."""
    app = LiveFlask(
        __name__,
        instance_path=os.environ.get("LIVE_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # sessions are opened only for requests with the cookie (contexts.py: join storms)
    app.session_interface = CookieSessions()
    app.config.from_object(Config)
    app.config.from_prefixed_env("LIVE")
    app.config.update(config or {})
    if app.config["IDLE_TIMEOUT"] <= app.config["PING_INTERVAL"] + app.config["PING_TIMEOUT"]:
        # healthy clients are silent between pings: a shorter timeout would cut them off
        raise ValueError("LIVE_IDLE_TIMEOUT must exceed LIVE_PING_INTERVAL + LIVE_PING_TIMEOUT")
    # ensure the instance folder exists: it holds the database and the secret key
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # imported here: these modules import ``socketio`` and ``Live`` from this one
    from . import admin, admin_translations, auth, branding, handlers, i18n, notices, routes, tasks

    store = open_store(app)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secret_key(app, store)
    if not app.config["ADMIN_KEY"]:
        app.config["ADMIN_KEY"] = secret_key(app, store, "admin_key")
    default_code = load_webinar(app, store)
    broadcaster = Broadcaster(
        store,
        # each process sends to its own clients; processes exchange marks (channel.py)
        emit=lambda event, data, room: socketio.emit(event, data, to=room, ignore_queue=True),
        tick=app.config["TICK_MS"] / 1000,
    )
    live = Live(
        store,
        Identities(app.config["SECRET_KEY"]),
        broadcaster,
        default_code,
        # per address or participant: shared by all processes when the store is
        new_participants=store.rate_limiter(
            "new_participants", int(app.config["NEW_PARTICIPANTS_PER_MINUTE"])
        ),
        wrong_keys=store.rate_limiter("wrong_keys", int(app.config["WRONG_KEYS_PER_MINUTE"])),
        wrong_passcodes=store.rate_limiter(
            "wrong_passcodes", int(app.config["WRONG_KEYS_PER_MINUTE"])
        ),
        questions_asked=store.rate_limiter("questions", int(app.config["QUESTIONS_PER_MINUTE"])),
        # per connection, so this process's own: a burst of three seconds' worth, then the pace
        socket_events=RateLimiter(3 * int(app.config["EVENTS_PER_SECOND"]), period=3),
    )
    app.extensions["live"] = live
    manager = client_manager(app, live)
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        cors_allowed_origins=origin_check(app),
        # frames far larger than any event are refused before they are parsed
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        client_manager=manager,
        ping_interval=app.config["PING_INTERVAL"],
        ping_timeout=app.config["PING_TIMEOUT"],
        # malformed frames are refused, never raised; the libraries log each error once
        **frames.server_options(),
    )
    # after init_app: each app's new server gets the handlers, and only once
    auth.register(socketio)
    handlers.register(socketio)
    # unknown events, malformed frames and events before admission get answers (live/frames.py)
    frames.register(socketio)
    if "live_channel" in app.extensions:
        app.extensions["live_channel"].start(socketio.start_background_task, socketio.sleep)

    app.register_blueprint(routes.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_translations.bp)
    app.register_blueprint(branding.bp)
    # the languages: Flask-Babel, the picker's cookie, the browser's catalogues (live/i18n.py)
    i18n.init_app(app)
    app.register_blueprint(notices.bp)
    # pages, JSON and exports compressed; static files fingerprinted, pre-compressed, cached
    assets.compress_responses(app)
    assets.serve_static(app)
    # outside Socket.IO's middleware: python-engineio, refusing an oversized polling body itself,
    # waits forever for the session's queue to drain, holding the request and its socket
    app.wsgi_app = refuse_bad_bodies(app.wsgi_app, MAX_MESSAGE_BYTES)  # type: ignore[method-assign]
    if app.config["PROXY_COUNT"]:
        # wraps Socket.IO's middleware too, so that its origin check sees the public scheme and host
        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if app.config["TICK_MS"] > 0:
        socketio.start_background_task(broadcaster.run, socketio.sleep)
        socketio.start_background_task(keep_presence, live, socketio.sleep)
        # in the app's context: the signed_out messages it sends are in each page's language
        socketio.start_background_task(
            in_app_context(app, tasks.watch_moderator_keys), live, socketio.sleep
        )
        socketio.start_background_task(tasks.close_timed_polls, live, socketio.sleep)
        if app.config["PURGE"]:
            socketio.start_background_task(tasks.purge_periodically, live, socketio.sleep)
    return app


def in_app_context(app: Flask, task: Any) -> Any:
    """``task`` run inside ``app``'s context (a background task has none of its own)."""

    def run(*args: Any) -> Any:
        with app.app_context():
            return task(*args)

    return run


def refuse_bad_bodies(wsgi_app: Any, limit: int) -> Any:
    """Answer 413 to a request whose declared body is over ``limit`` bytes, without reading it,
    and 400 to a Socket.IO polling body that is not UTF-8 (python-engineio would log a traceback
    and drop it with a 200, so that the client never learns it was not taken)."""

    def refuse(start_response: Any, status: str, code: str, message: str) -> list[bytes]:
        body = json.dumps({"ok": False, "error": code, "message": message}).encode()
        start_response(
            status,
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                # an unread body must not be taken for the next request
                ("Connection", "close"),
            ],
        )
        return [body]

    def middleware(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return refuse(start_response, "413 Content Too Large", "too_large", "Too large.")
        if length and environ.get("PATH_INFO", "").startswith("/socket.io"):
            body = environ["wsgi.input"].read(length)
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                return refuse(start_response, "400 Bad Request", "bad_encoding", "Not UTF-8.")
            environ["wsgi.input"] = io.BytesIO(body)
        return wsgi_app(environ, start_response)

    return middleware


def client_manager(app: Flask, live: Live) -> IndexedManager:
    """Keep Socket.IO's rooms in this process, and join the processes by change marks.

    Socket.IO's own manager stays the in-process one even with Redis: no emit has to reach another
    process's sockets (updates and sign-outs go to this process's clients only, the snapshot to
    the connecting one), so Redis carries only the marks of what changed (live/channel.py), from
    which each process updates its own clients. The channel is started with the app's tasks.
    Always passed explicitly: Flask-SocketIO would otherwise keep the manager of an earlier app.
    """
    if app.config["REDIS_URL"]:
        from .channel import Channel

        def resync() -> None:
            for code in {connection.code for connection in list(live.connections.values())}:
                try:
                    live.broadcaster.resync(code)
                except StoreUnavailable:
                    log.warning("resync of %s postponed: the store is unavailable", code)

        channel = Channel(
            app.config["REDIS_URL"],
            f"{app.config['REDIS_PREFIX']}:changes",
            on_changed=live.broadcaster.changed_elsewhere,
            # marks sent while this process was not subscribed are lost: send everything again
            on_resubscribe=resync,
        )
        live.broadcaster.share = channel.share
        app.extensions["live_channel"] = channel
    return IndexedManager()


def keep_presence(live: Live, sleep: Callable[[float], Any]) -> None:
    """Confirm this process's attendee connections to the store, and recount who is online.

    A shared store forgets the connections of a process that stopped confirming them (one that
    crashed), so that its attendees do not stay online as ghosts.
    """
    while True:
        sleep(PRESENCE_REFRESH_SECONDS)
        # this process's rate limits forget the addresses they no longer need (the privacy
        # notice promises it); a shared store's expire by themselves
        for limiter in (live.new_participants, live.wrong_keys, live.wrong_passcodes):
            if isinstance(limiter, RateLimiter):
                limiter.forget_idle()
        by_webinar: dict[str, dict[str, str]] = {}
        for sid, connection in list(live.connections.items()):
            if connection.participant and not connection.moderator:
                by_webinar.setdefault(connection.code, {})[sid] = connection.participant
        for code, connections in by_webinar.items():
            try:
                live.store.refresh(code, connections)
            except StoreUnavailable:
                log.warning("presence of %s not refreshed: the store is unavailable", code)
            live.broadcaster.changed(code, presence=True)


def origin_check(app: Flask) -> Any:
    """Accept Socket.IO connections from the app's own origin and the configured ones only."""
    allowed = {origin.rstrip("/") for origin in app.config["ALLOWED_ORIGINS"]}
    if app.config["PUBLIC_URL"]:
        parts = urlsplit(app.config["PUBLIC_URL"])
        allowed.add(f"{parts.scheme}://{parts.netloc}")

    def origin_allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        # a client without an Origin header (not a browser) still has to authenticate in connect
        if origin is None:
            return True
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin == own or origin in allowed

    return origin_allowed


def open_store(app: Flask) -> Store:
    """Open the configured store: Redis when REDIS_URL is set, else STORE_URL, else the SQLite
    file in the instance folder."""
    if app.config["REDIS_URL"]:
        from .store.redis import RedisStore

        return RedisStore(app.config["REDIS_URL"], prefix=app.config["REDIS_PREFIX"])
    url = app.config["STORE_URL"] or f"sqlite:///{Path(app.instance_path) / 'live.sqlite3'}"
    if url.startswith("sqlite:///"):
        from .store.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"), app.config["SQLITE_SYNCHRONOUS"])
    return store_from_url(url)


def load_webinar(app: Flask, store: Store) -> str:
    """Create the configured webinar on first start (a stored one is kept); return its code.

    The moderator key is generated once and stored, unless ``MODERATOR_KEY`` sets it.
    """
    loaded = load_webinar_file(app.config["WEBINAR_FILE"] or default_webinar_path())
    code = loaded.webinar.code
    if store.create_webinar(loaded.webinar, new_moderator_key(), loaded.polls):
        log.info("created webinar %s from its file", code)
    else:
        stored = store.get_webinar(code)
        if stored is not None and not stored.topics and loaded.webinar.topics:
            # a webinar stored by a version without topics gets those of its file
            store.set_topics(code, loaded.webinar.topics)
        if stored is not None and not (stored.accent or stored.logo):
            # and one stored without branding gets the file's (an accent or logo added later)
            brand = {"accent": loaded.webinar.accent, "logo": loaded.webinar.logo}
            if any(brand.values()):
                store.change_webinar(code, brand)
    if app.config["MODERATOR_KEY"]:
        store.set_moderator_key(code, str(app.config["MODERATOR_KEY"]))
    return code


def secret_key(app: Flask, store: Store, name: str = "secret_key") -> str:
    """Return one of the installation's secrets (``secret_key``, ``admin_key``), kept across
    restarts: shared through the store by all processes that use it, else in the instance
    folder."""
    candidate = secrets.token_urlsafe(32 if name == "secret_key" else 18)
    shared = store.shared_secret(candidate, name)
    if shared:
        return shared
    path = Path(app.instance_path) / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(candidate)
    return path.read_text().strip()
