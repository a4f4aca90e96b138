"""A webinar's branding on the web: its logo file and its accent colour as a stylesheet.

The webinar file names the logo (a PNG, JPEG, WebP or SVG file beside it: live/logos.py); the
store keeps its path, and every process reads the file from there. It is served at
``/e/<code>/logo`` with its content type and an ETag (its content's hash): pages ask for
``?v=<hash>``, kept a year by browsers, so a changed file is a new address. An SVG is shown with
``<img>`` only (no script in an image runs) and served with a CSP that forbids it everything
anyway, should someone open it directly. The accent colour is a tiny stylesheet whose address
holds the colour (pages cannot carry inline styles under the app's CSP).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, url_for

from . import current_live, service
from .colours import HEX
from .domain import InvalidInput, NotFound, Webinar
from .logos import read_logo
from .msgids import N_

bp = Blueprint("branding", __name__)
IMMUTABLE = "public, max-age=31536000, immutable"
# an SVG opened on its own: nothing runs, nothing loads, it is an image
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.app_template_global()
def logo_url(webinar: Webinar) -> str | None:
    """Return the address of the webinar's logo (with its hash), or None: no logo, or its file
    is gone (the pages then show none rather than a broken image)."""
    if not webinar.logo:
        return None
    try:
        logo = read_logo(webinar.logo)
    except InvalidInput:
        return None
    return url_for("branding.logo", code=webinar.code, v=logo.digest)


@bp.app_template_global()
def accent_css(webinar: Webinar) -> str | None:
    """Return the address of the stylesheet that gives the pages the webinar's accent, or None."""
    return url_for("branding.accent", colour=webinar.accent[1:]) if webinar.accent else None


@bp.get("/e/<code>/logo")
def logo(code: str) -> Response:
    """Serve the webinar's logo: its type, an ETag, a year of caching for the hashed address."""
    webinar = service.get_webinar(current_live().store, code)
    if not webinar.logo:
        raise NotFound(N_("This webinar has no logo."))
    try:
        found = read_logo(webinar.logo)
    except InvalidInput as error:
        raise NotFound(
            N_("The logo cannot be served: %(problem)s"), problem=error.message
        ) from error
    response = Response(found.data, mimetype=found.mimetype)
    response.set_etag(found.digest)
    hashed = request.args.get("v") == found.digest
    response.headers["Cache-Control"] = IMMUTABLE if hashed else "public, max-age=60"
    if found.mimetype == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_POLICY
    response.make_conditional(request)
    return response


@bp.get("/accent/<colour>.css")
def accent(colour: str) -> Response:
    """Serve the stylesheet of an accent colour (the colour is the address: cached a year)."""
    if len(colour) != 6 or colour != colour.lower() or not HEX.fullmatch(f"#{colour}"):
        abort(404)
    # the pages' buttons and links, and the brand colour of the screen's badge and name plate
    css = (
        f":root {{ --accent: #{colour}; --accent-ink: #ffffff; "
        f"--brand: #{colour}; --brand-ink: #ffffff; }}\n"
    )
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = IMMUTABLE
    return response
