"""The deployment guide's nginx example, run for real in front of two processes sharing Redis."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
import socketio

from live.assets import IMMUTABLE

from .servers import ROOT, LiveServer, free_port
from .test_e2e import CODE, Client
from .test_redis_processes import live_process, redis_server  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.redis, pytest.mark.e2e]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "docs" / "deploy" / "nginx.conf"


def nginx_config(folder: Path, port: int, upstreams: list[int]) -> Path:
    """The guide's site file with this test's ports, inside a main file for an unprivileged run."""
    site = SITE.read_text()
    # the guide's upstream lines, with this test's ports
    ports = iter(upstreams)
    site = re.sub(
        r"server 127\.0\.0\.1:\d+(?=.*# live-upstream)",
        lambda _: f"server 127.0.0.1:{next(ports)}",
        site,
    )
    site = re.sub(r"listen 80;.*", f"listen 127.0.0.1:{port};", site)
    assert f"127.0.0.1:{upstreams[1]}" in site and f"listen 127.0.0.1:{port}" in site
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    temp.mkdir()
    main = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
"""
    (folder / "nginx.conf").write_text(main)
    return folder / "nginx.conf"


@pytest.fixture
def nginx_front(tmp_path, redis_server) -> Iterator[str]:  # noqa: F811
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed")
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    processes = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        processes.append(
            LiveServer(
                folder,
                LIVE_REDIS_URL=redis_server.url,
                LIVE_PUBLIC_URL=public,
                LIVE_PROXY_COUNT="1",
            ).start()
        )
    folder = tmp_path / "nginx"
    folder.mkdir()
    config = nginx_config(folder, port, [p.port for p in processes])
    with open(folder / "stderr.log", "wb") as stderr:
        nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(config), "-g", "daemon off;"], stderr=stderr
        )
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"{public}/healthz", timeout=1).close()
            break
        except OSError:
            assert nginx.poll() is None, (folder / "stderr.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
    yield public
    nginx.terminate()
    nginx.wait(10)
    for process in processes:
        process.stop()


def fetch(url: str, cookie: str | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(
        url, method=method, headers={"Cookie": cookie} if cookie else {}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, dict(response.headers), response.read()


def process_of(public: str, cookie: str) -> int:
    import json

    return int(json.loads(fetch(f"{public}/healthz", cookie)[2])["process"])


def test_clients_through_nginx_reach_both_processes_and_share_one_room(nginx_front):
    public = nginx_front
    assert fetch(f"{public}/e/{CODE}")[0] == 200
    status, _, page = fetch(f"{public}/e/{CODE}/present")
    assert status == 200 and f"/e/{CODE}/qr.svg".encode() in page

    # attendees get their participant cookie from whichever process; the cookie then picks one
    people: dict[int, list[str]] = {}
    for _ in range(20):
        _, headers, _ = fetch(f"{public}/api/webinars/{CODE}/join", method="POST")
        cookie = headers["Set-Cookie"].split(";")[0]
        process = process_of(public, cookie)
        assert process_of(public, cookie) == process  # sticky
        people.setdefault(process, []).append(cookie)
    assert len(people) == 2, "the hash on the participant cookie spreads attendees"

    # one attendee per process; long-polling needs the stickiness, WebSocket the upgrade headers
    (first, *_), (second, *_) = people.values()
    clients = []
    for cookie, transport in ((first, "polling"), (second, "websocket")):
        token = cookie.split("=", 1)[1]
        name = cookie.split("=", 1)[0]
        client = Client(public, {"webinar": CODE, "participant": token}, cookies={name: token})
        clients.append(client.connect(transports=[transport]))
    on_polling, on_websocket = clients
    assert on_polling.sio.transport() == "polling" and on_websocket.sio.transport() == "websocket"
    asked = on_polling.call("ask", {"text": "Through nginx, on one process?"})["question"]["id"]
    on_websocket.wait_for(lambda: on_websocket.seen(asked))
    assert on_websocket.call("upvote", {"question": asked, "up": True})["ok"]
    on_polling.wait_for(lambda: (on_polling.seen(asked) or {}).get("upvotes") == 1)
    for client in clients:
        client.sio.disconnect()


def test_a_handshake_from_another_origin_is_refused_through_nginx(nginx_front):
    sio = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(
            nginx_front,
            headers={"Origin": "https://evil.example"},
            auth={"webinar": CODE, "viewer": True},
            wait_timeout=5,
        )
    # the public origin passes (the proxy's X-Forwarded-* are trusted: LIVE_PROXY_COUNT=1)
    sio = socketio.Client(reconnection=False)
    sio.connect(
        nginx_front,
        headers={"Origin": nginx_front},
        auth={"webinar": CODE, "viewer": True},
        wait_timeout=5,
    )
    sio.disconnect()


def test_pages_and_fingerprinted_files_come_compressed_and_cached_through_nginx(nginx_front):
    public = nginx_front
    request = urllib.request.Request(f"{public}/e/{CODE}", headers={"Accept-Encoding": "br"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response.headers["Vary"]
        page = brotli.decompress(response.read()).decode()
    scripts = re.findall(r'src="(/static/[^"]+\.[0-9a-f]{12}\.js)"', page)
    assert any("attendee" in s for s in scripts) and any("socket.io" in s for s in scripts)
    # every process builds the same names: an attendee on either process gets the same file
    cookies: dict[int, str] = {}
    for _ in range(40):
        _, headers, _ = fetch(f"{public}/api/webinars/{CODE}/join", method="POST")
        cookie = headers["Set-Cookie"].split(";")[0]
        cookies.setdefault(process_of(public, cookie), cookie)
    assert len(cookies) == 2
    for url in scripts:
        plain = re.sub(r"\.[0-9a-f]{12}(?=\.js$)", "", url)
        original = fetch(f"{public}{plain}")[2]
        for cookie in cookies.values():
            for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
                headers = {"Accept-Encoding": encoding, "Cookie": cookie}
                request = urllib.request.Request(f"{public}{url}", headers=headers)
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.headers["Content-Encoding"] == encoding, url
                    assert response.headers["Cache-Control"] == IMMUTABLE
                    assert decode(response.read()) == original
