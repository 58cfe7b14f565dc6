"""A local SMS centre for tests: real SMPP 3.4 PDUs over TCP on a free loopback port.

It answers bind_transmitter/receiver/transceiver (checking system_id and password),
submit_sm (submit_sm_resp with a message id), enquire_link and unbind, and sends delivery
receipts as deliver_sm (esm_class 0x04, the standard ``id:… stat:DELIVRD`` text plus the
receipted_message_id and message_state TLVs) to any bound session of the same system_id,
keeping each receipt until a deliver_sm_resp acknowledges it, as a real SMSC does.
PDUs are encoded and decoded with smpplib's own PDU classes. The hall's client side
is the real smpplib client: nothing here is called by the code under test.

Knobs for tests: ``stop()``/``start()`` (the SMSC is down), ``throttle_next`` (answer
ESME_RTHROTTLED), ``drop_after_parts`` (cut the connection after accepting so many parts),
``undeliverable`` (numbers whose receipts say UNDELIV), ``hold_receipts`` (keep receipts until
``release_receipts()``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import smpplib.consts as C
import smpplib.smpp

from core.testing.mail import free_port

BEIJING = ZoneInfo("Asia/Shanghai")


class _Seq:
    """What smpplib's PDU classes want from a client: a sequence counter."""

    def __init__(self):
        self._n = itertools.count(1)
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence = next(self._n)
        return self.sequence


@dataclass
class Submitted:
    system_id: str
    destination: str
    source: str
    data_coding: int
    esm_class: int
    registered_delivery: int
    short_message: bytes
    message_id: str


@dataclass
class _Receipt:
    system_id: str
    message_id: str
    stat: str
    sent: bool = False
    session: int = 0  # the connection it was sent on; unacknowledged when that closes → sent again later
    seq: int = 0


