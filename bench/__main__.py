"""The benchmark's command line.

    python -m bench run S1 [--target live|gevent|baseline|node] [--attendees N] [--rate R]
                           [--duration S] [--questions Q] [--no-compress] [--json FILE]
                           [--root DIR] [--stalled N] [--aiohttp-client]
                                                  S6 and S6-kill: the reconnect storm
    python -m bench suite [--out FILE] [--quick]      S1-S7 and the floors, in one run
    python -m bench report FILE [--plot PNG]          tables (Markdown) and the plot from a suite
    python -m bench soak [--attendees N] [--minutes M] [--churn C] [--json FILE]
                                                      a long run with churn: memory, open files
    python -m bench pageload [--root DIR] [--questions N] [--runs R] [--json FILE]
                                                      S7: the attendee page over slow 4G

``make bench`` runs the suite and the report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import pageload
from .report import plot, summary, tables
from .scenario import SCENARIOS, Run, Scenario, pin_generator
from .soak import Soak, SoakRun
from .storm import StormRun
from .targets import (
    BaselineTarget,
    ExternalTarget,
    LiveTarget,
    NodeTarget,
    Target,
    node_available,
)

ROOT = Path(__file__).resolve().parent.parent


def cores_plan(processes: int) -> tuple[list[str | None], set[int] | None]:
    """Server cores and generator cores: apart where the machine has cores to spare."""
    count = os.cpu_count() or 1
    if processes == 1 and count >= 2:
        return ["0"], set(range(1, count))
    if processes >= 2 and count >= processes + 1:
        return [str(n) for n in range(processes)], set(range(processes, count))
    # not enough cores: server processes pinned apart, the generator shares them
    return (
        [str(n % count) for n in range(processes)] if count >= processes else [None] * processes
    ), None


def make_target(kind: str, processes: int, root: Path = ROOT) -> tuple[Target, set[int] | None]:
    server_cores, generator_cores = cores_plan(processes)
    if kind == "live":
        return LiveTarget(server_cores, "eventlet", root), generator_cores
    if kind == "gevent":
        return LiveTarget(server_cores, "gevent"), generator_cores
    if kind == "baseline":
        return BaselineTarget(server_cores[0]), generator_cores
    if kind == "node":
        return NodeTarget(server_cores[0]), generator_cores
    raise SystemExit(f"unknown target {kind!r}")


def run_one(
    scenario: Scenario, kind: str, external: Target | None = None, root: Path = ROOT
) -> dict[str, Any]:
    """Start the target, run the scenario against it, stop it; return the figures."""
    target, generator_cores = (
        make_target(kind, scenario.processes, root) if external is None else (external, {1})
    )
    pinned = pin_generator(generator_cores)
    # S6 restarts the server in the middle
    kind_of_run = StormRun if scenario.restart else Run
    try:
        result = run_async(kind_of_run(scenario, target).run())
    finally:
        target.stop()
        pin_generator(set(range(os.cpu_count() or 1)))
    print(file=sys.stderr)
    result["kind"] = kind
    result["pinned"] = pinned
    print(summary(result), file=sys.stderr)
    return result


def soak_once(plan: Soak) -> dict[str, Any]:
    """Start one app process, soak it, stop it; return the samples and the verdict figures."""
    target, generator_cores = make_target("live", 1)
    pinned = pin_generator(generator_cores)
    try:
        result = run_async(SoakRun(plan, target).run())
    finally:
        target.stop()
        pin_generator(set(range(os.cpu_count() or 1)))
    return {"machine": machine(), "pinned": pinned, **result}


def run_async(coroutine: Any) -> Any:
    """Run the generator on uvloop where it is installed: it halves the generator's own CPU."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
    }


