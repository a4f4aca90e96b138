"""The live room's rules: webinars, questions, upvotes, polls and ballots.

Standard library only, no IO and no Flask, so that every store, handler and tool shares one set of
rules (like Flask's ``sansio`` package).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from .colours import accent_refusal
from .msgids import N_

QuestionStatus = Literal["pending", "live", "answered", "dismissed", "archived", "merged"]
PollKind = Literal["single", "multiple", "rating", "words", "text", "ranking"]
PollState = Literal["draft", "open", "closed"]

QUESTION_STATUSES: tuple[str, ...] = (
    "pending",
    "live",
    "answered",
    "dismissed",
    "archived",
    "merged",
)
# what every attendee may see; the author also sees their own question in any status
PUBLIC_STATUSES = frozenset({"live", "answered"})
POLL_KINDS: tuple[str, ...] = ("single", "multiple", "rating", "words", "text", "ranking")
# the kinds whose voters type their answers (the others choose among options)
TYPED_KINDS = frozenset({"words", "text"})
# the kinds whose answers are kept whole, as typed or ordered (the others as chosen options)
ANSWER_KINDS = TYPED_KINDS | {"ranking"}
# an open text poll's answer
MAX_TEXT_ANSWER_LENGTH = 300
# a word cloud poll: each voter gives one to three short answers
MAX_WORDS = 3
MAX_WORD_LENGTH = 40
# the most words a word cloud's results carry
CLOUD_SIZE = 50
# a rating poll's options: one to five stars (ballots refer to them by index, like any option)
RATING_OPTIONS = ("1", "2", "3", "4", "5")

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")
T = TypeVar("T")
# a language as BCP 47's short forms: "fr", "pt-BR", "ast"
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
# a private webinar's passcode: 4 to 64 visible characters, no spaces (read aloud, typed on phones)
PASSCODE_PATTERN = re.compile(r"^[^\s\x00-\x1f\x7f]{4,64}$")
PASSCODE_RULE = N_("A passcode has 4 to 64 characters and no spaces.")
MAX_NAME_LENGTH = 60
MAX_PROMPT_LENGTH = 200
MAX_OPTION_LENGTH = 120
MAX_OPTIONS = 12

# why a question was dismissed: the reason's code and how attendees read it
DISMISS_REASONS: dict[str, str] = {
    "off_topic": "off-topic",
    "duplicate": "a duplicate",
    "already_answered": "already answered",
    "inappropriate": "inappropriate",
    "other": "another reason",
}

# moderation action -> (statuses it applies to, status it leads to)
MODERATION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({"pending"}), "live"),
    "dismiss": (frozenset({"pending", "live", "answered"}), "dismissed"),
    "answer": (frozenset({"live"}), "answered"),
    "archive": (frozenset({"pending", "live", "answered", "dismissed"}), "archived"),
    "restore": (frozenset({"answered", "dismissed", "archived"}), "live"),
}
MODERATION_ACTIONS = (
    *MODERATION_TRANSITIONS,
    "on_air",
    "off_air",
    "edit",
    "merge",
    "reply",
    "topic",
)
# a timed poll lasts 5 seconds to an hour
POLL_SECONDS = (5, 3600)
MAX_TOPICS = 12
MAX_TOPIC_LENGTH = 60
# the longest written answer a moderator may attach to a question
MAX_REPLY_LENGTH = 2000
# merging question B into A: B may be any open question, A one that attendees see
MERGE_FROM = frozenset({"pending", "live", "answered"})
MERGE_INTO = PUBLIC_STATUSES
# a question can only be on air while attendees can see it
ON_AIR_STATUSES = PUBLIC_STATUSES
# attendees upvote the questions still waiting for an answer
UPVOTE_STATUSES = frozenset({"live"})
# a merged question is answered where it went
REPLY_STATUSES = frozenset(QUESTION_STATUSES) - {"merged"}
# the biggest id of a question or poll (a 64-bit signed integer, as SQLite keeps them)
MAX_ID = 2**63 - 1

POLL_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({"draft", "closed"}), "open"),
    "close": (frozenset({"open"}), "closed"),
}
POLL_ACTIONS = (*POLL_TRANSITIONS, "show_results", "hide_results", "show_answer", "hide_answer")
# the states of a poll that takes votes (until its time is up, for a timed one)
OPEN_STATES = frozenset({"open"})


# what the screen (the projector, the shared screen of a stream) shows: exactly one of these
SCREEN_KINDS: tuple[str, ...] = ("welcome", "question", "poll", "results", "top", "blank")
# the kinds that show one question or poll (the others take no id)
SCREEN_TARGETS = frozenset({"question", "poll", "results"})
# what the screen falls back to when what it showed goes away (taken off, closed, dismissed,
# merged): the welcome screen, with the title, the QR code, the join address and the code
DEFAULT_SCREEN = "welcome"


class LiveError(Exception):
    """Refuse a request with a stable error code and a sentence for people.

    Raised by the domain and the service layer; the Socket.IO handlers turn it into
    ``{ok: false, error, message}`` and the HTTP routes into a JSON error with ``status``.
    """

    code = "bad_request"
    status = 400

    def __init__(self, message: str, code: str | None = None, **params: object) -> None:
        # ``message`` is a msgid (marked with ``N_``) with named placeholders filled from
        # ``params``: ``message`` is the English sentence, the edge translates ``msgid``
        # (live.i18n.error_message) into the reader's language
        self.msgid = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)
        if code:
            self.code = code


class InvalidInput(LiveError):
    code = "bad_request"
    status = 400


class NotFound(LiveError):
    code = "not_found"
    status = 404


class Forbidden(LiveError):
    code = "forbidden"
    status = 403


class TooMany(LiveError):
    """Too many attempts from one address: try again later."""

    code = "rate_limited"
    status = 429


class Unavailable(LiveError):
    """The server cannot take this now (it is stopping): nothing changed; try again shortly."""

    code = "unavailable"
    status = 503


class Full(LiveError):
    """This server process holds as many connections as it is allowed: try again later."""

    code = "full"
    status = 503


class Conflict(LiveError):
    """The request is well formed but the object is not in a state that allows it."""

    code = "conflict"
    status = 409


@dataclass(frozen=True)
class WebinarSettings:
    premoderation: bool = False
    max_question_length: int = 300
    ask_names: bool = True
    # the public follow-up page (/e/<code>/follow-up) is published
    follow_up: bool = False
    # a private webinar: the screen shows its passcode beside the code, and the QR code carries it
    show_passcode: bool = False
    passcode_in_qr: bool = False
    # the word filter: the languages whose lists hold a matching question or name for review
    # (empty: off)
    word_filter: tuple[str, ...] = ()


# the languages of the word filter's lists (live/wordlists)
FILTER_LANGUAGES = ("en", "de", "es", "fr", "it", "nl", "pl", "pt")
# how long a webinar's personal data is kept after it ends, by default and at most (days)
DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650
# the longest text of a privacy field (a controller's name and address, an authority's)
MAX_PRIVACY_LENGTH = 500
PRIVACY_TEXTS = ("controller", "contact", "dpo", "authority")


@dataclass(frozen=True)
class Privacy:
    """What a webinar's privacy notice says of who answers for its personal data, and how long
    that data is kept after the webinar ends (then it is purged: see ``Store.purge``)."""

    # who decides what is done with the data (default: the organiser)
    controller: str = ""
    # how people reach the controller about their data (an address, a web form)
    contact: str = ""
    # the data protection officer and how to reach them (empty: none named)
    dpo: str = ""
    # the supervisory authority to complain to (empty: the notice names how to find one)
    authority: str = ""
    retention_days: int = DEFAULT_RETENTION_DAYS


def with_privacy(privacy: Privacy, changes: dict[str, object]) -> Privacy:
    """Apply an organiser's change of the privacy facts, checking each value."""
    clean: dict[str, object] = {}
    for key, value in changes.items():
        if key in PRIVACY_TEXTS:
            if not isinstance(value, str) or len(value.strip()) > MAX_PRIVACY_LENGTH:
                raise InvalidInput(
                    N_("'%(field)s' is text of up to %(limit)d characters."),
                    "bad_privacy",
                    field=key,
                    limit=MAX_PRIVACY_LENGTH,
                )
            clean[key] = value.strip()
        elif key == "retention_days":
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 1 <= value <= MAX_RETENTION_DAYS
            ):
                raise InvalidInput(
                    N_("'retention_days' is a whole number of days from 1 to %(limit)d."),
                    "bad_privacy",
                    limit=MAX_RETENTION_DAYS,
                )
            clean[key] = value
        else:
            raise InvalidInput(
                N_("There is no privacy field '%(field)s'."), "bad_privacy", field=key
            )
    return replace(privacy, **clean)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Programme:
    title: str
    when: str = ""
    description: str = ""


