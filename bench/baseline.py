"""The floor: a minimal python-socketio server that broadcasts one message per vote to the room.

What a first attempt would do, on the same async mode (eventlet) and the same protocol subset as
the app (join endpoint, ``auth``, ``snapshot``, ``upvote``/``vote`` with acks, ``update``), so
that the same load generator drives both. It keeps counts in memory and checks nothing.

    python -m bench.baseline --port 5100
"""

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402

import eventlet.wsgi  # noqa: E402
import socketio  # noqa: E402

QUESTIONS = 10
POLL = 1
OPTIONS = 4

sio = socketio.Server(async_mode="eventlet", max_http_buffer_size=64 * 1024)
upvoters: dict[int, set[str]] = {q: set() for q in range(1, QUESTIONS + 1)}
ballots: dict[str, list[int]] = {}
participants: dict[str, str] = {}


def question(qid: int) -> dict:
    return {
        "id": qid,
        "text": f"Question {qid}",
        "name": None,
        "status": "live",
        "upvotes": len(upvoters[qid]),
        "on_air": False,
        "created_at": "",
    }


def poll() -> dict:
    counts = [0] * OPTIONS
    for ballot in ballots.values():
        for option in ballot:
            counts[option] += 1
    return {
        "id": POLL,
        "prompt": "Which?",
        "kind": "single",
        "options": ["A", "B", "C", "D"],
        "state": "open",
        "results_visible": True,
        "results": {"counts": counts, "percentages": [], "voters": len(ballots)},
    }


@sio.event
def connect(sid, environ, auth):
    participants[sid] = auth["participant"]
    sio.enter_room(sid, "room")
    sio.emit("snapshot", {"questions": [question(q) for q in upvoters], "polls": [poll()]}, to=sid)


@sio.event
def disconnect(sid, *args):
    participants.pop(sid, None)


@sio.event
def upvote(sid, data):
    qid = data["question"]
    upvoters[qid].add(participants[sid])
    current = question(qid)
    # one message per vote, to everyone
    sio.emit("update", {"questions": [current]}, room="room")
    return {"ok": True, "question": {"id": qid, "upvotes": current["upvotes"]}, "up": True}


@sio.event
def vote(sid, data):
    ballots[participants[sid]] = data["options"]
    sio.emit("update", {"polls": [poll()]}, room="room")
    return {"ok": True, "poll": POLL, "options": data["options"]}


def join(environ, start_response):
    if environ["PATH_INFO"].endswith("/join"):
        body = json.dumps({"participant": secrets.token_urlsafe(12)}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"ok": true}']


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5100)
    args = parser.parse_args()
    app = socketio.WSGIApp(sio, join)
    eventlet.wsgi.server(
        eventlet.listen(("127.0.0.1", args.port)), app, log_output=False, max_size=20000
    )
