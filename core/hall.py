"""The Hall: one running deployment - settings, plugins, tenants, themes, database.

Built once per process (``Hall.from_config``) and handed to every hook as
``hall``. Validation that needs plugins and themes (unknown plugin, missing
theme, host claimed twice, plugin settings) happens here, so start-up and
``hall check`` report the same problems the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from core.config import ConfigError, ConfigIssue, HallSettings, load_settings
from core.config.loader import pydantic_issues
from core.db.engine import Database
from core.legacy.ports import missing_ports
from core.plugin_checks import plugin_config_issues
from core.plugins import HallPluginManager, tracing_requested
from core.tenancy import Brand, Tenant, TenantDirectory
from core.web.themes import Theme, load_themes


class Hall:
    def __init__(self, settings: HallSettings, plugins: HallPluginManager):
        self.settings = settings
        self.plugins = plugins
        self.root: Path = settings.root
        self.themes: dict[str, Theme] = {}
        self.tenants = TenantDirectory({})
        self.settings_models: dict[str, type[BaseModel]] = {}
        self.connectors: dict[str, Any] = {}
        self.sms_channels: dict[str, Any] = {}  # tenant id → its SMS channel ([sms], core/notify/sms/providers.py)
        self.db: Database | None = None
        self.jobs: Any = None  # the job runner, set when the app or a worker starts (core.jobs.make_runner)
        self.state: dict[str, Any] = {}  # for plugins: per-process caches keyed by plugin name

    # -- construction -------------------------------------------------------
    @classmethod
    def from_config(
        cls,
        config: str | Path | None = None,
        *,
        extra_plugins: dict[str, Any] | None = None,
        load_entrypoints: bool = True,
        connect_tenants: bool = True,
    ) -> "Hall":
        settings = load_settings(config)
        plugins = HallPluginManager()
        if tracing_requested(settings.deployment.hall.trace_hooks):
            plugins.trace_to_log()
        plugins.load_always_on()
        plugins.load_builtin()
        if load_entrypoints:
            try:
                plugins.load_entrypoints()
            except ValueError as exc:
                raise ConfigError([ConfigIssue("(installed packages)", "entry point group 'hall'", str(exc))]) from None
        for name, plugin in (extra_plugins or {}).items():
            plugins.register(plugin, name, "test")
        hall = cls(settings, plugins)
        hall._validate_and_build(connect_tenants=connect_tenants)
        return hall

    @property
    def secret(self) -> str:
        return self.settings.deployment.security.secret_key.get_secret_value()

    @property
    def deployment(self):
        return self.settings.deployment

    def _validate_and_build(self, connect_tenants: bool) -> None:
        dep = self.settings.deployment
        cfg_file = str(self.settings.config_file)
        issues: list[ConfigIssue] = []
        try:
            self.plugins.check_pending()
        except Exception as exc:  # pluggy.PluginValidationError
            issues.append(ConfigIssue("(plugins)", "-", f"a plugin implements an unknown hook: {exc}"))
        self.themes, theme_issues = load_themes(self.settings.path(dep.hall.themes_dir))
        issues += theme_issues
        self.settings_models = {
            name: model for name, model in self.plugins.per_plugin("register_settings", hall=self).items()
        }
        known = set(self.plugins.names())
        if dep.hall.default_theme not in self.themes:
            issues.append(
                ConfigIssue(
                    cfg_file,
                    "hall.default_theme",
                    f"theme {dep.hall.default_theme!r} does not exist (have: {', '.join(sorted(self.themes)) or 'none'})",
                )
            )
        issues += _unknown_plugins(cfg_file, "hall.plugins", dep.hall.plugins, dep.plugins, known)
        hosts: dict[str, str] = {}
        tenants: dict[str, Tenant] = {}
        for tid, raw in self.settings.tenants.items():
            tfile = str(raw.path / "tenant.toml")
            data = raw.data
            theme = data.tenant.theme or dep.hall.default_theme
            if data.tenant.theme and theme not in self.themes:
                issues.append(
                    ConfigIssue(
                        tfile,
                        "tenant.theme",
                        f"theme {theme!r} does not exist (have: {', '.join(sorted(self.themes))})",
                    )
                )
            for host in data.tenant.hosts:
                owner = hosts.get(host.lower())
                if owner:
                    issues.append(
                        ConfigIssue(tfile, "tenant.hosts", f"host {host!r} is already claimed by tenant {owner!r}")
                    )
                hosts[host.lower()] = tid
            inherits = data.tenant.plugins is None
            enabled = dep.hall.plugins if inherits else data.tenant.plugins
            # an inherited list was already checked as hall.plugins
            issues += _unknown_plugins(tfile, "tenant.plugins", [] if inherits else enabled, data.plugins, known)
            plugin_settings: dict[str, BaseModel] = {}
            for name, model in self.settings_models.items():
                merged = {**dep.plugins.get(name, {}), **data.plugins.get(name, {})}
                try:
                    plugin_settings[name] = model.model_validate(merged)
                except ValidationError as exc:
                    tenant_keys = set(data.plugins.get(name, {}))
                    for issue in pydantic_issues(exc, merged, cfg_file, f"HALL_PLUGINS__{name.upper()}"):
                        top = issue.key.split(".")[0]
                        origin = tfile if top in tenant_keys else issue.file  # per key: who set the bad value
                        issues.append(ConfigIssue(origin, f"plugins.{name}.{issue.key}", issue.reason))
            if data.brand.logo and not (raw.path / data.brand.logo).is_file():
                issues.append(ConfigIssue(tfile, "brand.logo", f"file {data.brand.logo!r} not found in {raw.path}"))
            tenants[tid] = Tenant(
                id=tid,
                name=data.tenant.name,
                name_en=data.tenant.name_en,
                hosts=tuple(h.lower() for h in data.tenant.hosts),
                theme=theme,
                language=data.tenant.language or dep.hall.default_language,
                brand=Brand(**data.brand.model_dump()),
                plugins=frozenset(n for n in enabled if n in known),
                path=raw.path,
                connector=data.connector.model_dump(),
                settings=plugin_settings,
                timezone=data.tenant.timezone,
                legacy=data.legacy,
                sms=data.sms,
                environment=data.tenant.environment or dep.hall.environment,
            )
            issues += self._build_sms(tenants[tid], tfile)
        self.tenants = TenantDirectory(tenants)
        issues += plugin_config_issues(self)
        if connect_tenants and not issues:
            issues += self._build_connectors()
        if issues:
            raise ConfigError(issues)
        self.db = Database(dep.database.url, self.root, dep.database.pool_size)

    def _build_sms(self, tenant: Tenant, tfile: str) -> list[ConfigIssue]:
        from core.notify.sms.providers import build_channel

        channel, issues = build_channel(self, tenant, tfile)
        if channel is not None:
            self.sms_channels[tenant.id] = channel
        return issues

    def _build_connectors(self) -> list[ConfigIssue]:
        issues: list[ConfigIssue] = []
        needs = self.plugins.per_plugin("required_ports", hall=self)
        for tenant in self.tenants:
            tfile = str(tenant.path / "tenant.toml")
            ctype = tenant.connector.get("type") or ""
            connector = None
            if ctype:
                try:
                    connector = self.plugins.hook.make_connector(hall=self, tenant=tenant, config=tenant.connector)
                except ConfigError as exc:
                    issues += exc.issues
                    continue
                except Exception as exc:
                    issues.append(ConfigIssue(tfile, "connector", f"connector {ctype!r} failed to start: {exc}"))
                    continue
                if connector is None:
                    issues.append(
                        ConfigIssue(tfile, "connector.type", f"no installed plugin provides connector {ctype!r}")
                    )
                    continue
                self.connectors[tenant.id] = connector
            for plugin in sorted(tenant.plugins):
                ports = needs.get(plugin) or []
                if not ports:
                    continue
                lacking = (
                    missing_ports(connector, ports)
                    if connector is not None
                    else [getattr(p, "__name__", str(p)) for p in ports]
                )
                if lacking:
                    issues.append(
                        ConfigIssue(
                            tfile,
                            "tenant.plugins",
                            f"plugin {plugin!r} needs legacy port(s) {', '.join(lacking)} which connector {ctype or '(none)'!r} of tenant {tenant.id!r} lacks",
                        )
                    )
        return issues

    def channels_for(self, tenant: Tenant | None) -> dict:
        """Delivery channels by name: ``email`` over SMTP, ``sms`` through the tenant's SMS provider ([sms])."""
        from core.notify.channels import OutboxSmsChannel, SmtpChannel

        email = self.state.get("core.smtp")
        if email is None:
            mail = self.deployment.mail
            email = self.state["core.smtp"] = SmtpChannel(
                host=mail.host,
                port=mail.port,
                sender=mail.sender,
                starttls=mail.starttls,
                username=mail.username,
                password=mail.password.get_secret_value() if mail.password else "",
                timeout=mail.timeout_seconds,
            )
        sms = self.sms_channels.get(tenant.id) if tenant is not None else None
        return {"email": email, "sms": sms or OutboxSmsChannel()}

    @property
    def channels(self) -> dict:
        """The current tenant's channels (see ``channels_for``)."""
        from core.tenancy import current_tenant

        return self.channels_for(current_tenant())

    # -- queries ------------------------------------------------------------
    def hooks_for(self, tenant: Tenant):
        """Hook callers that only reach the plugins ``tenant`` enabled."""
        return self.plugins.for_plugins(tenant.plugins)

    def connector(self, tenant: Tenant):
        return self.connectors.get(tenant.id)

    def tenants_enabling(self, plugin: str) -> list[str]:
        return [t.id for t in self.tenants if t.enables(plugin)]


def _unknown_plugins(
    file: str, list_key: str, enabled: list[str], settings: dict, known: set[str]
) -> list[ConfigIssue]:
    """Plugins named in an enabled list or a [plugins.<name>] table that are not installed."""
    installed = ", ".join(sorted(known)) or "none"
    issues = [
        ConfigIssue(file, f"{list_key}[{i}]", f"unknown plugin {name!r} (installed: {installed})")
        for i, name in enumerate(enabled)
        if name not in known
    ]
    issues += [
        ConfigIssue(file, f"plugins.{name}", f"settings for unknown plugin {name!r}")
        for name in settings
        if name not in known
    ]
    return issues
