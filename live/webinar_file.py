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
    Programme,
    Webinar,
    WebinarSettings,
    new_poll,
    with_settings,
)
from .logos import read_logo

DEFAULT_WEBINAR = "nets4dem.toml"


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
    webinar file's), none without it."""
    for key in ("code", "title", "timezone", "starts_at", "ends_at"):
        if key not in data:
            raise InvalidInput(f"'{key}' is missing.")
    try:
        zone = ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(f"unknown time zone {data['timezone']!r}.") from error
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
    return tuple(
        PollTranslation(
            language=language,
            prompt=_text(table.get("prompt", ""), f"polls.translations.{language}.prompt").strip(),
            options=_texts(table.get("options", []), f"polls.translations.{language}.options"),
        )
        for language, table in _tables(value, "polls.translations").items()
    )


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
