"""The privacy notice and the accessibility statement in the reader's language (issue 15): every
sentence translated, dates written the language's way, and the organiser's facts shown as typed,
escaped, in every language."""

from __future__ import annotations

import html
import re

import pytest

from live import create_app

from .conftest import CODE
from .test_languages_pages_browser import english_messages

# the webinar ended on 27 June 2024 and keeps its data 90 days; the statement's default date
PURGE = {"de": "25. September 2024", "fr": "25 septembre 2024", "el": "25 Σεπτεμβρίου 2024"}
PREPARED = {"de": "29. November 2026", "fr": "29 novembre 2026", "el": "29 Νοεμβρίου 2026"}
PAGES = {"privacy": f"/e/{CODE}/privacy", "statement": "/accessibility"}


def page(client, path: str) -> str:
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def visible_text(markup: str) -> str:
    """What a reader sees of a page: its text without tags, entities read, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def english_left(markup: str) -> list[str]:
    """The catalogue's English sentences found on the page. The notices' messages carry markup
    (links, <strong>, <code>): their text is cut around the tags too, as the reader sees it."""
    text = visible_text(markup)
    found = []
    for message in english_messages():
        for part in re.split(r"<[^>]+>", message.replace("%%", "%")):
            part = " ".join(part.split())
            if len(part.split()) > 3 and part in text:
                found.append(part)
    return found


def html_lang(markup: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', markup)
    assert found
    return found.group(1)


@pytest.mark.parametrize("lang", ["de", "fr", "el"])
@pytest.mark.parametrize("which", ["privacy", "statement"])
def test_the_notices_are_whole_in_the_language_with_its_dates(client, lang, which):
    markup = page(client, f"{PAGES[which]}?lang={lang}")
    assert html_lang(markup) == lang
    assert english_left(markup) == []
    if which == "privacy":
        assert f"<strong>{PURGE[lang]}</strong>" in markup
        assert "September" not in markup.replace(PURGE["de"], "")
    else:
        assert f'<time datetime="2026-11-29">{PREPARED[lang]}</time>' in markup
        assert "November 2026" not in markup.replace(PREPARED["de"], "")


def test_the_walk_finds_english_on_the_english_notices(client):
    # the check above can fail: on the English pages it finds the catalogue's sentences
    privacy = english_left(page(client, f"{PAGES['privacy']}?lang=en"))
    statement = english_left(page(client, f"{PAGES['statement']}?lang=en"))
    assert "It contains no name and no address." in privacy
    assert "We answer as soon as we can." in statement


def test_the_retention_counts_by_the_language_plural_rules(client, live):
    assert live.store.change_webinar(CODE, {"retention_days": 1})
    german = visible_text(page(client, f"{PAGES['privacy']}?lang=de"))
    assert "werden 1 Tag nach dem Ende des Webinars" in german
    assert live.store.change_webinar(CODE, {"retention_days": 22})
    polish = visible_text(page(client, f"{PAGES['privacy']}?lang=pl"))
    assert "usuwane 22 dni po zakończeniu" in polish
    greek = visible_text(page(client, f"{PAGES['privacy']}?lang=el"))
    assert "αυτόματα 22 ημέρες μετά" in greek


def test_the_organisers_facts_stay_as_typed_and_escaped(client, live):
    facts = {
        "controller": "Ajuntament de <script>alert(1)</script> Barcelona",
        "contact": "dades@bcn.example <b>",
        "dpo": "Delegada de Protecció de Dades & Co",
        "authority": "Autoritat Catalana de Protecció de Dades (https://apdcat.gencat.cat)",
    }
    assert live.store.change_webinar(CODE, facts)
    for lang in ("el", "de"):
        markup = page(client, f"{PAGES['privacy']}?lang={lang}")
        assert "<script>alert(1)</script>" not in markup
        assert "<dd>Ajuntament de &lt;script&gt;alert(1)&lt;/script&gt; Barcelona</dd>" in markup
        assert "<dd>dades@bcn.example &lt;b&gt;</dd>" in markup
        assert "Delegada de Protecció de Dades &amp; Co" in markup
        # the authority inside the translated sentence, not translated
        assert "Autoritat Catalana de Protecció de Dades (https://apdcat.gencat.cat)." in markup
    assert "εποπτική αρχή προστασίας δεδομένων: Autoritat Catalana" in visible_text(
        page(client, f"{PAGES['privacy']}?lang=el")
    )


def test_a_webinar_title_in_the_notice_is_escaped(client, live):
    # the webinar's own title (its translations dropped): it sits inside the translated sentence
    changes = {"title": 'Open <img src=x onerror="alert(1)"> data', "translations": ()}
    assert live.store.change_webinar(CODE, changes)
    markup = page(client, f"{PAGES['privacy']}?lang=fr")
    assert "<img" not in markup
    assert "<strong>Open &lt;img src=x onerror=&#34;alert(1)&#34;&gt; data</strong>" in markup


def test_the_operators_statement_settings_stay_as_typed_and_escaped(app, client):
    app.config.update(
        ACCESSIBILITY_BODY="Ajuntament de <script>alert(1)</script> Barcelona",
        ACCESSIBILITY_CONTACT='accessibilitat@bcn.example"><script>',
        ACCESSIBILITY_ENFORCEMENT="Síndic de Greuges <i>de Barcelona</i>",
        ACCESSIBILITY_ENFORCEMENT_URL="https://www.sindic.bcn.cat/",
        ACCESSIBILITY_REVIEWED="2027-01-15",
    )
    markup = page(client, f"{PAGES['statement']}?lang=el")
    assert "<script>" not in markup and "<i>" not in markup
    text = visible_text(markup)
    # the body's name inside the Greek sentence, as typed
    assert (
        "Ο φορέας που είναι υπεύθυνος για αυτές τις σελίδες, "
        "Ajuntament de <script>alert(1)</script> Barcelona, δεσμεύεται"
    ) in text
    assert "Síndic de Greuges <i>de Barcelona</i>" in text
    assert (
        '<a href="mailto:accessibilitat@bcn.example&#34;&gt;&lt;script&gt;">'
        "accessibilitat@bcn.example&#34;&gt;&lt;script&gt;</a>"
    ) in markup
    assert '<time datetime="2027-01-15">15 Ιανουαρίου 2027</time>' in markup
    # the statement's own enforcement sentence gives way to the operator's
    assert "Οδηγίας για την προσβασιμότητα του διαδικτύου στη χώρα σας" not in text


def test_a_statement_date_that_cannot_be_read_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LIVE_ACCESSIBILITY_REVIEWED", "15/01/2027")
    with pytest.raises(ValueError, match=r"LIVE_ACCESSIBILITY_REVIEWED: not a date as YYYY-MM-DD"):
        create_app({"STORE_URL": "memory://", "ASYNC_MODE": "threading", "TICK_MS": 0})
