"""Socket.IO messages in the page's language (``lang`` in auth); the error codes never change."""

from __future__ import annotations

from flask_socketio import SocketIOTestClient

from live import socketio

from .conftest import CODE, ack
from .test_connect import refusals  # noqa: F401 - the fixture recording connect_error

MODERATORS_ONLY = {"id": 1, "action": "approve"}


def attendee(room, lang: str | None) -> SocketIOTestClient:
    auth = {"webinar": CODE, "participant": room.token(), **({"lang": lang} if lang else {})}
    return socketio.test_client(room.app, auth=auth)


def test_refusals_are_in_the_connection_language_with_the_same_codes(room):
    by_language = {lang: attendee(room, lang) for lang in (None, "fr", "pl", "el", "xx")}
    refused = {
        lang: ack(client, "moderate", MODERATORS_ONLY) for lang, client in by_language.items()
    }
    assert {answer["error"] for answer in refused.values()} == {"forbidden"}
    assert refused[None]["message"] == "Only moderators may do this."
    assert refused["fr"]["message"] == "Seule l'équipe de modération peut effectuer cette action."
    assert refused["pl"]["message"] == "Tylko moderatorzy mogą wykonać tę czynność."
    assert refused["el"]["message"] == "Μόνο οι συντονιστές μπορούν να το κάνουν αυτό."
    # an unknown language is English
    assert refused["xx"]["message"] == "Only moderators may do this."


def test_a_message_with_a_placeholder_is_filled_in_the_language(room):
    answer = ack(attendee(room, "de"), "no_such_event", {})
    assert answer["error"] == "unknown_event"
    assert answer["message"] == (
        "Das Ereignis 'no_such_event' gibt es nicht; siehe die Liste der Ereignisse im Protokoll."
    )


def test_a_refused_connection_is_told_why_in_its_language(room, refusals):  # noqa: F811
    client = room.connect({"webinar": CODE, "lang": "es"})
    assert not client.is_connected()
    assert refusals[-1]["data"] == {"error": "no_token"}
    assert refusals[-1]["message"] == (
        "Se necesita un token de participante; obténgalo en el punto de acceso join."
    )
