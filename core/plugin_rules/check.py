"""``check_plugin``: does a plugin follow the rules of docs/plugins.md? A list of problems, empty when it does.

Checked: the manifest (name as registered, version, description), imports of
the core only through ``core.api``, hook implementations that match a hook,
a ``name="<plugin>:…"`` on every route handler of its ``routes*`` modules,
templates under ``templates/<plugin>/``, zh_CN and en catalogs translating
every message id it uses, and permission codes ``<plugin>.…``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

from core import hookspecs
from core.manifest import Manifest
from core.plugin_rules.imports import forbidden_imports
from core.plugin_rules.translations import translation_problems

ENTRY_POINT_GROUP = "hall"


def find_plugin(name: str) -> tuple[ModuleType | None, str]:
    """The module registered under ``name`` (a bundled plugin, or an entry point of the ``hall`` group), and where from."""
    if importlib.util.find_spec("plugins") is not None and importlib.util.find_spec(f"plugins.{name}") is not None:
        return importlib.import_module(f"plugins.{name}"), "built-in"
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            return ep.load(), f"entry point {ep.dist.name if ep.dist else '?'}"
    return None, ""


def registered_name(module: ModuleType) -> str | None:
    """The name the hall registers ``module`` under: its folder under plugins/, or its entry point's name."""
    if module.__name__.startswith("plugins.") and module.__name__.count(".") == 1:
        return module.__name__.split(".")[1]
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.value == module.__name__:
            return ep.name
    return None


def check_plugin(module_or_name: ModuleType | str, name: str | None = None) -> list[str]:
    """The problems of a plugin (empty: it follows the rules).

    Give the plugin's name, or its module (then the name is the one it is
    registered under; pass ``name`` for a module that is not registered).
    """
    if isinstance(module_or_name, str):
        name = name or module_or_name
        module, _ = find_plugin(module_or_name)
        if module is None:
            return [
                f"no plugin named {module_or_name!r}: not under plugins/ and no entry point in the {ENTRY_POINT_GROUP!r} group"
            ]
    else:
        module = module_or_name
        name = name or registered_name(module)
        if name is None:
            return [f"{module.__name__} is not registered: no entry point of the {ENTRY_POINT_GROUP!r} group names it"]
    if not hasattr(module, "__path__"):
        return [
            f"{module.__name__} is a single module: a plugin is a package (templates, locale and modules beside it)"
        ]
    folder = Path(module.__file__).parent
    manifest = getattr(module, "MANIFEST", None)
    return [
        *_manifest_problems(manifest, name),
        *_import_problems(folder),
        *_hook_problems(module),
        *_route_problems(module, name),
        *_template_problems(folder, name),
        *translation_problems(folder),
        *_permission_problems(manifest, name),
    ]


def _manifest_problems(manifest: object, name: str) -> list[str]:
    if manifest is None:
        return ["no MANIFEST = Manifest(...) in the package's __init__.py"]
    if not isinstance(manifest, Manifest):
        return ["MANIFEST is not a core.api.Manifest"]
    problems = [f"MANIFEST.{field} is empty" for field in ("version", "description") if not getattr(manifest, field)]
    if manifest.name != name:
        problems.insert(0, f"MANIFEST.name is {manifest.name!r}, but the plugin is registered as {name!r}")
    return problems


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _import_problems(folder: Path) -> list[str]:
    return [
        f"{path.relative_to(folder)}:{line}: imports {module} (only core.api and its submodules are public)"
        for path in _python_files(folder)
        for line, module in forbidden_imports(path.read_text(encoding="utf-8"))
    ]


def _hook_problems(module: ModuleType) -> list[str]:
    known = {name for name, _ in inspect.getmembers(hookspecs) if hasattr(getattr(hookspecs, name), "hall_spec")}
    problems = []
    for attr, value in sorted(vars(module).items()):
        opts = getattr(value, "hall_impl", None)
        if opts is None:
            continue
        hook = opts.get("specname") or attr
        if hook not in known and not opts.get("optionalhook"):
            problems.append(
                f"{attr}: @hookimpl of {hook!r}, which is no hook (docs/hooks.md); "
                "another plugin's hook needs @hookimpl(optionalhook=True)"
            )
    return problems


def route_handlers(module: ModuleType) -> list[tuple[str, object]]:
    """(module name, handler) for every route handler defined at the top of the plugin's ``routes*`` modules."""
    from litestar.handlers import BaseRouteHandler

    found, seen = [], set()
    for info in pkgutil.iter_modules(module.__path__):
        if not info.name.startswith("routes"):
            continue
        routes = importlib.import_module(f"{module.__name__}.{info.name}")
        for value in vars(routes).values():
            if isinstance(value, BaseRouteHandler) and id(value) not in seen:
                seen.add(id(value))
                found.append((info.name, value))
    return found


def _route_problems(module: ModuleType, name: str) -> list[str]:
    problems = []
    for where, handler in route_handlers(module):
        label = f"{where}.{getattr(handler.fn, '__name__', handler)}"
        if not handler.name:
            problems.append(f'{label}: route handler has no name: add name="{name}:…"')
        elif not handler.name.startswith(f"{name}:"):
            problems.append(f"{label}: route name {handler.name!r} does not start with {name + ':'!r}")
    return problems


def _template_problems(folder: Path, name: str) -> list[str]:
    """Templates go under templates/<name>/; elsewhere only a file named after the plugin (a core slot: pay/after/<name>.html)."""
    root = folder / "templates"
    if not root.is_dir():
        return []
    problems = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if relative.parts[0] != name and path.name.split(".")[0] != name:
            problems.append(
                f"templates/{relative.as_posix()}: outside templates/{name}/ (a tenant's or another plugin's file of that name would clash)"
            )
    return problems


def _permission_problems(manifest: object, name: str) -> list[str]:
    permissions = manifest.permissions if isinstance(manifest, Manifest) else ()
    return [
        f"permission {p.code!r} does not start with {name + '.'!r}"
        for p in permissions
        if not p.code.startswith(f"{name}.")
    ]
