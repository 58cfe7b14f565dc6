"""SMS through the operator's own SMS centre: SMPP 3.4 with smpplib (python-smpplib, maintained, LGPL).

One short session per send: connect, ``bind_transceiver``, one ``submit_sm`` per part
(registered_delivery = 1, so the SMSC sends a delivery receipt), ``unbind``. Chinese text is
UCS2 (data_coding 8) in 67-character parts joined by a UDH concatenation header; smpplib
splits, and the concatenation reference is the message id (mod 256) rather than a random
byte, so parts resent after a failure still join the parts the handset already has.
Receipts (``deliver_sm`` with esm_class bit 2) are read while sending and by
``poll_reports``, which the job ``core.sms_reports`` runs every minute: an SMSC keeps
receipts for an ESME until one of its sessions is bound.

smpplib is blocking (sockets), so every session runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

import smpplib.client
import smpplib.consts as C
import smpplib.exceptions
import smpplib.gsm

from core.config.sms import SmppSettings
from core.notify.sms.base import Accepted, Outgoing, PermanentError, Report, SendOutcome, TransientError, mask_number

log = logging.getLogger("hall.sms.smpp")
# smpplib warns "disconnecting in the bound state" on every closed or failed session; the channel reports failures itself
logging.getLogger("hall.sms.smpp.client").setLevel(logging.ERROR)
RECEIPT = 0x04  # esm_class: SMSC delivery receipt
RECEIPT_TEXT = re.compile(rb"id:(?P<id>\S+).*?stat:(?P<stat>\w+)", re.S)
MESSAGE_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
NOT_FINAL = {"ENROUTE", "ACCEPTD"}
# submit_sm refusals worth another try later; every other refusal is final for the message
TRANSIENT_STATUS = {C.SMPP_ESME_RSYSERR, C.SMPP_ESME_RMSGQFUL, C.SMPP_ESME_RTHROTTLED, C.SMPP_ESME_RX_T_APPN}
BAD_LOGIN = {C.SMPP_ESME_RINVPASWD, C.SMPP_ESME_RINVSYSID}


def receipt_of(pdu) -> Report | None:
    """The delivery report in a deliver_sm, from its TLVs when present, else from the receipt text."""
    if not (pdu.esm_class or 0) & RECEIPT:
        return None
    ident = pdu.receipted_message_id
    state = MESSAGE_STATES.get(pdu.message_state or 0, "")
    match = RECEIPT_TEXT.search(pdu.short_message or b"")
    if match:
        ident = ident or match.group("id")
        state = state or match.group("stat").decode("ascii", "replace").upper()
    if not ident:
        return None
    ident = ident.decode("ascii", "replace") if isinstance(ident, bytes) else str(ident)
    return Report(
        provider_id=ident, delivered=state == "DELIVRD", status=state or "UNKNOWN", final=state not in NOT_FINAL
    )


def split(text: str, reference: int) -> tuple[list[bytes], int, int]:
    """(parts, data_coding, esm_class); GSM 7-bit when the text allows, else UCS2; long texts carry a UDH."""
    parts, coding, esm_class = smpplib.gsm.make_parts(text)
    if len(parts) > 1:  # UDH: 05 00 03 <ref> <total> <seq>; a fixed ref keeps resent parts joinable
        parts = [p[:3] + bytes([reference % 256]) + p[4:] for p in parts]
    return parts, coding, esm_class


class SmppChannel:
    name = "sms"
    provider = "smpp"

    def __init__(self, settings: SmppSettings, password: str):
        self.settings = settings
        self.password = password

    # -- sessions -----------------------------------------------------------
    def _open(self, reports: list[Report]) -> smpplib.client.Client:
        s = self.settings
        client = smpplib.client.Client(
            s.host, s.port, timeout=s.timeout_seconds, allow_unknown_opt_params=True, logger_name="hall.sms.smpp.client"
        )

        def received(pdu, **_):
            report = receipt_of(pdu)
            if report is not None:
                reports.append(report)
            elif pdu.command == "deliver_sm":  # a customer's reply (MO SMS): the hall has no use for it yet
                log.info(
                    "SMPP: a message from %s was acknowledged and ignored",
                    mask_number((pdu.source_addr or b"").decode("ascii", "replace")),
                )

        client.set_message_received_handler(received)
        try:
            client.connect()
            client.bind_transceiver(system_id=s.system_id, password=self.password, system_type=s.system_type or None)
        except smpplib.exceptions.PDUError as exc:
            client.disconnect()
            code = exc.args[1] if len(exc.args) > 1 else None
            if code in BAD_LOGIN:
                raise PermanentError(f"the SMSC refused the bind of {s.system_id!r}: {exc.args[0]}") from None
            raise TransientError(f"the SMSC refused the bind: {exc.args[0]}") from None
        except (smpplib.exceptions.ConnectionError, OSError) as exc:
            client.disconnect()
            raise TransientError(f"SMSC {s.host}:{s.port} unreachable: {exc or type(exc).__name__}") from None
        return client

    @staticmethod
    def _close(client: smpplib.client.Client) -> None:
        try:
            if client.state in (
                C.SMPP_CLIENT_STATE_BOUND_TX,
                C.SMPP_CLIENT_STATE_BOUND_RX,
                C.SMPP_CLIENT_STATE_BOUND_TRX,
            ):
                client.unbind()
        except (smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError, OSError) as exc:
            log.info("unbind from the SMSC failed (ignored): %s", exc)
        finally:
            client.disconnect()

    def _submit(self, client, recipient: str, part: bytes, coding: int, esm_class: int):
        """submit_sm and wait for its submit_sm_resp (receipts and enquire_links arriving meanwhile are handled)."""
        s = self.settings
        answers: dict[int, object] = {}
        client.set_message_sent_handler(lambda pdu, **_: answers.__setitem__(pdu.sequence, pdu))
        client.set_error_pdu_handler(lambda pdu: answers.__setitem__(pdu.sequence, pdu))
        pdu = client.send_message(
            source_addr_ton=s.source_addr_ton,
            source_addr_npi=s.source_addr_npi,
            source_addr=s.source_addr,
            dest_addr_ton=s.dest_addr_ton,
            dest_addr_npi=s.dest_addr_npi,
            destination_addr=recipient,
            short_message=part,
            data_coding=coding,
            esm_class=esm_class,
            registered_delivery=C.SMPP_SMSC_DELIVERY_RECEIPT_BOTH,
        )
        while pdu.sequence not in answers:
            client.read_once(auto_send_enquire_link=False)  # a silent SMSC raises socket.timeout
        return answers[pdu.sequence]

    def _send_sync(self, msg: Outgoing) -> SendOutcome:
        parts, coding, esm_class = split(msg.text, msg.message_id)
        outcome = SendOutcome(parts=len(parts))
        client = self._open(outcome.reports)
        try:
            for number, part in enumerate(parts, start=1):
                if number in msg.accepted:
                    continue  # the SMSC took this part on an earlier attempt: never twice
                resp = self._submit(client, msg.recipient, part, coding, esm_class)
                if resp.is_error():
                    reason = f"the SMSC refused part {number}/{len(parts)}: {C.DESCRIPTIONS.get(resp.status, hex(resp.status))}"
                    error = TransientError if resp.status in TRANSIENT_STATUS else PermanentError
                    raise error(reason, outcome.accepted)
                ident = (
                    resp.message_id.decode("ascii", "replace")
                    if isinstance(resp.message_id, bytes)
                    else str(resp.message_id)
                )
                outcome.accepted.append(Accepted(number, ident))
                if msg.on_accepted is not None:
                    msg.on_accepted(outcome.accepted[-1])  # durable before the next part goes
        except (TimeoutError, smpplib.exceptions.ConnectionError, OSError) as exc:
            raise TransientError(
                f"the SMSC connection failed after {len(outcome.accepted)} part(s): {exc or type(exc).__name__}",
                outcome.accepted,
            ) from None
        finally:
            self._close(client)
        log.info("SMPP: %s part(s) to %s accepted", len(outcome.accepted), mask_number(msg.recipient))
        return outcome

    def _listen_sync(self) -> list[Report]:
        reports: list[Report] = []
        client = self._open(reports)
        try:
            deadline = time.monotonic() + self.settings.receipt_listen_seconds
            while time.monotonic() < deadline:
                client.poll()  # acts on whatever PDUs are waiting (deliver_sm → deliver_sm_resp), never blocks
                time.sleep(0.05)
        except (smpplib.exceptions.ConnectionError, OSError) as exc:
            log.warning("SMPP receipt session ended early: %s", exc)
        finally:
            self._close(client)
        return reports

    # -- the channel interface ----------------------------------------------
    async def send(
        self, *, recipient: str, subject: str, body_text: str, body_html: str = "", message: Outgoing | None = None
    ) -> SendOutcome:
        msg = message or Outgoing(message_id=0, recipient=recipient, text=body_text)
        return await asyncio.to_thread(self._send_sync, msg)

    async def poll_reports(self, pending: list[dict]) -> list[Report]:
        """Receipts the SMSC holds for this ESME (``pending`` only says whether to bind at all)."""
        if not pending:
            return []
        return await asyncio.to_thread(self._listen_sync)
