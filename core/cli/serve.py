"""hall serve: granian with N worker processes, each building the app from HALL_CONFIG.

A worker that dies (a segfault, the OOM killer, ``kill -9``) is replaced by
granian (``respawn_failed_workers``); the other workers keep serving
meanwhile. Only a crash loop (a respawned worker dying again within a few
seconds, e.g. a broken start-up) stops ``hall serve``, for the supervisor
(systemd ``Restart=on-failure``, docs/deploying.md) to report and restart.
"""

from __future__ import annotations

import os

import click

from core.cli.base import cli, load_hall


def serve_app(host: str, port: int, workers: int) -> None:
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
