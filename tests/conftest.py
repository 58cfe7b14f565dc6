"""The suite uses the same fixtures integrators get."""

pytest_plugins = ["core.testing.fixtures"]
