"""hall demo: a complete demo hall, from nothing, in one command (embedded SQLite, or PostgreSQL via HALL_DATABASE__URL).

Writes a secrets file when there is none, generates a demo legacy database per
tenant (Faker zh_CN data, valid ID numbers), migrates, syncs customers, creates
operators and a super-admin, starts a local SMTP sink that prints mail and the
local Alipay sandbox the demo tenants pay through, prints the credentials, and serves.
"""

from __future__ import annotations

import os
import secrets
import zlib
from pathlib import Path

import click

from core.cli.base import cli, load_hall, run, with_db
from core.cli.serve import serve_app
from core.demo.era import Month, month_option
from core.notify.channels import ECHO_VARIABLE

DEMO_PASSWORD = "Demo2026!"
DEMO_SIZE = 300
DEMO_MONTHS = 3  # months of bills and call records in the demo legacy databases


def ensure_secrets(config_file: Path) -> None:
    from core.config.loader import secrets_path

    path = secrets_path(config_file)
    if not path.exists():
        path.write_text(
            f'# Local secrets: never commit this file.\n[security]\nsecret_key = "{secrets.token_urlsafe(32)}"\n',
            encoding="utf-8",
        )
        path.chmod(0o600)
        click.echo(f"wrote {path} (a fresh secret key)")


def generate_legacy(hall, subscribers: int, end_month: Month) -> dict:
    """Each sqlbss demo tenant's legacy database, billed up to ``end_month``; tenant id → its sample customers."""
    from core.demo.legacy_db import STYLES, generate_legacy_db
    from core.demo.qianshan import generate_qianshan_db
    from core.db.url import parse_database_url

    out = {}
    for tenant in hall.tenants:
        url = tenant.connector.get("url")
        if tenant.connector.get("type") != "sqlbss" or not url:
            continue
        path = Path(parse_database_url(url).path)
        path = path if path.is_absolute() else hall.root / path
        path.parent.mkdir(parents=True, exist_ok=True)
        style = tenant.connector.get("demo_style") or tenant.id
        seed = zlib.crc32(tenant.id.encode()) % 10_000
        if style == "qianshan":  # the Oracle-style BSS with accounts (core/demo/qianshan.py)
            out[tenant.id] = generate_qianshan_db(
                path, seed=seed, customers=subscribers, months=DEMO_MONTHS, end_month=end_month
            )
            continue
        if style not in STYLES:
            continue
        out[tenant.id] = generate_legacy_db(
            path,
            seed=seed,
            subscribers=subscribers,
            style=style,
            months=DEMO_MONTHS,
            end_month=end_month,
        )
    return out


async def prepare(hall, demo_customers: dict) -> dict:
    from core.auth.admin import ensure_operator, ensure_superadmin
    from core.auth.permissions import known_codes
    from core.db.migrate import migrate
    from core.legacy.billing_sync import supports, sync_billing
    from core.legacy.customer_sync import sync_customers

    await migrate(hall)
    perms = sorted(known_codes(hall))
    report = {}
    for tenant in hall.tenants:
        connector = hall.connector(tenant)
        if connector is not None:
            await sync_customers(tenant, connector, secret=hall.secret)
            for kind in ("bills", "calls"):
                if supports(connector, kind):
                    await sync_billing(tenant, connector, kind)
        await ensure_operator(
            tenant,
            "admin",
            "管理员" if tenant.language == "zh_CN" else "Administrator",
            DEMO_PASSWORD,
            "administrator",
            perms,
        )
        await seed_demo_data(hall, tenant)
        report[tenant.id] = demo_customers.get(tenant.id, [])[:3]
    await ensure_superadmin("root", "Super admin", DEMO_PASSWORD)
    return report


async def seed_demo_data(hall, tenant) -> None:
    """The plugins' sample content (the ``demo_data`` hook), in the tenant's scope."""
    from core.tenancy import tenant_scope
    from core.utils import await_each

    with tenant_scope(tenant):
        await await_each(hall.hooks_for(tenant).demo_data(hall=hall, tenant=tenant))


def mail_summary(rcpt_tos: list[str], content: bytes) -> str:
    """One line per demo mail: recipient, subject, and the one-time code when the mail carries one."""
    import re
    from email import message_from_bytes, policy

    msg = message_from_bytes(content, policy=policy.default)
    body = msg.get_body(("plain",))
    code = re.search(r"\b(\d{6})\b", body.get_content()) if body is not None else None
    return f"Mail to {', '.join(rcpt_tos)}: {msg['subject']}" + (f"  (code {code.group(1)})" if code else "")


def start_mail_sink(port: int) -> object:
    """A local SMTP server that prints one line per message: the demo's mailbox."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter

    class Printer:
        async def handle_DATA(self, server, session, envelope):
            click.secho(mail_summary(envelope.rcpt_tos, envelope.content), fg="cyan")
            return "250 OK"

    controller = Controller(Printer(), hostname="127.0.0.1", port=port)
    try:
        controller.start()
    except OSError as exc:
        click.secho(f"(demo mail sink not started: port {port} is busy: {exc})", fg="yellow")
        return None
    return controller


DEMO_HELP = """Set up and serve the demo hall: demo tenants, generated legacy data, operators, the Alipay sandbox and a mail sink.

