"""The languages of the pages, the server's messages and the browser's catalogue (issue 15).

One gettext catalogue, ``live/translations/messages.pot``, holds the messages of the Python code,
the templates and the scripts (``make messages`` extracts it and updates each language's
``live/translations/<xx>/LC_MESSAGES/messages.po``). The languages are the directories found
there, plus English (the msgids): adding a language needs no code change (README, "Adding a
language"). The ``.po`` files are compiled to ``.mo`` when the app starts, into the instance
folder, so that a fresh checkout runs with no extra step and no binaries are committed.

The language of a request: ``?lang=xx`` (remembered in the ``lang`` cookie), then that cookie, then
``Accept-Language``, then the language of the webinar the page belongs to, then English. The
projected views (the screen ``/present`` and the overlay) skip the cookie and the browser's
languages: ``?lang=xx``, else the webinar's language (the room's screen speaks the webinar's
language whatever the venue's computer prefers).
"""

from __future__ import annotations

import gettext
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask_babel import Babel, force_locale, get_locale
from flask_babel import gettext as _gettext
from flask_babel import ngettext as _ngettext

from .domain import content_in

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT = "en"
COOKIE = "lang"
# a year: the choice is the attendee's, kept until they pick another
COOKIE_MAX_AGE = 365 * 24 * 3600
# messages whose places in the code include one of these are the browser's
SCRIPT_SUFFIXES = (".js",)
# the variety a language's short code means here, where CLDR's default for the code is another:
# "pt" alone is Brazil's Portuguese to CLDR (0 takes the singular), the app writes Portugal's
REGIONS = {"pt": "pt_PT"}


def regional(code: str) -> str:
    """The locale whose rules (plurals, and in the browser dates and numbers) a language follows:
    ``pt`` -> ``pt_PT``; the others are their own."""
    return REGIONS.get(code, code)


bp = Blueprint("i18n", __name__)


@dataclass
class Languages:
    """The shipped languages and each one's browser catalogue, read once at app start."""

    codes: list[str]
    # "fr" -> {"messages": {...}, "plural": "...", "nplurals": 2}, and its version (ETag)
    scripts: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def names(self) -> list[tuple[str, str]]:
        """Each language's code and its name in itself ("fr", "français"), for the picker."""
        return [(code, native_name(code)) for code in self.codes]


def native_name(code: str) -> str:
    """The language's name as its speakers write it, first letter capitalised for a list."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def shipped_codes(directory: Path = TRANSLATIONS) -> list[str]:
    """English and every language with a catalogue in ``directory``, sorted by code."""
    found = {po.parent.parent.name for po in directory.glob("*/LC_MESSAGES/messages.po")}
    return sorted(found | {DEFAULT})


def compile_catalogues(source: Path, build: Path) -> Languages:
    """Compile each ``.po`` of ``source`` into ``build`` (``<xx>/LC_MESSAGES/messages.mo``) and
    gather each language's browser messages; return the languages found."""
    languages = Languages(shipped_codes(source))
    for code in languages.codes:
        po = source / code / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            catalog = Catalog(locale=regional(code))
        else:
            with po.open("rb") as file:
                catalog = read_po(file, locale=code)
            # the header says the short code ("pt"): its rules are the region's ("pt_PT")
            catalog.locale = regional(code)
            target = build / code / "LC_MESSAGES" / "messages.mo"
            target.parent.mkdir(parents=True, exist_ok=True)
            # written aside, then renamed: another process starting too never reads half a file
            partial = target.with_name(f"messages.{os.getpid()}.mo")
            with partial.open("wb") as file:
                write_mo(file, catalog)
            os.replace(partial, target)
        script = script_catalogue(catalog, code)
        languages.scripts[code] = script
        body = json.dumps(script, sort_keys=True).encode()
        languages.versions[code] = hashlib.sha256(body).hexdigest()[:12]
    return languages


