"""``hall demo``: each demo tenant's RADIUS database (FreeRADIUS's own schema) and, when FreeRADIUS is installed,
one server on loopback for all of them - or a plain sentence saying it is not there."""

from __future__ import annotations

from .radius_db import Dsn, RadiusDb
from . import radiusd

DEMO_PORTS = (18120, 18130)


def _databases(hall) -> list[tuple[str, Dsn, str]]:
    from pathlib import Path

    out = []
    for tenant in sorted(hall.tenants, key=lambda t: t.id):
        if not tenant.enables("dialup"):
            continue
        settings = tenant.plugin_settings("dialup")
        if settings.radius_db:
            out.append((tenant.id, Dsn.parse(settings.radius_db, base=Path(hall.root)), settings.schema_dir))
    return out


def demo_radius(hall, *, start: bool, echo):
    import asyncio

    databases = _databases(hall)
    if not databases:
        return None
    from pathlib import Path

    prepared = 0
    for tenant_id, dsn, schema_dir in databases:
        if not (Path(schema_dir) / dsn.dialect / "schema.sql").exists():
            continue  # FreeRADIUS (which ships the schema) is not installed: said below
        try:
            asyncio.run(RadiusDb(dsn).ensure_schema(schema_dir))
            prepared += 1
        except Exception as exc:  # a demo must go on without dial-up
            echo(f"Dial-up ({tenant_id}): the RADIUS database could not be prepared: {exc}")
            return None
    if radiusd.radiusd_binary() is None or not prepared:
        echo(
            "Dial-up: FreeRADIUS is not installed (apt-get install freeradius freeradius-utils), so nothing answers "
            "dial-ins and new accounts cannot be provisioned: their paid orders wait, with a retry in the console."
        )
        return None
    if not start:
        return None
    servers = []
    for index, (tenant_id, dsn, _schema) in enumerate(databases):
        try:
            server = radiusd.start(
                dsn,
                secret="testing123",
                auth_port=DEMO_PORTS[0] + 2 * index,
                acct_port=DEMO_PORTS[1] + 2 * index,
            )
        except RuntimeError as exc:
            echo(f"Dial-up ({tenant_id}): FreeRADIUS did not start: {str(exc)[:300]}")
            continue
        servers.append(server)
        echo(
            f"Dial-up ({tenant_id}): {radiusd.version()} on 127.0.0.1:{server.auth_port} (auth) and "
            f":{server.acct_port} (accounting), secret testing123 - try: echo 'User-Name=NAME,User-Password=PW' | "
            f"radclient 127.0.0.1:{server.auth_port} auth testing123"
        )
    return _Servers(servers) if servers else None


class _Servers:
    def __init__(self, servers):
        self.servers = servers

    def stop(self):
        for server in self.servers:
            server.stop()
