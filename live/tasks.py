"""Background tasks of each server process: timed polls, changed keys, deleted webinars and
the purge of personal data.

Each process looks after its own connections: several processes sharing a store each close the
timed polls of the webinars they serve and sign out their own moderators of a changed key. The
purge runs in one process at a time (a lock in the shared store).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from . import Live, service
from .keys import sign_out, sign_out_stale_moderators
from .moderation_log import log_action
from .msgids import N_
from .personal import Purged, purge_due
from .store import StoreUnavailable

log = logging.getLogger(__name__)

# how often each process checks that its moderators' key is still the webinar's
KEY_CHECK_SECONDS = 1.0
# how often each process looks for timed polls whose time is up
POLL_CHECK_SECONDS = 0.5
WEBINAR_DELETED = N_("This webinar has been deleted by its organisers.")
# how often the server purges the personal data of webinars past their retention period
PURGE_EVERY_SECONDS = 3600.0


def sign_out_of_deleted_webinars(live: Live) -> int:
    """Disconnect this process's connections to webinars that no longer exist (deleted on the
    organiser page, the command line or another process), so that nothing of theirs (presence)
    is written again for a deleted webinar."""
    codes = {connection.code for connection in list(live.connections.values())}
    gone = {code for code in codes if live.store.get_webinar(code) is None}
    if not gone:
        return 0
    leaving = [sid for sid, c in list(live.connections.items()) if c.code in gone]
    sign_out(leaving, "deleted", WEBINAR_DELETED)
    log.info("closed %d connections to deleted webinars %s", len(leaving), sorted(gone))
    return len(leaving)


def close_timed_polls(live: Live, sleep: Callable[[float], Any]) -> None:
    """Close timed polls when their time is up (for the webinars this process has connections
    to; votes after the deadline are refused anyway)."""
    while True:
        sleep(POLL_CHECK_SECONDS)
        for code in {c.code for c in list(live.connections.values())}:
            try:
                closed = service.close_due_polls(live.store, code=code)
            except StoreUnavailable:
                continue
            except Exception:
                log.exception("timed polls of %s not checked", code)
                continue
            if closed:
                live.broadcaster.changed(code, polls=tuple(p.id for p in closed))
                for poll in closed:
                    log_action(live, code, 0, "close", poll.id, "its time was up")


def watch_moderator_keys(live: Live, sleep: Callable[[float], Any]) -> None:
    """Close the connections to deleted webinars and sign out moderators whose key was changed
    elsewhere."""
    while True:
        sleep(KEY_CHECK_SECONDS)
        try:
            sign_out_of_deleted_webinars(live)
            sign_out_stale_moderators(live)
        except StoreUnavailable:
            log.warning("moderator keys not checked: the store is unavailable")
        except Exception:
            log.exception("moderator keys not checked")


def purge(live: Live, dry_run: bool = False) -> list[Purged]:
    """Purge the webinars past their retention period now, log it in each one's moderation log
    and mark their questions changed (pages show the names gone)."""
    done = purge_due(live.store, dry_run=dry_run)
    for purged in [] if dry_run else done:
        code = purged.webinar.code
        detail = f"personal data removed: {purged.removed.describe()}"
        log_action(live, code, 0, "purge", None, detail)
        live.broadcaster.changed(code, questions=purged.questions)
        log.info("purged %s: %s", code, purged.removed.describe())
    return done


def purge_periodically(live: Live, sleep: Callable[[float], Any]) -> None:
    """Purge at start and then every hour; of several processes on one store, the one that
    takes the lock (it expires before the next round) does it."""
    while True:
        try:
            if live.store.try_lock("purge", PURGE_EVERY_SECONDS - 60):
                purge(live)
            else:
                log.info("purge skipped: another process purged within the hour")
        except StoreUnavailable:
            log.warning("personal data not purged: the store is unavailable")
        except Exception:
            log.exception("personal data not purged")
        sleep(PURGE_EVERY_SECONDS)
