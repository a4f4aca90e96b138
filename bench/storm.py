"""S6, the reconnect storm: everyone is in, the server restarts, everyone comes back.

S5's webinar late in its life (bench/content.py) with thousands of attendees connected; then the
server process is stopped (SIGTERM, or kill -9 with ``restart="kill"``) and started again on the
same port and store. Each simulated attendee reconnects as the pages do (static/common.js): after
its connection drops, Socket.IO's reconnection delay (1 s doubling to 5 s, randomisation 0.5),
with its own participant token; after a refusal the page's own delay (``full``: 5-15 s;
``unavailable`` and ``rate_limited``: 1-3 s). While the server is offline an action is refused at
once by the page (``offline``), never queued.

Measured: seconds from the signal until every attendee has a fresh snapshot (with the seeded
content), the failed and refused attempts by code, the attendees lost (not back), and the
vote-to-screen latency of S2's pace of actions in the minute after the server is back, in
windows of 10 s (when the p99 is under 1 s for good).
"""

from __future__ import annotations

import asyncio
import collections
import random
import signal
import time
from typing import Any

import aiohttp

from .client import Attendee, Refused, counting_connector, join_token
from .scenario import Run, _ms, percentile
from .targets import CODE, KEY, wait_http

# Socket.IO client's reconnection options (the pages keep its defaults)
RECONNECTION_DELAY = 1.0
RECONNECTION_DELAY_MAX = 5.0
RANDOMIZATION = 0.5
# how long the attendees have to come back before the missing ones count as lost
PATIENCE = 120.0
WINDOW = 10.0


def backoff(attempt: int, rng: random.Random) -> float:
    """Socket.IO's delay before reconnection attempt ``attempt`` (0 first), in seconds."""
    delay = RECONNECTION_DELAY * 2**attempt
    deviation = rng.random() * RANDOMIZATION * delay
    delay = delay - deviation if int(rng.random() * 10) & 1 == 0 else delay + deviation
    return min(delay, RECONNECTION_DELAY_MAX)


def page_delay(code: str, rng: random.Random) -> float:
    """The page's own delay before it connects again after a retryable refusal (common.js)."""
    return 5 + rng.random() * 10 if code == "full" else 1 + rng.random() * 2


def failure_code(error: BaseException) -> str:
    """Name a failed connection attempt by what the page would see."""
    if isinstance(error, Refused):
        return error.code
    if isinstance(error, aiohttp.WSServerHandshakeError):
        return f"http_{error.status}"
    if isinstance(error, aiohttp.ClientConnectorError):
        return "connection_refused"
    if isinstance(error, asyncio.TimeoutError):
        return "timeout"
    if isinstance(error, aiohttp.ServerDisconnectedError | ConnectionError):
        return "connection_reset"
    return type(error).__name__


