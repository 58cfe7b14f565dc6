"""Hall core: tenancy, plugins, configuration, identity, payments seam, web shell.

The core never imports from ``plugins/``; plugins reach it through hooks and the
public API re-exported from here and its submodules.
"""

__version__ = "0.1.0"
