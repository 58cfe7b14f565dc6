"""The app bench/notify.py serves: the hall from HALL_CONFIG plus the fake payment provider and an owner plugin.

python bench/notify_app.py <port> <workers>     (granian, as ``hall serve`` runs it)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.hookspecs import hookimpl  # noqa: E402
from core.legacy.outbox import emit  # noqa: E402


class BenchShop:
    """Owner of the benchmark's payments: fulfils like a real plugin, one outbox event in the settlement's transaction."""

    @hookimpl
    def payment_succeeded(self, hall, tenant, intent):
        return emit("benchshop.delivered", {"intent_id": intent.id})


def make_app():
    from core.hall import Hall
    from core.testing.payments import FakePaymentPlugin
    from core.web.app import create_app

    return create_app(
        Hall.from_config(
            os.environ["HALL_CONFIG"], extra_plugins={"fakepay": FakePaymentPlugin(), "benchshop": BenchShop()}
        )
    )


if __name__ == "__main__":
    from granian.constants import Interfaces
    from granian.server import Server

    Server(
        "notify_app:make_app",
        address="127.0.0.1",
        port=int(sys.argv[1]),
        workers=int(sys.argv[2]),
        interface=Interfaces.ASGI,
        factory=True,
        log_access=False,
    ).serve()