@dataclass(frozen=True)
class ContentTranslation:
    """A webinar's own content in one more language (its file's ``[translations.xx]``): what is
    empty keeps the webinar's. Programmes and topics are in the webinar's order; topics stay
    the webinar's names in questions and exports, these are what attendees read."""

    language: str
    title: str = ""
    description: str = ""
    programmes: tuple[Programme, ...] = ()
    topics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # read back from JSON (the stores), lists and mappings become tuples and programmes
        programmes = tuple(
            p if isinstance(p, Programme) else Programme(**p) for p in self.programmes
        )
        object.__setattr__(self, "programmes", programmes)
        object.__setattr__(self, "topics", tuple(self.topics))
        if not LANGUAGE_PATTERN.match(self.language):
            raise InvalidInput(N_("A language is a code such as fr or pt-BR."), "bad_language")


@dataclass(frozen=True)
class Webinar:
    code: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    organiser: str = ""
    programmes: tuple[Programme, ...] = ()
    settings: WebinarSettings = field(default_factory=WebinarSettings)
    # what questions can be tagged with (the default webinar: its three programmes and "General")
    topics: tuple[str, ...] = ()
    # branding: a hex colour drawn behind white text (screen, overlay, attendee page), and the
    # path of a logo file (beside the webinar file; served by live/branding.py); "" for none
    accent: str = ""
    logo: str = ""
    # the language of its content, and the default of its screen, overlay, report and exports
    language: str = "en"
    # its content in other languages (attendees read theirs where given)
    translations: tuple[ContentTranslation, ...] = ()
    # who answers for its personal data and how long it is kept (the privacy notice)
    privacy: Privacy = field(default_factory=Privacy)
    # a private webinar's passcode, entered once by attendees before joining ("": public)
    passcode: str = ""
    # given by the store when the webinar is created: a webinar deleted and created again with
    # the same code and details is another one, which no process's cache may take for the old
    # (caches compare it; two webinars with the same details still compare equal)
    generation: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "translations",
            tuple(
                t if isinstance(t, ContentTranslation) else ContentTranslation(**t)
                for t in self.translations
            ),
        )
        # a file's translations are checked against its topics and programmes when it is read
        # (check_translations); topics edited later leave a translation's unused, not an error
        check_languages(self.language, [t.language for t in self.translations])
        if not CODE_PATTERN.match(self.code):
            raise InvalidInput(
                N_("A webinar code has 2-32 lowercase letters, digits or dashes."), "bad_code"
            )
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise InvalidInput(N_("Start and end need a time zone."), "bad_time")
        if self.ends_at <= self.starts_at:
            raise InvalidInput(N_("A webinar ends after it starts."), "bad_time")
        if not self.title.strip():
            raise InvalidInput(N_("A webinar needs a title."), "bad_title")
        if self.passcode and not PASSCODE_PATTERN.match(self.passcode):
            raise InvalidInput(PASSCODE_RULE, "bad_passcode")
        if (
            len(self.topics) > MAX_TOPICS
            or len(set(self.topics)) != len(self.topics)
            or not all(0 < len(t) <= MAX_TOPIC_LENGTH and t == t.strip() for t in self.topics)
        ):
            raise InvalidInput(
                N_("Up to %(count)d distinct topics of 1-%(limit)d characters."),
                "bad_topics",
                count=MAX_TOPICS,
                limit=MAX_TOPIC_LENGTH,
            )
        refusal = accent_refusal(self.accent) if self.accent else None
        if refusal:
            raise InvalidInput(refusal[0], "bad_accent", **refusal[1])


