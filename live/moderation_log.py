"""The moderation log: who did what to which question or poll, read by every moderator."""

from __future__ import annotations

from datetime import UTC, datetime

from . import Live
from .domain import LogEntry


def log_action(
    live: Live, code: str, moderator: int, action: str, target: int | None, detail: str = ""
) -> None:
    """Log an action of moderator ``moderator`` (0: the server itself, the API or the command
    line); the webinar's moderators see it with the next update."""
    entry = LogEntry(0, code, datetime.now(UTC), moderator, action, target, detail[:200])
    live.store.log_action(entry)
    live.broadcaster.changed(code, log=True)
