"""A self-service terminal's browser signs in as its registered kiosk client: its pages say which terminal it is, what
a customer changes there is in the audit with the terminal as actor, the console shows when it was last used; a new
secret ends the binding. A wrong secret or another kind of client binds nothing."""

from __future__ import annotations

from api_support import register_client

from core.audit import AuditLog
from core.tmf.terminal import COOKIE


def test_a_terminal_signs_in_and_what_is_done_there_is_audited(world):
    harness, plugin, ids = world
    console = harness.client("beta")
    console.login_operator("beta-admin")
    kiosk = register_client(console, "kiosk", ["catalog.read", "topup", "kiosk"])
    terminal = harness.client("beta")
    assert terminal.get("/kiosk/terminal").status_code == 200
    wrong = terminal.post("/kiosk/terminal", {"client_id": kiosk["client_id"], "client_secret": "nope"})
    assert wrong.status_code == 400 and "Unknown terminal or wrong secret." in wrong.text
    partner = ids["beta"]["partner"]
    assert (
        terminal.post("/kiosk/terminal", {"client_id": partner["client_id"], "client_secret": partner["secret"]})
    ).status_code == 400
    assert terminal.http.cookies.get(COOKIE) is None
    ok = terminal.post("/kiosk/terminal", {"client_id": kiosk["client_id"], "client_secret": kiosk["secret"]})
    assert ok.status_code == 303 and terminal.http.cookies.get(COOKIE)
    assert f'data-terminal="{kiosk["client_id"]}"' in terminal.get("/kiosk/terminal").text

    terminal.login_customer(ids["beta"]["numbers"][0])  # a customer at the terminal: signs in, then out
    assert terminal.post("/logout").status_code == 303
    rows = harness.in_tenant(
        "beta", lambda: AuditLog.select().where(AuditLog.actor == kiosk["client_id"]).order_by(AuditLog.id)
    )
    assert [r["action"] for r in rows] == ["api.terminal.sign_in", "api.terminal.request", "api.terminal.request"]
    assert {r["actor_kind"] for r in rows} == {"terminal"}
    assert rows[1]["object_id"] == "auth:login.submit" or rows[1]["object_id"].startswith("auth:")
    page = console.get("/console/api-clients").text
    used = page.split("data-terminal-used>", 1)[1].split("<", 1)[0]
    assert used != "—"

    pk = harness.in_tenant("beta", _pk, kiosk["client_id"])
    assert console.post(f"/console/api-clients/{pk}/rotate").status_code == 200
    assert "data-terminal=" not in terminal.get("/kiosk/terminal").text  # the old secret's binding ended
    terminal.login_customer(ids["beta"]["numbers"][0])
    after = harness.in_tenant("beta", lambda: AuditLog.count().where(AuditLog.actor == kiosk["client_id"]))
    assert after == len(rows)


async def _pk(client_id: str) -> int:
    from core.tmf.tables import ApiClient

    return (await ApiClient.select(ApiClient.id).where(ApiClient.client_id == client_id).first())["id"]
