"""The organiser page's translation editor (issue 15): a webinar's own content and its polls'
prompts and options in one shipped language, at ``/admin/webinars/<code>/translations/<xx>``.

For signed-in organisers only, every form with the token of their session, as the organiser page
(live/admin.py). What a field leaves empty is the webinar's own text on the pages, as in a webinar
file's ``[translations.xx]`` (docs/webinar-file.md), item by item in a list (the topics, a poll's
options); a list of another length than the webinar's (changed since the page was opened) is
refused as ``check_translations`` refuses it in a file, beside its field.

A poll's new translation goes out to the pages already open with the next update, as a
moderator's change of the poll, and they draw it at once; the webinar's title, description,
programmes and topics come with a page's next snapshot (a reload or a reconnection), as an edit
of the title on the organiser page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from flask import Blueprint, render_template, request, session
from flask_babel import gettext as _
from flask_babel import ngettext

from . import current_live, service
from .admin import check_form, done, signed_in
from .domain import (
    MAX_OPTION_LENGTH,
    MAX_PROMPT_LENGTH,
    MAX_TOPIC_LENGTH,
    ContentTranslation,
    LiveError,
    NotFound,
    Poll,
    PollTranslation,
    Programme,
    Webinar,
    check_translations,
    clean_text,
)
from .i18n import error_message, languages, native_name
from .msgids import N_

bp = Blueprint("admin_translations", __name__, url_prefix="/admin/webinars")


@dataclass
class Draft:
    """What the editor's form holds: the translated texts, and the refusals by field."""

    title: str = ""
    description: str = ""
    programmes: tuple[Programme, ...] = ()
    topics: tuple[str, ...] = ()
    # poll id -> its translated prompt and options
    polls: dict[int, PollTranslation] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _language_of(webinar: Webinar, language: str) -> str:
    """Refuse a language that is not shipped, or the webinar's own (nothing to translate)."""
    if language not in languages().codes:
        raise NotFound(
            N_("There is no language %(lang)s here."),
            "unknown_language",
            lang=repr(language[:10]),
        )
    if language == webinar.language:
        raise LiveError(
            N_("%(name)s is the webinar's own language: edit its texts on the organiser page."),
            "own_language",
            name=native_name(language),
        )
    return language


def _stored(webinar: Webinar, polls: list[Poll], language: str) -> Draft:
    """The translation as stored, as the form shows it."""
    given = next((t for t in webinar.translations if t.language == language), None)
    return Draft(
        title=given.title if given else "",
        description=given.description if given else "",
        programmes=given.programmes if given else (),
        topics=given.topics if given else (),
        polls={
            p.id: next(
                (t for t in p.translations if t.language == language), PollTranslation(language)
            )
            for p in polls
        },
    )


def translation_state(webinar: Webinar, polls: list[Poll], language: str) -> tuple[int, int]:
    """How many of the webinar's texts (those it has) ``language`` translates, and of how many:
    what the organiser page says beside each language."""
    draft = _stored(webinar, polls, language)
    pairs: list[tuple[str, str]] = [(webinar.title, draft.title)]
    pairs.append((webinar.description, draft.description))
    given = draft.programmes if len(draft.programmes) == len(webinar.programmes) else ()
    for index, own in enumerate(webinar.programmes):
        theirs = given[index] if given else Programme("")
        pairs += [
            (own.title, theirs.title),
            (own.when, theirs.when),
            (own.description, theirs.description),
        ]
    topics = (
        draft.topics if len(draft.topics) == len(webinar.topics) else ("",) * len(webinar.topics)
    )
    pairs += list(zip(webinar.topics, topics, strict=True))
    for poll in polls:
        translated = draft.polls[poll.id]
        options = translated.options if len(translated.options) == len(poll.options) else ()
        pairs.append((poll.prompt, translated.prompt))
        if poll.kind != "rating":  # its options are 1 to 5 stars: nothing to translate
            pairs += list(zip(poll.options, options or ("",) * len(poll.options), strict=True))
    wanted = [theirs for own, theirs in pairs if own]
    return sum(1 for theirs in wanted if theirs), len(wanted)


def states(webinar: Webinar, polls: list[Poll]) -> list[dict[str, Any]]:
    """Each shipped language but the webinar's own: its name in itself and its state."""
    found = []
    for code in languages().codes:
        if code == webinar.language:
            continue
        done_, total = translation_state(webinar, polls, code)
        if done_ == 0:
            state = _("Not translated")
        elif done_ == total:
            state = _("Translated")
        else:
            state = ngettext(
                "Partly translated: %(done)d of %(num)d text",
                "Partly translated: %(done)d of %(num)d texts",
                total,
                done=done_,
            )
        found.append({"code": code, "name": native_name(code), "state": state})
    return found