class Page(Attendee):
    """An attendee's page: refuses an action at once while not connected, as common.js does;
    keeps the counts of every snapshot it gets, checked or not (a page renders them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        check = self.check
        if check is not None:

            def apply_and_check(snap: dict[str, Any]) -> bool:
                self.seen.take_snapshot(snap)
                return check(snap)

            self.check = apply_and_check

    async def call(self, event: str, payload: Any, timeout: float = 10) -> Any:
        if not self.connected:
            return {"ok": False, "error": "offline"}
        return await super().call(event, payload, timeout)


class StormRun(Run):
    """S6: join, restart the server, follow every page back, act at S2's pace meanwhile."""

    attendee_class = Page

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rng = random.Random(6)
        self.failed: collections.Counter[str] = collections.Counter()
        self.back: dict[int, float] = {}
        self.fresh_ok = 0
        self.signalled = 0.0

    async def run(self) -> dict[str, Any]:
        s = self.scenario
        async with aiohttp.ClientSession(
            connector=counting_connector(), cookie_jar=aiohttp.DummyCookieJar()
        ) as session:
            self.session = session
            reporter = asyncio.get_running_loop().create_task(self._report())
            await self._setup()
            questions, poll = await self._fresh_items()
            join = await self._join_all()
            await asyncio.sleep(1)
            pages = [a for a in self.attendees if isinstance(a, Page)]
            followers = [
                asyncio.get_running_loop().create_task(self._follow(i, page))
                for i, page in enumerate(pages)
            ]
            self.phase = "restarting"
            how = signal.SIGKILL if s.restart == "kill" else signal.SIGTERM
            self.signalled = time.monotonic()
            loop = asyncio.get_running_loop()
            stopping = await loop.run_in_executor(None, self.target.restart, 0, how)
            process = self.target.processes[0]
            await loop.run_in_executor(
                None, wait_http, f"{self.target.urls[0]}/healthz", process, 60
            )
            listening = time.monotonic() - self.signalled
            self.phase = "reconnecting + acting"
            acting = loop.create_task(self._act(questions, poll))
            deadline = self.signalled + PATIENCE
            while len(self.back) < len(pages) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            recovered = max(self.back.values(), default=self.signalled) - self.signalled
            lost = len(pages) - len(self.back)
            self.phase = "acting"
            after = await acting
            reporter.cancel()
            for task in followers:
                task.cancel()
            await asyncio.gather(*followers, return_exceptions=True)
            windows = self._windows(pages)
            await asyncio.gather(*(a.close() for a in pages), return_exceptions=True)
        refusals = collections.Counter(
            str(a.get("error", "?")) for a in self.actions if not a.get("ok")
        )
        return {
            "scenario": {"name": s.name, "attendees": s.attendees, "restart": s.restart},
            "target": self.target.name,
            "join": join,
            "storm": {
                "restart": s.restart,
                "connected_before": len(pages),
                "stopping_seconds": round(stopping, 2),
                "listening_after_seconds": round(listening, 2),
                "all_back_seconds": round(recovered, 2) if not lost else None,
                "last_back_seconds": round(recovered, 2),
                "back": len(self.back),
                "lost": lost,
                "fresh_snapshots_with_content": self.fresh_ok,
                "failed_attempts": sum(self.failed.values()),
                "failed_by_code": dict(self.failed.most_common()),
            },
            "after": {**after, "refused_by_code": dict(refusals.most_common())},
            "latency_windows": windows,
            "p99_under_1s_from_seconds": _settled(windows),
        }

    async def _fresh_items(self) -> tuple[list[int], int]:
        """Ask 10 new questions and open a new poll with results shown: what the minute after
        acts on (counts from zero, in every snapshot as the newest)."""
        url = self.target.urls[0]
        moderator = Attendee(self.session, url, {"webinar": CODE, "key": KEY})
        await moderator.connect()
        token = await join_token(self.session, url, CODE)
        asker = Attendee(self.session, url, {"webinar": CODE, "participant": token})
        await asker.connect()
        questions = []
        for n in range(10):
            ack = await asker.call("ask", {"text": f"Question after the restart {n + 1}?"})
            questions.append(ack["question"]["id"])
            if self.seeded is not None:
                # everyone sees them too: the content check counts them
                self.seeded.public_ids.add(ack["question"]["id"])
                self.seeded.texts[ack["question"]["id"]] = ack["question"]["text"]
            await asyncio.sleep(0.11)
        created = await moderator.call(
            "create_poll", {"prompt": "Back?", "kind": "single", "options": ["A", "B", "C", "D"]}
        )
        poll = created["poll"]["id"]
        for action in ("open", "show_results"):
            assert (await moderator.call("poll", {"poll": poll, "action": action}))["ok"]
        await asyncio.gather(moderator.close(), asker.close())
        return questions, poll

    async def _follow(self, i: int, page: Page) -> None:
        """Reconnect this page whenever its connection drops, as the page would."""
        while True:
            await page.wait_closed()
            attempt, delay = 0, backoff(0, self.rng)
            while True:
                await asyncio.sleep(delay)
                try:
                    await page.reopen(timeout=30)
                except Exception as error:  # noqa: BLE001 (each failure is a figure)
                    code = failure_code(error)
                    self.failed[code] += 1
                    if isinstance(error, Refused) and code in (
                        "unavailable",
                        "full",
                        "rate_limited",
                    ):
                        attempt, delay = 0, page_delay(code, self.rng)
                    elif isinstance(error, Refused):
                        return  # a final refusal: the page says so and stays away (lost)
                    else:
                        attempt += 1
                        delay = backoff(attempt, self.rng)
                    continue
                if time.monotonic() > self.signalled > 0 and i not in self.back:
                    self.back[i] = time.monotonic()
                    self.fresh_ok += bool(page.snapshot_ok)
                if page.sampled:
                    _mark_snapshot(page)
                break

    def _windows(self, pages: list[Page]) -> list[dict[str, Any]]:
        """The vote-to-screen latency of the actions sent in each 10 s after the restart."""
        timed, _ = self._timed_latencies(list(pages))
        buckets: dict[int, list[float]] = collections.defaultdict(list)
        for sent, latency in timed:
            buckets[int((sent - self.signalled) // WINDOW)].append(latency)
        return [
            {
                "from_s": int(n * WINDOW),
                "effects": len(values),
                "p50_ms": _ms(percentile(values, 0.5)),
                "p99_ms": _ms(percentile(values, 0.99)),
            }
            for n, values in sorted(buckets.items())
        ]


def _settled(windows: list[dict[str, Any]]) -> int | None:
    """Return the start of the first window from which every p99 is under 1 s (None: never)."""
    start = None
    for window in windows:
        if window["p99_ms"] is None or window["p99_ms"] >= 1000:
            start = None
        elif start is None:
            start = window["from_s"]
    return start


def _mark_snapshot(page: Page) -> None:
    """Count a fresh snapshot's counts as seen now (on screen: the page renders them)."""
    now = time.monotonic()
    for question, count in page.seen.upvotes.items():
        page.seen.timeline.append((now, ("q", question), count))
    for poll, voters in page.seen.voters.items():
        page.seen.timeline.append((now, ("p", poll), voters))
