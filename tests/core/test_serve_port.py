"""``hall serve`` refuses a port another server listens on, instead of silently sharing it.

Granian binds with ``SO_REUSEPORT`` on Linux: without the check, a second hall
started on a busy port would come up and the kernel would hand each new
connection to either server (a stale hall answering half the customers).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from core.cli.serve import port_taken
from core.testing import TenantSpec, write_hall
from core.testing.served import PORT_TAKEN, served_hall

HALL = str(Path(sys.executable).with_name("hall"))


def test_a_listening_port_is_taken_and_a_closed_one_is_not():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_taken("127.0.0.1", port)
        assert port_taken("0.0.0.0", port)  # the wildcard address overlaps the loopback listener
    assert not port_taken("127.0.0.1", port)


def test_a_second_hall_on_the_same_port_is_refused_and_the_first_keeps_it(hall_databases, tmp_path):
    url = hall_databases.fresh(tmp_path)
    config = write_hall(tmp_path / "hall", [TenantSpec("alpha", connector={})], database_url=url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")} | {"HALL_CONFIG": str(config)}
    try:
        with served_hall(config) as served:
            port = served.url.rsplit(":", 1)[1]
            second = subprocess.run(
                [HALL, "serve", "--host", "127.0.0.1", "--port", port],
                env=env,
                cwd=config.parent,
                capture_output=True,
                text=True,
                timeout=120,  # a safety net: the refusal comes before any worker starts
            )
            assert second.returncode != 0
            assert PORT_TAKEN in second.stderr and port in second.stderr
            assert "Listening at" not in second.stdout + second.stderr
            assert served.get("/t/alpha/")[0] == 200
    finally:
        hall_databases.drop(url)
