"""A few persistent SMTP connections, one per thread, that tell "refused" from "may have been delivered".

smtplib's socket I/O releases the GIL, so a handful of threads keep the
server busy while the event loop builds the next chunk. Each mail goes
through MAIL, RCPT and DATA by hand, because where it fails decides what the
send log may say: a failure before DATA's final reply is definitely *not*
delivered (``failed``, retried later); a connection lost while waiting for
DATA's final reply may have been delivered (``uncertain``, never resent
automatically).
"""

from __future__ import annotations

import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor

SENT, FAILED, UNCERTAIN = "sent", "failed", "uncertain"


class SmtpPool:
    def __init__(self, mail, size: int):
        self.mail = mail  # hall.deployment.mail
        self.size = size
        self._local = threading.local()
        self._all: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="billmail-smtp")

    def _connection(self) -> smtplib.SMTP:
        smtp = getattr(self._local, "smtp", None)
        if smtp is None:
            mail = self.mail
            smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_seconds)
            smtp.ehlo()
            if mail.starttls:
                smtp.starttls()
                smtp.ehlo()
            if mail.username:
                smtp.login(mail.username, mail.password.get_secret_value() if mail.password else "")
            self._local.smtp = smtp
            with self._lock:
                self._all.append(smtp)
        return smtp

    def _drop(self) -> None:
        smtp = getattr(self._local, "smtp", None)
        self._local.smtp = None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def send_one(self, to: str, data: bytes) -> tuple[str, str]:
        """(state, error) for one mail; never raises."""
        try:
            smtp = self._connection()
            code, reply = smtp.mail(self.mail.sender)
            if code == 250:
                code, reply = smtp.rcpt(to)
            if code not in (250, 251):
                smtp.rset()
                return FAILED, f"SMTP {code}: {reply.decode(errors='replace')[:200]}"
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            return FAILED, f"{type(exc).__name__}: {exc}"[:300]
        try:
            code, reply = smtp.data(data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused (no 354): nothing was handed over
            self._safe_rset()
            return FAILED, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:300]
        except (OSError, smtplib.SMTPException) as exc:  # lost while the server had the message: it may have kept it
            self._drop()
            return UNCERTAIN, f"{type(exc).__name__} during DATA: {exc}"[:300]
        if code == 250:
            return SENT, ""
        self._safe_rset()
        return FAILED, f"SMTP {code}: {reply.decode(errors='replace')[:200]}"

    def _safe_rset(self) -> None:
        try:
            self._local.smtp.rset()
        except (OSError, smtplib.SMTPException, AttributeError):
            self._drop()

    def send_many(self, mails: list[tuple[int, str, bytes]]) -> list[tuple[int, str, str]]:
        """(id, state, error) for each (id, to, data), sent one after another on this thread's connection."""
        return [(mail_id, *self.send_one(to, data)) for mail_id, to, data in mails]

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        with self._lock:
            for smtp in self._all:
                try:
                    smtp.quit()
                except (OSError, smtplib.SMTPException):
                    pass
            self._all.clear()
