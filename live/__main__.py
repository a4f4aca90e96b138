"""Operator commands, run beside the server on the same settings (the ``LIVE_*`` variables).

    python -m live list                          the webinars in the store, with their links
    python -m live create FILE                   add the webinar a webinar file describes
    python -m live edit FILE                     update a webinar's details (title, description,
                                                 organiser, times, topics, accent colour and
                                                 logo) from its file
    python -m live duplicate CODE NEW [--title T]   a new webinar from an earlier one (details,
                                                 topics and polls as drafts; no questions)
    python -m live delete CODE --yes             delete a webinar and all its data
    python -m live rotate-key [CODE]             give a webinar a new moderator key
    python -m live purge [--dry-run]             remove the personal data of the webinars past
                                                 their retention period (--dry-run: only list it)

A running server notices changes by itself: moderators of a changed key (or a deleted webinar)
are signed out within a second, on every process.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from typing import Any

from . import create_app, service
from .domain import InvalidInput, LiveError
from .identity import new_moderator_key
from .keys import rotate_moderator_key
from .links import attendee_url, moderator_url, projector_url
from .webinar_file import load_webinar_file


def open_live() -> tuple[Any, Any]:
    # the background tasks and the async library are the server's: a command needs the store only,
    # and must not put LIVE_MODERATOR_KEY back over a key it is about to change
    app = create_app({"TICK_MS": 0, "ASYNC_MODE": "threading", "MODERATOR_KEY": None})
    if "live_channel" in app.extensions:
        # what the command changed (a log entry) reaches the servers before the command exits
        atexit.register(app.extensions["live_channel"].close)
    return app, app.extensions["live"]


def base_url(app: Any) -> str:
    """Return the server's public address, as far as a command knows it."""
    return str(app.config["PUBLIC_URL"] or "<the server's address>")


def links(app: Any, code: str, key: str | None) -> str:
    base = base_url(app)
    return (
        f"  attendees:  {attendee_url(code, base)}\n"
        f"  projector:  {projector_url(code, base)}\n"
        f"  moderators: {moderator_url(code, str(key), base)}"
    )


def list_webinars() -> int:
    app, live = open_live()
    for code in live.store.webinar_codes():
        webinar = live.store.get_webinar(code)
        print(f"{code}: {webinar.title} ({webinar.starts_at:%Y-%m-%d %H:%M %Z})")
        print(links(app, code, live.store.moderator_key(code)))
    return 0


def create(path: str) -> int:
    app, live = open_live()
    loaded = load_webinar_file(path)
    key = new_moderator_key()
    if not live.store.create_webinar(loaded.webinar, key, loaded.polls):
        raise InvalidInput(f"There is already a webinar with the code {loaded.webinar.code!r}.")
    print(f"Created {loaded.webinar.code}: {loaded.webinar.title}")
    print(links(app, loaded.webinar.code, key))
    return 0


def edit(path: str) -> int:
    _, live = open_live()
    loaded = load_webinar_file(path)
    service.get_webinar(live.store, loaded.webinar.code)  # it must exist
    live.store.update_webinar(loaded.webinar)
    print(f"Updated the details of {loaded.webinar.code} (its settings, questions and polls stay).")
    return 0


def duplicate(code: str, new_code: str, title: str | None) -> int:
    app, live = open_live()
    copy, key, polls = service.duplicate_webinar(live.store, code, new_code, title)
    print(f"Created {copy.code} from {code}: {copy.title} ({polls} polls, as drafts)")
    print(links(app, copy.code, key))
    return 0


def delete(code: str, confirmed: bool) -> int:
    _, live = open_live()
    webinar = service.get_webinar(live.store, code)
    if not confirmed:
        raise InvalidInput(
            f"This deletes {webinar.code} and all its questions, votes, email addresses and "
            "log for good: add --yes to go ahead."
        )
    live.store.delete_webinar(webinar.code)
    print(f"Deleted {webinar.code} and all its data.")
    return 0


def rotate_key(code: str | None) -> int:
    app, live = open_live()
    webinar = service.get_webinar(live.store, code or live.default_code)
    # signs out this command's own connections (none): the servers' within a second
    key = rotate_moderator_key(live, webinar.code, detail="from the command line")
    print(f"New moderator key for {webinar.code}: {key}")
    print(f"Moderator link: {moderator_url(webinar.code, key, base_url(app))}")
    print("Moderators signed in with the old key are signed out within a second.")
    if os.environ.get("LIVE_MODERATOR_KEY"):
        print(
            "Note: LIVE_MODERATOR_KEY is set; the server sets that key again when it restarts. "
            "Remove it, or set it to the new key.",
            file=sys.stderr,
        )
    live.store.close()
    return 0


def purge(dry_run: bool) -> int:
    from .personal import due_date
    from .tasks import purge as purge_now

    _, live = open_live()
    done = purge_now(live, dry_run=dry_run)
    for purged in done:
        webinar = purged.webinar
        due = due_date(live.store, webinar)
        verb = "would remove" if dry_run else "removed"
        print(
            f"{webinar.code}: ended {webinar.ends_at:%Y-%m-%d}, kept "
            f"{webinar.privacy.retention_days} days (until {due:%Y-%m-%d}): "
            f"{verb} {purged.removed.describe()}"
        )
    if not done:
        print("Nothing to purge: no webinar past its retention period holds personal data.")
    elif dry_run:
        print("Nothing was changed (--dry-run).")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m live", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the webinars in the store, with their links")
    create_parser = commands.add_parser("create", help="add a webinar from a webinar file")
    create_parser.add_argument("file")
    change = commands.add_parser("edit", help="update a webinar's details from its file")
    change.add_argument("file")
    copy = commands.add_parser("duplicate", help="a new webinar from an earlier one")
    copy.add_argument("code")
    copy.add_argument("new_code")
    copy.add_argument("--title")
    remove = commands.add_parser("delete", help="delete a webinar and all its data")
    remove.add_argument("code")
    remove.add_argument("--yes", action="store_true", help="yes, delete it for good")
    rotate = commands.add_parser("rotate-key", help="give a webinar a new moderator key")
    rotate.add_argument("code", nargs="?", help="the webinar's code (default: the loaded one)")
    cleanup = commands.add_parser(
        "purge", help="remove the personal data of webinars past their retention period"
    )
    cleanup.add_argument("--dry-run", action="store_true", help="only list what would go")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return list_webinars()
        if args.command == "create":
            return create(args.file)
        if args.command == "edit":
            return edit(args.file)
        if args.command == "duplicate":
            return duplicate(args.code, args.new_code, args.title)
        if args.command == "delete":
            return delete(args.code, args.yes)
        if args.command == "purge":
            return purge(args.dry_run)
        return rotate_key(args.code)
    except Exception as error:  # noqa: BLE001 (a command line says what went wrong, in a line)
        message = error.message if isinstance(error, LiveError) else str(error)
        print(f"error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
