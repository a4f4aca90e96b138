"""Colours: WCAG 2.1 contrast, to refuse a webinar's accent colour that its text cannot be read on.

Pure functions (no IO), used by the domain when a webinar is built. The accent is drawn behind
white text (buttons, badges, the overlay's name plate) and as text on white (links), so one
ratio against white decides both.
"""

from __future__ import annotations

import re

from .msgids import N_

HEX = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})", re.IGNORECASE)
# the text drawn on the accent colour
ACCENT_INK = "#ffffff"
# WCAG 2.1 AA for normal text
MIN_CONTRAST = 4.5


def normal_hex(colour: str) -> str:
    """Return a colour as lowercase ``#rrggbb`` (``#abc`` -> ``#aabbcc``); raise ``ValueError``
    if it is not a hex colour."""
    colour = colour.strip()
    if not HEX.fullmatch(colour):
        raise ValueError(f"{colour!r} is not a hex colour such as #0b5cad.")
    digits = colour[1:].lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return f"#{digits}"


def relative_luminance(colour: str) -> float:
    """Return the WCAG 2.1 relative luminance of a hex colour: 0 for black, 1 for white."""
    digits = normal_hex(colour)[1:]
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG 2.1 contrast ratio of two hex colours, from 1 (the same) to 21."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def accent_refusal(colour: str) -> tuple[str, dict[str, str]] | None:
    """Say what is wrong with an accent colour (not hex, or too light for the white text drawn on
    it) as a message of the catalogue and its values; None if it can be used."""
    try:
        colour = normal_hex(colour)
    except ValueError:
        return N_('The accent colour %(colour)s is not a hex colour such as "#0b5cad".'), {
            "colour": repr(colour.strip())
        }
    ratio = contrast_ratio(colour, ACCENT_INK)
    if ratio < MIN_CONTRAST:
        # rounded down: a ratio of 4.46 must not read as the 4.5 it misses
        shown = int(ratio * 100) / 100
        return (
            N_(
                "The accent colour %(colour)s has a contrast of %(contrast)s:1 with the white "
                "text drawn on it; it needs at least %(minimum)s:1 (choose a darker colour)."
            ),
            {"colour": colour, "contrast": f"{shown:.2f}", "minimum": str(MIN_CONTRAST)},
        )
    return None
