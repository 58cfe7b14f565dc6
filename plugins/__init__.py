"""Built-in plugins: each sub-package is one plugin, registered under its folder name."""
