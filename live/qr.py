"""QR codes of the attendee URL: SVG and PNG for the pages, text for the terminal."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.pure
import qrcode.image.svg


def _code(url: str, border: int = 2) -> qrcode.QRCode:
    # medium error correction still scans from a projector across a room
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_svg(url: str) -> bytes:
    """Return an SVG image of the QR code (scales to any size without blurring)."""
    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return image.to_string(encoding="unicode").encode()


def qr_png(url: str, box_size: int = 10) -> bytes:
    """Return a PNG image of the QR code."""
    code = _code(url)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(image_factory=qrcode.image.pure.PyPNGImage).save(buffer)
    return buffer.getvalue()


def qr_text(url: str) -> str:
    """Return the QR code drawn with block characters, for printing in a terminal."""
    out = io.StringIO()
    _code(url, border=1).print_ascii(out=out, invert=True)
    return out.getvalue()
