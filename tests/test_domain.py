"""The rules of the room, without IO."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from live import domain
from live.domain import (
    Conflict,
    InvalidInput,
    NotFound,
    Poll,
    PollResults,
    Webinar,
    WebinarSettings,
    check_ballot,
    clean_name,
    clean_text,
    moderation_target,
    new_poll,
    normalise_code,
    poll_target,
    with_settings,
)


def test_domain_imports_no_io_or_framework():
    tree = ast.parse(Path(domain.__file__).read_text())
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"flask", "flask_socketio", "socketio", "redis", "sqlite3", "eventlet"}


def test_codes_are_case_insensitive_and_url_safe():
    assert normalise_code("  NETS4DEM ") == "nets4dem"
    for bad in ("", "a", "with space", "ünï", "../etc", "x" * 33):
        with pytest.raises(NotFound):
            normalise_code(bad)


def test_webinar_needs_aware_times_in_order():
    start = datetime(2024, 6, 27, 8, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        Webinar("ok", "T", "", start.replace(tzinfo=None), start)
    with pytest.raises(InvalidInput):
        Webinar("ok", "T", "", start, start)
    assert Webinar("ok", "T", "", start, start.replace(hour=9)).settings == WebinarSettings()


def test_question_text_is_normalised():
    assert clean_text("  Why\n\tnot   now? ", max_length=300, what="q") == "Why not now?"
    # control and bidi-override characters are removed, emoji (with joiners) kept
    assert clean_text("a\x00b\u202ec\x07", max_length=300, what="q") == "abc"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"Hi {family} 🎉", max_length=300, what="q") == f"Hi {family} 🎉"
    # markup is text like any other: it is never interpreted here
    assert clean_text("<script>x</script>", max_length=300, what="q") == "<script>x</script>"


@pytest.mark.parametrize("value", ["", "   ", "\x00\x01", "\u202e"])
def test_empty_questions_are_refused(value):
    with pytest.raises(InvalidInput) as error:
        clean_text(value, max_length=300, what="question")
    assert error.value.code == "empty"


def test_length_limit_counts_characters_after_normalising():
    assert clean_text("é" * 300, max_length=300, what="q") == "é" * 300
    with pytest.raises(InvalidInput) as error:
        clean_text("x" * 301, max_length=300, what="question")
    assert error.value.code == "too_long"
    assert "301" in error.value.message and "300" in error.value.message


@pytest.mark.parametrize("value", [None, 5, ["a"], {"a": 1}, True])
def test_non_text_is_refused(value):
    with pytest.raises(InvalidInput):
        clean_text(value, max_length=300, what="question")


def test_names_are_optional():
    assert clean_name(None) is None
    assert clean_name("   ") is None
    assert clean_name(" Ada ") == "Ada"
    with pytest.raises(InvalidInput):
        clean_name("x" * 61)


def test_moderation_transitions():
    assert moderation_target("approve", "pending") == "live"
    assert moderation_target("answer", "live") == "answered"
    assert moderation_target("restore", "dismissed") == "live"
    with pytest.raises(Conflict):
        moderation_target("approve", "live")
    with pytest.raises(Conflict):
        moderation_target("answer", "pending")


def test_poll_transitions():
    assert poll_target("open", "draft") == "open"
    assert poll_target("open", "closed") == "open"
    assert poll_target("close", "open") == "closed"
    with pytest.raises(Conflict):
        poll_target("close", "draft")


def test_new_poll_validation():
    poll = new_poll("w1", " Which? ", "multiple", ["A", "B"])
    assert poll.prompt == "Which?" and poll.options == ("A", "B") and poll.state == "draft"
    with pytest.raises(InvalidInput):
        new_poll("w1", "Which?", "bogus", ["A", "B"])
    with pytest.raises(InvalidInput):
        new_poll("w1", "Which?", "single", ["A"])
    with pytest.raises(InvalidInput):
        new_poll("w1", "Which?", "single", ["A", "a"])
    with pytest.raises(InvalidInput):
        new_poll("w1", "Which?", "single", "A,B")


def open_poll(kind: str = "single") -> Poll:
    return Poll(1, "w1", "Which?", kind, ("A", "B", "C"), state="open")


def test_ballots():
    assert check_ballot(open_poll(), [2]) == (2,)
    assert check_ballot(open_poll("multiple"), [2, 0]) == (0, 2)
    for bad in ([], [0, 1], [3], [-1], ["0"], [True], [0.5], None, "0"):
        with pytest.raises(InvalidInput):
            check_ballot(open_poll(), bad)
    with pytest.raises(InvalidInput):
        check_ballot(open_poll("multiple"), [1, 1])
    closed = Poll(1, "w1", "Which?", "single", ("A", "B"), state="closed")
    with pytest.raises(Conflict):
        check_ballot(closed, [0])


def test_results_percentages_are_shares_of_voters():
    results = PollResults(counts=(2, 1, 0), voters=3)
    assert results.percentages == (66.7, 33.3, 0.0)
    assert PollResults(counts=(0, 0), voters=0).percentages == (0.0, 0.0)


def test_settings_changes_are_checked():
    settings = with_settings(WebinarSettings(), {"premoderation": True})
    assert settings.premoderation and settings.max_question_length == 300
    for bad in (
        {"premoderation": "yes"},
        {"max_question_length": 5},
        {"colour": "red"},
        {"max_question_length": True},
    ):
        with pytest.raises(InvalidInput):
            with_settings(WebinarSettings(), bad)


def test_lone_surrogates_from_json_escapes_are_dropped():
    # "\ud800" is valid JSON but no character: it must never reach the store or a page
    assert clean_text("a\ud800b \U0001f600", max_length=100, what="question") == "ab \U0001f600"


@pytest.mark.parametrize(
    "address",
    [
        "ana\ud800@city.example",  # a lone surrogate (a JSON escape such as \ud800)
        "ana\u202e@city.example",  # right-to-left override: shows as something else
        "\u2066ana@city.example",  # a bidi isolate
        "ana\u200b@city.example",  # zero width space (a format character)
        "ana\x07@city.example",  # a control character
        "ana\x7f@city.example",
    ],
)
def test_email_addresses_with_invisible_or_reordering_characters_are_refused(address):
    with pytest.raises(InvalidInput) as refused:
        domain.clean_email(address)
    assert refused.value.code == "bad_email"


def test_email_addresses_are_trimmed_and_kept_as_given():
    assert domain.clean_email("  Ana.Ribeiro+poll@city.example ") == "Ana.Ribeiro+poll@city.example"
    assert domain.clean_email("zoë@city.example") == "zoë@city.example"
    for bad in (None, 3, "", "ana", "ana@city", "a b@city.example"):
        with pytest.raises(InvalidInput):
            domain.clean_email(bad)


def test_a_poll_is_open_until_its_time_is_up():
    poll = Poll(1, "w1", "Which?", "single", ("A", "B"), state="open")
    now = datetime(2024, 6, 27, 8, 0, tzinfo=UTC)
    assert domain.is_open(poll, now)
    timed = Poll(1, "w1", "Which?", "single", ("A", "B"), state="open", closes_at=now)
    assert domain.is_open(timed, now.replace(hour=7)) and not domain.is_open(timed, now)
    assert not domain.is_open(Poll(1, "w1", "Which?", "single", ("A", "B"), state="closed"), now)
