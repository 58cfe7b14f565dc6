"""The plugin manager: one per Hall instance, never a module global.

Built-in plugins are the packages under ``plugins/``; outside plugins register
in the ``hall`` entry-point group. The core's own behaviour is a handful of
always-on plugins (``core.payments``, ``core.workorders``... listed in
core/builtin.py). Per-tenant callers come from pluggy's ``subset_hook_caller``
with the tenant's disabled plugins removed.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

import pluggy

from core import hookspecs
from core.builtin import ALWAYS_ON as ALWAYS_ON_MODULES, plugin_name

ALWAYS_ON = frozenset(plugin_name(m) for m in ALWAYS_ON_MODULES)


def is_always_on(name: str) -> bool:
    """A core plugin: enabled for every tenant, its routes unprefixed, its permissions grouped as the core's."""
    return name in ALWAYS_ON


@dataclass(frozen=True)
class PluginInfo:
    name: str
    source: str  # "core" | "built-in" | "entry point <dist>" | "test"
    description: str


class HallPluginManager:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("hall")
        self.pm.add_hookspecs(hookspecs)
        self._info: dict[str, PluginInfo] = {}
        self._subset_cache: dict[frozenset[str], dict[str, Callable]] = {}

    # -- registration -------------------------------------------------------
    def register(self, plugin: Any, name: str, source: str) -> None:
        if self.pm.has_plugin(name):
            raise ValueError(f"a plugin named {name!r} is already registered")
        self.pm.register(plugin, name=name)
        doc = (getattr(plugin, "__doc__", None) or "").strip().splitlines()
        self._info[name] = PluginInfo(name, source, doc[0] if doc else "")
        self._subset_cache.clear()

    def unregister(self, name: str) -> None:
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin, name=name)
        self._info.pop(name, None)
        self._subset_cache.clear()

    def load_always_on(self) -> None:
        """Register the core's own plugins (core/builtin.py), before any other."""
        for module in ALWAYS_ON_MODULES:
            self.register(importlib.import_module(module), plugin_name(module), "core")

    def load_builtin(self, package: str = "plugins") -> None:
        """Import every sub-package of ``plugins`` and register it under its folder name."""
        try:
            pkg = importlib.import_module(package)
        except ModuleNotFoundError:
            return
        for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if mod.ispkg and not mod.name.startswith("_"):
                module = importlib.import_module(f"{package}.{mod.name}")
                self.register(module, mod.name, "built-in")

    def load_entrypoints(self, group: str = "hall") -> None:
        for ep in importlib.metadata.entry_points(group=group):
            if self.pm.has_plugin(ep.name):
                dist = ep.dist.name if ep.dist else "?"
                raise ValueError(f"plugin name clash: {ep.name!r} from package {dist} and the {self._info[ep.name].source} plugin of that name")
            module = ep.load()
            self.register(module, ep.name, f"entry point {ep.dist.name if ep.dist else '?'}")

    def check_pending(self) -> None:
        """Fail on a hook implementation that matches no spec (a misspelled hook name)."""
        self.pm.check_pending()

    # -- queries ------------------------------------------------------------
    @property
    def hook(self):
        return self.pm.hook

    def names(self) -> list[str]:
        return sorted(n for n in self._info if n not in ALWAYS_ON)

    def info(self, name: str) -> PluginInfo:
        return self._info[name]

    def module(self, name: str) -> ModuleType | Any:
        return self.pm.get_plugin(name)

    def has(self, name: str) -> bool:
        return name in self._info

    def for_plugins(self, enabled: frozenset[str]) -> "SubsetHooks":
        """Hook callers that skip every plugin outside ``enabled`` (the core is always on)."""
        return SubsetHooks(self, frozenset(enabled) | ALWAYS_ON)

    def per_plugin(self, hookname: str, **kwargs: Any) -> dict[str, Any]:
        """Call one hook on each plugin separately: {plugin name: result}. Used where the core must know who answered."""
        results: dict[str, Any] = {}
        for impl in getattr(self.pm.hook, hookname).get_hookimpls():
            argnames = impl.argnames
            result = impl.function(**{k: v for k, v in kwargs.items() if k in argnames})
            if result is not None:
                results[impl.plugin_name] = result
        return results


class SubsetHooks:
    """``hooks.menu_items(...)`` calls only the enabled plugins; cached per set of plugins."""

    def __init__(self, manager: HallPluginManager, enabled: frozenset[str]):
        self._manager = manager
        self._enabled = enabled

    def __getattr__(self, hookname: str):
        cache = self._manager._subset_cache
        key = self._enabled
        callers = cache.setdefault(key, {})
        caller = callers.get(hookname)
        if caller is None:
            pm = self._manager.pm
            disabled = [pm.get_plugin(n) for n in self._manager._info if n not in self._enabled]
            caller = pm.subset_hook_caller(hookname, remove_plugins=[p for p in disabled if p is not None])
            callers[hookname] = caller
        return caller