def suite(quick: bool) -> dict[str, Any]:
    """Every scenario, the floors beside the app, and a sweep over attendees for the plot."""

    def sized(scenario: Scenario) -> Scenario:
        # --quick: a fifth of the attendees and a quarter of the duration, to try the suite out
        if not quick:
            return scenario
        return replace(
            scenario, attendees=max(50, scenario.attendees // 5), duration=scenario.duration / 4
        )

    s1, s2, s3, s4, s5, s6, s6_kill = (
        sized(SCENARIOS[name]) for name in ("S1", "S2", "S3", "S4", "S5", "S6", "S6-kill")
    )
    # S5 late join, and the same join into a webinar of 10 questions: their CPU per join compared
    s5_small = replace(s5, name="S5-10", questions=10)
    plan: list[tuple[Scenario, str]] = [
        (s1, "live"),
        (s1, "baseline"),
        (s2, "live"),
        (s2, "baseline"),
        (s2, "gevent"),
        (s3, "live"),
        (s4, "live"),
        (s5, "live"),
        (s5_small, "live"),
        # the reconnect storm, after SIGTERM and after kill -9 (about 3 minutes each)
        (s6, "live"),
        (s6_kill, "live"),
    ]
    if node_available():
        plan += [(s1, "node"), (s2, "node")]
    # the sweep: S2's load (100 actions per second, half ballots) at fewer attendees
    for attendees in (500, 2000):
        sweep = sized(
            replace(SCENARIOS["S2"], name=f"sweep-{attendees}", attendees=attendees, duration=30)
        )
        plan += [(sweep, "live"), (sweep, "baseline")]
    runs: list[dict[str, Any]] = []
    for scenario, kind in plan:
        print(f"== {scenario.name} on {kind}: {scenario.attendees} attendees", file=sys.stderr)
        try:
            runs.append(run_one(scenario, kind))
        except Exception as error:  # noqa: BLE001 (a failed run is a figure too)
            runs.append(
                {
                    "scenario": {"name": scenario.name, "attendees": scenario.attendees},
                    "kind": kind,
                    "error": f"{type(error).__name__}: {error}",
                }
            )
            print(f"   failed: {error}", file=sys.stderr)
    print("== S7 page load", file=sys.stderr)
    try:
        page_load = pageload.run(ROOT, None, 300, 1 if quick else 3, True)
    except Exception as error:  # noqa: BLE001 (no Chromium here, say so in the report)
        page_load = {"error": f"{type(error).__name__}: {error}"}
    return {
        "machine": machine(),
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "runs": runs,
        "pageload": page_load,
    }


def main(argv: list[str]) -> None:
    # each simulated attendee holds a socket: a file
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    parser = argparse.ArgumentParser(prog="python -m bench")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("run", help="one scenario against one target")
    one.add_argument("scenario", choices=sorted(SCENARIOS))
    one.add_argument("--target", default="live", choices=["live", "gevent", "baseline", "node"])
    one.add_argument("--attendees", type=int)
    one.add_argument("--rate", type=float)
    one.add_argument("--duration", type=float)
    one.add_argument("--questions", type=int, help="questions asked first (S5: its content)")
    one.add_argument(
        "--no-compress",
        dest="compress",
        action="store_false",
        help="do not offer per-message deflate (browsers do)",
    )
    one.add_argument(
        "--stalled",
        type=int,
        default=0,
        help="phones that stop reading halfway: the others' p99 before and after, the drops",
    )
    one.add_argument(
        "--aiohttp-client",
        dest="lean",
        action="store_false",
        help="attendees on aiohttp's WebSocket client (the generator before issue 17's 2nd round)",
    )
    one.add_argument("--json", type=Path)
    one.add_argument(
        "--url", help="drive a server started by hand (moderator key bench-moderator-key)"
    )
    one.add_argument("--pid", type=int, help="its process id, for CPU and memory")
    one.add_argument(
        "--root", type=Path, default=ROOT, help="the source tree whose server runs (before/after)"
    )
    everything = commands.add_parser("suite", help="every scenario and comparison")
    everything.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "suite.json")
    everything.add_argument(
        "--quick", action="store_true", help="a fifth of the attendees, shorter"
    )
    report = commands.add_parser("report", help="Markdown tables and the plot from a suite file")
    report.add_argument("file", type=Path)
    report.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks.png")
    soak = commands.add_parser("soak", help="a long run with churn: memory and open files")
    soak.add_argument("--attendees", type=int, default=Soak.attendees)
    soak.add_argument("--minutes", type=float, default=Soak.minutes)
    soak.add_argument("--churn", type=float, default=Soak.churn, help="leaving per second")
    soak.add_argument("--rate", type=float, default=Soak.rate, help="actions per second")
    soak.add_argument("--json", type=Path)
    load = commands.add_parser("pageload", help="S7: the attendee page on a phone over slow 4G")
    load.add_argument("--root", type=Path, default=ROOT, help="the source tree to serve")
    load.add_argument("--url", help="measure a server started by hand instead")
    load.add_argument("--questions", type=int, default=300)
    load.add_argument("--runs", type=int, default=3, help="fresh + repeat visits, medians")
    load.add_argument("--no-throttle", action="store_true", help="the network as it is")
    load.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    if args.command == "run":
        scenario = SCENARIOS[args.scenario]
        changes = {
            k: v
            for k, v in (
                ("attendees", args.attendees),
                ("rate", args.rate),
                ("duration", args.duration),
                ("questions", args.questions),
            )
            if v is not None
        }
        changes["compress"] = args.compress
        changes["stalled"] = args.stalled
        changes["lean"] = args.lean
        external = ExternalTarget(args.url, args.pid) if args.url else None
        result = run_one(replace(scenario, **changes), args.target, external, args.root.resolve())
        result["machine"] = machine()
        text = json.dumps(result, indent=2)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(text)
        print(text)
    elif args.command == "suite":
        results = suite(args.quick)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
        print(tables(results))
        print(f"\nwritten: {args.out}", file=sys.stderr)
    elif args.command == "soak":
        plan = Soak(args.attendees, args.minutes, args.churn, args.rate)
        plan = replace(plan, warm_up=min(plan.warm_up, plan.minutes * 60 / 4))
        result = soak_once(plan)
        text = json.dumps(result, indent=2)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(text)
        print(text)
    elif args.command == "pageload":
        result = pageload.run(
            args.root.resolve(), args.url, args.questions, args.runs, not args.no_throttle
        )
        result["machine"] = machine()
        print(pageload.summary(result), file=sys.stderr)
        text = json.dumps(result, indent=2)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(text)
        print(text)
    else:
        results = json.loads(args.file.read_text())
        print(tables(results))
        plot(results, args.plot)
        print(f"\nplot: {args.plot}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
