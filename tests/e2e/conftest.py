"""Browser tests' shared set-up: a demo-like hall served by the real ``hall serve``, and Debian's Chromium.

The hall is built the way ``hall demo`` builds one, but in a temporary folder:
the repository's hall.toml and demo tenants (patched: SQLite file in tmp, mail
to a MailSink, a fresh demo legacy database per tenant), migrated, customers
synced, one operator per tenant who may read the message outbox. It is served
by a ``hall serve`` subprocess (granian, one worker) that is always killed.
Both the hall and the browser are module-scoped: the tests of a module share them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_TENANTS = ("jiangnan", "haibin")  # the repository's demo tenants this hall serves
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
OPERATOR_USER = "e2e-ops"
OPERATOR_PASSWORD = "E2e-operator-2026!"
SERVER_START_TIMEOUT = 30.0


# --- TOML out (the stdlib reads TOML but does not write it) ---------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def dump_toml(data: dict, path: tuple[str, ...] = (), header: str = "") -> str:
    """Serialise what ``tomllib`` read (comments are lost; this is a throw-away copy)."""
    lines = [header] if header else []
    tables: list[tuple[str, dict]] = []
    arrays: list[tuple[str, list]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            arrays.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for key, value in tables:
        sub = path + (key,)
        out += "\n" + dump_toml(value, sub, "[" + ".".join(_toml_key(k) for k in sub) + "]")
    for key, items in arrays:
        sub = path + (key,)
        for item in items:
            out += "\n" + dump_toml(item, sub, "[[" + ".".join(_toml_key(k) for k in sub) + "]]")
    return out


# --- the hall --------------------------------------------------------------------------------------


@dataclass
class LiveHall:
    """A served hall: ``base(tenant)`` is the tenant's URL prefix on 127.0.0.1."""

    url: str
    root: Path
    config: Path
    mail: Any  # core.testing.MailSink
    customers: dict[str, list]  # tenant id -> [core.demo.legacy_db.DemoCustomer]
    languages: dict[str, str]  # tenant id -> default language
    log: Path
    synced: dict[str, Any] = field(default_factory=dict)  # tenant id -> SyncResult
    operator: tuple[str, str] = (OPERATOR_USER, OPERATOR_PASSWORD)  # may read each tenant's message outbox
    healthz_status: int = 200

    def base(self, tenant_id: str) -> str:
        return f"{self.url}/t/{tenant_id}"

    def server_log(self, tail: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-tail:]
        except OSError:
            return "(no server log)"


def _write_hall(root: Path, mail_port: int, setup: Callable | None = None) -> tuple[Path, dict[str, list]]:
    """Copy hall.toml and the demo tenants, patched like ``hall demo`` would set them up, into ``root``.

    ``setup(root, tenant_id, data)``, when given, may change a tenant's parsed tenant.toml before it is written
    (a test module's ``live_hall_setup``, e.g. the payment gateway and its secrets).
    """
    from core.demo.era import FIXED_END_MONTH
    from core.demo.legacy_db import generate_legacy_db

    deployment = tomllib.loads((REPO / "hall.toml").read_text(encoding="utf-8"))
    deployment.setdefault("hall", {}).update(tenants_dir="tenants", themes_dir=str(REPO / "themes"), var_dir="var")
    deployment.setdefault("database", {})["url"] = f"sqlite:///{root / 'hall.sqlite3'}"
    deployment.setdefault("mail", {}).update(host="127.0.0.1", port=mail_port)
    deployment.get("security", {}).pop("secret_key", None)  # the secret comes from the environment
    config = root / "hall.toml"
    config.write_text(dump_toml(deployment), encoding="utf-8")

    customers: dict[str, list] = {}
    for tid in E2E_TENANTS:
        folder = root / "tenants" / tid
        shutil.copytree(REPO / "tenants" / tid, folder)
        tenant_file = folder / "tenant.toml"
        data = tomllib.loads(tenant_file.read_text(encoding="utf-8"))
        connector = data.get("connector", {})
        assert connector.get("type") == "sqlbss", f"tenants/{tid}: the browser tests expect the sqlbss demo connector"
        legacy = root / "legacy" / f"{tid}.sqlite3"
        customers[tid] = generate_legacy_db(
            legacy,
            end_month=FIXED_END_MONTH,
            seed=zlib.crc32(tid.encode()) % 10_000,
            subscribers=50,
            style=connector.get("demo_style") or tid,
        )
        connector["url"] = f"sqlite:///{legacy}"
        if setup is not None:
            setup(root, tid, data)
        tenant_file.write_text(dump_toml(data), encoding="utf-8")
    return config, customers