def purge_date(webinar: Webinar, last_activity: datetime | None = None) -> datetime:
    """Return when the webinar's personal data goes: its retention period after it ends, or
    after its last question or email address when that came later (a webinar used after its
    announced end, such as the shipped demo, keeps what it collects for the whole period)."""
    start = max(webinar.ends_at, last_activity) if last_activity else webinar.ends_at
    return start + timedelta(days=webinar.privacy.retention_days)


@dataclass(frozen=True)
class Personal:
    """How much personal data of a webinar (or of one participant) a store holds: what a purge
    or "forget me" removes. Counts of entries, no content."""

    # questions that carry their author's name
    names: int = 0
    # email addresses left on polls
    emails: int = 0
    # questions linked to the participant who asked them (or, merged, to their askers)
    questions: int = 0
    # upvotes linked to the participant who gave them
    upvotes: int = 0
    # ballots and typed answers linked to their voter
    ballots: int = 0

    @property
    def total(self) -> int:
        return self.names + self.emails + self.questions + self.upvotes + self.ballots

    def describe(self) -> str:
        """Say what it counts, in a sentence ("nothing" when empty)."""
        parts = [
            f"{count} {one if count == 1 else many}"
            for count, one, many in (
                (self.names, "name", "names"),
                (self.emails, "email address", "email addresses"),
                (self.questions, "link to a question", "links to questions"),
                (self.upvotes, "link to an upvote", "links to upvotes"),
                (self.ballots, "link to a ballot", "links to ballots"),
            )
            if count
        ]
        return ", ".join(parts) if parts else "nothing"


