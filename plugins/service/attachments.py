"""Complaint attachments: the type is sniffed from the content (not the name), the size is limited, the bytes live in the DB."""

from __future__ import annotations

import re

from core.api import N_
from plugins.service.tables import Attachment

# magic bytes → (content type, extension)
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"%PDF-", "application/pdf", "pdf"),
)


class AttachmentError(ValueError):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


def sniff(content: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if content.startswith(magic):
            return content_type, ext
    return None


def safe_name(filename: str, ext: str) -> str:
    """A display name only (never a path): letters, digits, dots, dashes; the extension matches the sniffed type."""
    stem = (
        re.sub(r"[^\w.-]+", "_", (filename or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip("._")[:80] or "file"
    )
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{stem}.{ext}"


def check(filename: str, content: bytes, max_kb: int) -> tuple[str, str]:
    """(content type, safe name) or AttachmentError with a message id."""
    if len(content) > max_kb * 1024:
        raise AttachmentError(N_("The attachment is larger than %(kb)s KiB."), kb=max_kb)
    found = sniff(content)
    if found is None:
        raise AttachmentError(N_("Attach a PNG or JPEG picture or a PDF document."))
    return found[0], safe_name(filename, found[1])


async def store(filename: str, content_type: str, content: bytes) -> int:
    rows = await Attachment.insert(
        Attachment(filename=filename, content_type=content_type, size=len(content), content=content)
    )
    return rows[0]["id"]


async def attach_to(attachment_id: int, order_id: int) -> None:
    await Attachment.update({Attachment.workorder: order_id}).where(Attachment.id == attachment_id)


async def load(attachment_id: int) -> dict | None:
    return await Attachment.select().where(Attachment.id == attachment_id).first()
