"""HTTP: the three pages, the join endpoint, QR codes, the public JSON snapshot and the exports."""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from . import current_live, exports, private, service
from .domain import InvalidInput, LiveError, NotFound, TooMany, Webinar, content_in
from .i18n import current_language, error_message, languages
from .identity import key_fingerprint
from .keys import moderator_key_valid, rotate_moderator_key, session_moderates
from .links import attendee_url, moderator_url
from .msgids import N_
from .payloads import poll_payload_in, public_poll
from .qr import qr_png, qr_svg
from .report import markdown_report
from .screen_options import overlay_position, overlay_scale, screen_theme
from .snapshots import public_json
from .store import StoreUnavailable

bp = Blueprint("live", __name__)
access_log = logging.getLogger("live.access")
PARTICIPANT_COOKIE = "live_participant"
YEAR = 365 * 24 * 3600


def _webinar(code: str) -> Webinar:
    return service.get_webinar(current_live().store, code)


def _is_moderator(code: str) -> bool:
    if session_moderates(current_live(), code):
        return True
    return _bearer_is_moderator(code)


def _bearer_is_moderator(code: str) -> bool:
    # API clients send the key in a header rather than the URL, where proxies would log it
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    return given is not None and moderator_key_valid(
        current_live(), code, given, request.remote_addr
    )


def _participant_token(webinar: Webinar) -> str:
    """Reuse this browser's participant token for the webinar, or issue a new one (bound to a
    private webinar's passcode)."""
    live = current_live()
    code, bound = webinar.code, private.scope(webinar)
    token = request.cookies.get(f"{PARTICIPANT_COOKIE}_{code}")
    if token:
        try:
            participant, scope = live.identities.read(code, token)
            # a participant who asked to be forgotten starts again as someone new
            if not live.store.forgotten(code, participant):
                if not bound or scope == bound:
                    return token
                # the same person, admitted to the webinar again (it became private, or its
                # passcode changed): the same identity, bound to the passcode
                return live.identities.issue(code, bound, participant)[1]
        except LiveError:
            pass
    # a new identity is a new voter: mint them at a pace a whole city hall can join at, no faster
    if not live.new_participants.allow(request.remote_addr or "unknown"):
        raise TooMany(
            N_("Too many new participants from your network just now; try again in a minute.")
        )
    return live.identities.issue(code, bound)[1]


