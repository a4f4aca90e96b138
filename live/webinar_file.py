"""Read a webinar (its details, programmes and draft polls) from a TOML file.

The format is documented in ``docs/webinar-file.md``; the default webinar ships as
``live/webinars/nets4dem.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .colours import normal_hex
from .domain import (
    ContentTranslation,
    InvalidInput,
    Poll,
    PollTranslation,
    Privacy,
    Programme,
    Webinar,
    WebinarSettings,
    check_translations,
    new_poll,
    with_privacy,
    with_settings,
)
from .logos import read_logo
from .msgids import N_

DEFAULT_WEBINAR = "nets4dem.toml"
# the keys a webinar file may hold, per table: anything else is a mistake (a typo such as
# "retention_day", or a key of a newer version) and stops the load with its name
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "code",
            "title",
            "description",
            "organiser",
            "timezone",
            "starts_at",
            "ends_at",
            "topics",
            "settings",
            "programmes",
            "polls",
            "privacy",
            "passcode",
            "accent",
            "logo",
            "language",
            "translations",
        }
    ),
    "settings": frozenset(
        {
            "premoderation",
            "max_question_length",
            "ask_names",
            "follow_up",
            "show_passcode",
            "passcode_in_qr",
            "word_filter",
        }
    ),
    "programmes": frozenset({"title", "when", "description"}),
    "polls": frozenset({"prompt", "kind", "options", "collects_emails", "translations"}),
    # [translations.xx], its [[translations.xx.programmes]], and a poll's [polls.translations.xx]
    "translations": frozenset({"title", "description", "programmes", "topics"}),
    "translations.programmes": frozenset({"title", "when", "description"}),
    "polls.translations": frozenset({"prompt", "options"}),
    "privacy": frozenset({"controller", "contact", "dpo", "authority", "retention_days"}),
}


@dataclass(frozen=True)
class WebinarFile:
    """A webinar as a file describes it: the webinar and the draft polls to create with it."""

    webinar: Webinar
    polls: tuple[Poll, ...]


def default_webinar_path() -> Path:
    """Return the path of the webinar file shipped inside the package."""
    return Path(str(resources.files("live") / "webinars" / DEFAULT_WEBINAR))


def load_webinar_file(path: str | Path) -> WebinarFile:
    """Parse a webinar file; raise ``InvalidInput`` naming the file and what is wrong in it."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        return parse_webinar(data, Path(path).parent)
    except (tomllib.TOMLDecodeError, OSError) as error:
        raise InvalidInput(f"{path}: {error}", "bad_webinar_file") from error
    except InvalidInput as error:
        raise InvalidInput(f"{path}: {error.message}", "bad_webinar_file") from error


def parse_webinar(data: dict[str, Any], folder: Path | None = None) -> WebinarFile:
    """Build a webinar and its polls from parsed TOML; a logo is a file in ``folder`` (the
    webinar file's), none without it; refuse keys it does not know."""
    check_keys(data)
    for key in ("code", "title", "timezone", "starts_at", "ends_at"):
        if key not in data:
            raise InvalidInput(f"'{key}' is missing.")
    try:
        zone = ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        # a msgid: the organiser page says it in the organiser's language
        raise InvalidInput(
            N_("unknown time zone %(zone)s."), zone=repr(data["timezone"])
        ) from error
    webinar = Webinar(
        code=str(data["code"]).lower(),
        title=str(data["title"]).strip(),
        description=str(data.get("description", "")).strip(),
        organiser=str(data.get("organiser", "")).strip(),
        starts_at=_local_time(data["starts_at"], zone, "starts_at"),
        ends_at=_local_time(data["ends_at"], zone, "ends_at"),
        programmes=tuple(
            Programme(
                title=str(p["title"]),
                when=str(p.get("when", "")),
                description=str(p.get("description", "")).strip(),
            )
            for p in data.get("programmes", [])
        ),
        settings=with_settings(WebinarSettings(), data.get("settings", {})),
        topics=_topics(data.get("topics", [])),
        privacy=with_privacy(Privacy(), data.get("privacy", {})),
        passcode=_passcode(data.get("passcode", "")),
        accent=_accent(data.get("accent", "")),
        logo=_logo(data.get("logo", ""), folder),
        language=_text(data.get("language", "en"), "language").strip(),
        translations=_content_translations(data.get("translations", {})),
    )
    polls = tuple(
        replace(
            new_poll(webinar.code, p.get("prompt"), p.get("kind", "single"), p.get("options")),
            collects_emails=p.get("collects_emails", False) is True,
            translations=_poll_translations(p.get("translations", {})),
        )
        for p in data.get("polls", [])
    )
    check_translations(webinar, polls)
    return WebinarFile(webinar=webinar, polls=polls)


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"'{key}' must be text.")
    return value


