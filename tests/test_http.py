"""HTTP routes: pages, joining, the moderator key exchange, QR codes, JSON and exports."""

from __future__ import annotations

import csv
import io
import logging
import re

import pytest

from live.identity import Identities

from .conftest import CODE, MODERATOR_KEY, ack


def test_home_page_has_a_labelled_code_field(client):
    page = client.get("/").get_data(as_text=True)
    assert '<label for="code">Webinar code</label>' in page


def test_code_form_leads_to_the_webinar(client):
    response = client.get("/join?code=NETS4DEM")
    assert response.status_code == 302 and response.location.endswith(f"/e/{CODE}")


def test_unknown_code_is_a_friendly_404(client):
    response = client.get("/e/no-such-webinar", headers={"Accept": "text/html"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "We could not find that webinar" in page and "Enter a webinar code" in page
    assert client.get("/api/webinars/no-such-webinar").get_json()["error"] == "unknown_webinar"


def test_attendee_page_issues_a_token_once_per_browser(client, live):
    first = client.get(f"/e/{CODE}")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert "Your question" in page and "Send question" in page and "Your name (optional)" in page
    cookie = client.get_cookie(f"live_participant_{CODE}")
    assert cookie is not None and cookie.http_only
    participant = live.identities.participant(CODE, cookie.value)
    assert f'data-participant="{cookie.value}"' in page
    client.get(f"/e/{CODE}")
    again = client.get_cookie(f"live_participant_{CODE}").value
    assert live.identities.participant(CODE, again) == participant


def test_upper_case_code_redirects_to_the_canonical_page(client):
    response = client.get("/e/Nets4Dem")
    assert response.status_code == 302 and response.location.endswith(f"/e/{CODE}")


def test_join_endpoint_issues_a_valid_token(client, live):
    response = client.post(f"/api/webinars/{CODE}/join")
    token = response.get_json()["participant"]
    assert live.identities.participant(CODE, token)
    # the same browser (cookie) keeps its identity
    assert client.post(f"/api/webinars/{CODE}/join").get_json()["participant"] == token
    # a token signed with another secret is not accepted
    forged = Identities("another-secret").issue(CODE)[1]
    client.set_cookie(f"live_participant_{CODE}", forged)
    assert client.post(f"/api/webinars/{CODE}/join").get_json()["participant"] != forged


def test_moderator_key_becomes_a_session_and_leaves_the_address_bar(client, caplog):
    caplog.set_level(logging.INFO)
    client.application.config["ACCESS_LOG"] = True
    assert client.get(f"/e/{CODE}/moderate").status_code == 401
    wrong = client.get(f"/e/{CODE}/moderate?key=nope")
    assert wrong.status_code == 403 and "not valid" in wrong.get_data(as_text=True)
    response = client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    assert response.status_code == 303
    assert response.location.endswith(f"/e/{CODE}/moderate")
    page = client.get(f"/e/{CODE}/moderate")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Waiting for review" in body and MODERATOR_KEY not in body
    assert MODERATOR_KEY not in caplog.text
    assert f"/e/{CODE}/moderate" in caplog.text


def test_moderator_key_by_form(client):
    assert client.post(f"/e/{CODE}/moderate", data={"key": "nope"}).status_code == 403
    assert client.post(f"/e/{CODE}/moderate", data={"key": MODERATOR_KEY}).status_code == 303
    assert client.get(f"/e/{CODE}/moderate").status_code == 200


def test_projector_page_shows_how_to_join(client):
    page = client.get(f"/e/{CODE}/present").get_data(as_text=True)
    assert f"/e/{CODE}/qr.svg" in page and "scan it to join" in page
    assert f"http://localhost/e/{CODE}" in page
    assert "moderate" not in page


def test_qr_codes(client):
    svg = client.get(f"/e/{CODE}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")
    png = client.get(f"/e/{CODE}/qr.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")


@pytest.mark.parametrize("image", ["qr.svg", "qr.png"])
@pytest.mark.parametrize("accept", ["*/*", "text/html,*/*;q=0.8", "image/png,image/*;q=0.8"])
def test_qr_code_of_an_unknown_webinar_is_a_json_404(client, image, accept):
    response = client.get(f"/e/no-such-webinar/{image}", headers={"Accept": accept})
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"] == "unknown_webinar"


def test_public_url_is_used_for_links_and_codes(app, client):
    app.config["PUBLIC_URL"] = "https://live.example.org/"
    state = client.get(f"/api/webinars/{CODE}").get_json()
    assert state["join_url"] == f"https://live.example.org/e/{CODE}"


def test_public_json_snapshot_hides_what_attendees_may_not_see(client, room, live):
    a, mod = room.attendee(), room.moderator()
    ack(mod, "settings", {"premoderation": True})
    ack(a, "ask", {"text": "Pending one"})
    state = client.get(f"/api/webinars/{CODE}").get_json()
    assert state["questions"] == [] and state["polls"] == []
    assert state["webinar"]["title"].startswith("Citizen engagement")


def test_exports_are_for_moderators_only(client):
    for fmt in ("csv", "json"):
        response = client.get(f"/e/{CODE}/export.{fmt}")
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert client.get(f"/e/{CODE}/export.xml").status_code == 404


def test_exports_have_questions_and_poll_results(client, room, live):
    a, b, mod = room.attendee(), room.attendee(), room.moderator()
    qid = ack(a, "ask", {"text": '=HYPERLINK("http://evil")', "name": "Ada"})["question"]["id"]
    ack(b, "upvote", {"question": qid, "up": True})
    poll_id = live.store.polls(CODE)[0].id
    ack(mod, "poll", {"poll": poll_id, "action": "open"})
    ack(a, "vote", {"poll": poll_id, "options": [0, 3]})
    ack(b, "vote", {"poll": poll_id, "options": [0]})
    spam = ack(b, "ask", {"text": "Buy cheap watches"})["question"]["id"]
    ack(mod, "moderate", {"question": spam, "action": "dismiss", "reason": "inappropriate"})
    again = ack(b, "ask", {"text": "HYPERLINK, again?"})["question"]["id"]
    ack(mod, "moderate", {"question": again, "action": "merge", "into": qid})

    headers = {"Authorization": f"Bearer {MODERATOR_KEY}"}
    data = client.get(f"/e/{CODE}/export.json", headers=headers).get_json()
    assert data["questions"][0]["upvotes"] == 1 and data["questions"][0]["status"] == "live"
    assert data["questions"][1]["reason"] == "inappropriate"
    assert data["dismissed"] == {"inappropriate": 1}
    assert [(e["moderator"], e["action"]) for e in data["moderation_log"]] == [
        (1, "open"),
        (1, "dismiss"),
        (1, "merge"),
    ]
    assert data["polls"][0]["results"]["counts"] == [2, 0, 0, 1]

    response = client.get(f"/e/{CODE}/export.csv", headers=headers)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    question = next(r for r in rows if r["record"] == "question")
    # a cell a spreadsheet would run as a formula is neutralised
    assert question["text"] == '\'=HYPERLINK("http://evil")' and question["upvotes"] == "1"
    merged = next(r for r in rows if r["record"] == "question" and r["id"] == str(again))
    assert merged["status"] == "merged" and merged["merged_into"] == str(qid)
    assert question["asked_by"] == "2" and question["merged_into"] == ""
    logged = [r for r in rows if r["record"] == "log"]
    assert [(r["author"], r["status"], r["text"]) for r in logged] == [
        ("moderator 1", "open", f"#{poll_id}"),
        ("moderator 1", "dismiss", f"#{spam} inappropriate"),
        ("moderator 1", "merge", f"#{again} into #{qid}"),
    ]
    dismissed = next(r for r in rows if r["record"] == "question" and r["id"] == str(spam))
    assert dismissed["status"] == "dismissed" and dismissed["reason"] == "inappropriate"
    lab = next(r for r in rows if r["option"].startswith("Democracy Lab"))
    assert lab["votes"] == "2" and lab["percent"] == "100.0" and lab["voters"] == "2"


def test_export_with_session_cookie(client):
    client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    assert client.get(f"/e/{CODE}/export.json").status_code == 200


def test_healthz(client, room):
    health = client.get("/healthz").get_json()
    assert health["ok"] is True and health["store"] == "memory" and health["process"] > 0
    assert health["connections"] == 0
    attendee, moderator = room.attendee(), room.moderator()
    assert client.get("/healthz").get_json()["connections"] == 2
    attendee.disconnect()
    assert client.get("/healthz").get_json()["connections"] == 1
    moderator.disconnect()


def test_no_third_party_requests_from_pages(client):
    client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    for path in (f"/e/{CODE}", f"/e/{CODE}/moderate", f"/e/{CODE}/present", "/"):
        page = client.get(path).get_data(as_text=True)
        for attribute in ('src="http', "src='http", 'href="http', "href='//", 'src="//'):
            for line in page.splitlines():
                if attribute in line:
                    # only the webinar's own join URL may be an absolute link
                    assert "localhost" in line, line
        assert "<script>" not in page  # no inline script


def test_attendee_page_weighs_under_150_kb_with_all_its_assets(client):
    import re

    page = client.get(f"/e/{CODE}")
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    sizes = {}
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        sizes[asset] = len(response.data)
        response.close()
    total = len(page.data) + sum(sizes.values())
    assert total < 150 * 1024, sizes


def test_the_socket_io_client_is_served_with_its_licence(client):
    script = client.get("/static/vendor/socket.io-4.8.1.min.js")
    assert script.status_code == 200 and b"Socket.IO v4.8.1" in script.data
    licence = client.get("/static/vendor/socket.io-LICENSE.txt")
    assert licence.status_code == 200 and b"Permission is hereby granted" in licence.data
    script.close()
    licence.close()


def test_pages_allow_only_their_own_scripts_and_frames(app, client):
    for path in ("/", f"/e/{CODE}", f"/e/{CODE}/present", "/healthz"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'self'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    app.config["FRAME_ANCESTORS"] = "'self' https://webinars.example.org"
    policy = client.get(f"/e/{CODE}").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://webinars.example.org" in policy


def test_the_markdown_report_reads_well_and_escapes_attendees_text(client, room, live):
    a, b, mod = room.attendee(), room.attendee(), room.moderator()
    lab = ack(a, "ask", {"text": "When is the Lab?", "topic": "Democracy Lab"})["question"]["id"]
    sneaky = "![pixel](http://tracker.example/p.png) # Heading? *bold*"
    other = ack(b, "ask", {"text": sneaky})["question"]["id"]
    twice = ack(b, "ask", {"text": "Lab dates?"})["question"]["id"]
    ack(b, "upvote", {"question": lab, "up": True})
    ack(mod, "moderate", {"question": lab, "action": "answer"})
    ack(mod, "moderate", {"question": other, "action": "reply", "text": "See the website."})
    ack(mod, "moderate", {"question": twice, "action": "merge", "into": lab})
    poll = live.store.polls(CODE)[0].id
    ack(mod, "poll", {"poll": poll, "action": "open"})
    ack(a, "vote", {"poll": poll, "options": [0]})
    headers = {"Authorization": f"Bearer {MODERATOR_KEY}"}
    response = client.get(f"/e/{CODE}/export.md", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    report = response.get_data(as_text=True)
    assert report.startswith("# Citizen engagement and democracy innovation")
    assert "3 questions: 1 answered live, 1 with a written answer, 1 merged into another" in report
    assert "1. **When is the Lab?**  \n   1 upvote · asked by 2 people · topic: Democracy Lab" in (
        report
    )
    assert "> Written answer: See the website\\." in report
    # attendees' text cannot become an image, a link or a heading
    assert "![pixel](http" not in report
    assert "\\!\\[pixel\\]\\(http://tracker\\.example/p\\.png\\) \\# Heading?" in report
    assert "- Lab dates? → **When is the Lab?**" in report
    assert "| Democracy Lab \\- Barcelona, 17\\-19 September | 1 | 100.0 % |" in report
    assert "4 moderator actions by 1 moderator: marked answered: 1, written answers: 1" in report
    assert not re.search(r"\b[a-z]+_[a-z_]+: \d", report)  # words, never the protocol's codes
    assert client.get(f"/e/{CODE}/export.md").status_code == 403


def test_the_report_says_every_logged_action_in_words(client, room, live):
    a, mod = room.attendee(), room.moderator()
    poll = ack(mod, "create_poll", {"prompt": "Say more?", "kind": "text", "options": []})["poll"]
    ack(mod, "poll", {"poll": poll["id"], "action": "open"})
    ack(a, "vote", {"poll": poll["id"], "text": "Assemblies"})
    for action in ("show_answer", "hide_answer", "show_answer"):
        ack(mod, "poll", {"poll": poll["id"], "action": action, "answer": "Assemblies"})
    headers = {"Authorization": f"Bearer {MODERATOR_KEY}"}
    report = client.get(f"/e/{CODE}/export.md", headers=headers).get_data(as_text=True)
    assert "written poll answers shown: 2" in report
    assert "written poll answers hidden again: 1" in report
    assert "show_answer" not in report and "hide_answer" not in report


def test_the_follow_up_page_is_public_once_published(client, room, live):
    a, mod = room.attendee(), room.moderator()
    asked = ack(a, "ask", {"text": "<b>Will slides be shared?</b>"})["question"]["id"]
    ack(mod, "moderate", {"question": asked, "action": "reply", "text": "Yes, by email."})
    hidden = ack(a, "ask", {"text": "A dismissed one"})["question"]["id"]
    ack(mod, "moderate", {"question": hidden, "action": "dismiss"})
    poll = live.store.polls(CODE)[0].id
    ack(mod, "poll", {"poll": poll, "action": "open"})
    ack(a, "vote", {"poll": poll, "options": [1]})
    unpublished = client.get(f"/e/{CODE}/follow-up")
    assert unpublished.status_code == 404
    # the webinar exists: the page says it is not published yet, not that there is no webinar
    assert "This follow-up page is not published yet" in unpublished.get_data(as_text=True)
    assert "could not find" not in unpublished.get_data(as_text=True)
    # an open text poll whose answers nobody chose shows nothing, not an empty heading
    text_poll = ack(mod, "create_poll", {"prompt": "Say more?", "kind": "text", "options": []})
    ack(mod, "poll", {"poll": text_poll["poll"]["id"], "action": "open"})
    assert ack(mod, "settings", {"follow_up": True})["settings"]["follow_up"] is True
    page = client.get(f"/e/{CODE}/follow-up").get_data(as_text=True)
    assert "&lt;b&gt;Will slides be shared?&lt;/b&gt;" in page and "Yes, by email." in page
    assert "A dismissed one" not in page
    # results appear once they are shown to attendees
    assert "No poll results were published." in page and "Say more?" not in page
    ack(mod, "poll", {"poll": poll, "action": "show_results"})
    page = client.get(f"/e/{CODE}/follow-up").get_data(as_text=True)
    assert "Which programme is your city interested in?" in page and "100.0 %" in page
    ack(mod, "settings", {"follow_up": False})
    assert client.get(f"/e/{CODE}/follow-up").status_code == 404
