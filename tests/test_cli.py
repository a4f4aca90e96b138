"""The operator's command line (python -m live): webinars created, duplicated, listed, deleted."""

from __future__ import annotations

import os
import subprocess
import sys

from live.store.sqlite import SQLiteStore

from .servers import ROOT
from .test_webinar_file import OTHER


def live_command(
    tmp_path, *args: str, settings: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVE_")}
    env |= {"LIVE_INSTANCE_PATH": str(tmp_path), "LIVE_PUBLIC_URL": "https://live.example.org"}
    env |= settings or {}
    return subprocess.run(
        [sys.executable, "-m", "live", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_webinars_from_the_command_line(tmp_path):
    listed = live_command(tmp_path, "list")
    assert listed.returncode == 0
    assert "nets4dem: Citizen engagement" in listed.stdout
    assert "https://live.example.org/e/nets4dem/moderate?key=" in listed.stdout

    budget = tmp_path / "budget.toml"
    budget.write_text(OTHER)
    created = live_command(tmp_path, "create", str(budget))
    assert created.returncode == 0 and "Created budget-2025" in created.stdout
    again = live_command(tmp_path, "create", str(budget))
    assert again.returncode == 1 and "already a webinar with the code" in again.stderr

    budget.write_text(OTHER.replace("Participatory budget 2025", "Budget 2025, revised"))
    assert live_command(tmp_path, "edit", str(budget)).returncode == 0
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(OTHER.replace('code = "Budget-2025"', 'code = "nobody-here"'))
    assert "no webinar with that code" in live_command(tmp_path, "edit", str(unknown)).stderr

    copied = live_command(tmp_path, "duplicate", "nets4dem", "nets4dem-2025", "--title", "Again")
    assert copied.returncode == 0 and "(3 polls, as drafts)" in copied.stdout

    store = SQLiteStore(str(tmp_path / "live.sqlite3"))
    try:
        copy = store.get_webinar("nets4dem-2025")
        assert copy is not None and copy.title == "Again" and len(copy.topics) == 4
        assert [p.state for p in store.polls("nets4dem-2025")] == ["draft"] * 3
        assert store.polls("nets4dem-2025")[0].collects_emails
        assert store.moderator_key("nets4dem-2025") != store.moderator_key("nets4dem")
        assert store.webinar_codes() == ["budget-2025", "nets4dem", "nets4dem-2025"]
        assert store.get_webinar("budget-2025").title == "Budget 2025, revised"
    finally:
        store.close()

    unconfirmed = live_command(tmp_path, "delete", "budget-2025")
    assert unconfirmed.returncode == 1 and "add --yes" in unconfirmed.stderr
    deleted = live_command(tmp_path, "delete", "budget-2025", "--yes")
    assert deleted.returncode == 0
    assert live_command(tmp_path, "delete", "budget-2025", "--yes").returncode == 1
    store = SQLiteStore(str(tmp_path / "live.sqlite3"))
    try:
        assert store.webinar_codes() == ["nets4dem", "nets4dem-2025"]
        assert store.polls("budget-2025") == []
    finally:
        store.close()


def test_a_command_on_redis_tells_the_servers_before_it_exits(tmp_path, redis_url):
    """The moderation log entry of a key changed from the command line reaches the servers' pages:
    its change mark is published on the channel before the command's process ends."""
    import json
    import uuid

    import redis

    prefix = f"cli-{uuid.uuid4().hex[:8]}"
    listener = redis.Redis.from_url(redis_url, decode_responses=True).pubsub()
    listener.subscribe(f"{prefix}:changes")
    try:
        settings = {"LIVE_REDIS_URL": redis_url, "LIVE_REDIS_PREFIX": prefix}
        rotated = live_command(tmp_path, "rotate-key", "nets4dem", settings=settings)
        assert rotated.returncode == 0, rotated.stderr
        messages = []
        while (message := listener.get_message(timeout=1.0)) is not None:
            if message["type"] == "message":
                messages.append(json.loads(message["data"]))
        marks = [mark for message in messages for mark in message["marks"]]
        assert any(mark["code"] == "nets4dem" and mark.get("log") for mark in marks), messages
    finally:
        listener.close()
