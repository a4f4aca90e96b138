"""Per-address limits on new identities and wrong moderator keys."""

from __future__ import annotations

from live.limits import RateLimiter

from .conftest import CODE, MODERATOR_KEY, ack


def test_token_bucket_refills_with_time():
    now = [0.0]
    limiter = RateLimiter(3, period=60, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # another address has its own bucket
    assert limiter.blocked("a") and not limiter.blocked("b")
    now[0] = 20.0  # a third of the period: one token back
    assert limiter.allow("a") and not limiter.allow("a")
    assert RateLimiter(0).allow("anyone")  # 0 switches the limit off


def test_new_identities_are_limited_per_address(app, client, live):
    live.new_participants = RateLimiter(3)
    tokens = []
    for _ in range(3):
        fresh = app.test_client()  # a new browser each time, from the same address
        tokens.append(fresh.post(f"/api/webinars/{CODE}/join").get_json()["participant"])
    assert len(set(tokens)) == 3
    refused = app.test_client().post(f"/api/webinars/{CODE}/join")
    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limited"
    page = app.test_client().get(f"/e/{CODE}", headers={"Accept": "text/html"})
    assert page.status_code == 429 and "try again in a minute" in page.get_data(as_text=True)
    # a browser that already has its identity keeps it
    client.set_cookie(f"live_participant_{CODE}", tokens[0])
    assert client.post(f"/api/webinars/{CODE}/join").get_json()["participant"] == tokens[0]
    # another address is not affected
    other = app.test_client().post(
        f"/api/webinars/{CODE}/join", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 200


def test_wrong_moderator_keys_are_limited_per_address(client, live, room):
    live.wrong_keys = RateLimiter(2)
    assert client.get(f"/e/{CODE}/moderate?key=guess-1").status_code == 403
    # sockets count too (the same browser, so the same address)
    assert not room.connect({"webinar": CODE, "key": "guess-2"}, client).is_connected()
    # past the limit even the right key is refused for a while: guessing does not pay
    blocked = client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    assert blocked.status_code == 429
    assert not room.connect({"webinar": CODE, "key": MODERATOR_KEY}, client).is_connected()
    headers = {"Authorization": f"Bearer {MODERATOR_KEY}"}
    assert client.get(f"/e/{CODE}/export.json", headers=headers).status_code == 429


def test_a_flooding_connection_is_slowed_then_closed(room, live, monkeypatch):
    # a stopped clock: no token comes back while a loaded machine runs the loop slowly
    monkeypatch.setattr(live.socket_events, "clock", lambda: 1000.0)
    flooder, neighbour = room.attendee(), room.attendee()
    qid = ack(neighbour, "ask", {"text": "Something to upvote"})["question"]["id"]
    replies = [ack(flooder, "upvote", {"question": qid, "up": n % 2 == 0}) for n in range(40)]
    assert all(r["ok"] for r in replies[:30])  # a burst of three seconds' worth passes
    assert {r["error"] for r in replies[30:]} == {"rate_limited"}
    for _ in range(60):
        if not flooder.is_connected():
            break
        ack(flooder, "upvote", {"question": qid, "up": True})
    assert not flooder.is_connected()
    # everyone else goes on
    assert ack(neighbour, "upvote", {"question": qid, "up": True})["ok"]
    assert live.store.questions(CODE)[0].upvotes == 1


def test_questions_per_participant_per_minute(app, room, live):
    live.questions_asked = RateLimiter(3)
    token = room.token()
    first_tab, second_tab = room.attendee(token), room.attendee(token)
    assert all(ack(first_tab, "ask", {"text": f"Question {n}?"})["ok"] for n in range(2))
    assert ack(second_tab, "ask", {"text": "Third?"})["ok"]
    refused = ack(second_tab, "ask", {"text": "Fourth?"})
    assert refused["error"] == "rate_limited" and "wait" in refused["message"]
    assert ack(room.attendee(), "ask", {"text": "Someone else?"})["ok"]
    assert len(live.store.questions(CODE)) == 4


def test_a_full_process_refuses_newcomers_and_says_so_once(app, room, caplog):
    app.config["MAX_CONNECTIONS"] = 2
    first, second = room.attendee(), room.moderator()
    with caplog.at_level("WARNING", logger="live.auth"):
        refused = [room.attendee() for _ in range(3)]
    assert not any(client.is_connected() for client in refused)
    assert first.is_connected() and second.is_connected()
    limit_lines = [r for r in caplog.records if "connection limit reached" in r.getMessage()]
    assert len(limit_lines) == 1
    assert "2 connections held (LIVE_MAX_CONNECTIONS=2)" in limit_lines[0].getMessage()
    first.disconnect()
    assert room.attendee().is_connected()  # a place came free


def test_refused_asks_do_not_spend_the_question_budget(room, live):
    live.questions_asked = RateLimiter(2)
    attendee = room.attendee()
    refusals = [ack(attendee, "ask", {"text": "   "}) for _ in range(10)]
    assert {r["error"] for r in refusals} == {"empty"}
    first = ack(attendee, "ask", {"text": "First real question?", "idempotency_key": "k-1"})
    assert first["ok"]
    assert ack(attendee, "ask", {"text": "Second real question?"})["ok"]
    assert ack(attendee, "ask", {"text": "Third?"})["error"] == "rate_limited"
    # a retry of a stored question is answered with it, budget or not, and stores nothing
    retry = ack(attendee, "ask", {"text": "First real question?", "idempotency_key": "k-1"})
    assert retry["ok"] and retry["question"]["id"] == first["question"]["id"]
    assert len(live.store.questions(CODE)) == 2


def test_an_address_is_forgotten_within_two_periods_of_its_last_use():
    now = [0.0]
    limiter = RateLimiter(3, period=60, clock=lambda: now[0])
    assert limiter.allow("192.0.2.1")
    now[0] = 55.0
    assert limiter.allow("192.0.2.2")
    assert set(limiter._buckets) == {"192.0.2.1", "192.0.2.2"}
    # a period on, the first bucket is full again: the pruning drops it, not the second (not full)
    now[0] = 61.0
    assert limiter.allow("192.0.2.3")
    assert set(limiter._buckets) == {"192.0.2.2", "192.0.2.3"}
    now[0] = 121.0
    assert limiter.allow("192.0.2.3")
    assert set(limiter._buckets) == {"192.0.2.3"}
    # a quiet server forgets too, when its task asks
    now[0] = 182.0
    limiter.forget_idle()
    assert limiter._buckets == {}
