"""Writing an account into FreeRADIUS's SQL schema: the whole of what the server should know about the user name,
replaced in one transaction, so pushing twice (a retry, a second worker) leaves the same rows.

- radcheck: ``SSHA2-512-Password`` (PAP checks it), ``Expiration`` (the expiration module rejects after it; an
  epoch, free of zones), ``Auth-Type := Reject`` while locked or used up.
- radreply: ``Session-Timeout`` - what is left of an hour package or of prepaid money.
- radusergroup: the package's code, for the deployer's group policies (radgroupcheck/radgroupreply).
A closed account has no rows left.
"""

from __future__ import annotations

from .balance import Balance
from .credentials import HASH_ATTRIBUTE
from .radius_db import RadiusDb
from .tables import ACTIVE, ORDERED

INSERT_CHECK = "INSERT INTO radcheck (username, attribute, op, value) VALUES (?, ?, ?, ?)"
INSERT_REPLY = "INSERT INTO radreply (username, attribute, op, value) VALUES (?, ?, ?, ?)"
INSERT_GROUP = "INSERT INTO radusergroup (username, groupname, priority) VALUES (?, ?, ?)"


def rows_for(account: dict, balance: Balance | None) -> list[tuple[str, tuple]]:
    """The statements that make the RADIUS rows of ``account`` what the hall says."""
    name = account["username"]
    out = [
        ("DELETE FROM radcheck WHERE username = ?", (name,)),
        ("DELETE FROM radreply WHERE username = ?", (name,)),
        ("DELETE FROM radusergroup WHERE username = ?", (name,)),
    ]
    if account["state"] not in (ORDERED, ACTIVE):
        return out
    out.append((INSERT_CHECK, (name, HASH_ATTRIBUTE, ":=", account["password_hash"])))
    if account["expires_at"] is not None:
        out.append((INSERT_CHECK, (name, "Expiration", ":=", str(int(account["expires_at"].timestamp())))))
    if account["locked"] or account["blocked"] or (balance is not None and balance.exhausted):
        out.append((INSERT_CHECK, (name, "Auth-Type", ":=", "Reject")))
    if balance is not None and balance.seconds_left is not None:
        out.append((INSERT_REPLY, (name, "Session-Timeout", ":=", str(max(1, balance.seconds_left)))))
    out.append((INSERT_GROUP, (name, account["offering_code"], 1)))
    return out


async def push(db: RadiusDb, account: dict, balance: Balance | None) -> None:
    await db.run(rows_for(account, balance))


async def foreign_user(db: RadiusDb, username: str) -> bool:
    """Whether the RADIUS database already knows ``username`` (an account the hall did not open)."""
    return bool(await db.fetch("SELECT id FROM radcheck WHERE username = ? LIMIT 1", username))
