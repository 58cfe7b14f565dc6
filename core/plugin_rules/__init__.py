"""The rules a plugin follows (docs/plugins.md), checked by ``hall check-plugin`` and ``core.api.testing.check_plugin``.

Kept out of ``core.testing`` so the command works in a production install (no pytest there).
"""