@dataclass(frozen=True)
class Question:
    id: int
    webinar: str
    text: str
    name: str | None
    participant: str
    created_at: datetime
    status: str = "live"
    upvotes: int = 0
    # why it was dismissed (a DISMISS_REASONS code); None unless dismissed
    reason: str | None = None
    # the question this one was merged into (its status is then "merged")
    merged_into: int | None = None
    # how many people asked it: its author and the authors of the questions merged into it
    asked_by: int = 1
    # a written answer from the moderators or the host, for those not answered live
    reply: str | None = None
    # one of the webinar's topics, or None
    topic: str | None = None
    # the word filter held it for review (its text or name matched a word of the lists)
    held: bool = False

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


@dataclass(frozen=True)
class PollTranslation:
    """A poll's prompt and options in one more language; what is empty keeps the poll's."""

    language: str
    prompt: str = ""
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        if not LANGUAGE_PATTERN.match(self.language):
            raise InvalidInput(N_("A language is a code such as fr or pt-BR."), "bad_language")


def check_languages(language: str, translated: list[str]) -> None:
    """Refuse a content language that is not a code, or a language translated twice (one in the
    webinar's own language is allowed, and unused while it is the webinar's)."""
    if not LANGUAGE_PATTERN.match(language):
        raise InvalidInput(N_("A language is a code such as fr or pt-BR."), "bad_language")
    if len(set(translated)) != len(translated):
        raise InvalidInput(
            N_("Each language is translated once."),
            "bad_translation",
        )


def check_translations(webinar: Webinar, polls: Iterable[Poll] = ()) -> None:
    """Refuse translations that do not name every topic, programme or option, in order."""
    for translation in webinar.translations:
        if translation.topics and len(translation.topics) != len(webinar.topics):
            raise InvalidInput(
                N_("A translation names every topic, in the same order, or none."),
                "bad_translation",
            )
        if translation.programmes and len(translation.programmes) != len(webinar.programmes):
            raise InvalidInput(
                N_("A translation gives every programme, in the same order, or none."),
                "bad_translation",
            )
    for poll in polls:
        for given in poll.translations:
            if given.options and len(given.options) != len(poll.options):
                raise InvalidInput(
                    N_("A poll's translation gives every option, in the same order, or none."),
                    "bad_translation",
                )


def content_in(webinar: Webinar, language: str) -> ContentTranslation:
    """The webinar's content as an attendee reading ``language`` sees it: the translation's
    where it gives one, else the webinar's own."""
    given = None
    if language != webinar.language:
        given = next((t for t in webinar.translations if t.language == language), None)
    return ContentTranslation(
        webinar.language,
        title=(given and given.title) or webinar.title,
        description=(given and given.description) or webinar.description,
        programmes=_same_length(given.programmes if given else None, webinar.programmes),
        topics=_same_length(given.topics if given else None, webinar.topics),
    )


def poll_in(poll: Poll, language: str) -> PollTranslation:
    """A poll's prompt and options in ``language`` where translated, else its own."""
    given = next((t for t in poll.translations if t.language == language), None)
    return PollTranslation(
        language,
        prompt=(given and given.prompt) or poll.prompt,
        options=_same_length(given.options if given else None, poll.options),
    )


def _same_length(translated: tuple[T, ...] | None, own: tuple[T, ...]) -> tuple[T, ...]:
    # a translation made for other topics (edited since) is not shown against these; within
    # one, what is left empty (the organiser page's editor leaves blanks) keeps the webinar's
    if not translated or len(translated) != len(own):
        return own
    return tuple(_or_own(given, mine) for given, mine in zip(translated, own, strict=True))


