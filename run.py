"""Start the live server.

    python run.py [--host H] [--port P] [--webinar FILE] [--store URL] [--public-url URL]

The only module that knows the async library: it patches the standard library first (eventlet by
default; LIVE_ASYNC_MODE=gevent or threading run the same app), then serves the app and prints
the attendee URL with a QR code, the projector URL and the moderator link.
"""

import os
import warnings

ASYNC_MODE = os.environ.get("LIVE_ASYNC_MODE", "eventlet")
if ASYNC_MODE == "eventlet":
    # eventlet announces at import that it is in bug-fix mode; the README says why it is kept
    # behind one setting, and an operator does not need the notice at every start
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import email.parser  # noqa: E402
import gc  # noqa: E402
import http.client  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import greenlet  # noqa: E402
from flask import Flask  # noqa: E402

from live import create_app, fanout, socketio  # noqa: E402
from live.links import admin_url, attendee_url, moderator_url, projector_url  # noqa: E402
from live.logs import install as install_log_rate_limit  # noqa: E402
from live.qr import qr_text  # noqa: E402
from live.shutdown import drain  # noqa: E402

log = logging.getLogger("live.run")


def parse_args(argv: list[str]) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="Serve live webinar Q&A and polling.")
    parser.add_argument("--host", default=env("LIVE_HOST", "0.0.0.0"), help="address to listen on")
    parser.add_argument("--port", type=int, default=int(env("LIVE_PORT", "5000")))
    parser.add_argument("--webinar", default=env("LIVE_WEBINAR_FILE"), help="webinar TOML file")
    parser.add_argument(
        "--store", default=env("LIVE_STORE_URL"), help="sqlite:///file or memory://"
    )
    parser.add_argument(
        "--redis",
        default=env("LIVE_REDIS_URL"),
        help="redis://host:port/db: the shared store of several processes, and their channel",
    )
    parser.add_argument(
        "--public-url",
        default=env("LIVE_PUBLIC_URL"),
        help="address attendees use (default: http://<LAN address>:<port>)",
    )
    return parser.parse_args(argv)


def lan_address() -> str:
    """Return this machine's address on the local network (what phones on the same Wi-Fi reach)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # connecting a UDP socket sends nothing; it only picks the outgoing interface
        probe.connect(("10.255.255.255", 1))
        return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def raise_open_files_limit(wanted: int) -> int:
    """Raise the soft limit of open files towards ``wanted`` (each attendee holds one socket)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


# pending connections the kernel keeps for the server: a QR code on the projector brings hundreds
# of phones within a second, and the default of 50 would turn most of them away (the kernel caps
# it at net.core.somaxconn, 4,096 on current Linux)
LISTEN_BACKLOG = 4096


# seconds a stopping process gives its closed connections to finish after the drain (their last
# frames out): past it, it exits without waiting for each one's disconnect handler, which with
# thousands of attendees took longer than the restart itself (their pages reconnect regardless,
# and presence is the process's own, or expires in a shared store)
STOP_GRACE = 3.0


# Python's collector runs a full collection whenever the objects that outlived two collections
# grew by a quarter since the last one. A join storm grows them all the time: 5,000 attendees
# joining made 13 full collections of an ever larger heap, a fifth of the server's CPU in the
# storm, with pauses up to 1 s. Automatic full collections now wait for a hundred times more
# collections of the middle generation (the young ones, which find most garbage cycles, run as
# before), and what the process built at its start is left out of every collection. So that the
# cycles left by connections that came and went were not kept for long (a soak run with churn grew
# by 1.9 GB an hour without it), a full collection ran every minute when the default thresholds
# would have run one meanwhile: a pause of the whole process, 0.5 s with 5,000 attendees (S2).
# Those cycles were eventlet's (``release_connections`` below breaks them as each request ends):
# now a full collection runs every ``LIVE_GC_FULL_SECONDS`` (600) when one is due.
GC_THRESHOLDS = (700, 10, 1000)
GC_DEFAULT_THRESHOLD2 = 10