The database is the embedded SQLite file of hall.toml, or PostgreSQL when
HALL_DATABASE__URL points to an existing database (for example
HALL_DATABASE__URL=postgresql://postgres@127.0.0.1:5432/hall_demo hall demo);
on PostgreSQL the demo also runs a `hall worker` for the background jobs.
The bills end last month (China time) unless --end-month says otherwise.
Needs the demo extras (make venv installs them; pip install 'hall[demo]').
"""


def check_demo_extras(*modules: str) -> None:
    """A clear error instead of a traceback when the demo extras are not installed (a production install)."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            raise click.ClickException(
                f"this command needs the demo extras ({name} is missing): install hall[demo] "
                "(pip install 'hall[demo]', or '.[demo]' in a checkout; make venv installs them)"
            ) from None


@cli.command(help=DEMO_HELP)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option(
    "--subscribers", type=int, default=DEMO_SIZE, show_default=True, help="Customers per demo legacy database."
)
@click.option(
    "--no-serve",
    is_flag=True,
    help="Prepare everything and start the Alipay sandbox and the mail sink, but no web server "
    "(serve the hall yourself: `hall serve`, and on PostgreSQL `hall worker`); runs until Ctrl-C.",
)
@click.option(
    "--prepare-only",
    is_flag=True,
    help="Prepare everything, print the credentials and stop: no sandbox, no mail sink, no server.",
)
@click.option(
    "--end-month", metavar="YYYY-MM", callback=month_option, help="The last billed month.  [default: last month]"
)
def demo(host: str, port: int, subscribers: int, no_serve: bool, prepare_only: bool, end_month: Month) -> None:
    from core.config.loader import find_config

    check_demo_extras("faker", "aiosmtpd")
    ensure_secrets(find_config())
    hall = load_hall()
    click.echo(
        f"database: {'embedded SQLite' if hall.db.is_sqlite else 'PostgreSQL'} ({hall.deployment.database.url.split('@')[-1]})"
    )
    click.echo(f"generating demo legacy databases (bills to {end_month[0]}-{end_month[1]:02d}) …")
    demo_customers = generate_legacy(hall, subscribers, end_month)
    report = run(with_db(hall, lambda: prepare(hall, demo_customers)))
    print_credentials(hall, report, host, port)
    # Plugins' stand-in services (the Alipay sandbox): prepared always, started unless --prepare-only.
    services = [
        s for s in hall.plugins.hook.demo_services(hall=hall, start=not prepare_only, echo=click.echo) if s is not None
    ]
    if prepare_only:
        return
    running = [start_mail_sink(hall.deployment.mail.port), *services]
    os.environ[ECHO_VARIABLE] = "1"  # the web workers (child processes) print each demo SMS in this terminal
    try:
        if no_serve:
            click.secho(
                f"\nAlipay sandbox and mail sink (port {hall.deployment.mail.port}) running; serve the hall yourself "
                f"(hall serve{'' if hall.db.is_sqlite else ', hall worker'}). Ctrl-C stops them.",
                bold=True,
            )
            wait_for_signal()
        else:
            running.append(start_worker(hall))
            serve_app(host, port, 1)
    finally:
        for service in running:
            if service is not None:
                service.stop()


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM."""
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


class _Worker:
    def __init__(self, proc):
        self.proc = proc

    def stop(self) -> None:
        import subprocess

        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_worker(hall):
    """On PostgreSQL the web process runs no jobs: a `hall worker` beside the demo server does (SQLite: nothing to start)."""
    import os
    import subprocess
    import sys

    if hall.db.is_sqlite:
        return None
    env = {**os.environ, "HALL_CONFIG": str(hall.settings.config_file)}
    click.echo("starting `hall worker` for the background jobs (PostgreSQL)")
    return _Worker(subprocess.Popen([sys.executable, "-m", "core.cli", "worker"], env=env))


def print_credentials(hall, report: dict, host: str, port: int) -> None:
    from core.web.urls import route_path

    base = f"http://{host}:{port}"
    click.secho("\nDemo hall ready.", fg="green", bold=True)
    default = hall.tenants.for_host(host)
    if default is not None:
        click.echo(f"{base}/ serves {default.name}; every tenant is also at {base}/t/<tenant>/")
    for tenant in hall.tenants:
        click.secho(
            f"\n== {tenant.name} ({tenant.id}) — theme {tenant.theme}, plugins: {', '.join(sorted(tenant.plugins)) or 'none'}",
            bold=True,
        )
        click.echo(
            f"   portal:  {base}/t/{tenant.id}/" + (f"   (or http://{tenant.hosts[0]}:{port}/)" if tenant.hosts else "")
        )
        click.echo(
            f"   console: {base}/t/{tenant.id}{route_path(hall, 'console:home')}   operator: admin / {DEMO_PASSWORD}"
        )
        for c in report.get(tenant.id, []):
            click.echo(
                f"   sign up as: number {c.numbers[0]}  name {c.name}  ID {c.id_number}  (codes by SMS and e-mail print here, and show in the console's Messages page)"
            )
    click.echo(f"\nSuper-admin (any tenant's console): root / {DEMO_PASSWORD}")
