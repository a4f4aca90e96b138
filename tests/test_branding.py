"""Branding: a webinar's accent colour (refused when its white text would be hard to read) and its
logo (a file beside the webinar file, served with its type and caching), in every page that
shows them; WCAG contrast computed in Python."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from live import create_app
from live.colours import contrast_ratio, relative_luminance
from live.domain import InvalidInput
from live.logos import MAX_LOGO_BYTES
from live.webinar_file import load_webinar_file

from .test_admin import ADMIN_KEY, FORM, signed_in

BRANDED = """
code = "budget-2025"
title = "Participatory budget 2025"
organiser = "City of Lisbon"
timezone = "Europe/Lisbon"
starts_at = 2025-03-04T18:30:00
ends_at = 2025-03-04T20:00:00
"""
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
    b'<rect width="120" height="40" fill="#7a1f5c"/></svg>'
)


CONFIG = {"TESTING": True, "STORE_URL": "memory://", "ASYNC_MODE": "threading"}


def png(width: int = 2, height: int = 2) -> bytes:
    """Return a real (grey) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def webinar_file(folder: Path, extra: str = "", name: str = "budget.toml") -> Path:
    path = folder / name
    path.write_text(BRANDED + extra)
    return path


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#ffffff", "#000000", 21.0),
        ("#000", "#fff", 21.0),
        ("#0b5cad", "#0b5cad", 1.0),
        # WCAG's own examples: #777 on white just misses 4.5:1, #767676 just meets it
        ("#777777", "#ffffff", 4.48),
        ("#767676", "#ffffff", 4.54),
    ],
)
def test_contrast_ratio_is_wcags(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(second, first) == contrast_ratio(first, second)


def test_relative_luminance_of_the_primaries():
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert relative_luminance("#00ff00") == pytest.approx(0.7152)
    assert relative_luminance("#0000ff") == pytest.approx(0.0722)


def test_an_accent_and_a_logo_are_read_from_the_file(tmp_path):
    (tmp_path / "logo.svg").write_bytes(SVG)
    loaded = load_webinar_file(webinar_file(tmp_path, 'accent = "#7A1F5C"\nlogo = "logo.svg"\n'))
    assert loaded.webinar.accent == "#7a1f5c"
    assert loaded.webinar.logo == str((tmp_path / "logo.svg").resolve())
    assert load_webinar_file(webinar_file(tmp_path)).webinar.accent == ""


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'accent = "#ffcc00"',
            "the accent colour #ffcc00 has a contrast of 1.51:1 with the white text drawn on it; "
            "it needs at least 4.5:1",
        ),
        ('accent = "#777"', "contrast of 4.47:1"),
        ('accent = "blue"', "'blue' is not a hex colour"),
        ("accent = 12", "'accent' must be a hex colour"),
        ('logo = "missing.png"', "cannot be read"),
        ('logo = "logo.gif"', "must be a .png, .jpg, .webp or .svg file"),
        ('logo = "fake.png"', "'fake.png' is not a PNG image"),
        ('logo = "big.svg"', f"is over {MAX_LOGO_BYTES // 1024} KB"),
    ],
)
def test_a_bad_accent_or_logo_is_refused_naming_the_file(tmp_path, line, message):
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    (tmp_path / "fake.png").write_bytes(SVG)
    (tmp_path / "big.svg").write_bytes(SVG + b" " * MAX_LOGO_BYTES)
    path = webinar_file(tmp_path, line + "\n")
    with pytest.raises(InvalidInput) as refused:
        load_webinar_file(path)
    assert refused.value.message.lower().startswith(f"{str(path).lower()}: ")
    assert message.lower() in refused.value.message.lower()


def test_a_server_with_a_bad_accent_does_not_start(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path / "instance"))
    path = webinar_file(tmp_path, 'accent = "#58a6ff"\n')
    with pytest.raises(InvalidInput, match=r"budget\.toml: The accent colour #58a6ff"):
        create_app({**CONFIG, "WEBINAR_FILE": str(path)})


@pytest.fixture
def branded(tmp_path, monkeypatch):
    """An app serving a webinar file with an accent colour and a PNG logo."""
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path / "instance"))
    (tmp_path / "logo.png").write_bytes(png())
    path = webinar_file(tmp_path, 'accent = "#7a1f5c"\nlogo = "logo.png"\n')
    return create_app({**CONFIG, "WEBINAR_FILE": str(path), "TICK_MS": 0})


