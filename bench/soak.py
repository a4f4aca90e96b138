"""The soak run: a steady crowd for a long time, with churn, to show that nothing leaks.

``python -m bench soak`` keeps ``attendees`` connected to one server process for ``minutes``
while, every second, some leave and others arrive: half of the leavers close their connection
cleanly, the other half go silent (a phone losing its network: the socket stays open and stops
answering pings, until the server's ping timeout drops it; the generator closes it a minute
later); half of the arrivals are new identities, half come back with an earlier token. Meanwhile
attendees upvote, take back upvotes, vote and ask at a steady rate.

Every 30 seconds it samples the server's resident memory, its open files and the connections it
holds (``/healthz``). The run passes when, after the warm-up, memory and open files stay flat
and the connections the server holds match the attendees that are really there.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp

from .client import Attendee, join_token
from .scenario import paced
from .targets import CODE, KEY, Target, rss_bytes


@dataclass(frozen=True)
class Soak:
    attendees: int = 1000
    minutes: float = 20
    churn: float = 5  # attendees leaving, and as many arriving, per second
    rate: float = 20  # actions per second
    sample_every: float = 30  # seconds
    warm_up: float = 180  # seconds before the memory reference is taken


def open_files(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


class SoakRun:
    """Drive one target through a soak and collect the samples."""

    def __init__(self, soak: Soak, target: Target) -> None:
        self.soak = soak
        self.target = target
        self.url = target.urls[0]
        self.present: list[Attendee] = []
        self.silent: list[tuple[float, Attendee]] = []  # (when to close it, attendee)
        self.tokens: list[str] = []
        self.counts = {
            "joined": 0,
            "rejoined": 0,
            "join_failures": 0,
            "left_cleanly": 0,
            "went_silent": 0,
            "actions": 0,
            "action_failures": 0,
            "unexpected_disconnects": 0,
        }
        self.failures: list[str] = []
        self.samples: list[dict[str, Any]] = []
        self.rng = random.Random(7)

    async def run(self) -> dict[str, Any]:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()
        ) as session:
            self.session = session
            questions, poll = await self._setup()
            # arrivals at a steady 200 a second, as in the scenarios (not all in one instant)
            await paced(self.soak.attendees, 200, lambda _: self._arrive(new=True))
            await self._sample(0)
            started = time.monotonic()
            end = started + self.soak.minutes * 60
            next_sample = started + self.soak.sample_every
            tick = 0
            while time.monotonic() < end:
                tick += 1
                await self._churn_and_act(questions, poll, tick)
                now = time.monotonic()
                if now >= next_sample:
                    await self._sample(now - started)
                    next_sample += self.soak.sample_every
                await asyncio.sleep(max(0.0, started + tick - time.monotonic()))
            await asyncio.gather(
                *(a.close() for a in self.present + [a for _, a in self.silent]),
                return_exceptions=True,
            )
        return self._result()

    async def _setup(self) -> tuple[list[int], int]:
        moderator = Attendee(self.session, self.url, {"webinar": CODE, "key": KEY})
        await moderator.connect()
        assert moderator.snapshot is not None
        poll = moderator.snapshot["polls"][0]["id"]
        for action in ("open", "show_results"):
            assert (await moderator.call("poll", {"poll": poll, "action": action}))["ok"]
        asker = await self._connect(await join_token(self.session, self.url, CODE))
        questions = [
            (await asker.call("ask", {"text": f"Soak question {n + 1}?"}))["question"]["id"]
            for n in range(10)
        ]
        await asker.close()
        await moderator.close()
        return questions, poll

    async def _connect(self, token: str) -> Attendee:
        attendee = Attendee(self.session, self.url, {"webinar": CODE, "participant": token})
        await attendee.connect(timeout=60)
        return attendee

    async def _arrive(self, new: bool) -> None:
        try:
            if new or not self.tokens:
                token = await join_token(self.session, self.url, CODE)
                self.tokens.append(token)
                kind = "joined"
            else:
                token = self.rng.choice(self.tokens)
                kind = "rejoined"
            self.present.append(await self._connect(token))
            self.counts[kind] += 1
        except Exception as error:  # noqa: BLE001 (every failure is a figure)
            self.counts["join_failures"] += 1
            self.failures.append(f"join: {type(error).__name__}: {error}"[:200])

    async def _leave(self, attendee: Attendee, cleanly: bool) -> None:
        if cleanly:
            self.counts["left_cleanly"] += 1
            await attendee.close()
            return
        # silent: stop reading (so no more pongs) but keep the socket open for a minute
        self.counts["went_silent"] += 1
        attendee._closing = True
        if attendee._reader is not None:
            attendee._reader.cancel()
        self.silent.append((time.monotonic() + 60, attendee))

    async def _act(self, attendee: Attendee, event: str, payload: dict[str, Any]) -> None:
        self.counts["actions"] += 1
        try:
            ack = await attendee.call(event, payload, timeout=30)
            if not ack.get("ok"):
                raise RuntimeError(ack.get("error"))
        except Exception as error:  # noqa: BLE001
            if attendee in self.present:
                self.counts["action_failures"] += 1
                self.failures.append(f"{event}: {type(error).__name__}: {error}"[:200])

    async def _churn_and_act(self, questions: list[int], poll: int, tick: int) -> None:
        soak, rng = self.soak, self.rng
        now = time.monotonic()
        for attendee in [a for a in self.present if a.closed_unexpectedly]:
            self.counts["unexpected_disconnects"] += 1
            self.present.remove(attendee)
        while self.silent and self.silent[0][0] <= now:
            await self.silent.pop(0)[1].close()
        # fractional churn rates add up over the seconds
        leaving = int(tick * soak.churn) - int((tick - 1) * soak.churn)
        for n in range(min(leaving, len(self.present))):
            attendee = self.present.pop(rng.randrange(len(self.present)))
            await self._leave(attendee, cleanly=n % 2 == 0)
        missing = soak.attendees - len(self.present)
        arrivals = [self._arrive(new=n % 2 == 0) for n in range(missing)]
        actions = []
        for n in range(int(soak.rate)):
            if not self.present:
                break
            actor = rng.choice(self.present)
            if n == 0 and tick % 10 == 0:
                actions.append(self._act(actor, "ask", {"text": f"Soak question at {tick} s?"}))
            elif n % 4 == 0:
                actions.append(
                    self._act(actor, "vote", {"poll": poll, "options": [rng.randrange(4)]})
                )
            else:
                question = rng.choice(questions)
                up = rng.random() < 0.6
                actions.append(self._act(actor, "upvote", {"question": question, "up": up}))
        # arrivals and actions run in the background: a slow one must not slow the schedule
        for coroutine in arrivals + actions:
            asyncio.get_running_loop().create_task(coroutine)

    async def _sample(self, elapsed: float) -> None:
        pid = self.target.pids[0]
        try:
            async with self.session.get(f"{self.url}/healthz") as response:
                held = (await response.json())["connections"]
        except Exception:  # noqa: BLE001
            held = None
        sample = {
            "seconds": round(elapsed),
            "rss_mb": round(rss_bytes(pid) / 2**20, 1),
            "open_files": open_files(pid),
            "server_connections": held,
            "present": len(self.present),
            "silent": len(self.silent),
            **self.counts,
        }
        self.samples.append(sample)
        print(
            f"[soak {sample['seconds']:>5} s] rss {sample['rss_mb']} MB, "
            f"files {sample['open_files']}, server holds {held}, present {len(self.present)}, "
            f"silent {len(self.silent)}, joined {self.counts['joined']}+"
            f"{self.counts['rejoined']} again, failures {self.counts['join_failures']} joins "
            f"{self.counts['action_failures']} actions",
            file=sys.stderr,
            flush=True,
        )

    def _result(self) -> dict[str, Any]:
        after_warm_up = [s for s in self.samples if s["seconds"] >= self.soak.warm_up]
        reference = after_warm_up[0] if after_warm_up else self.samples[0]
        last = self.samples[-1]
        steady = after_warm_up or self.samples
        return {
            "soak": asdict(self.soak),
            "target": self.target.name,
            "samples": self.samples,
            "totals": self.counts,
            "failure_examples": sorted(set(self.failures))[:5],
            "rss_mb": {
                "after_warm_up": reference["rss_mb"],
                "end": last["rss_mb"],
                "max": max(s["rss_mb"] for s in steady),
                "growth_per_hour": round(
                    (last["rss_mb"] - reference["rss_mb"])
                    / max(last["seconds"] - reference["seconds"], 1)
                    * 3600,
                    1,
                ),
            },
            "open_files": {
                "after_warm_up": reference["open_files"],
                "end": last["open_files"],
                "max": max(s["open_files"] for s in steady),
            },
        }