def tune_garbage_collector() -> None:
    """Freeze the objects of the start (modules, the app) and make full collections rare."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def collect_garbage_now_and_then(every: float, sleep: Callable[[float], object]) -> None:
    """Run a full collection at most every ``every`` seconds, when one is due."""
    while True:
        sleep(every)
        # collections of the middle generation since the last full one
        if gc.get_count()[2] >= GC_DEFAULT_THRESHOLD2:
            gc.collect()


# http.client's limits on request headers, which the quick parser keeps
MAX_HEADER_LINE = 65536
MAX_HEADERS = 100
# a header line the quick parser takes: a name of visible characters, a colon, no folding
PLAIN_HEADER = re.compile(r"([\x21-\x39\x3b-\x7e]+):([^\r\n]*)\r?\n")


def parse_headers_quickly(fp: object, _class: type = http.client.HTTPMessage) -> object:
    """Parse a request's headers as ``http.client.parse_headers`` does, without its email
    parser for the lines every client sends (a name, a colon, a value): eventlet's server parses
    the headers of every request with it, which was 8% of a join's CPU (its HTTP request and its
    WebSocket's). Anything else (folded lines, a line that is not a header) goes to the email
    parser, whose result is the same as before."""
    lines = []
    while True:
        line = fp.readline(MAX_HEADER_LINE + 1)  # type: ignore[attr-defined]
        if len(line) > MAX_HEADER_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            break
    message = _class()
    # the last line is the blank one that ends the headers (or nothing: the client went away)
    for line in lines[:-1]:
        plain = PLAIN_HEADER.fullmatch(line.decode("iso-8859-1"))
        if plain is None:
            text = b"".join(lines).decode("iso-8859-1")
            return email.parser.Parser(_class=_class).parsestr(text)
        # the value as the email parser keeps it: leading blanks off, trailing ones kept
        message[plain.group(1)] = plain.group(2).lstrip(" \t")
    return message


def release_connections(wsgi_app: Any) -> Any:
    """``wsgi_app`` with eventlet's idle hook dropped from each request once the app is done
    with it. eventlet's server puts in every request's environ a function that refers to its
    connection, which refers back to that environ: a cycle, so that every connection that came
    and went (all of its objects, sockets and buffers) stayed in memory until a full garbage
    collection found it. The hook's one user, eventlet's WebSocket, calls it as the WebSocket
    opens, long before the app returns."""

    def released(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            return wsgi_app(environ, start_response)
        finally:
            environ.pop("eventlet.set_idle", None)

    return released


def serve(app: Flask, host: str, port: int, options: dict[str, object]) -> None:
    """Serve until stopped. Access lines come from the app, without query strings (a moderator key
    must not be logged), so the servers' own are off."""
    if ASYNC_MODE != "eventlet":
        socketio.run(app, host=host, port=port, log_output=False, **options)
        return
    import eventlet.wsgi

    # http.server (under eventlet's server) looks it up in http.client for every request
    http.client.parse_headers = parse_headers_quickly  # type: ignore[assignment]

    class Connections(eventlet.GreenPool):
        """The server's connections; on the way out it waits ``STOP_GRACE`` seconds at most."""

        def waitall(self) -> None:
            with eventlet.Timeout(STOP_GRACE, False):
                super().waitall()

    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = eventlet.listen(address, family, backlog=LISTEN_BACKLOG)
    pool = Connections(int(options.pop("max_size")))  # type: ignore[call-overload]
    eventlet.wsgi.server(
        listener,
        release_connections(app),
        log_output=False,
        custom_pool=pool,
        **options,  # type: ignore[arg-type]
    )


