"""Hook calls go through pluggy: per-plugin answers keep wrappers and ordering, hookspecs are typed, tracing logs every call."""

from __future__ import annotations

import ast
import inspect
import logging
import types
import typing

import pytest

from core import hookspecs
from core.hall import Hall
from core.hookspecs import hookimpl
from core.plugins import HOOK_LOG, HallPluginManager, tracing_requested
from core.testing import TenantSpec, write_hall


def specs() -> dict[str, typing.Callable]:
    return {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "hall_spec")}


def annotation_names() -> dict:
    """The module's names plus those it imports only for type checking."""
    tree = ast.parse(inspect.getsource(hookspecs))
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    names = dict(vars(hookspecs))
    exec(compile(ast.Module(body=block.body, type_ignores=[]), "hookspecs-type-checking", "exec"), names)  # noqa: S102 - our own imports
    return names


@pytest.mark.parametrize("name", sorted(specs()))
def test_every_hookspec_is_fully_annotated_and_the_annotations_resolve(name):
    fn = specs()[name]
    signature = inspect.signature(fn)
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values()), (
        f"{name}: a parameter lacks a type"
    )
    assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type"
    hints = typing.get_type_hints(fn, globalns=annotation_names())
    assert set(hints) == {*signature.parameters, "return"}


def test_per_plugin_answers_pass_through_the_plugins_own_wrapper():
    @hookimpl(specname="register_labels", wrapper=True)
    def wrap_labels(hall):
        answers = yield
        return [{**answers[0], "extra": {"k": "v"}}]

    plugin = types.SimpleNamespace(
        register_labels=hookimpl(lambda hall: {"plugin": {"w": "W"}}), wrap_labels=wrap_labels
    )
    other = types.SimpleNamespace(register_labels=hookimpl(lambda hall: {"plugin": {"o": "O"}}))
    manager = HallPluginManager()
    manager.register(plugin, "w", "test")
    manager.register(other, "o", "test")
    assert manager.per_plugin("register_labels", hall=None) == {
        "o": {"plugin": {"o": "O"}},
        "w": {"plugin": {"w": "W"}, "extra": {"k": "v"}},
    }


def test_per_plugin_follows_pluggys_call_order():
    manager = HallPluginManager()
    manager.register(types.SimpleNamespace(register_db_app=hookimpl(trylast=True)(lambda hall: "a.app")), "a", "test")
    manager.register(types.SimpleNamespace(register_db_app=hookimpl(lambda hall: "b.app")), "b", "test")
    manager.register(types.SimpleNamespace(register_db_app=hookimpl(tryfirst=True)(lambda hall: "c.app")), "c", "test")
    assert list(manager.per_plugin("register_db_app", hall=None)) == ["c", "b", "a"]


@pytest.mark.parametrize(
    ("env", "setting", "expected"),
    [
        ("", False, False),
        ("0", False, False),
        ("off", False, False),
        ("1", False, True),
        ("yes", False, True),
        ("", True, True),
    ],
)
def test_tracing_switch(monkeypatch, env, setting, expected):
    monkeypatch.setenv("HALL_TRACE_HOOKS", env)
    assert tracing_requested(setting) is expected


def test_hall_trace_hooks_logs_each_call_and_its_result(tmp_path, monkeypatch, caplog):
    config = write_hall(
        tmp_path,
        [TenantSpec("alpha", plugins=["notices"], connector={})],
        database_url=f"sqlite:///{tmp_path}/h.sqlite3",
    )
    monkeypatch.setenv("HALL_TRACE_HOOKS", "1")
    with caplog.at_level(logging.DEBUG, logger=HOOK_LOG):
        hall = Hall.from_config(config, connect_tenants=False)
    traced = [r.getMessage() for r in caplog.records if r.name == HOOK_LOG]
    assert any(
        m.strip().startswith("check_config [hook]") and "tenant: None" in m for m in traced
    )  # the call and its arguments
    assert any(m.strip().startswith("check_config [hook]") and "tenant: Tenant(id='alpha'" in m for m in traced)
    assert any(
        m.strip().startswith("finish register_workorder_types --> [[WorkOrderType(code='service.complaint'")
        for m in traced
    )  # the result
    hall.plugins.stop_tracing()


def test_no_hook_log_without_the_switch(tmp_path, monkeypatch, caplog):
    config = write_hall(tmp_path, [TenantSpec("alpha", connector={})], database_url=f"sqlite:///{tmp_path}/h.sqlite3")
    monkeypatch.delenv("HALL_TRACE_HOOKS", raising=False)
    with caplog.at_level(logging.DEBUG, logger=HOOK_LOG):
        Hall.from_config(config, connect_tenants=False)
    assert not [r for r in caplog.records if r.name == HOOK_LOG]