def _or_own(given: Any, own: Any) -> Any:
    """A translated text, or programme field by field, where given; else the webinar's own."""
    if isinstance(own, Programme):
        return Programme(
            title=given.title or own.title,
            when=given.when or own.when,
            description=given.description or own.description,
        )
    return given or own


@dataclass(frozen=True)
class Poll:
    id: int
    webinar: str
    prompt: str
    kind: str
    options: tuple[str, ...]
    state: str = "draft"
    results_visible: bool = False
    # a timed poll closes by itself at this moment (UTC); None: when a moderator closes it
    closes_at: datetime | None = None
    # voters may leave an email address to hear about the options they chose (the programmes)
    collects_emails: bool = False
    # an open text poll: the answers a moderator chose to show to everyone
    shown: tuple[str, ...] = ()
    # its prompt and options in other languages (the same options: the ballots are the same)
    translations: tuple[PollTranslation, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "translations",
            tuple(
                t if isinstance(t, PollTranslation) else PollTranslation(**t)
                for t in self.translations
            ),
        )

    @property
    def is_public(self) -> bool:
        """Say whether attendees see the poll at all (drafts are the moderator's)."""
        return self.state != "draft"


def is_open(poll: Poll, now: datetime) -> bool:
    """Say whether a poll takes votes at ``now``: open, and its time (if timed) not yet up."""
    return poll.state in OPEN_STATES and (poll.closes_at is None or poll.closes_at > now)


@dataclass(frozen=True)
class LogEntry:
    """One moderator action as the moderation log shows it: who (in moderator terms), when, what."""

    id: int
    webinar: str
    at: datetime
    moderator: int  # "moderator 1": numbered per webinar as they sign in
    action: str  # the protocol's action name: approve, dismiss, merge, open, settings…
    target: int | None = None  # the question or poll it concerned
    detail: str = ""  # "duplicate", "into #3", "premoderation on"…


@dataclass(frozen=True)
class PollResults:
    """Counts per option (in option order) and the number of distinct voters."""

    counts: tuple[int, ...]
    voters: int

    @property
    def average(self) -> float | None:
        """For a rating poll (options 1 to 5 stars): the average rating, two decimals."""
        if not self.voters:
            return None
        return round(sum((i + 1) * c for i, c in enumerate(self.counts)) / self.voters, 2)

    @property
    def percentages(self) -> tuple[float, ...]:
        """Give each option's share of voters in percent, one decimal.

        With multiple choice the shares can add up to more than 100.
        """
        if not self.voters:
            return tuple(0.0 for _ in self.counts)
        return tuple(round(100.0 * count / self.voters, 1) for count in self.counts)


def normalise_code(code: object) -> str:
    """Return a webinar code in its canonical lowercase form, or raise ``NotFound``."""
    if not isinstance(code, str):
        raise InvalidInput(N_("The webinar code must be text."), "bad_code")
    code = code.strip().lower()
    if not CODE_PATTERN.match(code):
        raise NotFound(N_("There is no webinar with that code."), "unknown_webinar")
    return code


# bidi embeddings, overrides and isolates can make text display as something it is not
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_WHITESPACE_RUN = re.compile(r"\s+")


def _printable(ch: str) -> bool:
    # the zero-width joiner is a format character that emoji sequences need
    return ch.isspace() or ch == "\u200d" or unicodedata.category(ch)[0] != "C"


# what clean_text says of each kind of text: not text, empty, too long (whole sentences, so that
# every language can say them in its own words)
_TEXT_MESSAGES = {
    "question": (
        N_("The question must be text."),
        N_("The question is empty."),
        N_("The question is %(length)d characters long; the limit is %(limit)d."),
    ),
    "name": (
        N_("The name must be text."),
        N_("The name is empty."),
        N_("The name is %(length)d characters long; the limit is %(limit)d."),
    ),
    "poll question": (
        N_("The poll question must be text."),
        N_("The poll question is empty."),
        N_("The poll question is %(length)d characters long; the limit is %(limit)d."),
    ),
    "option": (
        N_("An option must be text."),
        N_("An option is empty."),
        N_("An option is %(length)d characters long; the limit is %(limit)d."),
    ),
    "answer": (
        N_("The answer must be text."),
        N_("The answer is empty."),
        N_("The answer is %(length)d characters long; the limit is %(limit)d."),
    ),
    "word": (
        N_("A word must be text."),
        N_("A word is empty."),
        N_("A word is %(length)d characters long; the limit is %(limit)d."),
    ),
}


