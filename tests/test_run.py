"""run.py's quick parser of request headers reads every request as the standard library does."""

from __future__ import annotations

import http.client
import importlib
import io

import pytest

REQUESTS = [
    # a browser's WebSocket upgrade
    b"Host: live.example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    b"Origin: https://live.example.org\r\nCookie: a=1; b=2\r\n\r\nbody stays",
    # repeated names, an empty value, blanks around values, bare newlines, a Latin-1 byte
    b"Cookie: a=1\nCookie: b=2\nX-Empty:\nX-Blanks: \t spaced out  \nX-Name: Jos\xe9\n\nrest",
    # folded lines and a line that is no header: the email parser's rules
    b"X-Folded: one\r\n two\r\nHost: h\r\n\r\n",
    b"Host: h\r\nnot a header\r\nX-After: 1\r\n\r\n",
    b": no name\r\nHost: h\r\n\r\n",
    # the client went away before the blank line
    b"Host: h\r\nX-Last: 1\r\n",
    b"",
]


@pytest.fixture
def run(monkeypatch):
    # without eventlet: importing run.py must not patch this test process
    monkeypatch.setenv("LIVE_ASYNC_MODE", "threading")
    return importlib.import_module("run")


@pytest.mark.parametrize("raw", REQUESTS)
def test_headers_are_read_as_the_standard_library_reads_them(run, raw):
    ours, theirs = io.BytesIO(raw), io.BytesIO(raw)
    quick = run.parse_headers_quickly(ours)
    standard = http.client.parse_headers(theirs)
    assert type(quick) is type(standard)
    assert quick.items() == standard.items()
    assert quick.get_all("Cookie") == standard.get_all("Cookie")
    assert ours.read() == theirs.read()


def test_too_many_or_too_long_headers_are_refused_as_before(run):
    many = b"".join(b"X-%d: 1\r\n" % n for n in range(101)) + b"\r\n"
    with pytest.raises(http.client.HTTPException):
        run.parse_headers_quickly(io.BytesIO(many))
    with pytest.raises(http.client.LineTooLong):
        run.parse_headers_quickly(io.BytesIO(b"X: " + b"a" * 70000 + b"\r\n\r\n"))


def connections_left_in_cycles(wrap) -> int:
    """Serve ten keep-alive HTTP requests with eventlet's server (the app wrapped by ``wrap``),
    close the clients, and count the server's connections that only a garbage collection would
    free (automatic collections off meanwhile: a young generation's pass may find a cycle early,
    a connection that lived long is left to a full one)."""
    import gc
    import socket
    import warnings

    eventlet = pytest.importorskip("eventlet")
    from eventlet import wsgi

    def hello(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    app = wrap(hello)
    listener = eventlet.listen(("127.0.0.1", 0))
    pool = eventlet.GreenPool()
    server = eventlet.spawn(
        wsgi.server, listener, app, log=io.StringIO(), log_output=False, custom_pool=pool
    )
    with warnings.catch_warnings():
        # what earlier tests left unclosed is not this test's to report
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
        gc.disable()
        try:
            for _ in range(10):
                client = eventlet.green.socket.create_connection(listener.getsockname())
                client.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
                assert client.recv(1024).startswith(b"HTTP/1.1 200")
                client.shutdown(socket.SHUT_RDWR)
                client.close()
            with eventlet.Timeout(10):
                pool.waitall()  # the server has seen every connection end
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            # this server's connections (earlier tests' servers may have left theirs)
            mine = [o for o in gc.garbage if type(o) is wsgi.HttpProtocol]
            return sum(1 for o in mine if o.application is app)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
            server.kill()
            listener.close()


def test_a_closed_connection_is_freed_at_once_not_by_a_full_collection(run):
    # without the wrapper, eventlet's idle hook keeps each connection in a reference cycle
    assert connections_left_in_cycles(lambda app: app) == 10
    assert connections_left_in_cycles(run.release_connections) == 0
