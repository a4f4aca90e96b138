"""One codec for every backend: the dataclasses as flat records, and records as stored values.

Driven by the dataclasses' fields: a new field of ``Question``, ``Poll`` or ``Webinar`` (with a
default) is written, read back, accepted by the generic updates and, in SQLite, given its column
in older databases, without a line here or in any backend. A nested dataclass (``settings``) is
flattened into its fields; tuples are kept as JSON; times as ISO text.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from ..domain import LogEntry, Poll, Question, Webinar

T = TypeVar("T")
_MISSING: Any = dataclasses.MISSING
# how a stored time is read (one object, so that decode can tell a time's reader)
_TIME = datetime.fromisoformat


@dataclasses.dataclass(frozen=True)
class Column:
    """One stored field: its Python type, whether None is allowed, its default."""

    name: str
    kind: Any  # str, int, bool, datetime or tuple
    optional: bool
    default: Any
    item: Any = None  # a tuple's items, when they are dataclasses (a webinar's programmes)
    parent: str | None = None  # the nested dataclass field it belongs to ("settings")


def _columns(cls: Any, parent: str | None = None) -> list[Column]:
    hints = typing.get_type_hints(cls)
    found = []
    for field in dataclasses.fields(cls):
        kind, optional = hints[field.name], False
        if typing.get_origin(kind) in (typing.Union, types.UnionType):
            optional = type(None) in typing.get_args(kind)
            kind = next(a for a in typing.get_args(kind) if a is not type(None))
        if dataclasses.is_dataclass(kind):
            found += _columns(kind, field.name)
            continue
        default = field.default
        if field.default_factory is not _MISSING:
            default = field.default_factory()  # type: ignore[operator]
        item = None
        if typing.get_origin(kind) is tuple:
            kind, element = tuple, typing.get_args(kind)[0]
            item = element if dataclasses.is_dataclass(element) else None
        found.append(Column(field.name, kind, optional, default, item, parent))
    return found


class Codec(Generic[T]):
    """Turn one dataclass (plus the extra fields a backend keeps beside it) into records."""

    def __init__(
        self,
        cls: type[T],
        keys: tuple[str, ...],
        extra: Any = None,
        zone: str | None = None,
        remember: bool = False,
    ) -> None:
        self.cls = cls
        # the records last decoded, by the stored values they came from (``remember``: for the
        # few records read over and over, as every join reads its webinar)
        self._decoded: dict[tuple[Any, ...], dict[str, Any]] | None = {} if remember else None
        self.keys = keys
        # a zoned record keeps its times with their offset and the zone's name beside them
        self.zone = zone
        own = [c for c in _columns(cls) if c.name not in keys]
        self.own = {c.name: c for c in own}
        self.columns = {c.name: c for c in own + (_columns(extra) if extra else [])}
        hints = typing.get_type_hints(cls)
        # what build and decode do per field, worked out once: they run for every record read
        # the dataclass's fields in order, a nested one as (its class, its fields' names)
        self._order = [
            (hints[f.name], [c.name for c in own if c.parent == f.name])
            if any(c.parent == f.name for c in own)
            else f.name
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        ]
        self._readers = {name: _reader(c) for name, c in self.columns.items()}
        self._plan = [
            (
                name,
                self._readers[name],
                c.optional,
                c.default if c.default is not _MISSING else None if c.optional else _MISSING,
            )
            for name, c in self.columns.items()
        ]

    def check(self, changes: Mapping[str, Any]) -> None:
        """Refuse names that are not stored fields (ids and codes cannot be changed)."""
        unknown = set(changes) - set(self.columns)
        if unknown:
            raise ValueError(f"{self.cls.__name__} has no field {', '.join(sorted(unknown))}")

    def defaults(self) -> dict[str, Any]:
        """Return the fields that have a default (or can be None), with it."""
        return {
            name: None if column.default is _MISSING else column.default
            for name, column in self.columns.items()
            if column.default is not _MISSING or column.optional
        }

    def fields_of(self, obj: T) -> dict[str, Any]:
        """Return an object's stored fields, nested ones flattened."""
        return {
            c.name: getattr(getattr(obj, c.parent) if c.parent else obj, c.name)
            for c in self.own.values()
        }

    def build(self, record: Mapping[str, Any]) -> T:
        """Make the object from a record (its keys and own fields; extra fields are ignored)."""
        return self.cls(
            *[
                record[f] if isinstance(f, str) else f[0](*[record[n] for n in f[1]])
                for f in self._order
            ]
        )

    # -- stored values: str, int or None ---------------------------------------------------------
    def encode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Return fields as a row or a hash keeps them (bools as 0/1, tuples as JSON)."""
        self.check(values)
        stored = {name: self.value(name, value) for name, value in values.items()}
        if self.zone and self.zone in values:
            stored["timezone"] = str(values[self.zone].tzinfo)
        return stored

    def value(self, name: str, value: Any) -> Any:
        """Return one field's value as stored."""
        column = self.columns[name]
        if value is None or column.kind in (str, int):
            return value
        if column.kind is bool:
            return int(value)
        if column.kind is datetime:
            # UTC with microseconds: stored times sort as text (a deadline is compared in place)
            if self.zone:
                return value.isoformat()
            return value.astimezone(UTC).isoformat(timespec="microseconds")
        if column.item:
            return json.dumps([dataclasses.asdict(v) for v in value])
        return json.dumps(list(value))

    def decode(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """Read a row or hash back into a record; a field missing (from older data, or a hash
        that leaves out what is None) gets its default, or None."""
        if self._decoded is None:
            return self._decode(stored)
        values = tuple(stored.items())
        try:
            record = self._decoded.get(values)
        except TypeError:  # a value that cannot be a key: decoded each time
            return self._decode(stored)
        if record is None:
            record = self._decode(stored)
            if len(self._decoded) >= REMEMBERED:
                self._decoded.clear()
            self._decoded[values] = record
        # a copy: callers may change theirs (the values are immutable)
        return dict(record)

    def _decode(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        record = {k: stored[k] for k in self.keys if k in stored}
        zone = stored.get("timezone") if self.zone else None
        for name, read, optional, fallback in self._plan:
            raw = stored.get(name, _MISSING)
            if raw is _MISSING:
                if fallback is _MISSING:
                    raise KeyError(name)
                record[name] = fallback
            elif raw is None or (optional and raw == ""):
                record[name] = None
            elif zone and read is _TIME:
                record[name] = stored_time(raw, zone)
            else:
                record[name] = read(raw)
        return record

    def read(self, name: str, raw: Any) -> Any:
        """Return one field's stored value as Python's; an optional field stored empty is None."""
        if raw is None or (raw == "" and self.columns[name].optional):
            return None
        return self._readers[name](raw)

    def declarations(self) -> dict[str, str]:
        """Return each column's SQLite declaration (type, NOT NULL, DEFAULT), so that a new field
        is also a column added to an older database."""
        kinds = {str: "TEXT", int: "INTEGER", bool: "INTEGER", datetime: "TEXT", tuple: "TEXT"}
        declared = {}
        for name, column in self.columns.items():
            sql = kinds[column.kind]
            if not column.optional:
                sql += " NOT NULL"
            if column.default not in (_MISSING, None):
                default = self.value(name, column.default)
                sql += (
                    f" DEFAULT {default}" if isinstance(default, int) else f" DEFAULT '{default}'"
                )
            declared[name] = sql
        if self.zone:
            declared["timezone"] = "TEXT NOT NULL"
        return declared


def stored_time(stamp: str, zone: str) -> datetime:
    """Read a stored ISO time back in the webinar's named zone (kept beside it: ISO drops names)."""
    moment = datetime.fromisoformat(stamp)
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        # a fixed offset such as "UTC+02:00" rather than a zone name: keep the offset
        return moment


def _reader(column: Column) -> Callable[[Any], Any]:
    """Return what reads a column's stored value (not None) back."""
    if column.kind in (str, int):
        return column.kind  # type: ignore[no-any-return]
    if column.kind is bool:
        return lambda raw: raw == 1 or raw == "1"
    if column.kind is datetime:
        return _TIME
    item = column.item
    if item:
        return lambda raw: tuple(item(**i) for i in json.loads(raw))
    return lambda raw: tuple(json.loads(raw))


@dataclasses.dataclass(frozen=True)
class WebinarExtras:
    """What a store keeps beside a webinar's own fields."""

    moderator_key: str = ""
    # how many moderators signed in: numbers them for the log
    moderators: int = 0
    # the question on air (and on screen: putting one on air replaces the screen below)
    on_air: int | None = None
    # what the screen shows when no question is on air ("top", "poll:3"…: domain.Screen);
    # None: the default
    screen: str | None = None
    # when its personal data was last purged (its retention period was over); None: never
    purged_at: datetime | None = None


# how many decoded records a remembering codec keeps (one per webinar that is read)
REMEMBERED = 256
WEBINARS: Codec[Webinar] = Codec(Webinar, ("code",), WebinarExtras, zone="starts_at", remember=True)
QUESTIONS: Codec[Question] = Codec(Question, ("id", "webinar"))
POLLS: Codec[Poll] = Codec(Poll, ("id", "webinar"))
LOG: Codec[LogEntry] = Codec(LogEntry, ("id", "webinar"))
