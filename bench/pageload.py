"""S7 page load: the attendee page on a phone over slow 4G, a fresh visit and a repeat visit.

A server (this tree's run.py, or another tree's with ``--root``: today's code for the figures
before a change) is filled with questions, then Chromium, throttled over CDP to about 1.6 Mbit/s
down, 750 kbit/s up and 150 ms latency, opens the attendee page in a new browser profile (the
fresh visit) and again in a new tab of the same profile (the repeat visit: the phone that scans
the QR code a second time). Counted from Chromium's network events: bytes on the wire (headers
included) and requests, for the page and its files; the WebSocket is counted apart (its frames
as the page reads them). Interactive: the ask box is enabled after the snapshot arrived, timed in
the page from the start of the navigation.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .targets import CODE, KEY, free_port, wait_http

# Chrome DevTools' "Slow 4G"-like profile of the issue: bytes per second and milliseconds
SLOW_4G = {"latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
TARGETS = {"fresh_kb": 45, "interactive_ms": 3000, "repeat_asset_requests": 0}
# in the page before its own scripts: the time the snapshot frame arrives, on the page's clock
WATCH_SNAPSHOT = """
(() => {
  const Native = window.WebSocket;
  window.__pageload = {};
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (!window.__pageload.snapshot && typeof event.data === "string"
            && event.data.startsWith('42["snapshot"')) {
          window.__pageload.snapshot = performance.now();
        }
      });
    }
  };
})();
"""
INTERACTIVE = """() => {
  const mark = window.__pageload || {};
  const ask = document.getElementById("question-text");
  const send = document.getElementById("send-question");
  const connected = document.querySelector("#connection[data-state=connected]");
  if (mark.snapshot === undefined || !connected || !ask || ask.disabled || send.disabled) {
    return false;
  }
  return performance.now();
}"""
OPENINGS = [
    "How can a city",
    "Is it possible for a municipality to",
    "What does it take to",
    "Could you explain how small towns can",
    "Who decides whether we can",
    "When is the deadline to",
]
TOPICS = ["Democracy Lab", "Democracy Innovation Accelerator", "Rising Stars Mentorship Programme"]
MIDDLES = [
    "join the programme with a team from two departments",
    "apply if our council elections happen in the autumn",
    "take part remotely for part of the sessions",
    "bring a citizen assembly member along",
    "share the results with our neighbouring region",
]
ENDINGS = [
    "?",
    ", and is there any funding for travel?",
    ", given that our staff time is very limited this year and we already run two "
    "participatory budgeting rounds?",
    ", or is this only for capital cities and members of Eurocities?",
]
NAMES = ["Marta", "Jonas", "Aïcha", "Piotr", "Sofia", "Luca", "Eva", "Tomás", None, None]


@dataclass
class Visit:
    """What Chromium reported for one visit, from its network events."""

    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    frames: list[int] = field(default_factory=list)

    def listen(self, cdp: Any) -> None:
        def on(event: str) -> Any:
            def record(params: dict[str, Any]) -> None:
                request = self.requests.setdefault(params["requestId"], {"bytes": 0})
                if event == "requestWillBeSent":
                    request["url"] = params["request"]["url"]
                elif event == "responseReceived":
                    response = params["response"]
                    headers = {k.lower(): v for k, v in response["headers"].items()}
                    request["status"] = response["status"]
                    request["encoding"] = headers.get("content-encoding")
                    request["cache_control"] = headers.get("cache-control")
                    if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
                        request["cached"] = True
                elif event == "requestServedFromCache":
                    request["cached"] = True
                elif event == "loadingFinished":
                    request["bytes"] = int(params["encodedDataLength"])

            return record

        for event in ("requestWillBeSent", "responseReceived", "requestServedFromCache"):
            cdp.on(f"Network.{event}", on(event))
        cdp.on("Network.loadingFinished", on("loadingFinished"))
        cdp.on(
            "Network.webSocketFrameReceived",
            lambda params: self.frames.append(len(params["response"]["payloadData"].encode())),
        )

    def figures(self) -> dict[str, Any]:
        """Bytes and requests that went over the network, in all and for the page's files."""
        fetched = [r for r in self.requests.values() if "url" in r and not r.get("cached")]
        assets = [r for r in fetched if "/static/" in r["url"]]
        return {
            "bytes": sum(r["bytes"] for r in fetched),
            "requests": len(fetched),
            "asset_requests": len(assets),
            "asset_bytes": sum(r["bytes"] for r in assets),
            "assets_from_cache": sum(
                1 for r in self.requests.values() if r.get("cached") and "/static/" in r["url"]
            ),
            "websocket": {"frames": len(self.frames), "payload_bytes": sum(self.frames)},
            "files": [
                {
                    "path": r["url"].split("//", 1)[-1].split("/", 1)[-1].split("?")[0],
                    "status": r.get("status"),
                    "encoding": r.get("encoding"),
                    "cache_control": r.get("cache_control"),
                    "bytes": r["bytes"],
                }
                for r in fetched
            ],
        }


