"""The plugin manager: one per Hall instance, never a module global.

Built-in plugins are the packages under ``plugins/``; outside plugins register
in the ``hall`` entry-point group. The core's own behaviour is a handful of
always-on plugins (``core.payments``, ``core.workorders``... listed in
core/builtin.py). Every hook call goes through pluggy (wrappers,
``tryfirst``/``trylast``, tracing): per-tenant callers come from pluggy's
``subset_hook_caller`` with the tenant's disabled plugins removed, and
``per_plugin`` asks each plugin through a subset caller of its own. A plugin's
``MANIFEST`` (core/manifest.py) answers the registration hooks it covers.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import pkgutil
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

import pluggy

from core import hookspecs
from core.manifest import COVERED_HOOKS, Manifest, manifest_of
from core.builtin import ALWAYS_ON as ALWAYS_ON_MODULES, plugin_name

ALWAYS_ON = frozenset(plugin_name(m) for m in ALWAYS_ON_MODULES)
HOOK_LOG = "hall.hooks"  # the logger hook tracing writes to (HALL_TRACE_HOOKS=1)


def is_always_on(name: str) -> bool:
    """A core plugin: enabled for every tenant, its routes unprefixed, its permissions grouped as the core's."""
    return name in ALWAYS_ON


@dataclass(frozen=True)
class PluginInfo:
    name: str
    source: str  # "core" | "built-in" | "entry point <dist>" | "test"
    description: str
    version: str = ""  # from the manifest; "" for a plugin without one


class HallPluginManager:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("hall")
        self.pm.add_hookspecs(hookspecs)
        self._info: dict[str, PluginInfo] = {}
        self._manifests: dict[str, Manifest] = {}
        self._subset_cache: dict[frozenset[str], dict[str, Callable]] = {}
        self._only_cache: dict[tuple[str, str], Callable] = {}
        self._undo_tracing: Callable[[], None] | None = None

    # -- registration -------------------------------------------------------
    def register(self, plugin: Any, name: str, source: str) -> None:
        if self.pm.has_plugin(name):
            raise ValueError(f"a plugin named {name!r} is already registered")
        manifest = manifest_of(plugin)
        if manifest is not None:
            _check_manifest(plugin, name, manifest)
        self.pm.register(
            plugin if _hashable(plugin) else _Held(plugin), name=name
        )  # vars() raises for an object without a dict
        if manifest is not None:
            self._manifests[name] = manifest
            self._info[name] = PluginInfo(name, source, manifest.description, manifest.version)
        else:
            doc = (getattr(plugin, "__doc__", None) or "").strip().splitlines()
            self._info[name] = PluginInfo(name, source, doc[0] if doc else "")
        self._forget_callers()

    def unregister(self, name: str) -> None:
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin, name=name)
        self._info.pop(name, None)
        self._manifests.pop(name, None)
        self._forget_callers()

    def _forget_callers(self) -> None:
        """Subset callers list the plugins they leave out: a new or removed plugin makes them stale."""
        self._subset_cache.clear()
        self._only_cache.clear()

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
                raise ValueError(
                    f"plugin name clash: {ep.name!r} from package {dist} and the {self._info[ep.name].source} plugin of that name"
                )
            module = ep.load()
            self.register(module, ep.name, f"entry point {ep.dist.name if ep.dist else '?'}")

    def check_pending(self) -> None:
        """Fail on a hook implementation that matches no spec (a misspelled hook name)."""
        self.pm.check_pending()

    def trace_to_log(self) -> None:
        """Write every hook call, its arguments and its result to the ``hall.hooks`` logger at DEBUG (pluggy's tracing)."""
        if self._undo_tracing is not None:
            return
        log = logging.getLogger(HOOK_LOG)
        self.pm.trace.root.setwriter(lambda message: log.debug("%s", message.rstrip("\n")))
        self._undo_tracing = self.pm.enable_tracing()

    def stop_tracing(self) -> None:
        if self._undo_tracing is not None:
            self._undo_tracing()
            self._undo_tracing = None
            self.pm.trace.root.setwriter(None)

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

    def manifest(self, name: str) -> Manifest | None:
        return self._manifests.get(name)

    def for_plugins(self, enabled: frozenset[str]) -> "SubsetHooks":
        """Hook callers that skip every plugin outside ``enabled`` (the core is always on)."""
        return SubsetHooks(self, frozenset(enabled) | ALWAYS_ON)

    def per_plugin(self, hookname: str, **kwargs: Any) -> dict[str, Any]:
        """Ask each plugin separately: {plugin name: its answer}, for the core must know who answered.

        Each plugin is called through a pluggy subset caller holding only that
        plugin, so its wrappers, ``tryfirst``/``trylast`` and tracing apply; the
        dict follows pluggy's call order. ``None`` (no answer) is left out. A
        plugin's manifest answers the registration hooks it covers.
        """
        results: dict[str, Any] = {}
        for name in self.implementers(hookname):
            answers = self.only(name, hookname)(**kwargs)  # pluggy drops None: [] when the plugin had nothing
            if answers:
                results[name] = answers[0]
        for name, manifest in self._manifests.items():
            if hookname in COVERED_HOOKS:
                answer = manifest.answer(hookname, kwargs.get("hall"))
                if answer is not None:
                    results[name] = answer
            elif hookname == "register_labels":
                labels = manifest.labels(results.get(name))
                if labels is not None:
                    results[name] = labels
        return results

    def implementers(self, hookname: str) -> list[str]:
        """Names of the plugins implementing ``hookname``, in the order pluggy calls them."""
        hook = getattr(self.pm.hook, hookname)
        return list(dict.fromkeys(impl.plugin_name for impl in reversed(hook.get_hookimpls())))

    def only(self, name: str, hookname: str) -> Callable:
        """A pluggy caller of ``hookname`` that reaches plugin ``name`` alone (cached)."""
        caller = self._only_cache.get((name, hookname))
        if caller is None:
            others = [plugin for other, plugin in self.pm.list_name_plugin() if other != name]
            caller = self._only_cache[(name, hookname)] = self.pm.subset_hook_caller(hookname, remove_plugins=others)
        return caller


def tracing_requested(setting: bool) -> bool:
    """``[hall] trace_hooks``, or ``HALL_TRACE_HOOKS`` set to anything but empty, 0, false, no or off."""
    env = os.environ.get("HALL_TRACE_HOOKS", "").strip().lower()
    return setting or env not in ("", "0", "false", "no", "off")


def _hashable(plugin: Any) -> bool:
    return getattr(type(plugin), "__hash__", None) is not None


class _Held:
    """A hashable stand-in for a plugin object that is not (a ``SimpleNamespace``): pluggy's subset callers keep plugins in sets.

    It shares the object's attribute dict, so pluggy (which reads attributes
    statically) finds the same hook implementations, and later changes show.
    """

    def __init__(self, target: Any) -> None:
        self.__dict__ = vars(target)


def _check_manifest(plugin: Any, name: str, manifest: Manifest) -> None:
    """The manifest names the plugin as registered, and no covered hook is declared twice."""
    if manifest.name != name:
        raise ValueError(f"plugin {name!r} declares the name {manifest.name!r} in its MANIFEST: use {name!r}")
    for hookname, field in COVERED_HOOKS.items():
        declared = getattr(getattr(plugin, hookname, None), "hall_impl", None) is not None
        if declared and getattr(manifest, field):
            raise ValueError(f"plugin {name!r} sets MANIFEST.{field} and implements {hookname}: keep one of them")


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
