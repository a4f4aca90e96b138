"""The one catalogue is complete: every message translated in every shipped language, with the
same placeholders, and the catalogue up to date with the code (issue 15).

Run ``make messages`` and translate what it adds when this fails (docs/translations.md).
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from live.i18n import TRANSLATIONS, plural_indexes, regional, shipped_codes

ROOT = Path(__file__).resolve().parent.parent
# Python's named placeholders, as in the scripts: %(name)s, %(count)d
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
LANGUAGES = [code for code in shipped_codes() if code != "en"]


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        catalog = read_po(file, locale=locale)
    if locale:
        catalog.locale = locale  # the header's Language is the short code ("pt")
    return catalog


def problems(catalog: Catalog) -> list[str]:
    """What is wrong with one language's catalogue: untranslated or fuzzy messages, and
    translations whose placeholders differ from their msgid's."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        found += message_problems(message)
    return found


def message_problems(message: Message) -> list[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    name = ids[0]
    if message.fuzzy:
        return [f"{name!r} is fuzzy"]
    if not all(strings):
        return [f"{name!r} is not translated"]
    wanted = set(PLACEHOLDER.findall(" ".join(ids)))
    wrong = []
    for text in strings:
        given = set(PLACEHOLDER.findall(text))
        # a plural form for one may leave out the count ("une question"), never add a name
        if given - wanted or (wanted - given) - {"num", "n", "count"}:
            wrong.append(f"{name!r}: placeholders {sorted(given)} instead of {sorted(wanted)}")
    return wrong


def test_the_ten_languages_ship():
    assert set(shipped_codes()) >= {"en", "fr", "de", "es", "it", "ca", "nl", "pl", "pt", "el"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language):
    catalog = read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)
    assert len(catalog) > 0
    assert problems(catalog) == []


def plural_disagreements(catalog: Catalog) -> list[int]:
    """The numbers for which the header's Plural-Forms (what the server's gettext follows) and
    the language's CLDR category (what the browser's Intl.PluralRules gives) pick different
    forms."""
    choose = gettext.c2py(catalog.plural_expr)
    indexes = plural_indexes(catalog)
    return [
        n
        for n in [*range(0, 1200), 1000000, 2000000]
        if int(choose(n)) != indexes[catalog.locale.plural_form(n)]
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_plural_forms_follow_the_language_rules(language):
    # Portuguese is Portugal's here (0 takes the plural), not CLDR's default for "pt" (Brazil's)
    catalog = read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", regional(language))
    assert plural_disagreements(catalog) == []


def test_a_plural_rule_of_another_variety_is_caught():
    catalog = Catalog(locale="pt_PT")
    brazil = "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"
    catalog.mime_headers = [("Plural-Forms", brazil)]
    # 0 and 2 are both "other" in Portugal, but Brazil's rule gives 0 the singular's form
    assert 2 in plural_disagreements(catalog)


def test_a_missing_translation_or_a_changed_placeholder_is_caught():
    catalog = Catalog(locale="fr")
    catalog.add("Hello %(name)s", "Bonjour %(name)s")
    catalog.add("Language", "")
    catalog.add("%(count)d votes", "%(nombre)d votes")
    catalog.add(("one question", "%(num)d questions"), ("une question", "%(num)d questions"))
    assert problems(catalog) == [
        "'Language' is not translated",
        "'%(count)d votes': placeholders ['nombre'] instead of ['count']",
    ]


def test_the_catalogue_is_up_to_date_with_the_code(tmp_path):
    """Extract the messages again (as ``make messages`` does) and compare: a message added to the
    code and not to the catalogue, or one left in the catalogue after the code lost it, fails."""
    fresh = tmp_path / "messages.pot"
    extract = [sys.executable, "-m", "babel.messages.frontend", "extract"]
    run = subprocess.run(
        [
            *extract,
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "N_plural:1,2",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
        ]
        + ["-o", str(fresh), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    extracted = {message.id for message in read(fresh) if message.id}
    assert extracted, "nothing extracted: is babel.cfg right?"
    assert {message.id for message in read(TRANSLATIONS / "messages.pot") if message.id} == (
        extracted
    ), "live/translations/messages.pot is out of date: run make messages"
    for language in LANGUAGES:
        po = read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)
        assert {message.id for message in po if message.id} == extracted, (
            f"{language}: run make messages and translate"
        )
