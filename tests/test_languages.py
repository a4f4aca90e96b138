"""Choosing the language of a page, and the browser's catalogue (issue 15, live/i18n.py)."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog

from live.i18n import native_name, script_catalogue

PAGES = ["/", "/e/nets4dem", "/e/nets4dem/moderate", "/e/nets4dem/present", "/e/nets4dem/overlay"]


def html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found, page[:200]
    return found.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_lang_in_the_address_sets_the_page_language_and_the_cookie(client, path):
    page = client.get(path + "?lang=de")
    assert html_lang(page.get_data(as_text=True)) == "de"
    # the projected views (screen, overlay) are in the webinar's language unless their own
    # address says otherwise, and a moderator opening one in German keeps their console's
    projected = path.endswith(("/present", "/overlay"))
    remembered = "lang=de" in " ".join(page.headers.getlist("Set-Cookie"))
    assert remembered != projected
    # the next page without ?lang keeps it, whatever the browser prefers
    again = client.get(path, headers={"Accept-Language": "fr"})
    assert html_lang(again.get_data(as_text=True)) == ("en" if projected else "de")


def test_the_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/", headers={"Accept-Language": "el-GR,el;q=0.9,en;q=0.5"})
    assert html_lang(page.get_data(as_text=True)) == "el"
    assert "Set-Cookie" not in page.headers
    assert {"Accept-Language", "Cookie"} <= set(page.vary)
    assert html_lang(client.get("/", headers={"Accept-Language": "ja"}).get_data(True)) == "en"


def test_an_unknown_language_in_the_address_is_ignored(client):
    page = client.get("/?lang=xx", headers={"Accept-Language": "pl"})
    assert html_lang(page.get_data(as_text=True)) == "pl"
    assert "Set-Cookie" not in page.headers


def test_the_picker_names_each_language_in_itself_under_a_label_in_the_page_language(client):
    page = client.get("/e/nets4dem/moderate?lang=fr").get_data(as_text=True)
    assert '<label for="language-select">Langue</label>' in page
    assert '<option value="fr" lang="fr" selected>Français</option>' in page
    assert '<option value="el" lang="el">Ελληνικά</option>' in page
    assert '<option value="pl" lang="pl">Polski</option>' in page
    assert 'action="/e/nets4dem/moderate"' in page
    assert ">Changer de langue</button>" in page


def test_the_picker_keeps_the_page_options_but_never_a_key(client):
    page = client.get("/e/nets4dem/moderate?key=secret-key&view=x&lang=it").get_data(True)
    assert '<input type="hidden" name="view" value="x">' in page
    assert "secret-key" not in page[page.index("language-picker") :]


def test_projected_views_have_no_picker_but_follow_lang(client):
    for path in ("/e/nets4dem/present?lang=ca", "/e/nets4dem/overlay?lang=ca"):
        page = client.get(path).get_data(as_text=True)
        assert html_lang(page) == "ca" and "language-select" not in page


def test_the_browser_catalogue_is_json_with_plural_indexes_and_a_version(client):
    answer = client.get("/i18n/pl.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    body = answer.get_json()
    assert body["language"] == "pl" and body["nplurals"] == 3
    assert body["plurals"] == {"one": 0, "few": 1, "many": 2}
    etag = answer.headers["ETag"]
    assert client.get("/i18n/pl.json", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/i18n/en.json").get_json()["messages"] == {}
    missing = client.get("/i18n/xx.json")
    assert missing.status_code == 404 and missing.get_json()["error"] == "unknown_language"


def test_a_non_english_page_preloads_its_versioned_catalogue(client):
    page = client.get("/?lang=el").get_data(as_text=True)
    version = client.get("/i18n/el.json").headers["ETag"].strip('"')
    assert f'href="/i18n/el.json?v={version}"' in page
    assert "i18n.json" not in client.get("/?lang=en").get_data(as_text=True)


def test_the_browser_gets_the_scripts_messages_only_with_their_plurals():
    catalog = Catalog(locale="pl")
    catalog.add("Language", "Język", locations=[("templates/base.html", 3)])
    catalog.add("Send", "Wyślij", locations=[("static/attendee.js", 9)])
    catalog.add("Not yet", "", locations=[("static/attendee.js", 10)])
    catalog.add(
        ("%(num)d vote", "%(num)d votes"),
        ("%(num)d głos", "%(num)d głosy", "%(num)d głosów"),
        locations=[("static/polls.js", 4)],
    )
    assert script_catalogue(catalog)["messages"] == {
        "Send": "Wyślij",
        "%(num)d vote": ["%(num)d głos", "%(num)d głosy", "%(num)d głosów"],
    }


def test_languages_are_named_in_themselves():
    assert [native_name(code) for code in ("de", "ca", "el", "nl")] == [
        "Deutsch",
        "Català",
        "Ελληνικά",
        "Nederlands",
    ]


def test_a_webinar_page_falls_back_to_the_webinar_language(client, live):
    assert live.store.change_webinar("nets4dem", {"language": "pl"})
    japanese = {"Accept-Language": "ja"}
    assert html_lang(client.get("/e/nets4dem/present", headers=japanese).get_data(True)) == "pl"
    assert html_lang(client.get("/", headers=japanese).get_data(True)) == "en"
    # the attendee's own choice wins over it on their pages; the room's screen keeps the
    # webinar's language whatever the browser showing it prefers, unless ?lang= says
    french = {"Accept-Language": "fr"}
    assert html_lang(client.get("/e/nets4dem", headers=french).get_data(True)) == "fr"
    assert html_lang(client.get("/e/nets4dem/present", headers=french).get_data(True)) == "pl"
    assert html_lang(client.get("/e/nets4dem/overlay?lang=el").get_data(True)) == "el"


def test_the_csv_export_is_headed_in_the_webinar_language(client, live):
    bearer = {"Authorization": "Bearer test-moderator-key"}
    english = client.get("/e/nets4dem/export.csv", headers=bearer).get_data(as_text=True)
    assert english.splitlines()[0].startswith("record,id,status,reason,text,author,upvotes")
    assert live.store.change_webinar("nets4dem", {"language": "de"})
    german = client.get("/e/nets4dem/export.csv", headers=bearer).get_data(as_text=True)
    assert german.splitlines()[0].startswith(
        "Datensatz,ID,Status,Grund,Text,Verfasst von,Unterstützungen,Gestellt von"
    )
    assert german.splitlines()[0].endswith(
        "Antwortmöglichkeit,Stimmen,Prozent,Durchschnittlicher Rang,Abstimmende"
    )
    # the rows are the same: the poll's options and codes, whatever the heading's language
    assert german.splitlines()[1:] == english.splitlines()[1:]


def test_moderators_choose_another_language_for_the_report_and_the_csvs(client):
    bearer = {"Authorization": "Bearer test-moderator-key"}
    french = client.get("/e/nets4dem/export.md?lang=fr", headers=bearer).get_data(as_text=True)
    assert "## Sondages" in french
    # the English webinar's CSV headed in Greek, and its interest CSV in Polish
    greek = client.get("/e/nets4dem/export.csv?lang=el", headers=bearer).get_data(as_text=True)
    assert greek.splitlines()[0].startswith("Εγγραφή,")
    polish = client.get("/e/nets4dem/interest.csv?lang=pl", headers=bearer)
    assert polish.get_data(as_text=True).splitlines()[0] == (
        "Ankieta,Opcja,Adres e-mail,Data wyrażenia zgody"
    )
    english = client.get("/e/nets4dem/interest.csv", headers=bearer).get_data(as_text=True)
    assert english.splitlines()[0] == "poll,option,email,consented_at"
    # a language that is not here is refused, not replaced by another
    refused = client.get("/e/nets4dem/export.md?lang=xx", headers=bearer)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "bad_language"
    assert "xx" in refused.get_json()["message"]
    # and only moderators download, whatever the language
    assert client.get("/e/nets4dem/export.md?lang=fr").status_code == 403


def test_templates_get_the_webinar_content_in_the_page_language(app, live):
    from flask import render_template_string

    webinar = live.store.get_webinar("nets4dem")
    template = "{{ content_in(webinar).title }} / {{ content_in(webinar).topics[3] }}"
    with app.test_request_context("/e/nets4dem?lang=es"):
        assert render_template_string(template, webinar=webinar) == (
            "Participación ciudadana e innovación democrática: la oferta de desarrollo de "
            "capacidades de Nets4Dem / Cuestiones generales"
        )
    with app.test_request_context("/e/nets4dem?lang=en"):
        assert render_template_string(template, webinar=webinar).endswith("/ General")


def test_editing_a_webinar_from_its_file_changes_its_language_and_translations():
    from dataclasses import replace

    from live.store import store_from_url
    from live.webinar_file import default_webinar_path, load_webinar_file

    loaded = load_webinar_file(default_webinar_path())
    store = store_from_url("memory://")
    plain = replace(loaded.webinar, language="en", translations=())
    store.create_webinar(plain, "key", loaded.polls)
    assert store.update_webinar(replace(loaded.webinar, language="fr"))
    stored = store.get_webinar(loaded.webinar.code)
    assert stored.language == "fr"
    assert {t.language for t in stored.translations} == {
        t.language for t in loaded.webinar.translations
    } and stored.translations


def test_the_attendee_page_names_topics_and_the_date_in_its_language(client):
    page = client.get("/e/nets4dem?lang=de").get_data(as_text=True)
    # the form sends the webinar's own topic name; the reader chooses by the German one
    assert '<option value="General">Allgemeines</option>' in page
    assert 'data-topic="General" aria-pressed="false">Allgemeines</button>' in page
    # the date before the page's script says it in the reader's time zone
    assert "Donnerstag, 27. Juni 2024, 10:00-11:00 (CEST)" in page