def script_catalogue(catalog: Catalog, code: str | None = None) -> dict[str, Any]:
    """The messages of ``catalog`` used by the scripts, as the browser's ``i18n.js`` reads them:
    ``{msgid: text}`` and, for plurals, ``{singular: [form, ...]}``, untranslated ones left out
    (the browser falls back to the msgid)."""
    messages: dict[str, Any] = {}
    for message in catalog:
        if not message.id or not message.string:
            continue
        if not any(place.endswith(SCRIPT_SUFFIXES) for place, _ in message.locations):
            continue
        if message.pluralizable:
            forms = list(message.string)
            if all(forms):
                messages[message.id[0]] = forms
        else:
            messages[str(message.id)] = message.string
    return {
        "language": code or (str(catalog.locale) if catalog.locale else DEFAULT),
        # what the browser's Intl (plurals, dates, numbers) is asked for: "pt-PT", "de"
        "locale": str(catalog.locale).replace("_", "-") if catalog.locale else DEFAULT,
        "nplurals": catalog.num_plurals,
        "plurals": plural_indexes(catalog),
        "messages": messages,
    }


def plural_indexes(catalog: Catalog) -> dict[str, int]:
    """Which of the catalogue's plural forms each CLDR category takes (Polish: one 0, few 1,
    many 2), so that the browser can pick a form from ``Intl.PluralRules`` without evaluating
    the catalogue's C expression. Found by trying numbers: both sides come from CLDR (Babel)."""
    if catalog.locale is None:
        return {"one": 0, "other": 1}
    choose = gettext.c2py(catalog.plural_expr)
    indexes: dict[str, int] = {}
    for n in [*range(0, 200), 1000, 1000000]:
        indexes.setdefault(catalog.locale.plural_form(n), int(choose(n)))
    return indexes


def languages() -> Languages:
    """The app's languages (``init_app`` read them)."""
    return current_app.extensions["live_languages"]  # type: ignore[no-any-return]


# the pages projected or streamed: the webinar's language unless ?lang= says otherwise
SCREENS = frozenset({"live.present", "live.overlay"})


def select_locale() -> str:
    """The language of this request (see the module's docstring for the order)."""
    codes = languages().codes
    asked = request.args.get(COOKIE, "")
    if asked in codes:
        return asked
    if request.endpoint in SCREENS:
        # the room's screen and the stream's overlay speak the webinar's language, whatever
        # the browser that shows them (a venue's PC) prefers; ?lang=xx picks another
        webinar_language = page_webinar_language()
        return str(webinar_language) if webinar_language in codes else DEFAULT
    remembered = request.cookies.get(COOKIE, "")
    if remembered in codes:
        return remembered
    accepted = request.accept_languages.best_match(codes)
    if accepted:
        return accepted
    webinar_language = page_webinar_language()
    if webinar_language in codes:
        return str(webinar_language)
    return DEFAULT


def page_webinar_language() -> str | None:
    """The ``language`` of the webinar this page belongs to (``/e/<code>/...``), if any: read
    only when neither the attendee nor their browser chose a shipped language."""
    code = (request.view_args or {}).get("code")
    if not isinstance(code, str):
        return None
    from . import current_live  # late: the app package imports this module

    try:
        webinar = current_live().store.get_webinar(code.lower())
    except Exception:  # the store unavailable: the page says so itself, in English
        return None
    return webinar.language if webinar is not None else None


def translate(message: str, language: str, **params: Any) -> str:
    """``message`` (a msgid marked with ``N_``) in ``language``, its ``%(name)s`` placeholders
    filled from ``params``; a message the catalogue does not hold comes back as it is."""
    if language not in languages().codes:
        language = DEFAULT
    with force_locale(language):
        return str(_gettext(message, **params))


def translate_plural(singular: str, plural: str, num: int, language: str, **params: Any) -> str:
    """``ngettext`` in ``language`` (CLDR plural rules): ``%(num)d`` and ``params`` filled in."""
    if language not in languages().codes:
        language = DEFAULT
    with force_locale(language):
        return str(_ngettext(singular, plural, num, **params))


