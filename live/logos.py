"""A webinar's logo file: checked when the webinar file is read, and read again (when it changed)
to be served by live/branding.py. A PNG, JPEG, WebP or SVG file of at most ``MAX_LOGO_BYTES``,
whose first bytes are those of the type its name says."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .domain import InvalidInput

MAX_LOGO_BYTES = 512 * 1024
LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Logo:
    """A logo file's content, its content type and its content hash (the ETag)."""

    data: bytes
    mimetype: str
    digest: str


def read_logo(path: str | Path) -> Logo:
    """Read and check a logo file; raise ``InvalidInput`` saying what is wrong with it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in LOGO_TYPES:
        raise InvalidInput(f"the logo {path.name!r} must be a .png, .jpg, .webp or .svg file.")
    try:
        stat = path.stat()
    except OSError as error:
        raise InvalidInput(f"the logo {str(path)!r} cannot be read ({error.strerror}).") from error
    if stat.st_size > MAX_LOGO_BYTES:
        raise InvalidInput(f"the logo {path.name!r} is over {MAX_LOGO_BYTES // 1024} KB.")
    return _read(str(path), suffix, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _read(path: str, suffix: str, mtime_ns: int, size: int) -> Logo:
    # read again only when the file changed (its time or size): every page asks for its hash
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InvalidInput(f"the logo {path!r} cannot be read ({error.strerror}).") from error
    if len(data) > MAX_LOGO_BYTES or not _looks_like(data, suffix):
        raise InvalidInput(f"the logo {Path(path).name!r} is not a {suffix[1:].upper()} image.")
    return Logo(data, LOGO_TYPES[suffix], hashlib.sha256(data).hexdigest()[:16])


def _looks_like(data: bytes, suffix: str) -> bool:
    """Say whether the file's first bytes are those of the type its name says."""
    if suffix == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".jpg", ".jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if suffix == ".webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in data
