"""The privacy notice of each webinar and the accessibility statement: their facts, defaults,
settings, and the footer that links them; the facts about stored data checked against the code."""

from __future__ import annotations

import logging

import pytest

from live import create_app
from live.routes import PARTICIPANT_COOKIE, YEAR

from .conftest import CODE


def page(client, path: str) -> str:
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def test_the_privacy_notice_with_its_defaults(client):
    text = page(client, f"/e/{CODE}/privacy")
    assert "<h1>Privacy notice</h1>" in text
    # the controller defaults to the organiser; no DPO named
    assert "<dd>Eurocities / Nets4Dem</dd>" in text and "Data protection officer" not in text
    # the webinar ended on 27 June 2024 and keeps its data 90 days
    assert "90 days" in text and "25 September 2024" in text
    assert "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en" in text
    assert f"<code>{PARTICIPANT_COOKIE}_{CODE}</code>, for one year" in text
    assert "Forget me" in text and f'href="http://localhost/e/{CODE}"' in text


def test_the_privacy_notice_shows_the_webinars_facts(client, live):
    facts = {
        "controller": "City of Lisbon, Praça do Município",
        "contact": "privacy@lisboa.example",
        "dpo": "Maria Silva, dpo@lisboa.example",
        "authority": "Comissão Nacional de Proteção de Dados (https://www.cnpd.pt)",
        "retention_days": 1,
    }
    assert live.store.change_webinar(CODE, facts)
    text = page(client, f"/e/{CODE}/privacy")
    for value in ("City of Lisbon, Praça do Município", "privacy@lisboa.example", "Maria Silva"):
        assert value in text
    assert "Comissão Nacional de Proteção de Dados" in text and "edpb.europa.eu" not in text
    # one day, in the singular, and the date in full
    assert "automatically 1 day after" in text and "<strong>28 June 2024</strong>" in text


def test_an_unknown_webinar_has_no_privacy_notice(client):
    assert client.get("/e/nobody-here/privacy").status_code == 404


def test_what_the_notice_says_of_cookies_and_addresses_is_what_the_code_does(app, client, caplog):
    # the participant cookie lasts a year, as the notice says
    assert YEAR == 365 * 24 * 3600
    client.get(f"/e/{CODE}")
    assert client.get_cookie(f"{PARTICIPANT_COOKIE}_{CODE}") is not None
    # no other cookie for attendees (no session)
    assert [c.key for c in client._cookies.values()] == [f"{PARTICIPANT_COOKIE}_{CODE}"]
    # the access log holds no address
    app.config["ACCESS_LOG"] = True
    with caplog.at_level(logging.INFO, logger="live.access"):
        client.get(f"/e/{CODE}", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    lines = [r.getMessage() for r in caplog.records if r.name == "live.access"]
    assert lines == [f"GET /e/{CODE} 200"]


def test_the_accessibility_statement_with_its_defaults(client):
    text = page(client, "/accessibility")
    assert "<h1>Accessibility statement</h1>" in text
    assert "partially compliant" in text and "EN 301 549" in text and "WCAG" in text
    assert "write to the organiser of your webinar" in text
    assert "https://digital-strategy.ec.europa.eu/en/policies/web-accessibility" in text
    assert '<time datetime="2026-11-29">29 November 2026</time>' in text
    # no body set: the statement's own sentence, and its enforcement sentence
    assert "The organisers of the webinars on this server are committed" in text
    assert "the body that enforces the Web Accessibility Directive in your country" in text
    for heading in (
        "Compliance status",
        "Content that is not accessible",
        "Preparation of",
        "Feedback and contact information",
        "Enforcement procedure",
    ):
        assert heading in text


def test_the_accessibility_statement_takes_its_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LIVE_ACCESSIBILITY_CONTACT", "access@lisboa.example")
    monkeypatch.setenv("LIVE_ACCESSIBILITY_ENFORCEMENT", "Write to the Ombudsman.")
    monkeypatch.setenv("LIVE_ACCESSIBILITY_ENFORCEMENT_URL", "https://ombudsman.example")
    monkeypatch.setenv("LIVE_ACCESSIBILITY_BODY", "The City of Lisbon")
    monkeypatch.setenv("LIVE_ACCESSIBILITY_REVIEWED", "2027-01-15")
    app = create_app({"STORE_URL": "memory://", "ASYNC_MODE": "threading", "TICK_MS": 0})
    text = page(app.test_client(), "/accessibility")
    assert '<a href="mailto:access@lisboa.example">access@lisboa.example</a>' in text
    assert "Write to the Ombudsman." in text and 'href="https://ombudsman.example"' in text
    assert "The body responsible for these pages, The City of Lisbon, is committed" in text
    assert '<time datetime="2027-01-15">15 January 2027</time>' in text
    # the operator's enforcement text replaces the statement's own sentence
    assert "the body that enforces the Web Accessibility Directive" not in text


@pytest.mark.parametrize(
    ("path", "privacy"),
    [
        ("/", False),
        (f"/e/{CODE}", True),
        ("/admin", False),
        ("/accessibility", False),
        (f"/e/{CODE}/privacy", True),
    ],
)
def test_every_page_links_the_statement_in_its_footer(client, path, privacy):
    answer = client.get(path, headers={"Accept": "text/html"})
    text = answer.get_data(as_text=True)
    footer = text.split('<footer class="site-footer">', 1)[1]
    assert 'href="/accessibility">Accessibility statement</a>' in footer
    assert (f'href="/e/{CODE}/privacy">Privacy notice</a>' in footer) is privacy


def test_the_projector_screen_and_the_overlay_have_no_footer(client):
    assert "site-footer" not in page(client, f"/e/{CODE}/present")
    assert "site-footer" not in page(client, f"/e/{CODE}/overlay")


def test_the_attendee_page_offers_forget_me_with_a_confirmation(client):
    text = page(client, f"/e/{CODE}")
    assert 'id="forget-me"' in text and 'aria-controls="forget-confirm"' in text
    assert 'id="forget-confirm"' in text and "Yes, forget me" in text
    assert "/static/forget" in text
