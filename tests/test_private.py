"""Private webinars: the passcode before joining, on every page, endpoint and connection."""

from __future__ import annotations

import pytest

from live.domain import InvalidInput
from live.webinar_file import load_webinar_file

from .conftest import CODE, MODERATOR_KEY, ack
from .test_connect import refusals as refusals  # noqa: PLC0414  (the fixture)
from .test_connect import refused_with
from .test_webinar_file import OTHER

PASSCODE = "tagus-2025"
HTML = {"Accept": "text/html"}


def join(client, passcode: str) -> str:
    return client.post(f"/api/webinars/{CODE}/join", json={"passcode": passcode}).json[
        "participant"
    ]


@pytest.fixture
def private(live):
    assert live.store.change_webinar(CODE, {"passcode": PASSCODE})
    return live


def test_a_webinar_file_makes_a_private_webinar(tmp_path):
    path = tmp_path / "budget.toml"
    path.write_text(
        f'passcode = "{PASSCODE}"\n'
        + OTHER.replace("[settings]", "[settings]\nshow_passcode = true")
    )
    loaded = load_webinar_file(path).webinar
    assert loaded.passcode == PASSCODE and loaded.settings.show_passcode
    path.write_text('passcode = "two words"\n' + OTHER)
    with pytest.raises(InvalidInput, match="passcode"):
        load_webinar_file(path)


def test_the_join_endpoint_needs_the_passcode(private, app, client):
    missing = client.post(f"/api/webinars/{CODE}/join")
    assert missing.status_code == 403 and missing.json["error"] == "bad_passcode"
    wrong = client.post(f"/api/webinars/{CODE}/join", json={"passcode": "tagus-2024"})
    assert wrong.status_code == 403 and wrong.json["error"] == "bad_passcode"
    right = client.post(f"/api/webinars/{CODE}/join", json={"passcode": PASSCODE})
    assert right.status_code == 200
    participant = private.identities.participant(CODE, right.json["participant"])
    # the browser's session entered it: no passcode needed again, the same identity
    again = client.post(f"/api/webinars/{CODE}/join")
    assert private.identities.participant(CODE, again.json["participant"]) == participant


def test_wrong_passcodes_are_limited_per_address(private, app):
    limit = app.config["WRONG_KEYS_PER_MINUTE"]
    client = app.test_client()
    for _ in range(limit):
        assert (
            client.post(f"/api/webinars/{CODE}/join", json={"passcode": "guess"}).status_code == 403
        )
    blocked = client.post(f"/api/webinars/{CODE}/join", json={"passcode": PASSCODE})
    assert blocked.status_code == 429 and blocked.json["error"] == "rate_limited"
    # another address is not blocked
    other = app.test_client().post(
        f"/api/webinars/{CODE}/join",
        json={"passcode": PASSCODE},
        environ_base={"REMOTE_ADDR": "192.0.2.9"},
    )
    assert other.status_code == 200


def test_the_privacy_notice_of_a_private_webinar_is_public(private, app):
    assert app.test_client().get(f"/e/{CODE}/privacy").status_code == 200


def test_the_attendee_page_asks_for_the_passcode_once(private, client):
    form = client.get(f"/e/{CODE}", headers=HTML)
    text = form.get_data(as_text=True)
    assert form.status_code == 401 and 'name="passcode"' in text and "data-participant" not in text
    wrong = client.post(f"/e/{CODE}/passcode", data={"passcode": "nope", "next": ""})
    text = wrong.get_data(as_text=True)
    assert (
        wrong.status_code == 403 and "There is a problem" in text and 'aria-invalid="true"' in text
    )
    right = client.post(f"/e/{CODE}/passcode", data={"passcode": PASSCODE, "next": ""})
    assert right.status_code == 303 and right.headers["Location"] == f"/e/{CODE}"
    page = client.get(f"/e/{CODE}", headers=HTML)
    assert page.status_code == 200 and "data-participant=" in page.get_data(as_text=True)
    # the privacy notice stays public, to anyone
    assert private.store.get_webinar(CODE).passcode == PASSCODE


def test_the_qr_codes_link_takes_the_passcode_and_drops_it(private, client):
    answer = client.get(f"/e/{CODE}?passcode={PASSCODE}", headers=HTML)
    assert answer.status_code == 303 and answer.headers["Location"] == f"/e/{CODE}"
    assert client.get(f"/e/{CODE}", headers=HTML).status_code == 200


