"""Readable summaries, Markdown tables and the plot of benchmark results."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def storm_summary(result: dict[str, Any]) -> str:
    """Say in a few lines what one S6 run measured."""
    s, storm, after = result["scenario"], result["storm"], result["after"]
    windows = ", ".join(f"{w['from_s']}s {w['p99_ms']}" for w in result["latency_windows"])
    return "\n".join(
        [
            f"{s['name']} on {result['target']}: {s['attendees']} attendees, "
            f"restart {s['restart']}",
            f"  listening again after {storm['listening_after_seconds']} s; "
            f"{storm['back']}/{storm['connected_before']} back after "
            f"{storm['last_back_seconds']} s, {storm['lost']} lost, "
            f"{storm['fresh_snapshots_with_content']} fresh snapshots with the content",
            f"  failed attempts: {storm['failed_attempts']} {storm['failed_by_code']}",
            f"  after: {after['actions']['acked']}/{after['actions']['sent']} acked "
            f"{after['refused_by_code']}; p99 {after['latency_ms']['p99']} ms; "
            f"exact {after['exact_attendees']}/{after['attendees_connected']}",
            f"  p99 ms by 10 s window: {windows}; under 1 s from "
            f"{result['p99_under_1s_from_seconds']} s",
        ]
    )


def summary(result: dict[str, Any]) -> str:
    """Say in a few lines what one run measured."""
    if "storm" in result:
        return storm_summary(result)
    s = result["scenario"]
    lines = [f"{s['name']} on {result['target']}: {s['attendees']} attendees"]
    join = result["join"]
    lines.append(
        f"  join: {join['per_second']}/s over {join['seconds']} s, {join['failures']} failed, "
        f"p50 {join['latency_p50_ms']} ms, p99 {join['latency_p99_ms']} ms"
    )
    if join.get("server_cpu_ms_per_join") is not None:
        lines.append(
            f"  {join['server_cpu_ms_per_join']} ms server CPU per join, "
            f"{join.get('wire_kb_per_attendee')} KB on the wire per attendee, snapshot "
            f"{join.get('snapshot_kb_decoded')} KB of JSON"
        )
    lines.append(
        f"  memory: {result['memory_per_attendee_kb']} KB per attendee "
        f"({result['server_rss_mb']} MB in all)"
    )
    if "latency_ms" in result:
        lat, act = result["latency_ms"], result["actions"]
        lines.append(f"  actions: {act['acked']}/{act['sent']} acked at {act['per_second']}/s")
        lines.append(
            f"  latency: p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms, "
            f"max {lat['max']} ms; effects seen "
            f"{result['effects']['seen']}/{result['effects']['expected']}"
        )
        lines.append(
            f"  exact counts: {result['exact_attendees']}/{result['attendees_connected']}; "
            f"disconnects {result['disconnects']}"
        )
        lines.append(
            f"  server CPU {result['server_cpu_share']:.0%}, "
            f"{result['cpu_us_per_delivered_update']} µs per delivered update "
            f"({result['updates_delivered']} delivered, "
            f"{result['updates_per_attendee_per_second']}/attendee/s)"
        )
        bound = (
            " — THE GENERATOR WAS THE BOTTLENECK: this run does not count"
            if result["generator_bound"]
            else ""
        )
        lines.append(f"  generator CPU {result['generator_cpu']:.0%}{bound}")
    return "\n".join(lines)


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join("" if c is None else str(c) for c in cells) + " |"


def tables(results: dict[str, Any]) -> str:
    """The Markdown tables of docs/BENCHMARKS.md."""
    runs = [r for r in results["runs"] if "error" not in r]
    out = [
        "### Vote storms",
        "",
        _row(
            [
                "scenario",
                "server",
                "attendees",
                "actions/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "exact",
                "disconnects",
                "server CPU",
                "µs CPU per update",
                "updates/attendee/s",
                "KB per attendee",
                "generator CPU",
            ]
        ),
        _row(["---"] * 15),
    ]
    for r in runs:
        if "latency_ms" not in r:
            continue
        lat = r["latency_ms"]
        bound = " (bottleneck)" if r["generator_bound"] else ""
        out.append(
            _row(
                [
                    r["scenario"]["name"],
                    r["target"],
                    r["attendees_connected"],
                    r["actions"]["per_second"],
                    lat["p50"],
                    lat["p95"],
                    lat["p99"],
                    lat["max"],
                    f"{r['exact_attendees']}/{r['attendees_connected']}",
                    r["disconnects"],
                    f"{r['server_cpu_share']:.0%}",
                    r["cpu_us_per_delivered_update"],
                    r["updates_per_attendee_per_second"],
                    r["memory_per_attendee_kb"],
                    f"{r['generator_cpu']:.0%}{bound}",
                ]
            )
        )
    out += [
        "",
        "### Joining",
        "",
        _row(
            [
                "scenario",
                "server",
                "attendees",
                "joined/s",
                "seconds",
                "failures",
                "p50 ms",
                "p99 ms",
                "generator CPU",
            ]
        ),
        _row(["---"] * 9),
    ]
    for r in runs:
        j = r["join"]
        out.append(
            _row(
                [
                    r["scenario"]["name"],
                    r["target"],
                    r["scenario"]["attendees"],
                    j["per_second"],
                    j["seconds"],
                    j["failures"],
                    j["latency_p50_ms"],
                    j["latency_p99_ms"],
                    f"{j['generator_cpu']:.0%}",
                ]
            )
        )
    out += late_join_table(runs) + storm_table(runs) + page_load_table(results.get("pageload"))
    failed = [r for r in results["runs"] if "error" in r]
    if failed:
        out += [
            "",
            "Runs that failed: "
            + "; ".join(f"{r['scenario']['name']} on {r['kind']}: {r['error']}" for r in failed),
        ]
    return "\n".join(out)


def late_join_table(runs: list[dict[str, Any]]) -> list[str]:
    """S5: joins into a webinar late in its life, against the same joins with 10 questions."""
    late = [r for r in runs if "storm" not in r and r["scenario"].get("content")]
    if not late:
        return []
    # the CPU per join of the 10-question run of the same server, for the ratio
    small = {
        r["target"]: r["join"]["server_cpu_ms_per_join"]
        for r in late
        if r["scenario"].get("questions") == 10
    }
    out = [
        "",
        "### Late join (S5)",
        "",
        _row(
            [
                "scenario",
                "server",
                "questions",
                "attendees",
                "joined/s",
                "failures",
                "p50 ms",
                "p99 ms",
                "ms CPU per join",
                "against 10 questions",
                "KB on the wire",
                "snapshot KB (JSON)",
                "snapshots with the content",
            ]
        ),
        _row(["---"] * 13),
    ]
    for r in late:
        j, s = r["join"], r["scenario"]
        base = small.get(r["target"])
        ratio = f"{j['server_cpu_ms_per_join'] / base:.2f}x" if base else None
        out.append(
            _row(
                [
                    s["name"],
                    r["target"],
                    s["questions"],
                    s["attendees"],
                    j["per_second"],
                    j["failures"],
                    j["latency_p50_ms"],
                    j["latency_p99_ms"],
                    j["server_cpu_ms_per_join"],
                    ratio,
                    j.get("wire_kb_per_attendee"),
                    j.get("snapshot_kb_decoded"),
                    f"{j['snapshots_with_content']}/{s['attendees']}",
                ]
            )
        )
    return out


def storm_table(runs: list[dict[str, Any]]) -> list[str]:
    """S6: the server restarted under thousands of attendees, and the minute after."""
    storms = [r for r in runs if "storm" in r]
    if not storms:
        return []
    out = [
        "",
        "### Reconnect storm (S6)",
        "",
        _row(
            [
                "scenario",
                "restart",
                "attendees",
                "stopping s",
                "listening after s",
                "all back after s",
                "lost",
                "fresh snapshots with the content",
                "failed attempts",
                "p99 ms per 10 s after the signal",
                "p99 under 1 s from",
                "exact after",
            ]
        ),
        _row(["---"] * 12),
    ]
    for r in storms:
        storm, after = r["storm"], r["after"]
        failed = ", ".join(f"{n} {code}" for code, n in storm["failed_by_code"].items())
        settled = r["p99_under_1s_from_seconds"]
        out.append(
            _row(
                [
                    r["scenario"]["name"],
                    "SIGTERM" if storm["restart"] == "term" else "kill -9",
                    storm["connected_before"],
                    storm["stopping_seconds"],
                    storm["listening_after_seconds"],
                    storm["all_back_seconds"] if storm["all_back_seconds"] is not None else "—",
                    storm["lost"],
                    f"{storm['fresh_snapshots_with_content']}/{storm['back']}",
                    f"{storm['failed_attempts']} ({failed})" if failed else 0,
                    _windows(r["latency_windows"]),
                    "never" if settled is None else f"{settled} s",
                    f"{after['exact_attendees']}/{after['attendees_connected']}",
                ]
            )
        )
    return out


def _windows(windows: list[dict[str, Any]]) -> str:
    """The p99 of each 10 s window, from the first one with effects ("20 s: 980, 640")."""
    if not windows:
        return "none"
    return f"{windows[0]['from_s']} s: " + ", ".join(str(w["p99_ms"]) for w in windows)


def page_load_table(result: dict[str, Any] | None) -> list[str]:
    """S7: the attendee page on slow 4G, a fresh and a repeat visit (medians of the runs)."""
    if not result:
        return []
    if "error" in result:
        return ["", f"S7 page load did not run: {result['error']}"]
    out = [
        "",
        f"### Page load (S7, {result['questions']} questions, slow 4G)",
        "",
        _row(["visit", "KB on the wire", "requests", "requests for files", "interactive ms"]),
        _row(["---"] * 5),
    ]
    for kind in ("fresh", "repeat"):
        v = result[kind]
        files = f"{v['asset_requests']} ({v['assets_from_cache']} from the cache)"
        out.append(
            _row([kind, round(v["bytes"] / 1024, 1), v["requests"], files, v["interactive_ms"]])
        )
    return out


def plot(results: dict[str, Any], path: Path) -> None:
    """Plot p99 latency and CPU per delivered update against the number of attendees."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[str, list[tuple[int, float, float, bool]]] = {}
    for r in results["runs"]:
        name = r.get("scenario", {}).get("name", "")
        if "error" in r or "latency_ms" not in r or not (name.startswith("sweep") or name == "S2"):
            continue
        series.setdefault(r["target"], []).append(
            (
                r["attendees_connected"],
                r["latency_ms"]["p99"],
                r["cpu_us_per_delivered_update"],
                r["generator_bound"],
            )
        )
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    for target, points in sorted(series.items()):
        points.sort()
        xs = [p[0] for p in points]
        line = left.plot(xs, [p[1] for p in points], marker="o", label=target)[0]
        right.plot(xs, [p[2] for p in points], marker="o", label=target, color=line.get_color())
        # hollow: the generator was the bottleneck, the run does not count
        bound = [p for p in points if p[3]]
        for axis, index in ((left, 1), (right, 2)):
            axis.scatter(
                [p[0] for p in bound],
                [p[index] for p in bound],
                s=90,
                facecolors="white",
                edgecolors=line.get_color(),
                zorder=3,
            )
    left.set(
        title="p99 latency at 100 actions/s (log scale)",
        xlabel="attendees",
        ylabel="ms",
        yscale="log",
    )
    left.axhline(1000, color="grey", linestyle="--", linewidth=0.8)
    right.set(title="server CPU per delivered update", xlabel="attendees", ylabel="µs")
    for axis in (left, right):
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.text(
        0.5,
        0.01,
        "hollow points: the load generator was the bottleneck (the run does not count)",
        ha="center",
        fontsize=8,
    )
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