def error_message(error: Any, language: str | None = None) -> str:
    """A refusal's sentence (a ``LiveError``: its ``msgid`` and ``params``) in ``language``, or
    in the language of the page or request being answered when none is given."""
    msgid = getattr(error, "msgid", None) or str(getattr(error, "message", error))
    params = getattr(error, "params", None) or {}
    return translate(msgid, language or current_language(), **params)


def connection_language(auth: Any) -> str:
    """The language a Socket.IO client asked for in its ``auth`` (``lang``), else English."""
    asked = auth.get("lang") if isinstance(auth, dict) else None
    return asked if isinstance(asked, str) and asked in languages().codes else DEFAULT


def current_language() -> str:
    """The language of the page being made, as a code ("fr")."""
    return str(get_locale() or DEFAULT)


def remember_choice(response: Response) -> Response:
    """Keep a ``?lang=xx`` choice in the ``lang`` cookie for the next pages; say that a page
    depends on the browser's languages and cookies (a cache must not give one to another).
    Only a page the reader reads is a choice: the projector and the overlay a moderator opens
    in another language, or a report downloaded in one, leave the console's language alone."""
    if response.mimetype != "text/html":
        return response
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    asked = request.args.get(COOKIE, "")
    if request.endpoint in SCREENS:
        return response
    if asked in languages().codes and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", secure=request.is_secure
        )
    return response


@bp.route("/i18n/<lang>.json")
def script_messages(lang: str) -> Response:
    """The browser's catalogue of one language: ``{language, nplurals, messages}``, cached and
    revalidated by its version (ETag)."""
    shipped = languages()
    if lang not in shipped.scripts:
        response = jsonify(
            ok=False, error="unknown_language", message=f"No language {lang[:10]!r}."
        )
        response.status_code = 404
        return response
    version = shipped.versions[lang]
    if request.if_none_match.contains(version):
        response = Response(status=304)
    else:
        response = jsonify(shipped.scripts[lang])
    response.set_etag(version)
    # the page asks for ?v=<version>: a new release has a new address, so it may be kept long
    response.cache_control.public = True
    response.cache_control.max_age = 31536000 if request.args.get("v") == version else 60
    return response


def init_app(app: Flask) -> None:
    """Compile the catalogues, set up Flask-Babel and the language's cookie, serve the browser's
    catalogues and give the templates ``current_language`` and ``languages``."""
    build = Path(app.instance_path) / "translations"
    app.extensions["live_languages"] = shipped = compile_catalogues(TRANSLATIONS, build)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(build)
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_choice)
    app.register_blueprint(bp)

    @app.context_processor
    def language_context() -> dict[str, Any]:
        code = current_language()
        # Babel's English is American: the app's is British, as the report's (live/report.py)
        locale = "en_GB" if code == DEFAULT else code
        return {
            # a webinar's title, description, programmes and topics in the page's language where
            # its file gives them (phase 2's templates: ``content_in(webinar).title``)
            "content_in": lambda webinar: content_in(webinar, code),
            "current_language": code,
            # dates, times and numbers in the page's language (Babel), a date or time in the
            # time zone it carries (the webinar's) or in ``zone``: never strftime's English
            "format_day": lambda value: format_date(value, "full", locale=locale),
            "format_long_date": lambda value, zone=None: format_date(
                value.astimezone(zone) if zone else value, "long", locale=locale
            ),
            "format_clock": lambda value: format_time(
                value, "short", tzinfo=value.tzinfo, locale=locale
            ),
            "format_number": lambda value: format_decimal(value, locale=locale),
            # a share given in percent (33.3 for a third), one decimal as the results show it:
            # "33.3 %", "33,3 %" in German and French
            "format_percent": lambda value: format_decimal(value, "#,##0.0", locale=locale) + " %",
            "language_names": shipped.names(),
            "native_name": native_name,
            "script_catalogue_version": shipped.versions.get(code, ""),
        }
