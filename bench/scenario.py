"""One benchmark run: attendees join, then act at a steady rate, and we measure what they see.

Latency of an action is measured from the moment an actor sends it to the moment each sampled
attendee receives an update that includes it: for an upvote, the first update in which the
question's count reaches the count the ack returned (counts only rise: each actor upvotes a
question once); for a ballot, the first update in which the poll's voters reach the ballot's
rank among the acknowledged ballots.

S5 (late join) first seeds a webinar late in its life through the protocol (bench/content.py:
``content``), then measures what each joining attendee costs: the join's latency, the bytes its
WebSocket takes on the wire until its snapshot is in, and the server's CPU per join; and checks
that every snapshot holds the seeded content.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, replace
from typing import Any

import aiohttp

from .client import Attendee, counting_connector, join_token
from .content import Plan, Seeded, seed
from .lean import LeanAttendee
from .targets import CODE, KEY, Target, cpu_seconds, rss_bytes


@dataclass(frozen=True)
class Scenario:
    name: str
    attendees: int
    rate: float  # actions per second
    duration: float  # seconds of actions
    ballots: float = 0.0  # share of the actions that are ballots
    join_rate: float = 400.0  # attendees arriving per second
    processes: int = 1
    questions: int = 10
    sampled: int = 50
    # seed a webinar late in its life (questions of real lengths, answers, polls with results)
    content: bool = False
    # offer per-message deflate, as browsers do
    compress: bool = True
    # S6: how the server is restarted once everyone is in ("term": SIGTERM, "kill": kill -9)
    restart: str = ""
    # the attendees on bench/lean.py's connections (False: aiohttp's, which cost the generator
    # about three times more per update received)
    lean: bool = True
    # phones that stop reading halfway through the actions, joined besides ``attendees``: the
    # others' latency before and after, and when the stalled ones are dropped
    stalled: int = 0


SCENARIOS = {
    "smoke": Scenario("smoke", 50, 10, 3, ballots=0.5, join_rate=100, sampled=10),
    "smoke-S5": Scenario("smoke-S5", 40, 0, 0, join_rate=100, questions=130, content=True),
    "S1": Scenario("S1", 1000, 20, 60),
    "S2": Scenario("S2", 5000, 100, 60, ballots=0.5),
    "S3": Scenario("S3", 10000, 100, 60, ballots=0.5, processes=2),
    "S4": Scenario("S4", 5000, 0, 0, join_rate=500),
    "S5": Scenario("S5", 5000, 0, 0, join_rate=500, questions=300, content=True),
    # S6: S5's webinar, 5,000 in, the server restarted; then S2's pace for a minute
    "S6": Scenario(
        "S6", 5000, 100, 60, ballots=0.5, join_rate=500, questions=300, content=True, restart="term"
    ),
    "S6-kill": Scenario(
        "S6-kill",
        5000,
        100,
        60,
        ballots=0.5,
        join_rate=500,
        questions=300,
        content=True,
        restart="kill",
    ),
    "smoke-S6": Scenario(
        "smoke-S6",
        40,
        10,
        4,
        ballots=0.5,
        join_rate=100,
        questions=60,
        content=True,
        sampled=10,
        restart="term",
    ),
}
SCENARIOS["smoke-S6-kill"] = replace(SCENARIOS["smoke-S6"], name="smoke-S6-kill", restart="kill")
# a connection's events at most this often while seeding (the server allows 10 a second)
SEED_INTERVAL = 0.11


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Run:
    """Drive one target through one scenario and collect the figures."""

    # what a joining attendee is (S6: a page that reconnects)
    attendee_class = Attendee

    def __init__(self, scenario: Scenario, target: Target, progress: bool = True) -> None:
        self.scenario = scenario
        self.target = target
        self.progress = progress
        self.attendees: list[Attendee | None] = [None] * scenario.attendees
        self.join_failures: list[str] = []
        self.join_latencies: list[float] = []
        self.actions: list[dict[str, Any]] = []
        self.phase = "starting"
        self.seeded: Seeded | None = None
        self.stallers: list[LeanAttendee] = []
        self.stalled_at: float | None = None

    async def run(self) -> dict[str, Any]:
        s = self.scenario
        connector = counting_connector()
        # no cookie jar: every simulated attendee is a browser of its own
        async with aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar()
        ) as session:
            self.session = session
            reporter = asyncio.get_running_loop().create_task(self._report())
            questions, poll = await self._setup()
            rss_before = sum(rss_bytes(pid) for pid in self.target.pids)
            join = await self._join_all()
            await asyncio.sleep(1)  # let the joins' own updates settle
            rss_after = sum(rss_bytes(pid) for pid in self.target.pids)
            result: dict[str, Any] = {
                "scenario": asdict(s),
                "target": self.target.name,
                "join": join,
            }
            connected = sum(a is not None for a in self.attendees)
            result["memory_per_attendee_kb"] = round(
                (rss_after - rss_before) / max(connected, 1) / 1024, 1
            )
            result["server_rss_mb"] = round(rss_after / 2**20, 1)
            if s.stalled:
                await self._join_stallers()
            if s.rate and s.duration:
                result.update(await self._act(questions, poll))
            result["disconnects"] = sum(bool(a and a.closed_unexpectedly) for a in self.attendees)
            reporter.cancel()
            everyone = [a for a in self.attendees if a] + self.stallers
            await asyncio.gather(*(a.close() for a in everyone), return_exceptions=True)
        return result

    async def _setup(self) -> tuple[list[int], int]:
        """Ask the questions and open the poll with its results shown (the floors have them)."""
        if not self.target.moderated:
            return list(range(1, self.scenario.questions + 1)), 1
        if self.scenario.content:
            return await self._seed()
        url = self.target.urls[0]
        moderator = Attendee(self.session, url, {"webinar": CODE, "key": KEY})
        await moderator.connect()
        asker = Attendee(
            self.session,
            url,
            {"webinar": CODE, "participant": await join_token(self.session, url, CODE)},
        )
        await asker.connect()
        questions = []
        for n in range(self.scenario.questions):
            ack = await asker.call("ask", {"text": f"Benchmark question {n + 1}?"})
            questions.append(ack["question"]["id"])
        assert moderator.snapshot is not None
        poll = moderator.snapshot["polls"][0]["id"]
        for action in ("open", "show_results"):
            assert (await moderator.call("poll", {"poll": poll, "action": action}))["ok"]
        await moderator.close()
        await asker.close()
        return questions, poll

    async def _seed(self) -> tuple[list[int], int]:
        """Seed the late webinar through the protocol, from a moderator and 60 attendees."""
        self.phase = "seeding"
        url = self.target.urls[0]
        plan = Plan(questions=self.scenario.questions)
        moderator = Attendee(self.session, url, {"webinar": CODE, "key": KEY})
        await moderator.connect()
        people = []
        for _ in range(plan.voters):
            token = await join_token(self.session, url, CODE)
            person = Attendee(self.session, url, {"webinar": CODE, "participant": token})
            await person.connect()
            people.append(person)
        assert moderator.snapshot is not None
        topics = list(moderator.snapshot["webinar"].get("topics", []))
        self.seeded = await seed(plan, _paced(moderator), [_paced(p) for p in people], topics)
        await asyncio.gather(moderator.close(), *(p.close() for p in people))
        return self.seeded.question_ids, self.seeded.poll_ids[0]

    def _content_check(self) -> Any:
        """Return what says whether a snapshot holds the seeded content (None: not seeded)."""
        seeded = self.seeded
        if seeded is None:
            return None

        def check(snap: dict[str, Any]) -> bool:
            ids = {q["id"] for q in snap["questions"]}
            polls = {p["id"]: p for p in snap["polls"]}
            # every question it holds is one everyone sees, and it counts those it left out
            counted = len(ids) + int(snap.get("more_questions", 0)) == len(seeded.public_ids)
            texts = all(q["text"] == seeded.texts[q["id"]] for q in snap["questions"])
            results = all(polls.get(p, {}).get("results") for p in seeded.poll_ids)
            return ids <= seeded.public_ids and counted and texts and results

        return check

    async def _join_all(self) -> dict[str, Any]:
        s = self.scenario
        self.phase = "joining"
        every = max(1, s.attendees // max(s.sampled, 1))
        limit = asyncio.Semaphore(1000)
        check = self._content_check()

        async def join_one(i: int) -> None:
            url = self.target.urls[i % len(self.target.urls)]
            async with limit:
                started = time.monotonic()
                try:
                    token = await join_token(self.session, url, CODE)
                    kind = self.attendee_class
                    if s.lean and kind is Attendee:
                        kind = LeanAttendee
                    attendee = kind(
                        self.session,
                        url,
                        {"webinar": CODE, "participant": token},
                        sampled=i % every == 0,
                        compress=s.compress,
                        check=check,
                    )
                    await attendee.connect(timeout=60)
                    self.attendees[i] = attendee
                    self.join_latencies.append(time.monotonic() - started)
                except Exception as error:  # noqa: BLE001 (every failure is a figure)
                    self.join_failures.append(f"{type(error).__name__}: {error}"[:200])

        started, cpu = time.monotonic(), time.process_time()
        server_cpu = sum(cpu_seconds(pid) for pid in self.target.pids)
        await paced(s.attendees, s.join_rate, join_one)
        wall = time.monotonic() - started
        server_cpu = sum(cpu_seconds(pid) for pid in self.target.pids) - server_cpu
        joined = [a for a in self.attendees if a is not None]
        wire = [a.join_bytes for a in joined if a.join_bytes is not None]
        return {
            "seconds": round(wall, 2),
            "per_second": round(len(self.join_latencies) / wall, 1),
            "failures": len(self.join_failures),
            "failure_examples": sorted(set(self.join_failures))[:3],
            "latency_p50_ms": _ms(percentile(self.join_latencies, 0.5)),
            "latency_p99_ms": _ms(percentile(self.join_latencies, 0.99)),
            "generator_cpu": round((time.process_time() - cpu) / wall, 2),
            "compressed": s.compress,
            "server_cpu_ms_per_join": round(1000 * server_cpu / max(len(joined), 1), 2),
            # the WebSocket's bytes on the wire until the snapshot was in (upgrade included)
            "wire_kb_per_attendee": round(sum(wire) / len(wire) / 1024, 2) if wire else None,
            "wire_kb_max": round(max(wire) / 1024, 2) if wire else None,
            "snapshot_kb_decoded": round(
                sum(a.snapshot_chars for a in joined) / max(len(joined), 1) / 1024, 2
            ),
            "snapshots_with_content": (
                None if check is None else sum(bool(a.snapshot_ok) for a in joined)
            ),
        }

    async def _join_stallers(self) -> None:
        """Join the phones that will stop reading (``stalled``), after the others."""
        url = self.target.urls[0]
        for _ in range(self.scenario.stalled):
            token = await join_token(self.session, url, CODE)
            staller = LeanAttendee(
                self.session,
                url,
                {"webinar": CODE, "participant": token},
                compress=self.scenario.compress,
                stalling=True,
            )
            await staller.connect(timeout=60)
            self.stallers.append(staller)

    async def _stall_halfway(self) -> None:
        await asyncio.sleep(self.scenario.duration / 2)
        self.stalled_at = time.monotonic()
        for staller in self.stallers:
            staller.stall()

    def _halves(self, live: list[Attendee], at: float) -> tuple[dict[str, Any], dict[str, Any]]:
        """The latency of the actions sent before ``at`` and from it on (p50, p99)."""
        timed, _ = self._timed_latencies(live)
        before = [latency for sent, latency in timed if sent < at]
        after = [latency for sent, latency in timed if sent >= at]
        return tuple(  # type: ignore[return-value]
            {
                "effects": len(values),
                "p50_ms": _ms(percentile(values, 0.5)),
                "p99_ms": _ms(percentile(values, 0.99)),
            }
            for values in (before, after)
        )

    def _stall_figures(self, live: list[Attendee]) -> dict[str, Any]:
        """The others' latency for the actions sent before the stall and after it, and the
        stalled phones dropped (by the server: their connection ended) and when."""
        at = self.stalled_at or 0.0
        before, during = self._halves(live, at)
        dropped = sorted(s.closed_at - at for s in self.stallers if s.closed_at is not None)
        return {
            "stalled": len(self.stallers),
            "dropped": len(dropped),
            "dropped_after_s": {
                "first": round(dropped[0], 1) if dropped else None,
                "last": round(dropped[-1], 1) if dropped else None,
            },
            "others_before": before,
            "others_while_stalled": during,
        }

    async def _act(self, questions: list[int], poll: int) -> dict[str, Any]:
        s = self.scenario
        self.phase = "acting"
        live = [a for a in self.attendees if a is not None]
        total = int(s.rate * s.duration)
        ballot_every = round(1 / s.ballots) if s.ballots else 0
        counters = {"upvote": 0, "ballot": 0}
        updates_before = sum(a.seen.updates for a in live)
        cpu_before = sum(cpu_seconds(pid) for pid in self.target.pids)
        gen_before, started = time.process_time(), time.monotonic()
        staller = (
            asyncio.get_running_loop().create_task(self._stall_halfway()) if self.stallers else None
        )

        async def act(i: int) -> None:
            # each attendee votes once (so that voters only rise): past that, upvotes instead
            is_ballot = ballot_every and i % ballot_every == 0 and counters["ballot"] < len(live)
            kind = "ballot" if is_ballot else "upvote"
            n = counters[kind]
            counters[kind] += 1
            if is_ballot:
                actor = live[(len(live) - 1 - n) % len(live)]
                event, payload, key = "vote", {"poll": poll, "options": [n % 4]}, ("p", poll)
            else:
                actor = live[n % len(live)]
                question = questions[(n // len(live)) % len(questions)]
                event, payload, key = "upvote", {"question": question, "up": True}, ("q", question)
            record: dict[str, Any] = {"kind": kind, "key": key, "sent": time.monotonic()}
            self.actions.append(record)
            try:
                ack = await actor.call(event, payload)
            except Exception as error:  # noqa: BLE001
                ack = {"ok": False, "error": type(error).__name__}
            record["acked"] = time.monotonic()
            record["ok"] = bool(ack.get("ok"))
            if not record["ok"]:
                record["error"] = ack.get("error")
            if record["ok"] and kind == "upvote":
                record["count"] = ack["question"]["upvotes"]

        await paced(total, s.rate, act)
        if staller is not None:
            await staller
        acting = time.monotonic() - started
        gen_cpu = (time.process_time() - gen_before) / acting

        # ballots: an ack's rank among the acknowledged ballots is the voters count that shows it
        ballots = sorted(
            (a for a in self.actions if a["kind"] == "ballot" and a["ok"]), key=lambda a: a["acked"]
        )
        for rank, action in enumerate(ballots, start=1):
            action["count"] = rank
        expected_upvotes = {q: 0 for q in questions}
        for action in self.actions:
            if action["ok"] and action["kind"] == "upvote":
                expected_upvotes[action["key"][1]] += 1
        expected_voters = len(ballots)

        self.phase = "settling"

        def exact(a: Attendee) -> bool:
            counts_ok = all(a.seen.upvotes.get(q) == n for q, n in expected_upvotes.items())
            return counts_ok and (not ballot_every or a.seen.voters.get(poll) == expected_voters)

        settle_started = time.monotonic()
        while time.monotonic() - settle_started < 15 and not all(exact(a) for a in live):
            await asyncio.sleep(0.2)
        window = time.monotonic() - started
        cpu = sum(cpu_seconds(pid) for pid in self.target.pids) - cpu_before
        delivered = sum(a.seen.updates for a in live) - updates_before
        gen_window_seconds = time.process_time() - gen_before

        latencies, missing = self._latencies(live)
        acked = sum(a["ok"] for a in self.actions)
        return {
            "actions": {
                "sent": len(self.actions),
                "acked": acked,
                "refused": len(self.actions) - acked,
                "per_second": round(len(self.actions) / acting, 1),
            },
            "latency_ms": {
                name: _ms(percentile(latencies, share))
                for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
            },
            "effects": {"expected": len(latencies) + missing, "seen": len(latencies)},
            "updates_delivered": delivered,
            "updates_per_attendee_per_second": round(delivered / len(live) / window, 2),
            "exact_attendees": sum(exact(a) for a in live),
            "attendees_connected": len(live),
            "exact": all(exact(a) for a in live),
            "settle_seconds": round(time.monotonic() - settle_started, 2),
            "server_cpu_seconds": round(cpu, 2),
            "server_cpu_share": round(cpu / window, 2),
            "cpu_us_per_delivered_update": round(1e6 * cpu / delivered, 2) if delivered else None,
            "generator_cpu": round(gen_cpu, 2),
            "generator_bound": gen_cpu > 0.9,
            # the generator's CPU while acting (its actors' share is small) per update received
            "generator_us_per_delivered_update": (
                round(1e6 * gen_window_seconds / delivered, 2) if delivered else None
            ),
            "client": "lean" if s.lean else "aiohttp",
            **({"stall": self._stall_figures(live)} if self.stallers else {}),
            # the same split without stalled phones: the control for ``stall``
            "halves": dict(
                zip(("first", "second"), self._halves(live, started + s.duration / 2), strict=True)
            ),
        }

    def _latencies(self, live: list[Attendee]) -> tuple[list[float], int]:
        timed, missing = self._timed_latencies(live)
        return [latency for _, latency in timed], missing

    def _timed_latencies(self, live: list[Attendee]) -> tuple[list[tuple[float, float]], int]:
        """Return (when sent, latency) of every effect seen by a sampled attendee, and how many
        were never seen."""
        latencies: list[tuple[float, float]] = []
        missing = 0
        for attendee in (a for a in live if a.sampled):
            series: dict[tuple[str, int], tuple[list[int], list[float]]] = {}
            for moment, key, count in attendee.seen.timeline:
                counts, times = series.setdefault(key, ([], []))
                counts.append(count)
                times.append(moment)
            for action in self.actions:
                if not action["ok"]:
                    continue
                counts, times = series.get(action["key"], ([], []))
                # counts only rise: the first update that reached the action's count showed it
                at = bisect.bisect_left(counts, action["count"])
                if at == len(counts):
                    missing += 1
                else:
                    latencies.append((action["sent"], max(0.0, times[at] - action["sent"])))
        return latencies, missing

    async def _report(self) -> None:
        tty = sys.stderr.isatty()
        cpu, wall = time.process_time(), time.monotonic()
        while True:
            await asyncio.sleep(1 if tty else 5)
            now_cpu, now = time.process_time(), time.monotonic()
            share = (now_cpu - cpu) / (now - wall)
            cpu, wall = now_cpu, now
            connected = sum(a is not None for a in self.attendees)
            acked = sum(1 for a in self.actions if "acked" in a)
            updates = sum(a.seen.updates for a in self.attendees if a)
            line = (
                f"[{self.scenario.name} {self.target.name}] {self.phase}: "
                f"{connected}/{self.scenario.attendees} joined, {len(self.join_failures)} failed | "
                f"actions {acked}/{len(self.actions)} acked | updates {updates} | "
                f"generator CPU {share:.0%}"
            )
            if self.progress:
                print(
                    ("\r" + line.ljust(150)) if tty else line,
                    end="" if tty else "\n",
                    file=sys.stderr,
                    flush=True,
                )


def _paced(attendee: Attendee) -> Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]:
    """Return a caller of the attendee's events that keeps within the server's pace (seeding
    thousands of events through a few connections, never the server's limit that is measured)."""
    last = [0.0]

    async def call(event: str, payload: dict[str, Any]) -> dict[str, Any]:
        while True:
            wait = last[0] + SEED_INTERVAL - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            last[0] = time.monotonic()
            ack: dict[str, Any] = await attendee.call(event, payload)
            if ack.get("error") != "rate_limited":
                return ack

    return call


async def paced(count: int, rate: float, start: Callable[[int], Coroutine[Any, Any, None]]) -> None:
    """Start ``count`` tasks at ``rate`` per second (on schedule, however long each takes)."""
    began = time.monotonic()
    tasks: list[asyncio.Task[None]] = []
    for i in range(count):
        delay = began + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.get_running_loop().create_task(start(i)))
    await asyncio.gather(*tasks)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def pin_generator(cores: set[int] | None) -> bool:
    """Run this process (the generator) on the given cores; say whether it could."""
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cores)
        return True
    return False