def _texts(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"'{key}' must be a list of texts.")
    return tuple(v.strip() for v in value)


def _tables(value: Any, key: str) -> dict[str, dict[str, Any]]:
    """``[translations.fr]`` tables by language, checked to be tables."""
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise InvalidInput(f"'{key}' must be tables such as [{key}.fr].")
    return value


def _content_translations(value: Any) -> tuple[ContentTranslation, ...]:
    """The webinar's ``[translations.xx]``: title, description, topics, ``[[...programmes]]``."""
    found = []
    for language, table in _tables(value, "translations").items():
        where = f"translations.{language}"
        _unknown(table, "translations")
        for programme in table.get("programmes", []):
            _unknown(programme, "translations.programmes")
        found.append(
            ContentTranslation(
                language=language,
                title=_text(table.get("title", ""), f"{where}.title").strip(),
                description=_text(table.get("description", ""), f"{where}.description").strip(),
                programmes=tuple(
                    Programme(
                        title=_text(p.get("title", ""), f"{where}.programmes.title"),
                        when=_text(p.get("when", ""), f"{where}.programmes.when"),
                        description=_text(
                            p.get("description", ""), f"{where}.programmes.description"
                        ).strip(),
                    )
                    for p in table.get("programmes", [])
                ),
                topics=_texts(table.get("topics", []), f"{where}.topics"),
            )
        )
    return tuple(found)


def _poll_translations(value: Any) -> tuple[PollTranslation, ...]:
    """A poll's ``[polls.translations.xx]``: its prompt and options."""
    tables = _tables(value, "polls.translations")
    for table in tables.values():
        _unknown(table, "polls.translations")
    return tuple(
        PollTranslation(
            language=language,
            prompt=_text(table.get("prompt", ""), f"polls.translations.{language}.prompt").strip(),
            options=_texts(table.get("options", []), f"polls.translations.{language}.options"),
        )
        for language, table in tables.items()
    )


def check_keys(data: dict[str, Any]) -> None:
    """Raise ``InvalidInput`` naming the first key of the file (or of one of its tables) that
    is not part of the format."""
    _unknown(data, "")
    for table in ("settings", "programmes", "polls", "privacy"):
        value = data.get(table)
        if isinstance(value, dict):
            _unknown(value, table)
        elif isinstance(value, list):
            for number, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    _unknown(item, table, number)
        elif value is not None:
            raise InvalidInput(f"'{table}' must be a table, such as [{table}].")


def _unknown(table: dict[str, Any], name: str, number: int | None = None) -> None:
    unknown = sorted(set(table) - KNOWN_KEYS[name])
    if not unknown:
        return
    where = "" if not name else f" in [{name}]" if number is None else f" in [[{name}]] {number}"
    known = ", ".join(sorted(KNOWN_KEYS[name]))
    raise InvalidInput(f"unknown key '{unknown[0]}'{where} (the keys here are: {known}).")


def _passcode(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput("'passcode' is text, such as \"tagus-2025\".")
    return value.strip()


def _topics(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise InvalidInput("'topics' must be a list of names, such as [\"General\"].")
    return tuple(t.strip() for t in value)


def _accent(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput("'accent' must be a hex colour such as \"#0b5cad\".")
    # the domain refuses a colour that is not hex or too light for its white text
    try:
        return normal_hex(value) if value.strip() else ""
    except ValueError:
        return value


def _logo(value: Any, folder: Path | None) -> str:
    """Return the logo's absolute path (checked: its type, its size), or "" for none."""
    if not isinstance(value, str):
        raise InvalidInput("'logo' must be the name of an image file beside the webinar file.")
    if not value.strip():
        return ""
    if folder is None:
        raise InvalidInput("a logo is set in a webinar file only.")
    path = (folder / value.strip()).resolve()
    read_logo(path)
    return str(path)


def _local_time(value: Any, zone: ZoneInfo, key: str) -> datetime:
    # TOML local date-times are read in the file's time zone; offset date-times keep their offset
    if not isinstance(value, datetime):
        raise InvalidInput(f"'{key}' must be a date-time such as 2024-06-27T10:00:00.")
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
