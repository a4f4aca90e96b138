"""The organiser page: webinars created, edited, duplicated and deleted by whoever has the admin
key, and by nobody else."""

from __future__ import annotations

import re

import pytest

from .conftest import CODE, ack

ADMIN_KEY = "test-admin-key"


@pytest.fixture
def app(app):
    app.config["ADMIN_KEY"] = ADMIN_KEY
    return app


def signed_in(client) -> str:  # noqa: ANN001
    """Sign the client in; return the form token of its session."""
    assert client.get(f"/admin?key={ADMIN_KEY}").status_code == 303
    page = client.get("/admin").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


FORM = {
    "title": "Participatory budget 2025",
    "organiser": "City of Lisbon",
    "description": "Which projects should the city fund?",
    "starts_at": "2025-03-04T18:30",
    "ends_at": "2025-03-04T20:00",
    "timezone": "Europe/Lisbon",
    "topics": "Parks\nSchools\n",
}


def test_only_the_admin_key_opens_the_organiser_page(app, client):
    assert client.get("/admin").status_code == 401
    assert client.get("/admin?key=wrong").status_code == 403
    answer = client.get(f"/admin?key={ADMIN_KEY}")
    assert answer.status_code == 303 and answer.headers["Location"] == "/admin"  # key gone
    page = client.get("/admin").get_data(as_text=True)
    assert "Citizen engagement and democracy innovation" in page and "(nets4dem)" in page
    # a moderator session is not an organiser's, and forms need the page's token
    other = app.test_client()
    other.get(f"/e/{CODE}/moderate?key=test-moderator-key")
    assert other.get("/admin").status_code == 401
    assert other.post("/admin/webinars", data={**FORM, "code": "x-1"}).status_code == 403
    assert client.post("/admin/webinars", data={**FORM, "code": "x-1"}).status_code == 400


def test_create_edit_duplicate_and_delete(app, client, room, live):
    csrf = signed_in(client)
    created = client.post("/admin/webinars", data={**FORM, "code": "budget-2025", "csrf": csrf})
    assert created.status_code == 303
    assert "Created budget-2025." in client.get("/admin").get_data(as_text=True)
    webinar = live.store.get_webinar("budget-2025")
    assert webinar.title == FORM["title"] and webinar.topics == ("Parks", "Schools")
    assert str(webinar.starts_at.tzinfo) == "Europe/Lisbon" and webinar.starts_at.hour == 18
    assert live.store.moderator_key("budget-2025")
    # mistakes are said, nothing is created
    bad = {**FORM, "code": "budget-2026", "timezone": "Mars/Olympus", "csrf": csrf}
    refused = client.post("/admin/webinars", data=bad)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "unknown time zone" in page
    # what was typed stays; the mistake is said beside its field
    assert 'value="budget-2026"' in page and f'value="{FORM["title"]}"' in page
    assert 'id="new-timezone-error"' in page and 'value="Mars/Olympus"' in page
    taken = client.post("/admin/webinars", data={**FORM, "code": "budget-2025", "csrf": csrf})
    assert "is taken" in taken.get_data(as_text=True)
    assert 'id="new-code-error"' in taken.get_data(as_text=True)
    assert live.store.get_webinar("budget-2026") is None

    edited = {**FORM, "title": "Budget 2025, edited", "topics": "Parks", "csrf": csrf}
    client.post("/admin/webinars/budget-2025", data=edited)
    assert live.store.get_webinar("budget-2025").title == "Budget 2025, edited"
    assert live.store.get_webinar("budget-2025").topics == ("Parks",)

    client.post(f"/admin/webinars/{CODE}/duplicate", data={"new_code": "n4d-2", "csrf": csrf})
    copy = live.store.get_webinar("n4d-2")
    assert copy is not None and len(live.store.polls("n4d-2")) == 3
    assert live.store.moderator_key("n4d-2") != live.store.moderator_key(CODE)

    attendee = room.attendee(code="budget-2025")
    ack(attendee, "ask", {"text": "Will parks get more?"})
    elsewhere = room.attendee()
    client.post("/admin/webinars/budget-2025/delete", data={"confirm": "nope", "csrf": csrf})
    assert live.store.get_webinar("budget-2025") is not None
    client.post("/admin/webinars/budget-2025/delete", data={"confirm": "budget-2025", "csrf": csrf})
    assert live.store.get_webinar("budget-2025") is None
    assert live.store.questions("budget-2025") == []
    # its attendees are told and disconnected; other webinars' stay
    assert not attendee.is_connected() and elsewhere.is_connected()
    assert [p["args"][0]["reason"] for p in attendee.queue if p["name"] == "signed_out"] == [
        "deleted"
    ]
    assert "Deleted budget-2025 and all its data." in client.get("/admin").get_data(as_text=True)


def test_the_organiser_page_shows_the_purge_date_and_edits_the_privacy_facts(app, client, live):
    csrf = signed_in(client)
    page = client.get("/admin").get_data(as_text=True)
    # the default webinar ended on 27 June 2024: kept 90 days
    assert "Personal data is kept until 25 September 2024 (90 days after the end)" in page
    privacy = {
        "controller": "City of Lisbon, Praça do Município",
        "contact": "privacy@lisboa.example",
        "dpo": "dpo@lisboa.example",
        "authority": "CNPD, https://www.cnpd.pt",
        "retention_days": "30",
    }
    form = {**FORM, "csrf": csrf, **privacy}
    assert client.post(f"/admin/webinars/{CODE}", data=form).status_code == 303
    stored = live.store.get_webinar(CODE).privacy
    assert stored.controller == privacy["controller"] and stored.retention_days == 30
    page = client.get("/admin").get_data(as_text=True)
    assert "kept until 3 April 2025 (30 days after the end)" in page
    # a form without the privacy fields (an older page) keeps them
    assert client.post(f"/admin/webinars/{CODE}", data={**FORM, "csrf": csrf}).status_code == 303
    assert live.store.get_webinar(CODE).privacy == stored
    bad = client.post(f"/admin/webinars/{CODE}", data={**form, "retention_days": "0"})
    assert bad.status_code == 303
    assert "retention_days" in client.get("/admin").get_data(as_text=True)
    assert live.store.get_webinar(CODE).privacy.retention_days == 30
    live.store.remove_personal(CODE, at=live.store.get_webinar(CODE).ends_at)
    assert "Personal data removed on 4 March 2025" in client.get("/admin").get_data(as_text=True)


def test_the_organiser_page_makes_a_webinar_private(client, live):
    csrf = signed_in(client)
    form = {**FORM, "csrf": csrf, "passcode": "tagus-2025", "more_settings": "1"}
    client.post(f"/admin/webinars/{CODE}", data={**form, "show_passcode": "on"})
    webinar = live.store.get_webinar(CODE)
    assert webinar.passcode == "tagus-2025" and webinar.settings.show_passcode
    assert not webinar.settings.passcode_in_qr
    # the organiser's session opens the private webinar's screen
    assert client.get(f"/e/{CODE}/present", headers={"Accept": "text/html"}).status_code == 200
    client.post(f"/admin/webinars/{CODE}", data={**form, "passcode": "a b"})
    assert "4 to 64 characters" in client.get("/admin").get_data(as_text=True)
    client.post(f"/admin/webinars/{CODE}", data={**form, "passcode": ""})
    assert live.store.get_webinar(CODE).passcode == ""
