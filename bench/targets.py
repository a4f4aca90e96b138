"""The servers a benchmark drives: the app (one process, or two on Redis), and the two floors.

Each target starts its processes pinned to the given cores (``taskset``, where there are cores to
spare), says where attendees connect, and which process ids to measure for CPU and memory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-moderator-key"
CODE = "nets4dem"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pinned(command: list[str], cores: str | None) -> list[str]:
    return ["taskset", "-c", cores, *command] if cores and shutil.which("taskset") else command


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


class Target:
    """Processes serving one benchmark run."""

    name = "target"
    moderated = False  # True: questions and the poll are set up through the protocol

    def __init__(self, root: Path = ROOT) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="live-bench-"))
        # the source tree whose server runs (another commit's, for before/after figures)
        self.root = root
        # how each process was started, to start it again (``restart``)
        self.spawned: list[tuple[list[str], str | None, dict[str, str] | None, str]] = []

    def _spawn(
        self,
        command: list[str],
        cores: str | None,
        env: dict[str, str] | None = None,
        log: str = "server.log",
    ) -> subprocess.Popen[bytes]:
        with open(self.workdir / log, "ab") as out:
            process = subprocess.Popen(
                pinned(command, cores),
                cwd=self.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )
        self.processes.append(process)
        self.spawned.append((command, cores, env, log))
        return process

    def restart(self, n: int, how: int = signal.SIGTERM) -> float:
        """Stop process ``n`` with the signal ``how`` (SIGTERM: gracefully; SIGKILL), wait for it
        to exit, start it again the same way (same port, same store); return the seconds it was
        stopping (from the signal to its exit)."""
        process = self.processes[n]
        signalled = time.monotonic()
        process.send_signal(how)
        process.wait(30)
        stopped = time.monotonic() - signalled
        command, cores, env, log = self.spawned[n]
        self.processes[n] = self._spawn(command, cores, env, log)
        self.processes.pop()
        self.spawned.pop()
        return stopped

    @property
    def pids(self) -> list[int]:
        """The processes whose CPU and memory count as the server's."""
        return [p.pid for p in self.processes]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


class LiveTarget(Target):
    """The app: ``processes`` run.py processes (on Redis when more than one)."""

    moderated = True

    def __init__(
        self, cores: list[str | None], async_mode: str = "eventlet", root: Path = ROOT
    ) -> None:
        super().__init__(root)
        shared = f", {len(cores)} processes + Redis" if len(cores) > 1 else ""
        self.name = f"live ({async_mode}{shared})"
        env = {
            "LIVE_MODERATOR_KEY": KEY,
            "LIVE_ASYNC_MODE": async_mode,
            "LIVE_ACCESS_LOG": "false",
            # the generator is thousands of browsers behind one address
            "LIVE_NEW_PARTICIPANTS_PER_MINUTE": "0",
            "LIVE_QUESTIONS_PER_MINUTE": "0",
            # the default webinar is past its retention period: a restart (S6) must not purge it
            "LIVE_PURGE": "false",
            "PYTHONUNBUFFERED": "1",
        }
        if len(cores) > 1:
            port = free_port()
            redis = self._spawn(
                [
                    "redis-server",
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.workdir),
                ],
                None,
                log="redis.log",
            )
            self.redis_pid = redis.pid
            time.sleep(0.5)
            env["LIVE_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        for n, cores_of_process in enumerate(cores):
            port = free_port()
            folder = self.workdir / f"p{n}"
            folder.mkdir()
            process = self._spawn(
                [sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(port)],
                cores_of_process,
                {**env, "LIVE_INSTANCE_PATH": str(folder)},
                log=f"live-{n}.log",
            )
            self.urls.append(f"http://127.0.0.1:{port}")
            wait_http(f"{self.urls[-1]}/healthz", process)


class BaselineTarget(Target):
    """The python-socketio floor: one message per vote to everyone."""

    name = "baseline python-socketio (eventlet)"

    def __init__(self, cores: str | None) -> None:
        super().__init__()
        port = free_port()
        process = self._spawn([sys.executable, "-m", "bench.baseline", "--port", str(port)], cores)
        self.urls.append(f"http://127.0.0.1:{port}")
        wait_http(f"{self.urls[0]}/healthz", process)


class ExternalTarget(Target):
    """A server started by hand (for example under a profiler): ``--url`` and ``--pid``."""

    moderated = True

    def __init__(self, url: str, pid: int) -> None:
        super().__init__()
        self.name = f"external {url}"
        self.urls.append(url)
        self._pid = pid

    @property
    def pids(self) -> list[int]:
        return [self._pid]


NODE_DIR = ROOT / "bench" / "node"


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def install_node_baseline() -> None:
    """Install socket.io into bench/node/node_modules (never committed) from the npm registry."""
    if not (NODE_DIR / "node_modules" / "socket.io").exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR)],
            check=True,
            cwd=NODE_DIR,
            stdout=subprocess.DEVNULL,
        )


class NodeTarget(Target):
    """The reference Node socket.io server, same floor."""

    name = "baseline Node socket.io"

    def __init__(self, cores: str | None) -> None:
        super().__init__()
        install_node_baseline()
        port = free_port()
        process = self._spawn(["node", str(NODE_DIR / "server.js"), str(port)], cores)
        self.urls.append(f"http://127.0.0.1:{port}")
        wait_http(f"{self.urls[0]}/healthz", process)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