@dataclass
class StandInSmsc:
    accounts: dict[str, str] = field(default_factory=lambda: {"hall": "secret"})
    port: int = field(default_factory=free_port)
    undeliverable: set[str] = field(default_factory=set)
    hold_receipts: bool = False
    throttle_next: int = 0
    drop_after_parts: int | None = None

    def __post_init__(self):
        self.submitted: list[Submitted] = []
        self.binds: list[tuple[str, str]] = []  # (command, system_id) of every successful bind
        self.enquire_links = 0
        self._receipts: list[_Receipt] = []
        self._ids = itertools.count(0x1000)
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    # -- life ---------------------------------------------------------------
    def start(self) -> "StandInSmsc":
        smsc = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                smsc._session(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- what tests read ----------------------------------------------------
    def release_receipts(self) -> None:
        self.hold_receipts = False

    def receipts_pending(self) -> int:
        with self._lock:
            return sum(1 for r in self._receipts if not r.sent)

    def texts(self) -> list[str]:
        """Every complete message as the handset shows it: UDH-concatenated parts joined, UCS2 / GSM decoded."""
        out, groups = [], {}
        for s in self.submitted:
            body = s.short_message
            if s.esm_class & C.SMPP_GSMFEAT_UDHI:
                udh_len = body[0]
                ref, total, seq = body[3], body[4], body[5]  # UDH: len, IEI 00, IEDL 03, ref, total, seq
                key = (s.destination, ref, total)
                groups.setdefault(key, {})[seq] = (s.data_coding, body[1 + udh_len :])
                if len(groups[key]) == total:
                    coding = groups[key][1][0]
                    out.append(_decode(coding, b"".join(groups[key][i][1] for i in range(1, total + 1))))
            else:
                out.append(_decode(s.data_coding, body))
        return out

    # -- one connection -----------------------------------------------------
    def _session(self, sock: socket.socket) -> None:
        seq = _Seq()
        bound: str | None = None
        sock.settimeout(0.05)
        buf = b""
        try:
            while True:
                if bound is not None:
                    self._push_receipts(sock, bound, seq)
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                buf += chunk
                while len(buf) >= 4 and len(buf) >= struct.unpack(">L", buf[:4])[0]:
                    length = struct.unpack(">L", buf[:4])[0]
                    raw, buf = buf[:length], buf[length:]
                    pdu = smpplib.smpp.parse_pdu(raw, client=seq, allow_unknown_opt_params=True)
                    bound, keep = self._answer(sock, pdu, bound, seq)
                    if not keep:
                        return
        except OSError:
            return
        finally:
            with self._lock:
                for r in self._receipts:
                    if r.session == id(sock):
                        r.sent, r.session = False, 0
            sock.close()

    def _send(self, sock: socket.socket, command: str, seq: _Seq, sequence: int, **fields) -> None:
        pdu = smpplib.smpp.make_pdu(command, client=seq, **fields)
        pdu.sequence = sequence  # a response carries its request's sequence (make_pdu would keep the counter's)
        sock.sendall(pdu.generate())

    def _answer(self, sock, pdu, bound, seq) -> tuple[str | None, bool]:
        cmd = pdu.command
        if cmd in ("bind_transmitter", "bind_receiver", "bind_transceiver"):
            system_id = (pdu.system_id or b"").decode()
            ok = self.accounts.get(system_id) == (pdu.password or b"").decode()
            status = C.SMPP_ESME_ROK if ok else C.SMPP_ESME_RINVPASWD
            self._send(sock, cmd + "_resp", seq, sequence=pdu.sequence, status=status, system_id="STANDIN")
            if ok:
                self.binds.append((cmd, system_id))
                return (system_id if cmd != "bind_transmitter" else None) or "", True
            return None, False
        if cmd == "submit_sm":
            return bound, self._submit(sock, pdu, bound, seq)
        if cmd == "deliver_sm_resp":
            with self._lock:  # acknowledged: the receipt is delivered to the ESME and forgotten
                self._receipts = [r for r in self._receipts if not (r.session == id(sock) and r.seq == pdu.sequence)]
            return bound, True
        if cmd == "enquire_link":
            self.enquire_links += 1
            self._send(sock, "enquire_link_resp", seq, sequence=pdu.sequence)
            return bound, True
        if cmd == "unbind":
            self._send(sock, "unbind_resp", seq, sequence=pdu.sequence)
            return None, False
        self._send(sock, "generic_nack", seq, sequence=pdu.sequence, status=C.SMPP_ESME_RINVCMDID)
        return bound, True

    def _submit(self, sock, pdu, bound, seq) -> bool:
        if self.drop_after_parts is not None and self.drop_after_parts <= 0:
            self.drop_after_parts = None
            return False  # the link breaks before this part is answered
        if self.throttle_next > 0:
            self.throttle_next -= 1
            self._send(sock, "submit_sm_resp", seq, sequence=pdu.sequence, status=C.SMPP_ESME_RTHROTTLED, message_id="")
            return True
        message_id = f"{next(self._ids):08X}"
        destination = (pdu.destination_addr or b"").decode()
        with self._lock:
            self.submitted.append(
                Submitted(
                    bound or "",
                    destination,
                    (pdu.source_addr or b"").decode(),
                    pdu.data_coding or 0,
                    pdu.esm_class or 0,
                    pdu.registered_delivery or 0,
                    bytes(pdu.short_message or b""),
                    message_id,
                )
            )
            if (pdu.registered_delivery or 0) & 0x03 and bound is not None:
                stat = "UNDELIV" if destination in self.undeliverable else "DELIVRD"
                self._receipts.append(_Receipt(bound, message_id, stat))
        self._send(sock, "submit_sm_resp", seq, sequence=pdu.sequence, message_id=message_id)
        if self.drop_after_parts is not None:
            self.drop_after_parts -= 1
        return True

    def _push_receipts(self, sock, system_id: str, seq: _Seq) -> None:
        if self.hold_receipts:
            return
        with self._lock:
            due = [r for r in self._receipts if r.system_id == system_id and not r.sent]
            for r in due:
                r.sent, r.session = True, id(sock)
        now = dt.datetime.now(BEIJING).strftime("%y%m%d%H%M")  # an SMSC in China stamps receipts in Beijing time
        for r in due:
            text = f"id:{r.message_id} sub:001 dlvd:{'001' if r.stat == 'DELIVRD' else '000'} submit date:{now} done date:{now} stat:{r.stat} err:000 text:"
            state = 2 if r.stat == "DELIVRD" else 5
            pdu = smpplib.smpp.make_pdu(
                "deliver_sm",
                client=seq,
                esm_class=0x04,
                short_message=text.encode("ascii"),
                source_addr="",
                destination_addr="",
                receipted_message_id=r.message_id,
                message_state=state,
            )
            r.seq = pdu.sequence
            sock.sendall(pdu.generate())


def _decode(coding: int, data: bytes) -> str:
    if coding == C.SMPP_ENCODING_ISO10646:
        return data.decode("utf-16-be")
    table = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ`¿abcdefghijklmnopqrstuvwxyzäöñüà"
    return "".join(table[b] if b < len(table) else "?" for b in data)


def wait_until(predicate, seconds: float = 10.0) -> bool:
    """Poll ``predicate`` (for a thread on the other side of a socket); no test relies on the time it takes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