def fill(url: str, questions: int) -> None:
    """Ask ``questions`` questions of realistic lengths, topics and names, from 20 attendees."""
    import socketio

    chance = random.Random(7)
    askers = []
    for _ in range(20):
        request = urllib.request.Request(f"{url}/api/webinars/{CODE}/join", method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            token = json.load(response)["participant"]
        sio = socketio.SimpleClient()
        sio.connect(url, auth={"webinar": CODE, "participant": token}, transports=["websocket"])
        askers.append(sio)
    for n in range(questions):
        text = " ".join((chance.choice(OPENINGS), chance.choice(MIDDLES))) + chance.choice(ENDINGS)
        payload: dict[str, Any] = {"text": text, "topic": chance.choice(TOPICS)}
        if name := chance.choice(NAMES):
            payload["name"] = name
        ack = askers[n % len(askers)].call("ask", payload, timeout=10)
        if not ack.get("ok"):
            raise RuntimeError(f"question {n} refused: {ack}")
    for sio in askers:
        sio.disconnect()


def visit(context: Any, url: str, throttle: bool) -> dict[str, Any]:
    """Open the attendee page in a new tab of ``context``; return its figures."""
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.add_init_script(WATCH_SNAPSHOT)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if throttle:
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **SLOW_4G})
    seen = Visit()
    seen.listen(cdp)
    page.goto(url, wait_until="commit")
    interactive = page.wait_for_function(INTERACTIVE, polling="raf").json_value()
    snapshot = page.evaluate("window.__pageload.snapshot")
    loaded = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    page.wait_for_timeout(300)  # the last loadingFinished events
    figures = seen.figures()
    page.close()
    return {
        "interactive_ms": round(interactive),
        "snapshot_ms": round(snapshot),
        "dom_content_loaded_ms": round(loaded),
        **figures,
    }


def measure(url: str, runs: int, throttle: bool) -> dict[str, Any]:
    """Fresh and repeat visits, ``runs`` times each in a new profile: medians and every run."""
    from playwright.sync_api import sync_playwright

    # the browser the tests use, launched the same way
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    page_url = f"{url}/e/{CODE}"
    results: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            # a phone: its screen, touch, its viewport rules
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
            )
            results.append(
                {
                    "fresh": visit(context, page_url, throttle),
                    "repeat": visit(context, page_url, throttle),
                }
            )
            context.close()
        version = browser.version
        browser.close()

    def median(kind: str) -> dict[str, Any]:
        first = results[0][kind]
        figures = {
            key: statistics.median(run[kind][key] for run in results)
            for key in first
            if isinstance(first[key], int | float)
        }
        return {**first, **figures}

    fresh, repeat = median("fresh"), median("repeat")
    return {
        "chromium": version,
        "network": SLOW_4G if throttle else None,
        "fresh": fresh,
        "repeat": repeat,
        "targets": TARGETS,
        "met": {
            "fresh_kb": fresh["bytes"] <= TARGETS["fresh_kb"] * 1024,
            "interactive_ms": fresh["interactive_ms"] <= TARGETS["interactive_ms"],
            "repeat_asset_requests": repeat["asset_requests"] == 0,
        },
        "runs": results,
    }


def run(root: Path, url: str | None, questions: int, runs: int, throttle: bool) -> dict[str, Any]:
    """Start the server of ``root`` (unless ``url`` is given), fill it, measure the visits."""
    server = None
    workdir = Path(tempfile.mkdtemp(prefix="live-pageload-"))
    if url is None:
        port = free_port()
        env = {
            "LIVE_INSTANCE_PATH": str(workdir / "instance"),
            "LIVE_MODERATOR_KEY": KEY,
            "LIVE_ACCESS_LOG": "false",
            # one generator asks for everyone
            "LIVE_NEW_PARTICIPANTS_PER_MINUTE": "0",
            "LIVE_QUESTIONS_PER_MINUTE": "0",
            "LIVE_EVENTS_PER_SECOND": "1000",
        }
        with open(workdir / "server.log", "ab") as log:
            server = subprocess.Popen(
                [sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(port)],
                cwd=root,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
            )
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz", server)
    try:
        started = time.monotonic()
        if questions:
            fill(url, questions)
        print(f"filled in {time.monotonic() - started:.1f} s", file=sys.stderr)
        result = measure(url, runs, throttle)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    served = str(root) if server is not None else url
    # the commit served (the benchmark's own commit is in "machine"): empty for an exported tree
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    return {
        "scenario": "S7 page load",
        "served": served,
        "served_commit": commit if server is not None else "",
        "questions": questions,
        **result,
    }


def summary(result: dict[str, Any]) -> str:
    """One readable line per visit."""
    lines = [f"S7 page load, {result['questions']} questions, {result['served']}"]
    for kind in ("fresh", "repeat"):
        v = result[kind]
        lines.append(
            f"  {kind:6} {v['bytes'] / 1024:6.1f} KB in {v['requests']} requests "
            f"({v['asset_requests']} for files, {v['assets_from_cache']} files from the cache), "
            f"interactive at {v['interactive_ms']} ms"
        )
    return "\n".join(lines)
