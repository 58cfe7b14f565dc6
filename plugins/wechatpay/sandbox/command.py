"""``hall sandbox wechatpay [--host --port --retry-scale]``: the local WeChat Pay gateway in the foreground."""

from __future__ import annotations

import click

from plugins.wechatpay.sandbox.prepare import DEFAULT_PORT


def add_sandbox_command(cli: click.Group) -> None:
    group = cli.commands.get("sandbox")
    if group is None:

        @cli.group("sandbox", help="Local stand-ins for outside gateways (payments), for the demo and tests.")
        def group() -> None:
            pass

    group.add_command(wechatpay)


@click.command(
    "wechatpay",
    help="Serve a local gateway that speaks WeChat Pay API v3 (pay page, signed and encrypted notifications, query, close, refund, bills).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True)
@click.option("--retry-scale", type=float, default=None, help="Multiply WeChat Pay's notification back-off, e.g. 0.01.")
def wechatpay(host: str, port: int, retry_scale: float | None) -> None:
    from core.api.cli import load_hall
    from plugins.wechatpay.sandbox.prepare import ensure_sandbox, sandbox_tenants
    from plugins.wechatpay.sandbox.runner import serve

    hall = load_hall(connect_tenants=False)
    config, done = ensure_sandbox(hall)
    for line in done:
        click.echo(line)
    tenants = sandbox_tenants(hall)
    click.echo(
        f"WeChat Pay sandbox on http://{host}:{port} for {', '.join(t.id for t in tenants) or 'no tenant'} ({config})"
    )
    serve(config, host, port, retry_scale)