def stop_gracefully_on_sigterm(app: Flask) -> None:
    """On SIGTERM (or Ctrl-C), drain the process (live/shutdown.py), then end the server's accept
    loop, so that ``socketio.run`` returns and the process exits with status 0. A second signal
    while draining ends the process at once.

    Under eventlet and gevent the server runs in this (the main) greenlet; threading, a
    development mode, keeps Python's default: SIGTERM ends the process at once.
    """
    if ASYNC_MODE not in ("eventlet", "gevent"):
        return
    serving = greenlet.getcurrent()

    def stop() -> None:
        drain(app.extensions["live"], socketio.server, socketio.sleep)
        if ASYNC_MODE == "eventlet":
            from eventlet import hubs

            # eventlet's accept loop ends on SystemExit; thrown from the hub, not from here
            hubs.get_hub().schedule_call_global(0, serving.throw, SystemExit)
        else:
            socketio.wsgi_server.stop(timeout=5)

    stopping: list[bool] = []

    def on_sigterm(*_: object) -> None:
        if stopping:
            log.warning("stopping now, without waiting")
            os._exit(1)
        stopping.append(True)
        log.info("stopping: refusing new connections, finishing what is in flight")
        socketio.start_background_task(stop)

    for signum in (signal.SIGTERM, signal.SIGINT):
        if ASYNC_MODE == "gevent":
            import gevent

            # gevent runs the handler in a greenlet of its own, where starting a task is safe
            gevent.signal_handler(signum, on_sigterm)
        else:
            signal.signal(signum, on_sigterm)


def install_fan_out(app: Flask) -> None:
    """Hook the fan-out (live/fanout.py) with the async mode's transport: under eventlet,
    deflate without per-socket state and the fast path; in every mode, the slow-client bound."""
    transport = None
    if ASYNC_MODE == "eventlet":
        from live.fanout_eventlet import EventletTransport

        transport = EventletTransport()
    else:
        fanout.simple_websocket_without_context()
    fanout.install(
        socketio.server,
        transport,
        fast=bool(app.config["FAST_FANOUT"]),
        queue_limit=int(app.config["SEND_QUEUE_LIMIT"]),
    )


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # the same message at most a few times a minute: a flood of bad input never fills the log
    install_log_rate_limit()
    host_for_urls = "127.0.0.1" if args.host in ("127.0.0.1", "localhost") else lan_address()
    public_url = (args.public_url or f"http://{host_for_urls}:{args.port}").rstrip("/")
    config = {"PUBLIC_URL": public_url, "ASYNC_MODE": ASYNC_MODE}
    if args.webinar:
        config["WEBINAR_FILE"] = args.webinar
    if args.store:
        config["STORE_URL"] = args.store
    if args.redis:
        config["REDIS_URL"] = args.redis
    app = create_app(config)
    live = app.extensions["live"]
    code = live.default_code
    key = live.store.moderator_key(code)
    max_connections = int(app.config["MAX_CONNECTIONS"])
    open_files = raise_open_files_limit(max_connections + max(200, max_connections // 10))

    attendee = attendee_url(code, public_url)
    print(qr_text(attendee), flush=True)
    print(f"Attendees join at:  {attendee}", flush=True)
    print(f"Projector screen:   {projector_url(code, public_url)}", flush=True)
    print(f"Moderator link:     {moderator_url(code, key, public_url)}", flush=True)
    print(f"Organiser page:     {admin_url(app.config['ADMIN_KEY'], public_url)}", flush=True)
    print(
        f"Store: {live.store.kind}; up to {max_connections} connections "
        f"(open files limit {open_files}); listening on {args.host}:{args.port}",
        flush=True,
    )

    options: dict[str, object] = {}
    if ASYNC_MODE == "eventlet":
        # eventlet's server accepts only 1,024 connections at once unless told otherwise; room
        # above the Socket.IO limit keeps pages and /healthz answering when the process is full
        options["max_size"] = max_connections + max(100, max_connections // 20)
        # a connection that stays silent (no request, no frame) is closed: no idle pile-up
        options["socket_timeout"] = app.config["IDLE_TIMEOUT"]
    if ASYNC_MODE == "threading":
        options["allow_unsafe_werkzeug"] = True
    stop_gracefully_on_sigterm(app)
    install_fan_out(app)
    tune_garbage_collector()
    every = float(app.config["GC_FULL_SECONDS"])
    socketio.start_background_task(collect_garbage_now_and_then, every, socketio.sleep)
    serve(app, args.host, args.port, options)
    live.store.close()
    log.info("stopped")


if __name__ == "__main__":
    main(sys.argv[1:])