def test_the_logo_is_served_with_its_type_and_caching(branded, tmp_path):
    client = branded.test_client()
    page = client.get("/e/budget-2025").get_data(as_text=True)
    src = re.search(r'<img class="logo" src="([^"]+)" alt="Logo of City of Lisbon"', page)
    assert src, page
    answer = client.get(src.group(1))
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    assert answer.data == png()
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = answer.headers["ETag"]
    again = client.get(src.group(1), headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    # the plain address is kept a minute only; a changed file is a new hashed address
    assert client.get("/e/budget-2025/logo").headers["Cache-Control"] == "public, max-age=60"
    (tmp_path / "logo.png").write_bytes(png(3, 3))
    changed = client.get("/e/budget-2025").get_data(as_text=True)
    assert src.group(1) not in changed and "/e/budget-2025/logo?v=" in changed
    # the projector, the overlay and the console's preview show it too
    for path in ("present", "overlay"):
        assert '<img class="logo" src="/e/budget-2025/logo?v=' in client.get(
            f"/e/budget-2025/{path}"
        ).get_data(as_text=True)


def test_an_svg_logo_cannot_run_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path / "instance"))
    (tmp_path / "logo.svg").write_bytes(SVG)
    path = webinar_file(tmp_path, 'logo = "logo.svg"\n')
    app = create_app({**CONFIG, "WEBINAR_FILE": str(path)})
    answer = app.test_client().get("/e/budget-2025/logo")
    assert answer.mimetype == "image/svg+xml"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )


def test_a_webinar_without_a_logo_has_none(client):
    assert client.get("/e/nets4dem/logo").status_code == 404
    assert 'class="logo"' not in client.get("/e/nets4dem").get_data(as_text=True)


def test_the_accent_reaches_the_pages_as_a_stylesheet(branded):
    client = branded.test_client()
    for path in ("", "/present", "/overlay"):
        page = client.get(f"/e/budget-2025{path}").get_data(as_text=True)
        assert '<link rel="stylesheet" href="/accent/7a1f5c.css">' in page
    css = client.get("/accent/7a1f5c.css")
    assert css.mimetype == "text/css" and "--accent: #7a1f5c;" in css.get_data(as_text=True)
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/accent/7A1F5C.css").status_code == 404
    assert client.get("/accent/red.css").status_code == 404


def test_the_organiser_page_sets_the_accent_and_refuses_a_light_one(app, client, live):
    app.config["ADMIN_KEY"] = ADMIN_KEY
    csrf = signed_in(client)
    light = {**FORM, "code": "budget-2025", "csrf": csrf, "accent": "#ffcc00"}
    # refused: the form comes back as typed, the reason beside the accent field
    page = client.post("/admin/webinars", data=light).get_data(as_text=True)
    assert "Not created: The accent colour #ffcc00 has a contrast of 1.51:1" in page
    assert 'id="new-accent-error"' in page and 'value="#ffcc00"' in page
    assert live.store.get_webinar("budget-2025") is None
    client.post("/admin/webinars", data={**light, "accent": "#7A1F5C"})
    assert live.store.get_webinar("budget-2025").accent == "#7a1f5c"
    client.post("/admin/webinars/budget-2025", data={**light, "accent": "#ff8800"})
    assert "budget-2025 not changed: The accent colour #ff8800" in client.get("/admin").get_data(
        as_text=True
    )
    client.post("/admin/webinars/budget-2025", data={**light, "accent": ""})
    assert live.store.get_webinar("budget-2025").accent == ""


@pytest.mark.parametrize(
    ("query", "classes", "scale"),
    [
        ("", "overlay position-bottom", "1.0"),
        ("?position=top&scale=0.5&theme=light", "overlay position-top", "0.5"),
        ("?scale=2", "overlay position-bottom", "2.0"),
        ("?position=left&scale=nan&theme=blue", "overlay position-bottom", "1.0"),
        ("?scale=inf", "overlay position-bottom", "1.0"),
        ("?scale=0.4", "overlay position-bottom", "1.0"),
        ("?scale=%F0%9F%98%80", "overlay position-bottom", "1.0"),
    ],
)
def test_the_overlays_options_fall_back_to_their_defaults(client, query, classes, scale):
    answer = client.get(f"/e/nets4dem/overlay{query}")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert f'<div class="{classes}" data-screen="welcome" data-scale="{scale}">' in page
    theme = "light" if "theme=light" in query else "dark"
    assert f'class="overlay-page theme-{theme}"' in page


def test_the_projectors_theme(client):
    assert 'class="projector theme-light"' in client.get("/e/nets4dem/present?theme=light").text
    for query in ("", "?theme=dark", "?theme=sepia"):
        page = client.get(f"/e/nets4dem/present{query}").text
        assert 'class="projector theme-dark"' in page and 'class="screen theme-dark"' in page
