"""``hall sandbox alipay [--host --port --retry-scale]``: the local Alipay gateway in the foreground."""

from __future__ import annotations

import click

from plugins.alipay.sandbox.prepare import DEFAULT_PORT


def add_sandbox_command(cli: click.Group) -> None:
    group = cli.commands.get("sandbox")
    if group is None:

        @cli.group("sandbox", help="Local stand-ins for outside gateways (payments), for the demo and tests.")
        def group() -> None:
            pass

    group.add_command(alipay)


@click.command(
    "alipay",
    help="Serve a local gateway that speaks Alipay's protocol (pay page, signed notifications, query, refund, close).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True)
@click.option(
    "--retry-scale",
    type=float,
    default=None,
    help="Multiply Alipay's notification back-off (4m,10m,10m,1h,2h,6h,15h), e.g. 0.01.",
)
def alipay(host: str, port: int, retry_scale: float | None) -> None:
    from core.api.cli import load_hall
    from plugins.alipay.sandbox.prepare import ensure_sandbox, sandbox_tenants
    from plugins.alipay.sandbox.runner import serve

    hall = load_hall(connect_tenants=False)
    config, done = ensure_sandbox(hall)
    for line in done:
        click.echo(line)
    tenants = sandbox_tenants(hall)
    click.echo(
        f"Alipay sandbox on http://{host}:{port}/gateway.do for {', '.join(t.id for t in tenants) or 'no tenant'} ({config})"
    )
    for tenant in tenants:
        if tenant.plugin_settings("alipay").gateway != f"http://{host}:{port}/gateway.do":
            click.secho(
                f"  note: tenant {tenant.id} sends its customers to {tenant.plugin_settings('alipay').gateway}",
                fg="yellow",
            )
    serve(config, host, port, retry_scale)