async def _prepare(config: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """Migrate, sync customers and add an outbox-reading operator per tenant, with the project's own functions."""
    from core.auth.admin import ensure_operator
    from core.db.migrate import migrate
    from core.hall import Hall
    from core.legacy.customer_sync import sync_customers

    hall = Hall.from_config(config)
    await hall.db.connect()
    try:
        await migrate(hall)
        synced = {}
        for tenant in hall.tenants:
            connector = hall.connector(tenant)
            assert connector is not None, f"tenant {tenant.id} has no connector"
            synced[tenant.id] = await sync_customers(tenant, connector, secret=hall.secret)
            await ensure_operator(
                tenant, OPERATOR_USER, "E2E operator", OPERATOR_PASSWORD, "e2e-outbox", ["core.messages.view"]
            )
        return {t.id: t.language for t in hall.tenants}, synced
    finally:
        for connector in hall.connectors.values():
            try:
                await connector.close()
            except Exception:  # noqa: BLE001 - best effort
                pass
        await hall.db.disconnect()


def _hall_environment(base: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment without anyone else's HALL_* settings, plus ours."""
    env = {k: v for k, v in base.items() if not k.startswith("HALL_")}
    env.update(extra)
    return env


def _run_with_env(env: dict[str, str], fn: Callable[[], Any]) -> Any:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        return fn()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _no_proxy_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _status(opener: urllib.request.OpenerDirector, url: str) -> int | None:
    """The HTTP status of ``url``, or None when nothing answers yet."""
    try:
        with opener.open(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _wait_ready(proc: subprocess.Popen, url: str, log: Path) -> int:
    """Wait until /healthz answers 200; return its status.

    Should /healthz answer but not with 200, the server is up all the same: it
    is then taken as ready once a tenant's home page answers 200, and the
    broken health check is reported as a warning rather than hiding every
    browser test behind it.
    """
    opener = _no_proxy_opener()
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    health = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"`hall serve` exited with {proc.returncode} before /healthz answered:\n"
                + log.read_text(encoding="utf-8", errors="replace")[-4000:]
            )
        health = _status(opener, f"{url}/healthz")
        if health == 200:
            return health
        if health is not None and _status(opener, f"{url}/t/{E2E_TENANTS[0]}/") == 200:
            warnings.warn(
                f"`hall serve`: GET /healthz answered HTTP {health}, not 200 (server log: {log}); "
                "the browser tests went on once the tenant home page answered 200",
                stacklevel=1,
            )
            return health
        time.sleep(0.1)
    raise RuntimeError(
        f"`hall serve` was not ready within {SERVER_START_TIMEOUT}s (last /healthz status: {health}):\n"
        + log.read_text(encoding="utf-8", errors="replace")[-4000:]
    )


def _wait_for_first_jobs(proc: subprocess.Popen, log: Path) -> None:
    """Wait until the hall's first round of periodic jobs has run.

    At start every periodic job runs once, the customer sync and the
    reconciliation among them: a test that seeds hall rows behind the demo
    BSS's back before they ran would see them repaired back to the BSS's.
    """
    from core.jobs.runner import FIRST_ROUND_DONE

    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if FIRST_ROUND_DONE in log.read_text(encoding="utf-8", errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(
        f"`hall serve` did not finish its first round of periodic jobs within {SERVER_START_TIMEOUT}s:\n"
        + log.read_text(encoding="utf-8", errors="replace")[-4000:]
    )


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and its granian workers: the whole process group it leads."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # leftovers (workers) even when the leader is gone
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


@pytest.fixture(scope="module")
def live_hall_setup() -> Callable | None:
    """Override in a test module to change the demo tenants before the hall starts: ``fn(root, tenant_id, data)``."""
    return None


@pytest.fixture(scope="module")
def live_hall(tmp_path_factory, live_hall_setup) -> LiveHall:
    from core.testing import MailSink
    from core.testing.served import spawn_serve

    root = tmp_path_factory.mktemp("e2e-hall")
    secret = "e2e-" + secrets.token_urlsafe(32)
    mail = MailSink().start()
    proc = None
    try:
        config, customers = _write_hall(root, mail.port, live_hall_setup)
        env = _hall_environment(dict(os.environ), HALL_SECURITY__SECRET_KEY=secret)
        # The set-up is async; run it on its own thread so no event loop (Playwright's included) is in the way.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            languages, synced = _run_with_env(env, lambda: pool.submit(asyncio.run, _prepare(config)).result())
        proc, port, log = spawn_serve(config, lambda _port: root / "server.log", workers=1, env=env, cwd=root)
        url = f"http://127.0.0.1:{port}"
        health = _wait_ready(proc, url, log)
        _wait_for_first_jobs(proc, log)
        yield LiveHall(
            url=url,
            root=root,
            config=config,
            mail=mail,
            customers=customers,
            languages=languages,
            log=log,
            synced=synced,
            healthz_status=health,
        )
    finally:
        if proc is not None:
            _stop(proc)
        mail.stop()


# --- the browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need the playwright package")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shoot() -> Callable[..., Path]:
    """``shoot(page, tenant, step)`` saves test-artifacts/screenshots/<tenant>-<step>.png (whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, tenant: str, step: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{tenant}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
