"""``python -m core.cli`` is the ``hall`` command."""

from core.cli import main

main()