def clean_text(value: object, *, max_length: int, what: str, required: bool = True) -> str:
    """Normalise user text (NFC, no control or bidi characters, single spaces) and check its length.

    Emoji and every other printable character are kept. Raises ``InvalidInput`` for non-text,
    empty (when required) or over-long input; the length counts characters after normalising.
    """
    if not isinstance(value, str):
        raise InvalidInput(_TEXT_MESSAGES[what][0], "bad_request")
    text = unicodedata.normalize("NFC", value).translate(_BIDI_CONTROLS)
    text = "".join(" " if ch.isspace() else ch for ch in text if _printable(ch))
    text = _WHITESPACE_RUN.sub(" ", text).strip()
    if required and not text:
        raise InvalidInput(_TEXT_MESSAGES[what][1], "empty")
    if len(text) > max_length:
        raise InvalidInput(_TEXT_MESSAGES[what][2], "too_long", length=len(text), limit=max_length)
    return text


def clean_name(value: object) -> str | None:
    """Return the optional author name, or ``None`` for anonymous."""
    if value is None:
        return None
    return clean_text(value, max_length=MAX_NAME_LENGTH, what="name", required=False) or None


def allowed_actions(status: str) -> tuple[str, ...]:
    """Return the moderation actions a question in ``status`` may be given, in the order a
    console offers them (``on_air`` and ``off_air`` both: which applies depends on the screen)."""
    allowed = [a for a, (sources, _) in MODERATION_TRANSITIONS.items() if status in sources]
    if status in ON_AIR_STATUSES:
        allowed += ["on_air", "off_air"]
    if status in MERGE_FROM:
        allowed.append("merge")
    allowed.append("edit")
    if status in REPLY_STATUSES:
        allowed += ["topic", "reply"]
    return tuple(allowed)


def moderation_target(action: str, current: str) -> str:
    """Return the status a moderation ``action`` leads to from ``current``, or raise."""
    allowed, target = MODERATION_TRANSITIONS[action]
    if current not in allowed:
        raise Conflict(
            N_("A question that is %(state)s cannot be given '%(action)s'."),
            "bad_state",
            state=current,
            action=action,
        )
    return target


def dismiss_reason(reason: object) -> str:
    """Return a valid dismissal reason; none given means "other"."""
    if reason is None:
        return "other"
    if not isinstance(reason, str) or reason not in DISMISS_REASONS:
        raise InvalidInput(
            N_("'reason' is one of %(choices)s."), "bad_reason", choices=", ".join(DISMISS_REASONS)
        )
    return str(reason)


def question_topic(webinar: Webinar, topic: object) -> str | None:
    """Return a valid topic of the webinar for a question (None: no topic), or raise."""
    if topic is None:
        return None
    if not isinstance(topic, str) or topic not in webinar.topics:
        choices = ", ".join(webinar.topics) or "none in this webinar"
        raise InvalidInput(N_("'topic' is one of: %(choices)s."), "bad_topic", choices=choices)
    return topic


EMAIL = re.compile(r"^[^@\s<>\"'`]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")


def clean_email(value: object) -> str:
    """Return an email address as given (trimmed), or raise ``InvalidInput``.

    Control, format (bidi overrides and isolates among them) and lone surrogate characters are
    refused: an address is exported and mailed as it is.
    """
    address = value.strip() if isinstance(value, str) else ""
    if (
        not EMAIL.match(address)
        or len(address) > 254
        or any(unicodedata.category(ch).startswith("C") for ch in address)
    ):
        raise InvalidInput(N_("That does not look like an email address."), "bad_email")
    return address


def dismissed_counts(questions: Iterable[Question]) -> dict[str, int]:
    """Count the dismissed questions per reason: what attendees may know of them."""
    counts: dict[str, int] = {}
    for question in questions:
        if question.status == "dismissed":
            reason = question.reason or "other"
            counts[reason] = counts.get(reason, 0) + 1
    return counts


def poll_target(action: str, current: str) -> str:
    """Return the state a poll ``action`` leads to from ``current``, or raise."""
    allowed, target = POLL_TRANSITIONS[action]
    if current not in allowed:
        raise Conflict(
            N_("A poll that is %(state)s cannot be given '%(action)s'."),
            "bad_state",
            state=current,
            action=action,
        )
    return target


