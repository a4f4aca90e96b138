"""S7's page-load benchmark keeps working: a smoke run in Chromium against the real server.

No timing is asserted (see docs/BENCHMARKS.md for the figures): only that a fresh visit fetches
every file compressed under its fingerprinted name, cached for a year, and that a repeat visit
takes them all from the browser's cache.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from bench.report import tables

from .conftest import CHROMIUM, require_or_skip
from .servers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_a_repeat_visit_fetches_no_file_and_a_fresh_one_only_compressed_files(tmp_path):
    if not os.path.exists(CHROMIUM):
        require_or_skip("browser", f"{CHROMIUM} is not installed")
    out = tmp_path / "pageload.json"
    command = ["-m", "bench", "pageload", "--questions", "5", "--runs", "1", "--json", str(out)]
    run = subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text())
    fresh, repeat = result["fresh"], result["repeat"]

    files = [f for f in fresh["files"] if f["path"].startswith("static/")]
    names = {re.sub(r"\.[0-9a-f]{12}(?=\.\w+$)", "", f["path"]) for f in files}
    assert names == {
        "static/live.css",
        "static/i18n.js",
        "static/vendor/socket.io-4.8.1.min.js",
        "static/common.js",
        "static/polls.js",
        "static/attendee.js",
        "static/forget.js",
    }
    for file in files:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", file["path"]), file
        assert file["encoding"] in ("br", "gzip"), file
        assert file["cache_control"] == "public, max-age=31536000, immutable", file
    page = next(f for f in fresh["files"] if f["path"] == "e/nets4dem")
    assert page["encoding"] in ("br", "gzip")
    assert fresh["asset_requests"] == len(files) and fresh["websocket"]["frames"] > 0

    # the phone comes back: the page again, its files from the cache, the snapshot again
    assert repeat["asset_requests"] == 0 and repeat["assets_from_cache"] == len(files)
    assert [f["path"] for f in repeat["files"]] == ["e/nets4dem"]
    assert repeat["interactive_ms"] > 0 and repeat["websocket"]["frames"] > 0
    assert "S7 page load" in run.stderr  # the readable summary
    # the report's table (docs/BENCHMARKS.md) from a suite that holds this run
    table = tables({"runs": [], "pageload": result})
    assert "### Page load (S7, 5 questions, slow 4G)" in table
    assert "| repeat |" in table and f"| 0 ({len(files)} from the cache) |" in table
