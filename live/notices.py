"""The notices every installation owes its visitors: each webinar's privacy notice (GDPR Art. 13)
and the accessibility statement (the EU model of Implementing Decision (EU) 2018/1523).

Their facts come from the webinar (the ``[privacy]`` table) and the configuration
(``LIVE_ACCESSIBILITY_*``); what is stored and for how long is written in the templates from the
code as it is (see docs/privacy.md), so that a change there is a change here.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from . import current_live, service
from .links import attendee_url, public_base
from .personal import due_date

bp = Blueprint("notices", __name__)
# the EDPB's list of the national supervisory authorities, when a webinar names none
AUTHORITIES_URL = "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en"


@bp.get("/e/<code>/privacy")
def privacy(code: str) -> str:
    """Serve a webinar's privacy notice: who answers for the data, what is kept, how long, and
    the attendee's rights (public: it is read before joining, also of a private webinar)."""
    webinar = service.get_webinar(current_live().store, code)
    facts = webinar.privacy
    return render_template(
        "privacy.html",
        webinar=webinar,
        controller=facts.controller or webinar.organiser,
        privacy=facts,
        purge_date=due_date(current_live().store, webinar),
        authorities_url=AUTHORITIES_URL,
        join_url=attendee_url(webinar.code),
    )


@bp.get("/accessibility")
def accessibility() -> str:
    """Serve the accessibility statement of this installation."""
    config = current_app.config
    return render_template(
        "accessibility.html",
        body=config["ACCESSIBILITY_BODY"],
        contact=config["ACCESSIBILITY_CONTACT"],
        enforcement=config["ACCESSIBILITY_ENFORCEMENT"],
        enforcement_url=config["ACCESSIBILITY_ENFORCEMENT_URL"],
        prepared=config["ACCESSIBILITY_PREPARED"],
        reviewed=config["ACCESSIBILITY_REVIEWED"] or config["ACCESSIBILITY_PREPARED"],
        site=public_base(),
    )