def new_poll(webinar: str, prompt: object, kind: object, options: object) -> Poll:
    """Validate what a moderator typed into a new draft poll (its id is given by the store)."""
    prompt = clean_text(prompt, max_length=MAX_PROMPT_LENGTH, what="poll question")
    if kind not in POLL_KINDS:
        raise InvalidInput(
            N_("A poll's kind is one of %(choices)s."), "bad_kind", choices=", ".join(POLL_KINDS)
        )
    if kind in TYPED_KINDS:
        if options not in (None, []):
            raise InvalidInput(
                N_("This kind of poll takes no options: voters type."), "bad_options"
            )
        return Poll(id=0, webinar=webinar, prompt=prompt, kind=str(kind), options=())
    if kind == "rating":
        # the options are the stars; none may be given
        if options not in (None, [], list(RATING_OPTIONS)):
            raise InvalidInput(
                N_("A rating poll takes no options: it is 1 to 5 stars."), "bad_options"
            )
        return Poll(id=0, webinar=webinar, prompt=prompt, kind="rating", options=RATING_OPTIONS)
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        raise InvalidInput(
            N_("A poll has 2 to %(limit)d options."), "bad_options", limit=MAX_OPTIONS
        )
    labels = tuple(clean_text(o, max_length=MAX_OPTION_LENGTH, what="option") for o in options)
    if len({label.casefold() for label in labels}) != len(labels):
        raise InvalidInput(N_("Two options of a poll have the same text."), "bad_options")
    return Poll(id=0, webinar=webinar, prompt=prompt, kind=str(kind), options=labels)


def check_text_answer(poll: Poll, text: object) -> tuple[str]:
    """Return an open text poll's answer (normalised like a question), or raise."""
    if poll.kind != "text":
        raise InvalidInput(N_("This poll takes no text answer."), "bad_words")
    answer = clean_text(text, max_length=MAX_TEXT_ANSWER_LENGTH, what="answer")
    if poll.state != "open":
        raise Conflict(N_("This poll is not open for votes."), "poll_closed")
    return (answer,)


def check_ranking(poll: Poll, order: object) -> tuple[int, ...]:
    """Return a ranking: every option's index once, the voter's first choice first; or raise."""
    if poll.kind != "ranking":
        raise InvalidInput(N_("This poll takes no ranking."), "bad_options")
    if (
        not isinstance(order, list)
        or not all(isinstance(o, int) and not isinstance(o, bool) for o in order)
        or sorted(order) != list(range(len(poll.options)))
    ):
        raise InvalidInput(N_("Order every option once, first choice first."), "bad_options")
    if poll.state != "open":
        raise Conflict(N_("This poll is not open for votes."), "poll_closed")
    return tuple(order)


def average_ranks(poll: Poll, rankings: Iterable[Sequence[str]]) -> list[float | None]:
    """Each option's average rank over the voters' rankings (1 = first), two decimals."""
    totals = [0] * len(poll.options)
    voters = 0
    for ranking in rankings:
        voters += 1
        for rank, option in enumerate(ranking, start=1):
            totals[int(option)] += rank
    return [round(total / voters, 2) if voters else None for total in totals]


def check_words(poll: Poll, words: object) -> tuple[str, ...]:
    """Return a word cloud answer: 1 to 3 short answers, lowercase with single spaces, each once;
    raise if it does not fit."""
    if poll.kind != "words":
        raise InvalidInput(N_("This poll takes options, not words."), "bad_options")
    if not isinstance(words, list) or not 1 <= len(words) <= MAX_WORDS:
        raise InvalidInput(
            N_("Give 1 to %(limit)d words or short phrases."), "bad_words", limit=MAX_WORDS
        )
    cleaned = [
        clean_text(w, max_length=MAX_WORD_LENGTH, what="word", required=False).casefold()
        for w in words
    ]
    unique = tuple(dict.fromkeys(w for w in cleaned if w))
    if not unique:
        raise InvalidInput(N_("Type at least one word."), "bad_words")
    if poll.state != "open":
        raise Conflict(N_("This poll is not open for votes."), "poll_closed")
    return unique


