"""Plugin manifests: what the core reads from ``MANIFEST`` instead of the registration hooks, and the hooks still working without one."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest
from pydantic import BaseModel

import plugins as bundled
from core import __version__
from core.auth.permissions import Permission
from core.hookspecs import hookimpl
from core.manifest import Manifest
from core.plugins import HallPluginManager


class HoursSettings(BaseModel):
    weekdays: str = "08:30-17:30"


def _manager(**modules) -> HallPluginManager:
    manager = HallPluginManager()
    for name, module in modules.items():
        manager.register(module, name, "test")
    return manager


def test_every_bundled_plugin_declares_a_manifest_named_like_its_folder():
    names = [m.name for m in pkgutil.iter_modules(bundled.__path__) if m.ispkg and not m.name.startswith("_")]
    assert names, "no bundled plugins found"
    for name in names:
        manifest = importlib.import_module(f"plugins.{name}").MANIFEST
        assert isinstance(manifest, Manifest) and manifest.name == name
        assert manifest.version == __version__ and manifest.description


def test_the_manifest_answers_settings_database_app_and_permissions():
    hours = types.SimpleNamespace(
        MANIFEST=Manifest(
            "hours",
            "1.2.0",
            "Opening hours.",
            settings=HoursSettings,
            database_app="hours_plugin.piccolo_app",
            permissions=[Permission("hours.view", "See the opening hours")],
            title="Opening hours",
        )
    )
    manager = _manager(hours=hours)
    assert manager.per_plugin("register_settings", hall=None) == {"hours": HoursSettings}
    assert manager.per_plugin("register_db_app", hall=None) == {"hours": "hours_plugin.piccolo_app"}
    assert manager.per_plugin("register_permissions", hall=None) == {
        "hours": [Permission("hours.view", "See the opening hours")]
    }
    assert manager.info("hours").version == "1.2.0" and manager.info("hours").description == "Opening hours."


def test_the_title_joins_the_labels_the_plugin_registers_itself():
    hours = types.SimpleNamespace(
        MANIFEST=Manifest("hours", "1", "Opening hours.", title="Opening hours"),
        register_labels=hookimpl(lambda hall: {"audit_action": {"hours.update": "Changed the hours"}}),
    )
    labels = _manager(hours=hours).per_plugin("register_labels", hall=None)["hours"]
    assert labels == {"audit_action": {"hours.update": "Changed the hours"}, "plugin": {"hours": "Opening hours"}}


def test_a_settings_function_is_given_the_hall():
    seen = []
    hours = types.SimpleNamespace(
        MANIFEST=Manifest("hours", "1", "Opening hours.", settings=lambda hall: seen.append(hall) or HoursSettings)
    )
    assert _manager(hours=hours).per_plugin("register_settings", hall="the hall") == {"hours": HoursSettings}
    assert seen == ["the hall"]


def test_a_plugin_without_a_manifest_still_registers_through_its_hooks():
    legacy = types.SimpleNamespace(
        __doc__="An older plugin.\n\nMore text.",
        register_settings=hookimpl(lambda hall: HoursSettings),
        register_db_app=hookimpl(lambda hall: "legacy.piccolo_app"),
    )
    manager = _manager(legacy=legacy)
    assert manager.per_plugin("register_settings", hall=None) == {"legacy": HoursSettings}
    assert manager.per_plugin("register_db_app", hall=None) == {"legacy": "legacy.piccolo_app"}
    assert manager.info("legacy").description == "An older plugin." and manager.info("legacy").version == ""


def test_a_manifest_field_and_its_hook_together_are_refused():
    both = types.SimpleNamespace(
        MANIFEST=Manifest("both", "1", "Twice.", settings=HoursSettings),
        register_settings=hookimpl(lambda hall: HoursSettings),
    )
    with pytest.raises(ValueError, match="MANIFEST.settings and implements register_settings"):
        _manager(both=both)


def test_a_manifest_naming_another_plugin_is_refused():
    with pytest.raises(ValueError, match="declares the name 'hours'"):
        _manager(opening=types.SimpleNamespace(MANIFEST=Manifest("hours", "1", "Opening hours.")))


def test_a_manifest_needs_name_version_and_description():
    with pytest.raises(ValueError, match="needs a name, a version and a description"):
        Manifest("hours", "", "Opening hours.")


def test_manifest_must_be_a_manifest():
    with pytest.raises(ValueError, match="is not a core.manifest.Manifest"):
        _manager(odd=types.SimpleNamespace(__name__="odd", MANIFEST={"name": "odd"}))