def _with_participant_cookie(response: Response, code: str, token: str) -> Response:
    response.set_cookie(
        f"{PARTICIPANT_COOKIE}_{code}",
        token,
        max_age=YEAR,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


@bp.get("/")
def index() -> str:
    """Let a visitor type a webinar code."""
    return render_template("index.html", default_code=current_live().default_code)


@bp.get("/join")
def join_by_code() -> Response:
    """Send a visitor from the code form to the webinar's attendee page."""
    webinar = _webinar(request.args.get("code", ""))
    return redirect(url_for("live.attendee", code=webinar.code))  # type: ignore[return-value]


@bp.get("/e/<code>")
def attendee(code: str) -> Any:
    """Serve the attendee page, with this browser's participant token (a private webinar: the
    passcode form first; a passcode in the link, as the QR code may carry it, is taken once)."""
    webinar = _webinar(code)
    if code != webinar.code:
        return redirect(url_for("live.attendee", code=webinar.code))
    if webinar.passcode and "passcode" in request.args:
        return enter_passcode(webinar.code)
    if not private.admitted(current_live(), webinar):
        return private.form(webinar)
    token = _participant_token(webinar)
    page = render_template("attendee.html", webinar=webinar, token=token)
    return _with_participant_cookie(make_response(page), webinar.code, token)


# the pages the passcode form may lead back to
AFTER_PASSCODE = {
    "": "live.attendee",
    "present": "live.present",
    "overlay": "live.overlay",
    "follow-up": "live.follow_up",
}


@bp.post("/e/<code>/passcode")
def enter_passcode(code: str) -> Any:
    """Take a private webinar's passcode from its form (or the QR code's link) and go on to the
    page asked for; a wrong one shows the form again, saying so."""
    webinar = _webinar(code)
    values = request.form if request.method == "POST" else request.args
    after = str(values.get("next", ""))
    try:
        private.check(current_live(), webinar, values.get("passcode", ""))
    except LiveError as error:
        return private.form(webinar, error_message(error), after, error.status)
    target = url_for(AFTER_PASSCODE.get(after, "live.attendee"), code=webinar.code)
    # 303: the passcode leaves the address bar and the browser history
    return redirect(target, code=303)


@bp.post("/api/webinars/<code>/join")
def join(code: str) -> Response:
    """Issue a participant token (the same one again for a browser that already has one); a
    private webinar needs ``{"passcode": "..."}`` (or this browser's session that entered it)."""
    webinar = _webinar(code)
    if not private.admitted(current_live(), webinar):
        body = request.get_json(silent=True)
        private.check(
            current_live(), webinar, body.get("passcode") if isinstance(body, dict) else None
        )
    token = _participant_token(webinar)
    return _with_participant_cookie(jsonify(participant=token), webinar.code, token)


@bp.route("/e/<code>/moderate", methods=["GET", "POST"])
def moderate(code: str) -> Any:
    """Serve the moderator console; the key arrives once (link or form) and becomes a session."""
    webinar = _webinar(code)
    given = request.args.get("key") if request.method == "GET" else request.form.get("key")
    if given is not None:
        if not moderator_key_valid(current_live(), webinar.code, given, request.remote_addr):
            page = render_template("moderator_key.html", webinar=webinar, wrong=True)
            return page, 403
        moderates = session.get("moderates")
        moderates = moderates if isinstance(moderates, dict) else {}
        # the key's fingerprint, not the key: when the key changes, this session ends
        session["moderates"] = {**moderates, webinar.code: key_fingerprint(given)}
        numbers = session.get("moderator_numbers")
        numbers = numbers if isinstance(numbers, dict) else {}
        if webinar.code not in numbers:
            # "moderator 2" in the moderation log: one number per browser and webinar
            number = current_live().store.next_moderator_number(webinar.code)
            session["moderator_numbers"] = {**numbers, webinar.code: number}
        session.permanent = True
        # drop the key from the address bar and the browser history
        return redirect(url_for("live.moderate", code=webinar.code), code=303)
    if not _is_moderator(webinar.code):
        return render_template("moderator_key.html", webinar=webinar, wrong=False), 401
    return render_template(
        "moderate.html",
        webinar=webinar,
        token=_participant_token(webinar),
        join_url=attendee_url(webinar.code),
    )


@bp.get("/e/<code>/present")
def present(code: str) -> Any:
    """Serve the projector screen (public content only), dark or ``?theme=light``; a private
    webinar's needs its passcode or a moderator's session."""
    webinar = _webinar(code)
    if not private.admitted(current_live(), webinar):
        return private.form(webinar, next_page="present")
    return render_template(
        "present.html",
        webinar=webinar,
        join_url=attendee_url(webinar.code),
        theme=screen_theme(request.args),
    )


@bp.get("/e/<code>/overlay")
def overlay(code: str) -> Any:
    """Serve the overlay for a stream (an OBS or vMix browser source): the screen's question, poll
    or results on a transparent page. Options that cannot be read fall back to their defaults:
    a stream never shows an error page for a typo. A private webinar's needs its passcode or a
    moderator's session (entered once in the browser source)."""
    webinar = _webinar(code)
    if not private.admitted(current_live(), webinar):
        return private.form(webinar, next_page="overlay")
    return render_template(
        "overlay.html",
        webinar=webinar,
        theme=screen_theme(request.args),
        position=overlay_position(request.args),
        scale=overlay_scale(request.args.get("scale")),
    )


@bp.get("/e/<code>/qr.svg")
def qr_code_svg(code: str) -> Response:
    return Response(qr_svg(_qr_url(_webinar(code))), mimetype="image/svg+xml")


@bp.get("/e/<code>/qr.png")
def qr_code_png(code: str) -> Response:
    return Response(qr_png(_qr_url(_webinar(code))), mimetype="image/png")


def _qr_url(webinar: Webinar) -> str:
    """Return the address a webinar's QR code carries: a private one's with its passcode if the
    organiser chose so (then only those admitted may fetch the code)."""
    if not webinar.passcode:
        return attendee_url(webinar.code)
    private.require(webinar)
    if not webinar.settings.passcode_in_qr:
        return attendee_url(webinar.code)
    return f"{attendee_url(webinar.code)}?{urlencode({'passcode': webinar.passcode})}"


@bp.post("/api/webinars/<code>/moderator-key")
def change_moderator_key(code: str) -> Response:
    """Give the webinar a new moderator key (``Authorization: Bearer <current key>``): every
    moderator signed in with the old one is signed out at once; the answer holds the new link."""
    webinar = _webinar(code)
    # the key in a header only, never a session cookie: no other site can make a browser do this
    if not _bearer_is_moderator(webinar.code):
        return _json_error(403, "forbidden", _("Send the current moderator key as a Bearer token."))
    key = rotate_moderator_key(current_live(), webinar.code, detail="through the API")
    return jsonify(moderator_key=key, moderator_url=moderator_url(webinar.code, key))


@bp.get("/api/webinars/<code>")
def public_state(code: str) -> Response:
    """Return what any attendee may see of the webinar, as JSON."""
    webinar = _webinar(code)
    if webinar.passcode and not _is_moderator(webinar.code):
        private.require(webinar)
    live = current_live()
    # the questions and polls as every attendee's snapshot has them, encoded once per change
    part = live.broadcaster.snapshots.get(webinar)
    # ?lang=xx: the webinar's content and polls in that language where its file translates them
    language = request.args.get("lang", "")
    state = public_json(
        part, live.store.online(webinar.code), attendee_url(webinar.code), language[:20]
    )
    return Response(state, mimetype="application/json")


@bp.get("/e/<code>/export.<fmt>")
def export(code: str, fmt: str) -> Response:
    """Download the whole webinar (moderators only): CSV, JSON or a readable Markdown report."""
    webinar = _webinar(code)
    if fmt not in ("csv", "json", "md"):
        raise NotFound(N_("Exports are export.csv, export.json and export.md."))
    if not _is_moderator(webinar.code):
        return _json_error(403, "forbidden", _("Only the webinar's moderators may export it."))
    language = _export_language(webinar)
    data = exports.collect(current_live().store, webinar)
    name = f"{webinar.code}-export.{fmt}"
    if fmt == "json":
        response = jsonify(data)
    elif fmt == "md":
        response = Response(markdown_report(data, language), mimetype="text/markdown")
    else:
        response = Response(exports.to_csv(data, language), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_language(webinar: Webinar) -> str:
    """The language of a report or CSV: the webinar's, or the one a moderator chose (``?lang=``,
    a shipped language; another is refused rather than silently replaced)."""
    chosen = request.args.get("lang")
    if chosen is None:
        return webinar.language
    if chosen not in languages().codes:
        raise InvalidInput(
            N_("There is no language %(lang)s here."), "bad_language", lang=repr(chosen[:10])
        )
    return chosen


@bp.get("/e/<code>/interest.csv")
def interest_export(code: str) -> Response:
    """Download the addresses voters left for application information, one row per programme
    they chose (moderators only)."""
    webinar = _webinar(code)
    if not _is_moderator(webinar.code):
        return _json_error(403, "forbidden", _("Only the webinar's moderators may export it."))
    language = _export_language(webinar)
    csv_text = exports.interest_csv(current_live().store, webinar, language)
    response = Response(csv_text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{webinar.code}-interest.csv"'
    # personal data: not to be kept by a proxy or the browser's cache
    response.headers["Cache-Control"] = "no-store"
    return response


def _has_results(poll: dict[str, Any]) -> bool:
    """Say whether a public poll has results to show (an open text poll: answers chosen)."""
    results = poll["results"]
    return bool(results) and (poll["kind"] != "text" or bool(results["answers"]))


@bp.get("/e/<code>/follow-up")
def follow_up(code: str) -> Any:
    """Serve the public follow-up page, once a moderator published it: the questions with their
    answers (live or written) and the poll results shown to attendees, for those who could not
    stay."""
    webinar = _webinar(code)
    if not webinar.settings.follow_up:
        # the webinar exists: say so, and what to wait for
        page = render_template(
            "error.html",
            status=404,
            heading=_("This follow-up page is not published yet"),
            message=_(
                "The moderators of %(title)s publish it when the webinar is over: "
                "the questions with their answers and the poll results.",
                title=content_in(webinar, current_language()).title,
            ),
        )
        return page, 404
    if not private.admitted(current_live(), webinar):
        return private.form(webinar, next_page="follow-up")
    store = current_live().store
    questions = sorted(
        (q for q in store.questions(webinar.code) if q.is_public),
        key=lambda q: (q.status != "answered" and not q.reply, -q.upvotes, q.id),
    )
    polls = [p for p in (public_poll(store, poll) for poll in store.polls(webinar.code)) if p]
    language = current_language()
    # the webinar's texts in the reader's language where translated, as on the attendee page;
    # a question keeps the webinar's own topic name, which the reader sees in theirs
    content = content_in(webinar, language)
    return render_template(
        "follow_up.html",
        webinar=webinar,
        content=content,
        topic_names=dict(zip(webinar.topics, content.topics, strict=True)),
        questions=questions,
        # an open text poll whose answers nobody chose has nothing to show
        polls=[poll_payload_in(p, language) for p in polls if _has_results(p)],
        join_url=attendee_url(webinar.code),
    )


@bp.get("/healthz")
def healthz() -> Response:
    """Say whether this process and its store can serve (for load balancers and monitors)."""
    live = current_live()
    if live.draining:
        return _json_error(503, "draining", _("This process is stopping."))
    try:
        live.store.ping()
    except Exception:
        return _json_error(503, "unavailable", _("The store cannot be reached."))
    # the process id tells which process behind a proxy answered; connections are its own sockets
    return jsonify(
        ok=True, store=live.store.kind, process=os.getpid(), connections=len(live.connections)
    )


@bp.app_errorhandler(LiveError)
def on_live_error(error: LiveError) -> Any:
    # the sentence in the request's language (?lang, cookie, Accept-Language); codes unchanged
    message = error_message(error)
    if not _wants_html():
        return _json_error(error.status, error.code, message)
    return render_template("error.html", message=message, status=error.status), error.status


@bp.app_errorhandler(StoreUnavailable)
def on_store_unavailable(error: StoreUnavailable) -> Any:
    message = _("The webinar's storage is unavailable for a moment. Please try again shortly.")
    if not _wants_html():
        return _json_error(503, "unavailable", message)
    return render_template("error.html", message=message, status=503), 503


# the sentences of the HTTP errors the app meets (Werkzeug's own are English only), by status
HTTP_MESSAGES = {
    400: N_("The request was not understood."),
    403: N_("You may not open this page."),
    404: N_("There is no page at this address."),
    405: N_("This address does not take that kind of request."),
    413: N_("What was sent is too large."),
    500: N_("Something went wrong on the server."),
}


@bp.app_errorhandler(HTTPException)
def on_http_error(error: HTTPException) -> Any:
    status = error.code or 500
    known = HTTP_MESSAGES.get(status)
    message = _(known) if known else (error.description or "")
    if not _wants_html():
        return _json_error(status, error.name.lower().replace(" ", "_"), message)
    return render_template("error.html", message=message, status=status), status


@bp.after_app_request
def security_headers(response: Response) -> Response:
    """Allow the pages nothing but the app's own scripts, styles and connections."""
    ancestors = current_app.config["FRAME_ANCESTORS"]
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # pages never pass their address (which once held a moderator key) to other sites
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.after_app_request
def log_request(response: Response) -> Response:
    # the path only: a query string can carry the moderator key
    if current_app.config["ACCESS_LOG"]:
        access_log.info("%s %s %s", request.method, request.path, response.status_code)
    return response


def _wants_html() -> bool:
    """Say whether an error should be a page: a browser asking for a page. The API and the QR
    images are never pages: their errors are JSON, whatever the client accepts."""
    if request.path.startswith("/api/") or request.path.endswith(("/qr.svg", "/qr.png")):
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html"


def _json_error(status: int, code: str, message: str) -> Response:
    response = jsonify(ok=False, error=code, message=message)
    response.status_code = status
    return response
