"""Static files served fingerprinted and pre-compressed, pages and JSON compressed on the fly.

At app start every file of ``static/`` is copied once under a name holding a hash of its content
(``attendee.js`` -> ``attendee.3f9c0a1b2d4e.js``) into the instance folder, with a brotli and a
gzip copy beside it. WhiteNoise serves those names with a year of caching (a new release has new
names, so browsers never need to ask again) and the compressed copy the browser accepts. The
pages keep writing ``url_for('static', filename='attendee.js')``: the fingerprinted name is filled
in. The plain names keep working, uncompressed, with a minute of caching. Flask-Compress
compresses the pages, the JSON and the exports; Socket.IO's own responses never reach Flask.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from wsgiref.headers import Headers

from flask import Flask
from flask_compress import Compress
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

IMMUTABLE = "public, max-age=31536000, immutable"
# the plain names: old pages and hand-typed links still work, and pick up a release soon
PLAIN_MAX_AGE = 60
# hex digits of the content hash in a fingerprinted name (as Django's manifest storage)
HASH_LENGTH = 12
FINGERPRINTED = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}(\.[^./]+)?$")
# what the app itself answers with that is worth compressing (images are PNG, already packed)
COMPRESSED_TYPES = [
    "text/html",
    "application/json",
    "text/csv",
    "text/markdown",
    "text/plain",
    "image/svg+xml",
]
# compressed once per content in this process: tests and several apps build the same files
_compressed: dict[tuple[str, str], bytes | None] = {}


@dataclass
class Assets:
    """The fingerprinted names of the static files, and where their copies are."""

    source: Path
    build: Path
    # "vendor/socket.io-4.8.1.min.js" -> "vendor/socket.io-4.8.1.min.<hash>.js"
    names: dict[str, str] = field(default_factory=dict)

    def url_name(self, name: str) -> str:
        """Return the fingerprinted name of a static file (an unknown name as it is)."""
        return self.names.get(name, name)


def fingerprinted(name: str, digest: str) -> str:
    """Put the content hash before the extension: ``a/b.min.js`` -> ``a/b.min.<hash>.js``."""
    folder, _, base = name.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    base = f"{stem}.{digest}.{extension}" if dot and stem else f"{base}.{digest}"
    return f"{folder}/{base}" if folder else base


def build(source: Path, target: Path) -> Assets:
    """Copy every file of ``source`` under its fingerprinted name into ``target``, with the
    brotli and gzip copies worth having; return the names. Files already there are kept: a name
    says its content, so several processes starting at once write the same bytes."""
    assets = Assets(source, target)
    spare = target.parent / f".{target.name}-partial"
    spare.mkdir(parents=True, exist_ok=True)
    compressor = Compressor(quiet=True)
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        assets.names[name] = fingerprinted(name, digest)
        copy = target / assets.names[name]
        _write_once(copy, data, spare)
        if not compressor.should_compress(name):
            continue
        for suffix, compress, label in (
            (".br", compressor.compress_brotli, "Brotli"),
            (".gz", compressor.compress_gzip, "Gzip"),
        ):
            key = (digest, suffix)
            if key not in _compressed:
                packed = compress(data)
                effective = compressor.is_compressed_effectively(label, name, len(data), packed)
                _compressed[key] = packed if effective else None
            packed = _compressed[key]
            if packed is not None:
                _write_once(copy.with_name(copy.name + suffix), packed, spare)
    return assets


def _write_once(path: Path, data: bytes, spare: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # written aside, then renamed: another process never serves half a file
    temporary = spare / f"{path.name}.{os.getpid()}"
    temporary.write_bytes(data)
    os.replace(temporary, path)


def serve_static(app: Flask) -> Assets:
    """Serve ``/static/`` through WhiteNoise (fingerprinted names immutable, plain names for a
    minute) and make ``url_for('static', ...)`` give the fingerprinted names."""
    assert app.static_folder is not None
    source = Path(app.static_folder)
    assets = build(source, Path(app.instance_path) / "assets" / "static")

    def add_headers(headers: Headers, path: str, url: str) -> None:
        headers["X-Content-Type-Options"] = "nosniff"
        if path.startswith(f"{assets.build}{os.sep}") and FINGERPRINTED.search(url):
            headers["Cache-Control"] = IMMUTABLE

    files = WhiteNoise(
        app.wsgi_app,
        max_age=PLAIN_MAX_AGE,
        allow_all_origins=False,
        add_headers_function=add_headers,
    )
    files.add_files(str(source), prefix="static/")
    # every release's names stay served: a page loaded just before a restart still finds its files
    files.add_files(str(assets.build), prefix="static/")
    app.wsgi_app = files  # type: ignore[method-assign]

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = assets.url_name(values["filename"])

    app.extensions["live_assets"] = assets
    return assets


def compress_responses(app: Flask) -> None:
    """Compress the app's own responses (pages, JSON, exports) by what the client accepts."""
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    # a streamed response is passed as it is, never held back to be compressed
    app.config.setdefault("COMPRESS_STREAMS", False)
    Compress(app)