def word_counts(
    answers: Iterable[Sequence[str]], limit: int | None = CLOUD_SIZE
) -> list[tuple[str, int]]:
    """Count each word (or text answer) over every voter's answer: the most frequent first (then
    alphabetical), at most ``limit``."""
    counts: dict[str, int] = {}
    for answer in answers:
        for word in answer:
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked if limit is None else ranked[:limit]


def check_ballot(poll: Poll, options: object) -> tuple[int, ...]:
    """Return the ballot as sorted option indexes, or raise if it does not fit the poll."""
    if poll.kind in TYPED_KINDS:
        raise InvalidInput(N_("This poll takes typed answers, not options."), "bad_options")
    if not isinstance(options, list) or not options:
        raise InvalidInput(N_("Choose at least one option."), "bad_options")
    if not all(isinstance(o, int) and not isinstance(o, bool) for o in options):
        raise InvalidInput(N_("Options are given by their index."), "bad_options")
    chosen = set(options)
    if len(chosen) != len(options) or not all(0 <= o < len(poll.options) for o in chosen):
        raise InvalidInput(N_("That option is not part of this poll."), "bad_options")
    if poll.kind in ("single", "rating") and len(chosen) != 1:
        raise InvalidInput(N_("This poll takes exactly one choice."), "bad_options")
    if poll.state != "open":
        raise Conflict(N_("This poll is not open for votes."), "poll_closed")
    return tuple(sorted(chosen))


def with_settings(settings: WebinarSettings, changes: dict[str, object]) -> WebinarSettings:
    """Apply a moderator's settings change, checking each value's type and range."""
    clean: dict[str, object] = {}
    for key, value in changes.items():
        if key in ("premoderation", "ask_names", "follow_up", "show_passcode", "passcode_in_qr"):
            if not isinstance(value, bool):
                raise InvalidInput(N_("'%(field)s' is true or false."), "bad_request", field=key)
        elif key == "word_filter":
            if (
                not isinstance(value, list | tuple)
                or not all(v in FILTER_LANGUAGES for v in value)
                or len(set(value)) != len(value)
            ):
                raise InvalidInput(
                    N_("'word_filter' is a list of languages among %(choices)s."),
                    "bad_request",
                    choices=", ".join(FILTER_LANGUAGES),
                )
            value = tuple(value)
        elif key == "max_question_length":
            if not isinstance(value, int) or isinstance(value, bool) or not 20 <= value <= 2000:
                raise InvalidInput(
                    N_("'max_question_length' is between 20 and 2000."), "bad_request"
                )
        else:
            raise InvalidInput(N_("There is no setting '%(field)s'."), "bad_request", field=key)
        clean[key] = value
    return replace(settings, **clean)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Screen:
    """What the screen shows: a kind of SCREEN_KINDS and, for a question or poll, its id."""

    kind: str = DEFAULT_SCREEN
    id: int | None = None

    def stored(self) -> str | None:
        """Return the screen as a store keeps it beside the webinar (None: the default)."""
        if self.kind == DEFAULT_SCREEN:
            return None
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


def stored_screen(on_air: int | None, stored: str | None) -> Screen:
    """Return the screen from what a store keeps: the question on air if there is one, else the
    screen chosen last (None or anything unreadable: the default)."""
    if on_air is not None:
        return Screen("question", on_air)
    kind, _, number = (stored or DEFAULT_SCREEN).partition(":")
    if (
        kind not in SCREEN_KINDS
        or kind == "question"
        or (kind in SCREEN_TARGETS) != number.isdigit()
    ):
        return Screen()
    return Screen(kind, int(number) if number else None)


def check_screen(kind: object, target: object) -> Screen:
    """Return the screen a moderator asks for, or raise if the kind or id cannot be one."""
    if kind not in SCREEN_KINDS:
        raise InvalidInput(
            N_("'kind' is one of %(choices)s."), "bad_kind", choices=", ".join(SCREEN_KINDS)
        )
    if kind not in SCREEN_TARGETS:
        if target is not None:
            raise InvalidInput(N_("The '%(kind)s' screen takes no 'id'."), kind=kind)
        return Screen(str(kind))
    if not isinstance(target, int) or isinstance(target, bool) or target < 1:
        raise InvalidInput(
            N_("The 'question' screen takes 'id', the id of a question.")
            if _target(kind) == "question"
            else N_("The '%(kind)s' screen takes 'id', the id of a poll."),
            kind=kind,
        )
    return Screen(str(kind), target)


def _target(kind: object) -> str:
    return "question" if kind == "question" else "poll"
