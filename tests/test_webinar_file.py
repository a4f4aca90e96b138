"""Webinar files: the shipped Nets4Dem webinar and files of other webinars."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from live import create_app
from live.domain import InvalidInput, content_in, poll_in
from live.webinar_file import default_webinar_path, load_webinar_file

OTHER = """
code = "Budget-2025"
title = "Participatory budget 2025"
timezone = "Europe/Lisbon"
starts_at = 2025-03-04T18:30:00
ends_at = 2025-03-04T20:00:00
description = "Which projects should the city fund?"

[settings]
premoderation = true
max_question_length = 500

[[polls]]
prompt = "Which district do you live in?"
options = ["North", "South"]
"""


def test_default_webinar_is_the_nets4dem_one():
    loaded = load_webinar_file(default_webinar_path())
    webinar = loaded.webinar
    assert webinar.code == "nets4dem" and webinar.organiser == "Eurocities / Nets4Dem"
    brussels = ZoneInfo("Europe/Brussels")
    assert webinar.starts_at == datetime(2024, 6, 27, 10, tzinfo=brussels)
    assert webinar.ends_at == datetime(2024, 6, 27, 11, tzinfo=brussels)
    assert webinar.starts_at.utcoffset().total_seconds() == 2 * 3600  # CEST
    assert [p.title for p in webinar.programmes] == [
        "Democracy Lab",
        "Democracy Innovation Accelerator",
        "Rising Stars Mentorship Programme",
    ]
    assert webinar.programmes[0].when == "Barcelona, 17-19 September"
    assert webinar.topics == (
        "Democracy Lab",
        "Democracy Innovation Accelerator",
        "Rising Stars Mentorship Programme",
        "General",
    )
    programme_poll, likely, department = loaded.polls
    assert programme_poll.kind == "multiple" and programme_poll.options == (
        "Democracy Lab - Barcelona, 17-19 September",
        "Democracy Innovation Accelerator",
        "Rising Stars Mentorship Programme",
        "Not sure yet",
    )
    assert likely.prompt == "How likely is your city to apply?" and likely.kind == "single"
    assert department.options == (
        "Public participation",
        "Democracy innovation",
        "Social affairs",
        "Digital innovation",
        "Other",
    )
    assert all(p.state == "draft" for p in loaded.polls)
    assert webinar.settings.max_question_length == 300


def test_another_webinar_file(tmp_path):
    path = tmp_path / "budget.toml"
    path.write_text(OTHER)
    loaded = load_webinar_file(path)
    assert loaded.webinar.code == "budget-2025"
    assert loaded.webinar.settings.premoderation is True
    assert loaded.webinar.settings.max_question_length == 500
    assert loaded.polls[0].kind == "single"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (('code = "Budget-2025"', 'code = "no spaces allowed"'), "code"),
        (('timezone = "Europe/Lisbon"', 'timezone = "Mars/Olympus"'), "time zone"),
        (("ends_at = 2025-03-04T20:00:00", "ends_at = 2025-03-04T17:00:00"), "ends after"),
        (("max_question_length = 500", "max_question_length = 5"), "max_question_length"),
        (("premoderation = true", "premoderate = true"), "unknown key 'premoderate' in [settings]"),
        (("[settings]", "retention_day = 30\n[settings]"), "unknown key 'retention_day'"),
        (
            ('options = ["North", "South"]', 'options = ["North", "South"]\nmulti = true'),
            "[[polls]] 1",
        ),
        (
            ("[settings]", "[settings]\nfollow_up = true\nmaxquestion_length = 9"),
            "maxquestion_length",
        ),
        (('options = ["North", "South"]', 'options = ["North"]'), "options"),
        (("[[polls]]", "[[polls]"), "budget.toml"),
        (('title = "Participatory budget 2025"\n', ""), "title"),
        (('timezone = "Europe/Lisbon"', 'timezone = "Europe/Lisbon"\ntopics = "Parks"'), "topics"),
        (
            (
                'timezone = "Europe/Lisbon"',
                'timezone = "Europe/Lisbon"\ntopics = ["Parks", "Parks"]',
            ),
            "topics",
        ),
    ],
)
def test_bad_webinar_files_say_what_is_wrong(tmp_path, change, words):
    path = tmp_path / "budget.toml"
    path.write_text(OTHER.replace(*change))
    with pytest.raises(InvalidInput) as error:
        load_webinar_file(path)
    assert words in error.value.message and "budget.toml" in error.value.message


def test_app_loads_the_configured_file_and_keeps_a_stored_webinar(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path))
    path = tmp_path / "budget.toml"
    path.write_text(OTHER)
    config = {
        "STORE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "WEBINAR_FILE": str(path),
        "ASYNC_MODE": "threading",
        "TICK_MS": 0,
    }
    app = create_app(config)
    live = app.extensions["live"]
    assert live.default_code == "budget-2025"
    key = live.store.moderator_key("budget-2025")
    assert key and len(key) >= 20
    live.store.update_settings("budget-2025", {"premoderation": False})
    live.store.close()
    # a restart keeps the stored webinar, its settings and its generated key
    again = create_app(config).extensions["live"]
    assert again.store.moderator_key("budget-2025") == key
    assert again.store.get_webinar("budget-2025").settings.premoderation is False
    assert len(again.store.polls("budget-2025")) == 1
    again.store.close()


def test_the_default_webinar_ships_in_the_ten_languages():
    loaded = load_webinar_file(default_webinar_path())
    webinar = loaded.webinar
    others = {"fr", "de", "es", "it", "ca", "nl", "pl", "pt", "el"}
    assert webinar.language == "en"
    assert {t.language for t in webinar.translations} == others
    for translation in webinar.translations:
        # everything given, programme and topic names of the products kept
        assert translation.title and translation.description
        assert len(translation.programmes) == len(webinar.programmes)
        assert [p.title for p in translation.programmes] == [p.title for p in webinar.programmes]
        assert translation.topics[:3] == webinar.topics[:3] and translation.topics[3] != "General"
    for poll in loaded.polls:
        assert {t.language for t in poll.translations} == others
        assert all(len(t.options) == len(poll.options) and t.prompt for t in poll.translations)
    french = content_in(webinar, "fr")
    assert french.programmes[0].when == "Barcelone, du 17 au 19 septembre"
    assert poll_in(loaded.polls[1], "de").prompt == (
        "Wie wahrscheinlich ist es, dass sich Ihre Stadt bewirbt?"
    )
    # a language without a translation reads the webinar's own
    assert content_in(webinar, "sv").title == webinar.title


TRANSLATED = """
code = "budget-2025"
title = "Pressupost participatiu 2025"
timezone = "Europe/Madrid"
starts_at = 2025-03-04T18:30:00
ends_at = 2025-03-04T20:00:00
language = "ca"
topics = ["Parcs"]

