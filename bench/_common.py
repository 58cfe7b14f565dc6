"""Helpers shared by the benchmarks in bench/: servers as process groups, load generation, PostgreSQL scratch DBs.

A benchmark prints progress on stderr and exactly one JSON object as the last
line of stdout. Load comes from ``wrk`` (Debian package ``wrk``) when it is
installed, else from a small asyncio HTTP/1.1 keep-alive client in this file;
the result says which (``"tool"``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
VENV_BIN = REPO / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("HALL_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def log(msg: str) -> None:
    """Progress goes to stderr: stdout is reserved for the final JSON line."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def emit(result: dict) -> None:
    sys.stdout.flush()
    print(json.dumps(result, ensure_ascii=False, separators=(", ", ": ")), flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


@contextmanager
def scratch_dir(prefix: str):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if os.environ.get("HALL_BENCH_KEEP"):
            log(f"kept {path} (HALL_BENCH_KEEP)")
        else:
            shutil.rmtree(path, ignore_errors=True)


# -- servers ------------------------------------------------------------------


class Server:
    """A server started in its own process group (granian forks workers), always killed as a group."""

    def __init__(self, name: str, cmd: list[str], *, env: dict, cwd: Path, log_path: Path):
        self.name, self.cmd, self.env, self.cwd, self.log_path = name, cmd, env, cwd, log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Server":
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, url: str, headers: dict | None = None, timeout: float = 60.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} before it was ready:\n{self.log_tail()}"
                )
            try:
                r = httpx.get(url, headers=headers, timeout=2.0)
                if r.status_code < 500:
                    return
                last = f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s ({last}):\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            pgid = os.getpgid(self.proc.pid)
        except ProcessLookupError:
            pgid = None
        if pgid is not None:
            for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(pgid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    # the leader is gone; make sure no worker of the group survived it
                    try:
                        os.killpg(pgid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.proc = None
        self._log.close()


# -- load ---------------------------------------------------------------------


@dataclass
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors: int  # socket errors: connect, read, write, timeout
    bytes_min: int
    bytes_max: int
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


WRK_SCRIPT = r"""
-- Counts every status outside 2xx (wrk's own counter lets 3xx through) and the body sizes.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; minlen = -1; maxlen = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
  local n = #body
  if minlen < 0 or n < minlen then minlen = n end
  if n > maxlen then maxlen = n end
end
function done(summary, latency, requests)
  local b, lo, hi = 0, -1, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    local tl, th = t:get("minlen"), t:get("maxlen")
    if tl >= 0 and (lo < 0 or tl < lo) then lo = tl end
    if th > hi then hi = th end
  end
  local e = summary.errors
  io.write(string.format("WRKJSON {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p99_us\": %d, \"non_2xx\": %d, \"errors\": %d, \"bytes_min\": %d, \"bytes_max\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), b,
    e.connect + e.read + e.write + e.timeout, lo, hi))
end
"""


def load_tool(prefer: str = "auto") -> str:
    if prefer in ("auto", "wrk") and shutil.which("wrk"):
        return "wrk"
    if prefer == "wrk":
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    return "python"


def run_load(
    tool: str,
    url: str,
    headers: dict,
    *,
    connections: int,
    duration: float,
    threads: int = 2,
    timeout_s: float = 10.0,
    workdir: Path | None = None,
) -> LoadResult:
    if tool == "wrk":
        return _run_wrk(
            url,
            headers,
            connections=connections,
            duration=duration,
            threads=threads,
            timeout_s=timeout_s,
            workdir=workdir,
        )
    return asyncio.run(_run_python(url, headers, connections=connections, duration=duration, timeout_s=timeout_s))


def _run_wrk(url, headers, *, connections, duration, threads, timeout_s, workdir) -> LoadResult:
    script = Path(workdir or tempfile.gettempdir()) / "bench-status.lua"
    script.write_text(WRK_SCRIPT)
    cmd = [
        "wrk",
        "-t",
        str(max(1, min(threads, connections))),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(duration))}s",
        "--timeout",
        f"{timeout_s:g}s",
        "--latency",
        "-s",
        str(script),
    ]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout_s + 30)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    d = json.loads(line[len("WRKJSON ") :])
    secs = d["duration_us"] / 1e6
    return LoadResult(
        rps=d["requests"] / secs,
        p50_ms=d["p50_us"] / 1000,
        p99_ms=d["p99_us"] / 1000,
        requests=d["requests"],
        non_2xx=d["non_2xx"],
        errors=d["errors"],
        bytes_min=max(d["bytes_min"], 0),
        bytes_max=d["bytes_max"],
        seconds=secs,
    )


async def _run_python(url, headers, *, connections, duration, timeout_s, max_requests: int = 2_000_000) -> LoadResult:
    """Fallback load generator: ``connections`` keep-alive HTTP/1.1 connections in one asyncio loop.

    Bounded by ``duration`` and ``max_requests``; slower than wrk (the client
    shares the CPU with the servers), which is one more reason to read ratios.
    """
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    hdrs = {"Host": f"{host}:{port}", "User-Agent": "hall-bench", "Accept": "*/*", **headers}
    request = (f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n").encode(
        "latin-1"
    )
    latencies: list[float] = []
    counts = {"non_2xx": 0, "errors": 0, "bmin": -1, "bmax": 0, "n": 0}
    stop_at = time.monotonic() + duration

    async def read_response(reader) -> tuple[int, int]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for ln in lines[1:]:
            if ":" in ln:
                k, v = ln.split(":", 1)
                fields[k.strip().lower()] = v.strip()
        if "content-length" in fields:
            body = await reader.readexactly(int(fields["content-length"]))
            return status, len(body)
        if fields.get("transfer-encoding", "").lower() == "chunked":
            size = 0
            while True:
                n = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if n:
                    size += len(await reader.readexactly(n))
                await reader.readexactly(2)
                if n == 0:
                    return status, size
        raise RuntimeError("response without length")

    async def worker():
        reader = writer = None
        while time.monotonic() < stop_at and counts["n"] < max_requests:
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
                t0 = time.perf_counter()
                writer.write(request)
                status, size = await asyncio.wait_for(read_response(reader), timeout_s)
                latencies.append(time.perf_counter() - t0)
                counts["n"] += 1
                if not 200 <= status <= 299:
                    counts["non_2xx"] += 1
                counts["bmin"] = size if counts["bmin"] < 0 else min(counts["bmin"], size)
                counts["bmax"] = max(counts["bmax"], size)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, RuntimeError):
                counts["errors"] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    secs = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0

    return LoadResult(
        rps=len(latencies) / secs,
        p50_ms=pct(0.50),
        p99_ms=pct(0.99),
        requests=len(latencies),
        non_2xx=counts["non_2xx"],
        errors=counts["errors"],
        bytes_min=max(counts["bmin"], 0),
        bytes_max=counts["bmax"],
        seconds=secs,
    )


# -- PostgreSQL scratch databases -------------------------------------------------


def pg_url(database: str, admin_url: str = PG_ADMIN_URL) -> str:
    from core.testing.databases import pg_url_for

    return pg_url_for(database, admin_url)


async def create_pg_database(prefix: str = "hall_bench", admin_url: str = PG_ADMIN_URL) -> str:
    from core.testing.databases import create_scratch_database

    return await create_scratch_database(prefix, admin_url)


async def drop_pg_database(name: str, admin_url: str = PG_ADMIN_URL) -> None:
    from core.testing.databases import drop_database

    await drop_database(name, admin_url)
