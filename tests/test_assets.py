"""Static files fingerprinted, pre-compressed and cached for a year; pages and JSON compressed."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import brotli
import pytest

from live.assets import IMMUTABLE, build, fingerprinted

from .conftest import CODE, MODERATOR_KEY, ack

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGES = [f"/e/{CODE}", f"/e/{CODE}/moderate", f"/e/{CODE}/present", "/"]
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def referenced(html: str) -> list[str]:
    """The pages' own files: every script and stylesheet they load."""
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def get(client, url: str, encoding: str | None = None):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    response = client.get(url, headers=headers)
    body = response.data
    response.close()
    return response, body


def test_pages_load_every_file_by_a_name_that_holds_its_content_hash(client):
    client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    seen = set()
    for page in PAGES:
        assets = referenced(client.get(page).get_data(as_text=True))
        assert any(a.endswith(".js") for a in assets) or page == "/", page
        assert any(a.endswith(".css") for a in assets), page
        for url in assets:
            assert re.search(r"\.[0-9a-f]{12}\.(js|css)$", url), url
            seen.add(url)
    names = {re.sub(r"\.[0-9a-f]{12}(?=\.\w+$)", "", url.removeprefix("/static/")) for url in seen}
    assert {"live.css", "common.js", "attendee.js", "vendor/socket.io-4.8.1.min.js"} <= names


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_fingerprinted_file_comes_compressed_and_cached_for_a_year(client, encoding):
    for url in referenced(client.get(f"/e/{CODE}").get_data(as_text=True)):
        name = re.sub(r"\.[0-9a-f]{12}(?=\.\w+$)", "", url.removeprefix("/static/"))
        original = (STATIC / name).read_bytes()
        response, body = get(client, url, f"{encoding}, deflate")
        assert response.status_code == 200, url
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert DECODE[encoding](body) == original
        assert len(body) < len(original) / 2


def test_a_client_that_accepts_no_compression_gets_the_file_as_it_is(client):
    url = next(
        u for u in referenced(client.get(f"/e/{CODE}").get_data(as_text=True)) if "common" in u
    )
    response, body = get(client, url)
    assert "Content-Encoding" not in response.headers
    assert body == (STATIC / "common.js").read_bytes()


def test_plain_names_still_work_with_short_caching(client):
    response, body = get(client, "/static/common.js", "br")
    assert response.status_code == 200 and body == (STATIC / "common.js").read_bytes()
    assert "immutable" not in response.headers["Cache-Control"]
    assert "max-age=60" in response.headers["Cache-Control"]


def test_an_unknown_fingerprint_is_not_found(client):
    assert client.get("/static/common.0123456789ab.js").status_code == 404


def test_a_changed_file_gets_a_new_name_and_the_old_one_stays(tmp_path):
    source, target = tmp_path / "static", tmp_path / "build"
    (source / "vendor").mkdir(parents=True)
    (source / "app.js").write_text("console.log('first release');\n" * 40)
    (source / "vendor" / "lib.min.js").write_text("var lib = 1;\n" * 40)
    first = build(source, target)
    (source / "app.js").write_text("console.log('second release');\n" * 40)
    second = build(source, target)
    assert first.url_name("app.js") != second.url_name("app.js")
    assert first.url_name("vendor/lib.min.js") == second.url_name("vendor/lib.min.js")
    assert re.fullmatch(r"vendor/lib\.min\.[0-9a-f]{12}\.js", second.url_name("vendor/lib.min.js"))
    for names in (first, second):
        copy = target / names.url_name("app.js")
        assert brotli.decompress(Path(f"{copy}.br").read_bytes()) == copy.read_bytes()
        assert gzip.decompress(Path(f"{copy}.gz").read_bytes()) == copy.read_bytes()
    assert b"first" in (target / first.url_name("app.js")).read_bytes()
    assert b"second" in (target / second.url_name("app.js")).read_bytes()


def test_fingerprinted_names_keep_folders_and_extensions():
    assert fingerprinted("live.css", "0123456789ab") == "live.0123456789ab.css"
    assert fingerprinted("vendor/a.min.js", "0123456789ab") == "vendor/a.min.0123456789ab.js"
    assert fingerprinted("LICENSE", "0123456789ab") == "LICENSE.0123456789ab"


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_and_json_come_compressed_by_what_the_client_accepts(client, encoding):
    for url in (f"/e/{CODE}", f"/api/webinars/{CODE}"):
        response, body = get(client, url, encoding)
        assert response.headers["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(body)
        text = DECODE[encoding](body).decode()
        assert "nets4dem" in text.lower()
        # the security headers survive compression
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    plain, body = get(client, f"/e/{CODE}")
    assert "Content-Encoding" not in plain.headers and b"Send question" in body


def test_moderator_exports_come_compressed(client, room):
    attendee = room.attendee()
    for n in range(5):
        text = f"Question {n}: how does a city take part in the Democracy Lab this year?"
        assert ack(attendee, "ask", {"text": text})["ok"]
    client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    for fmt in ("csv", "json", "md"):
        response, body = get(client, f"/e/{CODE}/export.{fmt}", "gzip")
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip", fmt
        assert gzip.decompress(body)


def test_errors_and_socket_io_are_left_alone(client):
    response, body = get(client, "/api/webinars/no-such-webinar", "br")
    assert response.status_code == 404 and "Content-Encoding" not in response.headers
    # the refusal of an oversized body happens before Flask: plain JSON, as before
    refused = client.post(
        "/api/webinars/nets4dem/join",
        data=b"x" * (128 * 1024),
        headers={"Accept-Encoding": "br"},
    )
    assert refused.status_code == 413 and refused.get_json()["error"] == "too_large"
    assert "Content-Encoding" not in refused.headers
    # engine.io answers its own polling requests: a snapshot long enough to be worth compressing
    # still comes as engine.io sent it (it never offers brotli)
    token = client.post(f"/api/webinars/{CODE}/join").get_json()["participant"]
    polling = "/socket.io/?EIO=4&transport=polling"
    sid = json.loads(client.get(polling).data[1:])["sid"]
    auth = json.dumps({"webinar": CODE, "participant": token})
    assert client.post(f"{polling}&sid={sid}", data=f"40{auth}").status_code == 200
    response, body = get(client, f"{polling}&sid={sid}", "br")
    assert b'42["snapshot"' in body and len(body) > 1000
    assert "Content-Encoding" not in response.headers


def test_the_attendee_page_with_all_its_files_is_under_150_kb(client):
    """What a phone fetches on a first visit, uncompressed: the page, its script and stylesheet
    files (the README gives the figure)."""
    _, page = get(client, f"/e/{CODE}")
    sizes = {url: len(get(client, url)[1]) for url in referenced(page.decode())}
    total = len(page) + sum(sizes.values())
    assert all(sizes.values()) and len(sizes) >= 5, sizes
    assert total < 150_000, sizes