[[polls]]
prompt = "Quin districte?"
options = ["Nord", "Sud"]

[polls.translations.fr]
prompt = "Quel quartier ?"
options = ["Nord", "Sud"]

[translations.fr]
title = "Budget participatif 2025"
topics = ["Parcs et jardins"]
"""


def test_a_file_gives_its_language_and_translations(tmp_path):
    path = tmp_path / "budget.toml"
    path.write_text(TRANSLATED)
    loaded = load_webinar_file(path)
    assert loaded.webinar.language == "ca"
    assert content_in(loaded.webinar, "fr").title == "Budget participatif 2025"
    assert content_in(loaded.webinar, "fr").topics == ("Parcs et jardins",)
    assert content_in(loaded.webinar, "fr").description == loaded.webinar.description
    assert poll_in(loaded.polls[0], "fr").prompt == "Quel quartier ?"


@pytest.mark.parametrize(
    "extra, words",
    [
        ('\n[translations.fr]\ntopics = ["Un", "Deux"]\n', "every topic"),
        ("\n[translations.fr]\ntitle = 3\n", "translations.fr.title"),
        ('\n[translations."not a code"]\ntitle = "x"\n', "language"),
    ],
)
def test_bad_translations_say_what_is_wrong(tmp_path, extra, words):
    path = tmp_path / "budget.toml"
    path.write_text(OTHER.split("[[polls]]")[0] + extra)
    with pytest.raises(InvalidInput) as error:
        load_webinar_file(path)
    assert words in error.value.message


def test_an_unknown_key_stops_the_server_naming_the_file_and_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path))
    path = tmp_path / "budget.toml"
    path.write_text(OTHER.replace("[settings]", 'passcod = "1234"\n\n[settings]'))
    config = {"STORE_URL": "memory://", "WEBINAR_FILE": str(path), "ASYNC_MODE": "threading"}
    with pytest.raises(InvalidInput) as error:
        create_app({**config, "TICK_MS": 0})
    assert error.value.message.startswith(f"{path}: unknown key 'passcod'")


def test_the_shipped_file_and_the_documented_example_use_known_keys_only():
    import re
    import tomllib
    from pathlib import Path

    from live.webinar_file import check_keys

    check_keys(tomllib.loads(default_webinar_path().read_text()))
    doc = (Path(__file__).parent.parent / "docs" / "webinar-file.md").read_text()
    example = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    check_keys(tomllib.loads(example))
