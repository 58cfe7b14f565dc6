"""Messages to people: an e-mail or SMS queued in the caller's transaction, sent by the core's delivery job.

See core/notify/messages.py and docs/plugins.md ("core.api.notify").
"""

from core.notify.messages import CHANNELS, queue_message

__all__ = ["CHANNELS", "queue_message"]
