"""Background and scheduled work.

Jobs are plain idempotent async functions ``fn(hall, tenant_id, **kwargs)``
declared with :class:`Job` (the core's in ``core.jobs.builtin``, plugins' through
the ``register_jobs`` hook). On PostgreSQL they run on procrastinate (any number
of ``hall worker`` processes share them through row locks, periodic ones are
scheduled once per tick however many workers run); on the embedded SQLite
default the same functions run in-process, in the web process.
"""

from core.jobs.spec import Job, all_jobs
from core.jobs.runner import make_runner

__all__ = ["Job", "all_jobs", "make_runner"]
