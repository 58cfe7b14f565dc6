"""Who is on the other end of a request: the client's address, and whether it came over HTTPS.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only when the peer is
one of ``[server] trusted_proxies`` (addresses or CIDR networks). Anyone can send
those headers: believed from anyone, a forged address would dodge the address
throttles and put a false address in the audit log, and a forged ``https``
would not make the connection any safer.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable

from litestar.connection import ASGIConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
CACHE = "core.web.trusted_proxies"


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.1", "192.168.0.0/16", "::1"]`` as networks; ValueError names the entry that is neither."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or CIDR network (e.g. 10.0.0.1 or 10.0.0.0/8)") from None
    return tuple(networks)


def _trusted(hall) -> tuple[Network, ...]:
    networks = hall.state.get(CACHE)
    if networks is None:
        networks = hall.state[CACHE] = parse_networks(hall.deployment.server.trusted_proxies)
    return networks


def _in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in networks)


def _peer(scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _header(scope, name: bytes) -> str:
    return ",".join(v.decode("latin-1") for k, v in scope.get("headers") or [] if k.lower() == name)


def from_trusted_proxy(scope, hall) -> bool:
    """Is the peer one of the deployment's trusted reverse proxies?"""
    networks = _trusted(hall)
    return bool(networks) and _in(_peer(scope), networks)


def address_of(scope, hall) -> str:
    """The client's address from an ASGI scope: the peer, or - behind trusted proxies - the nearest X-Forwarded-For hop that is not one."""
    peer = _peer(scope)
    if not from_trusted_proxy(scope, hall):
        return peer
    networks = _trusted(hall)
    hops = [h.strip() for h in _header(scope, b"x-forwarded-for").split(",") if h.strip()]
    for hop in reversed(hops):  # walk back from the nearest proxy; the first untrusted hop is the client
        if not _in(hop, networks):
            return hop[:64]
    return peer


def scope_is_https(scope, hall) -> bool:
    """Did the browser use HTTPS: the connection itself, or X-Forwarded-Proto from a trusted proxy."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    if not from_trusted_proxy(scope, hall):
        return False
    return _header(scope, b"x-forwarded-proto").split(",")[0].strip().lower() in ("https", "wss")


def client_address(connection: ASGIConnection) -> str:
    """The client's address for a request (what throttles key on and the audit log records)."""
    return address_of(connection.scope, connection.app.state.hall)


def is_https(connection: ASGIConnection) -> bool:
    return scope_is_https(connection.scope, connection.app.state.hall)
