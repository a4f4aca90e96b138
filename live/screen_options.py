"""The options of the screen's pages in their address (``?theme=light``, ``?scale=1.5``): read
leniently, since a projector or a stream shows whatever the page shows, never an error."""

from __future__ import annotations

import math
from collections.abc import Mapping

THEMES = ("dark", "light")
POSITIONS = ("bottom", "top")
# the overlay's size, as a multiple of its size in a 1920x1080 source
SCALES = (0.5, 2.0)


def screen_theme(args: Mapping[str, str]) -> str:
    """Return the theme asked for, or the default (dark)."""
    theme = args.get("theme")
    return theme if theme in THEMES else THEMES[0]


def overlay_scale(value: str | None) -> float:
    """Return the overlay's scale asked for, from 0.5 to 2; 1 for anything else."""
    try:
        scale = float(value or 1)
    except ValueError:
        return 1.0
    low, high = SCALES
    return scale if math.isfinite(scale) and low <= scale <= high else 1.0


def overlay_position(args: Mapping[str, str]) -> str:
    """Return where the overlay's panel goes, bottom (the default) or top."""
    position = args.get("position")
    return position if position in POSITIONS else POSITIONS[0]
