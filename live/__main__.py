"""Operator commands, run beside the server on the same settings (the ``LIVE_*`` variables).

    python -m live rotate-key [CODE]    give a webinar a new moderator key and print its link

A running server signs out the moderators of the old key within a second (each process checks
its moderators' keys against the store), so this works with one process on SQLite as well as
with several on Redis.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import create_app, service
from .sockets import log_action


def rotate_key(code: str | None) -> int:
    # the background tasks and the async library are the server's: a command needs the store only,
    # and must not put LIVE_MODERATOR_KEY back over the key it is about to change
    app = create_app({"TICK_MS": 0, "ASYNC_MODE": "threading", "MODERATOR_KEY": None})
    live = app.extensions["live"]
    webinar = service.get_webinar(live.store, code or live.default_code)
    key = service.rotate_moderator_key(live.store, webinar.code)
    log_action(live, webinar.code, 0, "rotate_key", None, "from the command line")
    base = (app.config["PUBLIC_URL"] or "<the server's address>").rstrip("/")
    print(f"New moderator key for {webinar.code}: {key}")
    print(f"Moderator link: {base}/e/{webinar.code}/moderate?key={key}")
    print("Moderators signed in with the old key are signed out within a second.")
    if os.environ.get("LIVE_MODERATOR_KEY"):
        print(
            "Note: LIVE_MODERATOR_KEY is set; the server sets that key again when it restarts. "
            "Remove it, or set it to the new key.",
            file=sys.stderr,
        )
    live.store.close()
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m live", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rotate = commands.add_parser("rotate-key", help="give a webinar a new moderator key")
    rotate.add_argument("code", nargs="?", help="the webinar's code (default: the loaded one)")
    args = parser.parse_args(argv)
    try:
        return rotate_key(args.code)
    except Exception as error:  # noqa: BLE001 (a command line says what went wrong, in a line)
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
