"""The benchmark's generator keeps working: a small smoke run against the real server.

No timing is asserted here (timings on these machines are noisy; see docs/BENCHMARKS.md): only
that every attendee joins, every action is acknowledged, every effect is seen and every attendee
ends with exact counts.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.report import tables

from .servers import ROOT

pytestmark = pytest.mark.e2e


def test_smoke_run_of_the_load_generator(tmp_path):
    """With a phone that stops reading halfway (``--stalled``): the others still see everything,
    before and after."""
    out = tmp_path / "smoke.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "run", "smoke", "--stalled", "1", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["join"]["failures"] == 0
    assert result["attendees_connected"] == 50
    assert result["actions"]["acked"] == result["actions"]["sent"] == 30
    assert result["effects"]["seen"] == result["effects"]["expected"] > 0
    assert result["exact"] is True and result["disconnects"] == 0
    assert result["latency_ms"]["p99"] is not None
    assert result["cpu_us_per_delivered_update"] > 0
    assert result["client"] == "lean" and result["generator_us_per_delivered_update"] > 0
    stall = result["stall"]
    assert stall["stalled"] == 1
    seen = stall["others_before"]["effects"] + stall["others_while_stalled"]["effects"]
    assert seen == result["effects"]["seen"]
    assert stall["others_before"]["effects"] > 0 and stall["others_while_stalled"]["effects"] > 0
    halves = result["halves"]
    assert halves["first"]["effects"] + halves["second"]["effects"] == result["effects"]["seen"]
    assert "smoke on live" in run.stderr  # the readable summary


def test_smoke_run_of_the_late_join(tmp_path):
    """S5 in small: a webinar late in its life seeded through the protocol, then attendees join;
    every one of them gets a snapshot with the seeded content, and its bytes are counted."""
    out = tmp_path / "late.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "run", "smoke-S5", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text())
    join = result["join"]
    assert join["failures"] == 0 and join["snapshots_with_content"] == 40
    # offered per-message deflate like a browser: the wire carries less than the JSON decoded
    assert join["compressed"] is True
    assert 0 < join["wire_kb_per_attendee"] < join["snapshot_kb_decoded"]
    assert join["server_cpu_ms_per_join"] > 0
    # the report's table of late joins (docs/BENCHMARKS.md) shows the run
    table = tables({"runs": [result]}).split("### Late join (S5)")[1]
    row = next(line for line in table.splitlines() if line.startswith("| smoke-S5 |"))
    assert "| 130 | 40 |" in row and row.endswith("| 40/40 |")


@pytest.mark.parametrize("scenario", ["smoke-S6", "smoke-S6-kill"])
def test_smoke_run_of_the_reconnect_storm(tmp_path, scenario):
    """S6 in small: attendees of a seeded webinar are in, the server is stopped (SIGTERM, or
    kill -9) and started again; every attendee comes back by itself with its own token and gets a
    fresh snapshot with the content, none is lost, and the actions after count exactly."""
    out = tmp_path / "storm.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "run", scenario, "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text())
    storm = result["storm"]
    assert storm["connected_before"] == 40 and result["join"]["failures"] == 0
    assert storm["back"] == 40 and storm["lost"] == 0
    assert storm["fresh_snapshots_with_content"] == 40
    # while the server was away, the pages' attempts failed and they tried again
    assert storm["failed_attempts"] > 0
    after = result["after"]
    assert after["actions"]["acked"] > 0
    assert after["effects"]["seen"] == after["effects"]["expected"] > 0
    assert after["exact"] is True and after["attendees_connected"] == 40
    assert "restart" in run.stderr  # the readable summary
    table = tables({"runs": [result]}).split("### Reconnect storm (S6)")[1]
    row = next(line for line in table.splitlines() if line.startswith(f"| {scenario} |"))
    restart = "SIGTERM" if scenario == "smoke-S6" else "kill -9"
    assert f"| {restart} | 40 |" in row and "| 40/40 |" in row
