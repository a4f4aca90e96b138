"""Default settings; ``create_app`` overrides them from ``LIVE_*`` environment variables.

Each name below is also an environment variable with the ``LIVE_`` prefix (``STORE_URL`` is
``LIVE_STORE_URL``); values are parsed as JSON where they can be (``LIVE_TICK_MS=250``).
"""

from __future__ import annotations


class Config:
    # where webinars live: sqlite:///path (default: instance/live.sqlite3), memory://
    STORE_URL: str | None = None
    # Redis for several server processes: the shared store and the channel of change marks
    REDIS_URL: str | None = None
    # the prefix of every Redis key and of the channel of change marks (several sites, one Redis)
    REDIS_PREFIX = "live"
    # how many proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: trust none)
    PROXY_COUNT = 0
    # SQLite durability: NORMAL survives a crash of the process, FULL also a power cut
    SQLITE_SYNCHRONOUS = "NORMAL"
    # the webinar file loaded on start (default: the Nets4Dem webinar shipped in the package)
    WEBINAR_FILE: str | None = None
    # the address attendees use, as printed and put in QR codes (default: taken from the request)
    PUBLIC_URL: str | None = None
    # the moderator key of the loaded webinar (default: generated once and stored)
    MODERATOR_KEY: str | None = None
    # signs participant tokens and moderator sessions (default: generated once in instance/)
    SECRET_KEY: str | None = None
    # opens the organiser page (/admin): create, edit, duplicate and delete webinars
    # (default: generated once, shared by the processes of one store; run.py prints the link)
    ADMIN_KEY: str | None = None
    # how often coalesced updates go out, in milliseconds (0: only when flush() is called)
    TICK_MS = 100
    # eventlet (default), gevent or threading: run.py patches the standard library accordingly
    ASYNC_MODE = "eventlet"
    # room broadcasts framed once and written straight to each WebSocket (live/fanout.py; eventlet
    # only): off sends every update through Socket.IO's own per-socket queue
    FAST_FANOUT = True
    # packets waiting for one connection past which it is dropped (a phone that stopped reading);
    # its page reconnects and resyncs. 0: never
    SEND_QUEUE_LIMIT = 100
    # the most Socket.IO connections one process holds; past it newcomers are refused with "full"
    # (and told to retry) and the log says so once a minute
    MAX_CONNECTIONS = 20000
    # seconds between the server's pings, and how long it waits for the answer before it drops a
    # connection whose client vanished without closing it (a phone that lost its network)
    PING_INTERVAL = 25
    PING_TIMEOUT = 20
    # seconds a TCP connection may stay silent (no request, no WebSocket frame) before it is
    # closed; longer than PING_INTERVAL + PING_TIMEOUT, since healthy clients answer every ping
    IDLE_TIMEOUT = 60
    # other origins (["https://webinars.example.org"]) allowed to open Socket.IO connections
    ALLOWED_ORIGINS: list[str] = []
    # who may embed the pages in a frame (CSP frame-ancestors), e.g. "'self' https://webinars.example.org"
    FRAME_ANCESTORS = "'self'"
    # new anonymous identities per address and minute (a city hall behind one address joins too)
    NEW_PARTICIPANTS_PER_MINUTE = 600
    # wrong moderator keys per address and minute; past it, every key is refused for a while
    WRONG_KEYS_PER_MINUTE = 10
    # events one connection may send per second (bursts of three seconds' worth pass)
    EVENTS_PER_SECOND = 10
    # questions one participant may ask per minute
    QUESTIONS_PER_MINUTE = 10
    # seconds between the server's full garbage collections (when one is due; run.py): each
    # pauses the process (0.5 s at 5,000 attendees); the connections that come and go no longer
    # need them (run.py's release_connections), what else they find is small
    GC_FULL_SECONDS = 600.0
    # purge the personal data of webinars past their retention period, at start and hourly
    # (docs/privacy.md); false: only by hand, with python -m live purge
    PURGE = True
    # the accessibility statement (/accessibility), after the EU model statement: who makes the
    # statement, whom to tell about a barrier (an email or web address; default: the organiser of
    # the webinar), the enforcement procedure (text and link), when it was prepared and reviewed.
    # Empty BODY and ENFORCEMENT: the statement's own sentences, in the reader's language; values
    # set here are shown as typed, in every language
    ACCESSIBILITY_BODY = ""
    ACCESSIBILITY_CONTACT = ""
    ACCESSIBILITY_ENFORCEMENT = ""
    ACCESSIBILITY_ENFORCEMENT_URL = (
        "https://digital-strategy.ec.europa.eu/en/policies/web-accessibility"
    )
    ACCESSIBILITY_PREPARED = "2026-11-29"
    ACCESSIBILITY_REVIEWED = ""
    # where run.py listens
    HOST = "0.0.0.0"
    PORT = 5000
    # log each HTTP request (path only: query strings can carry a moderator key)
    ACCESS_LOG = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