def _read_form(webinar: Webinar, polls: list[Poll], language: str) -> Draft:
    """Read the editor's form; refusals go into ``errors`` by field, nothing is raised."""
    form = request.form
    errors: dict[str, str] = {}

    def text(name: str, limit: int | None = None, what: str = "") -> str:
        value = form.get(name, "")
        if limit is None:
            # a title or a description keeps its line breaks, as the webinar's own
            return value.replace("\r\n", "\n").strip()
        try:
            return clean_text(value, max_length=limit, what=what, required=False)
        except LiveError as error:
            errors.setdefault(name, error_message(error))
            return value

    programmes = tuple(
        Programme(
            title=text(f"programme-{i}-title"),
            when=text(f"programme-{i}-when"),
            description=text(f"programme-{i}-description"),
        )
        for i in range(len(webinar.programmes))
    )
    topics = []
    for value in form.getlist("topic"):
        topic = value.strip()
        if len(topic) > MAX_TOPIC_LENGTH:
            errors.setdefault(
                "topics",
                _(
                    "A topic is %(length)d characters long; the limit is %(limit)d.",
                    length=len(topic),
                    limit=MAX_TOPIC_LENGTH,
                ),
            )
        topics.append(topic)
    draft = Draft(
        title=text("title"),
        description=text("description"),
        programmes=programmes if any(p != Programme("") for p in programmes) else (),
        topics=tuple(topics) if any(topics) else (),
        errors=errors,
    )
    for poll in polls:
        name = f"poll-{poll.id}"
        if f"{name}-prompt" not in form:
            continue  # a poll added since the page was opened: left as it is
        options = tuple(_option(value, name, errors) for value in form.getlist(f"{name}-option"))
        draft.polls[poll.id] = PollTranslation(
            language,
            prompt=text(f"{name}-prompt", MAX_PROMPT_LENGTH, "poll question"),
            options=options if any(options) else (),
        )
    _check(webinar, polls, language, draft)
    return draft


def _option(value: str, name: str, errors: dict[str, str]) -> str:
    try:
        return clean_text(value, max_length=MAX_OPTION_LENGTH, what="option", required=False)
    except LiveError as error:
        errors.setdefault(f"{name}-options", error_message(error))
        return value


def _check(webinar: Webinar, polls: list[Poll], language: str, draft: Draft) -> None:
    """Check the lists as a webinar file's (``check_translations``), each against its field."""
    checks: list[tuple[str, Webinar, list[Poll]]] = [
        (
            "topics",
            replace(webinar, translations=(ContentTranslation(language, topics=draft.topics),)),
            [],
        ),
        (
            "programmes",
            replace(
                webinar, translations=(ContentTranslation(language, programmes=draft.programmes),)
            ),
            [],
        ),
    ]
    for poll in polls:
        if poll.id in draft.polls:
            translated = replace(poll, translations=(draft.polls[poll.id],))
            checks.append(
                (f"poll-{poll.id}-options", replace(webinar, translations=()), [translated])
            )
    for name, checked, checked_polls in checks:
        try:
            check_translations(checked, checked_polls)
        except LiveError as error:
            draft.errors.setdefault(name, error_message(error))


def _editor(webinar: Webinar, polls: list[Poll], language: str, draft: Draft) -> str:
    return render_template(
        "admin_translations.html",
        webinar=webinar,
        polls=polls,
        language=language,
        language_name=native_name(language),
        own_name=native_name(webinar.language),
        draft=draft,
        errors=draft.errors,
        csrf=session["csrf"],
    )


@bp.route("/<code>/translations/<language>", methods=["GET", "POST"])
def editor(code: str, language: str) -> Any:
    """Show the editor of one language's translation (GET), or save it (POST)."""
    if request.method == "POST":
        check_form()
    elif not signed_in():
        return render_template("admin_key.html", wrong=False), 401
    store = current_live().store
    webinar = service.get_webinar(store, code)
    language = _language_of(webinar, language)
    polls = store.polls(webinar.code)
    if request.method == "GET":
        return _editor(webinar, polls, language, _stored(webinar, polls, language))
    draft = _read_form(webinar, polls, language)
    if draft.errors:
        return _editor(webinar, polls, language, draft), 400
    _save(webinar, polls, language, draft)
    return done(
        _(
            "Saved the translation of %(code)s into %(language)s.",
            code=webinar.code,
            language=native_name(language),
        )
    )


@bp.post("/<code>/translations/<language>/delete")
def remove(code: str, language: str) -> Any:
    """Remove one language's translation of the webinar and of its polls."""
    check_form()
    store = current_live().store
    webinar = service.get_webinar(store, code)
    language = _language_of(webinar, language)
    polls = store.polls(webinar.code)
    _save(webinar, polls, language, Draft(polls={p.id: PollTranslation(language) for p in polls}))
    return done(
        _(
            "Removed the translation of %(code)s into %(language)s.",
            code=webinar.code,
            language=native_name(language),
        )
    )


def _save(webinar: Webinar, polls: list[Poll], language: str, draft: Draft) -> None:
    """Write the translation (an empty one is removed) and tell the open pages."""
    live = current_live()
    content = ContentTranslation(
        language,
        title=draft.title,
        description=draft.description,
        programmes=draft.programmes,
        topics=draft.topics,
    )
    others = tuple(t for t in webinar.translations if t.language != language)
    kept = others if content == ContentTranslation(language) else (*others, content)
    if kept != webinar.translations:
        live.store.update_webinar(replace(webinar, translations=kept))
    changed = []
    for poll in polls:
        translated = draft.polls.get(poll.id)
        if translated is None:
            continue
        rest = tuple(t for t in poll.translations if t.language != language)
        wanted = rest if translated == PollTranslation(language) else (*rest, translated)
        if wanted != poll.translations:
            live.store.change_poll(webinar.code, poll.id, {"translations": wanted})
            changed.append(poll.id)
    if changed:
        # open pages get the polls' new translations with the next update (every process)
        live.broadcaster.changed(webinar.code, polls=tuple(changed))
