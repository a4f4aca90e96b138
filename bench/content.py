"""A webinar late in its life, for the late-join benchmark (S5): questions, answers and polls.

The content is made up but shaped like a real Q&A: questions of 40 to 300 characters in plain
sentences, names on some, topics on most, upvotes spread unevenly (a few questions collect most of
them), a few answered, dismissed or merged, a few written answers, and three polls with their
results shown. Everything is seeded through the documented protocol, as attendees and a moderator
would, so that it runs against any version of the server that speaks it. The same seed gives the
same content.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

OPENINGS = (
    "How does",
    "What is",
    "Could you explain how",
    "Is there a plan for",
    "Will the programme cover",
    "Can smaller cities join",
    "Do you have examples of",
    "Which cities have tried",
    "Why did you choose",
    "When will we know about",
    "Who decides on",
    "What happens after",
)
WORDS = (
    "citizen assemblies participatory budgeting the Democracy Lab mentors accelerator "
    "application deadline small municipalities regional networks digital platforms online voting "
    "youth councils trust in institutions local elections co-creation deliberation facilitation "
    "evaluation funding travel costs language support translation the selection committee "
    "practitioners civil servants mayors neighbourhood committees open data transparency "
    "accountability the European Capital of Democracy Barcelona September workshops peer learning "
    "toolkits case studies follow-up sessions hybrid formats accessibility people with "
    "disabilities older residents migrants inclusion misinformation social media moderation "
    "public consultations legal frameworks national governments ministries universities "
    "researchers impact measurement indicators long-term commitment political support budget "
    "cycles the mentorship programme rising stars networking capacity building city teams"
).split()
CLOSINGS = (
    "in practice",
    "for cities like ours",
    "after the first edition",
    "next year",
    "when the budget is tight",
    "without a dedicated team",
    "in smaller towns",
    "across different countries",
)
NAMES = ("Ana", "Marek", "Sofia", "Jonas", "Lea", "Pieter", "Giulia", "Tomasz", "Ines", "Mikko")
REPLIES = (
    "Yes: the call opens in May and the selection is announced in June.",
    "Travel and accommodation are covered for two people per city; see the call for details.",
    "All sessions are in English, with interpretation on request for the plenary.",
    "The toolkit and the case studies will be published on the project website after the event.",
)
REASONS = ("duplicate", "off_topic", "other")
POLLS: tuple[tuple[str, str, list[str]], ...] = (
    ("Which programme fits your city best?", "single", ["Lab", "Accelerator", "Mentorship"]),
    (
        "What holds back participation in your city?",
        "multiple",
        ["Budget", "Staff", "Political support", "Trust", "Tools"],
    ),
    ("How useful was this webinar?", "rating", []),
)


def question_text(rng: random.Random, length: int) -> str:
    """Return a plausible question of about ``length`` characters (40 to 300)."""
    parts = [rng.choice(OPENINGS)]
    while sum(len(p) + 1 for p in parts) < length - 25:
        parts.append(rng.choice(WORDS))
        if rng.random() < 0.12:
            parts[-1] += rng.choice((",", " and", " or"))
    parts.append(rng.choice(CLOSINGS))
    return (" ".join(parts))[:298].rstrip(" ,") + "?"


@dataclass
class Plan:
    """What to seed: how many questions, and from how many attendees."""

    questions: int = 300
    askers: int = 20
    voters: int = 60
    seed: int = 12


@dataclass
class Seeded:
    """What was seeded, for checking what joining attendees receive."""

    question_ids: list[int] = field(default_factory=list)
    # questions every attendee sees (live or answered), and the polls (all with results shown)
    public_ids: set[int] = field(default_factory=set)
    poll_ids: list[int] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)


Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


async def seed(plan: Plan, moderator: Call, attendees: list[Call], topics: list[str]) -> Seeded:
    """Ask, upvote, moderate and poll through the protocol: ``moderator`` and each of
    ``attendees`` send one event and return its ack."""
    rng = random.Random(plan.seed)
    seeded = Seeded()
    askers = attendees[: plan.askers]
    voters = attendees[: plan.voters]
    for n in range(plan.questions):
        payload: dict[str, Any] = {"text": question_text(rng, rng.randint(40, 300))}
        if rng.random() < 0.4:
            payload["name"] = rng.choice(NAMES)
        if topics and rng.random() < 0.7:
            payload["topic"] = rng.choice(topics)
        ack = _ok(await askers[n % len(askers)]("ask", payload), "ask")
        question = ack["question"]["id"]
        seeded.question_ids.append(question)
        seeded.texts[question] = ack["question"]["text"]
    seeded.public_ids = set(seeded.question_ids)
    await _moderate(rng, moderator, seeded)
    await _upvote(rng, voters, seeded)
    for prompt, kind, options in POLLS:
        seeded.poll_ids.append(await _poll(rng, moderator, voters, prompt, kind, options))
    return seeded


async def _moderate(rng: random.Random, moderator: Call, seeded: Seeded) -> None:
    """Answer, dismiss, merge and reply to a few questions; put one on air."""
    ids = list(seeded.question_ids)
    rng.shuffle(ids)
    share = max(1, len(ids) // 20)
    answered, dismissed = ids[:share], ids[share : 2 * share]
    merged, replied = ids[2 * share : 2 * share + share // 2], ids[3 * share : 4 * share]
    for question in answered:
        _ok(await moderator("moderate", {"question": question, "action": "answer"}), "answer")
    for question in dismissed:
        reason = rng.choice(REASONS)
        action = {"question": question, "action": "dismiss", "reason": reason}
        _ok(await moderator("moderate", action), "dismiss")
    into = ids[-1]
    for question in merged:
        action = {"question": question, "action": "merge", "into": into}
        _ok(await moderator("moderate", action), "merge")
    for question in replied:
        action = {"question": question, "action": "reply", "text": rng.choice(REPLIES)}
        _ok(await moderator("moderate", action), "reply")
    _ok(await moderator("moderate", {"question": ids[-2], "action": "on_air"}), "on_air")
    seeded.public_ids -= set(dismissed) | set(merged)


async def _upvote(rng: random.Random, voters: list[Call], seeded: Seeded) -> None:
    """Upvote unevenly: each voter picks questions with a weight falling with their rank."""
    upvotable = [q for q in seeded.question_ids if q in seeded.public_ids]
    ranked = list(upvotable)
    rng.shuffle(ranked)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(ranked))]

    async def upvotes_of(vote: Call) -> None:
        picks = {rng.choices(ranked, weights)[0] for _ in range(max(3, len(ranked) // 10))}
        for question in sorted(picks):
            ack = await vote("upvote", {"question": question, "up": True})
            # an answered question cannot be upvoted any more: that is the server's rule
            if not ack.get("ok") and ack.get("error") != "question_closed":
                raise RuntimeError(f"upvote refused: {ack}")

    await asyncio.gather(*(upvotes_of(vote) for vote in voters))


async def _poll(
    rng: random.Random,
    moderator: Call,
    voters: list[Call],
    prompt: str,
    kind: str,
    options: list[str],
) -> int:
    """Create, open, vote in and show the results of one poll; return its id."""
    created: dict[str, Any] = {"prompt": prompt, "kind": kind}
    if options:
        created["options"] = options
    poll = _ok(await moderator("create_poll", created), "create_poll")["poll"]
    for action in ("open", "show_results"):
        _ok(await moderator("poll", {"poll": poll["id"], "action": action}), action)
    count = len(poll["options"])
    for vote in voters:
        if kind == "multiple":
            choice = sorted(rng.sample(range(count), rng.randint(1, min(3, count))))
        else:
            choice = [min(count - 1, int(rng.triangular(0, count, count * 0.7)))]
        _ok(await vote("vote", {"poll": poll["id"], "options": choice}), "vote")
    return int(poll["id"])


def _ok(ack: dict[str, Any], what: str) -> dict[str, Any]:
    if not ack.get("ok"):
        raise RuntimeError(f"{what} refused while seeding: {ack}")
    return ack
