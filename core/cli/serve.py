"""hall serve: granian with N worker processes, each building the app from HALL_CONFIG.

A worker that dies (a segfault, the OOM killer, ``kill -9``) is replaced by
granian (``respawn_failed_workers``); the other workers keep serving
meanwhile. Only a crash loop (a respawned worker dying again within a few
seconds, e.g. a broken start-up) stops ``hall serve``, for the supervisor
(systemd ``Restart=on-failure``, docs/deploying.md) to report and restart.
"""

from __future__ import annotations

import errno
import os
import socket

import click

from core.cli.base import cli, load_hall


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port``.

    Why ask: on Linux granian binds with ``SO_REUSEPORT``, so a second hall
    started on a port in use does not fail - the kernel silently shares the
    port, and requests land on either server. A plain bind (``SO_REUSEADDR``
    only, so connections in TIME_WAIT after a restart do not count) fails
    when a listener is there.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE  # anything else (a port < 1024, no such address): granian says
    return False


def serve_app(host: str, port: int, workers: int) -> None:
    if port_taken(host, port):
        raise click.ClickException(
            f"port {port} on {host} is already in use by another server; "
            "stop it or choose another port with --port (two halls must never share a port)"
        )
    from granian.constants import Interfaces
    from granian.server import Server

    from core.logs import dictconfig

    Server(
        "core.web.app:app_from_environment",
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        factory=True,
        log_access=False,
        log_dictconfig=dictconfig(),
        respawn_failed_workers=True,
    ).serve()


@cli.command(help="Serve the hall over HTTP (granian; a worker process that dies is started again).")
@click.option("--host", default=None, help="Bind address (default: [server].host).")
@click.option("--port", type=int, default=None, help="Port (default: [server].port).")
@click.option("--workers", type=int, default=None, help="Worker processes (default: [server].workers).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    hall = load_hall()  # validate before forking workers: a bad config fails here, once, readably
    server = hall.deployment.server
    os.environ["HALL_CONFIG"] = str(hall.settings.config_file)
    serve_app(host or server.host, port or server.port, workers or server.workers)