def test_connections_need_a_token_of_the_passcode(private, room, refusals, client):
    old = room.token()  # issued before the passcode (unbound)
    assert refused_with(room, refusals, {"webinar": CODE, "participant": old}) == "bad_passcode"
    assert refused_with(room, refusals, {"webinar": CODE, "viewer": True}) == "bad_passcode"
    token = client.post(f"/api/webinars/{CODE}/join", json={"passcode": PASSCODE}).json[
        "participant"
    ]
    attendee = room.attendee(token)
    assert attendee.is_connected() and ack(attendee, "ask", {"text": "Private?"})["ok"]
    # the projector of a moderator's (or a passcode's) session connects as a viewer
    viewer = room.connect({"webinar": CODE, "viewer": True}, flask_test_client=client)
    assert viewer.is_connected()
    assert room.moderator().is_connected()


def test_a_changed_passcode_asks_again_and_keeps_the_identity(private, client, room, refusals):
    token = client.post(f"/api/webinars/{CODE}/join", json={"passcode": PASSCODE}).json[
        "participant"
    ]
    participant = private.identities.participant(CODE, token)
    private.store.change_webinar(CODE, {"passcode": "new-code-1"})
    assert client.get(f"/e/{CODE}", headers=HTML).status_code == 401
    assert refused_with(room, refusals, {"webinar": CODE, "participant": token}) == "bad_passcode"
    again = client.post(f"/api/webinars/{CODE}/join", json={"passcode": "new-code-1"})
    assert private.identities.participant(CODE, again.json["participant"]) == participant


def test_the_public_json_follow_up_screen_and_qr_need_it(private, app, client):
    private.store.update_settings(CODE, {"follow_up": True, "show_passcode": True})
    state = client.get(f"/api/webinars/{CODE}")
    assert state.status_code == 403 and state.json["error"] == "bad_passcode"
    assert client.get(f"/api/webinars/{CODE}", headers={"X-Passcode": PASSCODE}).status_code == 200
    bearer = {"Authorization": f"Bearer {MODERATOR_KEY}"}
    assert client.get(f"/api/webinars/{CODE}", headers=bearer).status_code == 200
    assert client.get(f"/e/{CODE}/qr.svg").status_code == 403
    for path in ("follow-up", "present", "overlay"):
        page = client.get(f"/e/{CODE}/{path}", headers=HTML)
        assert page.status_code == 401 and f'name="next" value="{path}"' in page.get_data(
            as_text=True
        )
    entered = client.post(f"/e/{CODE}/passcode", data={"passcode": PASSCODE, "next": "present"})
    assert entered.headers["Location"] == f"/e/{CODE}/present"
    screen = client.get(f"/e/{CODE}/present", headers=HTML).get_data(as_text=True)
    assert f"Passcode: <strong>{PASSCODE}</strong>" in screen
    assert client.get(f"/e/{CODE}/follow-up", headers=HTML).status_code == 200
    assert client.get(f"/api/webinars/{CODE}").status_code == 200
    assert client.get(f"/e/{CODE}/qr.svg").status_code == 200
    # a moderator's session opens everything, without the passcode
    mod = app.test_client()
    mod.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    assert mod.get(f"/e/{CODE}/present", headers=HTML).status_code == 200


def test_the_qr_code_carries_the_passcode_only_if_chosen(private, client, monkeypatch):
    from live import routes

    carried = []
    monkeypatch.setattr(routes, "qr_svg", lambda url: carried.append(url) or "<svg/>")
    client.post(f"/e/{CODE}/passcode", data={"passcode": PASSCODE})
    client.get(f"/e/{CODE}/qr.svg")
    private.store.update_settings(CODE, {"passcode_in_qr": True})
    client.get(f"/e/{CODE}/qr.svg")
    assert carried == [
        "http://localhost/e/nets4dem",
        f"http://localhost/e/nets4dem?passcode={PASSCODE}",
    ]


def test_a_public_webinar_needs_no_passcode(client, room):
    assert client.post(f"/api/webinars/{CODE}/join").status_code == 200
    assert client.get(f"/e/{CODE}", headers=HTML).status_code == 200
    assert room.connect({"webinar": CODE, "viewer": True}).is_connected()


def test_the_privacy_notice_names_the_session_cookie_of_a_private_webinar(private, app, client):
    # what the notice says is what Flask does: a permanent session of 31 days named "session"
    assert app.config["SESSION_COOKIE_NAME"] == "session"
    assert app.config["PERMANENT_SESSION_LIFETIME"].days == 31
    text = client.get(f"/e/{CODE}/privacy").get_data(as_text=True)
    assert "a session cookie (<code>session</code>, for 31 days)" in text
    client.post(f"/e/{CODE}/passcode", data={"passcode": PASSCODE})
    cookie = client.get_cookie("session")
    assert cookie is not None and PASSCODE not in cookie.value
