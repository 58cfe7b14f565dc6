"""A hall served by the real ``hall serve`` in a subprocess (its own process group, always killed), for tests.

``with served_hall(config, workers=2) as served:`` starts it on a free port,
waits (polling, with a generous safety net) until ``/healthz`` answers, and
on the way out stops the whole group - granian's workers included.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from core.testing.mail import free_port

STARTUP = 120.0  # seconds: a safety net for a loaded machine, not a performance limit


@dataclass
class ServedHall:
    proc: subprocess.Popen
    url: str
    log: Path

    def get(self, path: str, host: str | None = None, timeout: float = 10) -> tuple[int, str]:
        """(status, body) of a GET; ``host`` sets the Host header (the tenant)."""
        request = urllib.request.Request(self.url + path, headers={"Host": host} if host else {})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def workers(self) -> list[int]:
        """Pids of the server's child processes (granian's workers), from /proc."""
        return children(self.proc.pid)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...
        if fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def wait_for(condition, what: str, timeout: float = STARTUP, every: float = 0.1):
    """Poll ``condition()`` until it returns something truthy; fail after ``timeout`` (a safety net)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting ({timeout:.0f} s) for {what}")


def _healthy(served: ServedHall) -> bool:
    if served.proc.poll() is not None:
        raise AssertionError(f"`hall serve` exited with {served.proc.returncode}:\n{served.output()[-4000:]}")
    try:
        return served.get("/healthz", timeout=2)[0] == 200
    except OSError:
        return False


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left of it."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


PORT_TAKEN = "is already in use by another server"  # core.cli.serve's refusal
PORT_TRIES = 5


def listening_on(log: Path, port: int) -> bool:
    """Whether this server's own log says it bound ``port`` (granian's "Listening at" line).

    ``/healthz`` answering is not enough: on Linux granian binds with ``SO_REUSEPORT``,
    so another server that got the same free port would answer it too.
    """
    return f"Listening at: http://127.0.0.1:{port}" in log.read_text(encoding="utf-8", errors="replace")


def spawn_serve(config: Path, log_named, *, workers: int, env: dict, cwd: Path) -> tuple[subprocess.Popen, int, Path]:
    """``hall serve`` on a free port, its output in ``log_named(port)``: (process, port, log).

    A port another process took between the pick and the bind (``hall serve``
    refuses it, core.cli.serve.port_taken) is given up for a new one.
    """
    hall_bin = Path(sys.executable).with_name("hall")
    assert hall_bin.exists(), f"no `hall` command next to {sys.executable} (pip install -e .)"
    for _ in range(PORT_TRIES):
        port = free_port()
        log = log_named(port)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(hall_bin), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                cwd=cwd,
                env={**env, "HALL_CONFIG": str(config), "PYTHONUNBUFFERED": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        wait_for(
            lambda proc=proc, log=log, port=port: proc.poll() is not None or listening_on(log, port),
            "`hall serve` to bind its port",
        )
        if proc.poll() is None or PORT_TAKEN not in log.read_text(encoding="utf-8", errors="replace"):
            return proc, port, log
    raise AssertionError(f"`hall serve` found {PORT_TRIES} free ports taken before it could bind them")


@contextlib.contextmanager
def served_hall(config: Path, *, workers: int = 1, env: dict | None = None):
    environment = {k: v for k, v in (env or os.environ).items() if not k.startswith("HALL_")}
    proc, port, log = spawn_serve(
        config, lambda port: config.parent / f"serve-{port}.log", workers=workers, env=environment, cwd=config.parent
    )
    served = ServedHall(proc, f"http://127.0.0.1:{port}", log)
    try:
        wait_for(lambda: _healthy(served), "/healthz of `hall serve`")
        yield served
    finally:
        stop(proc)
