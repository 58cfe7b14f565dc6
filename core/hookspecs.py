"""Every hook a plugin can implement. Each spec's docstring says when it is called and what it returns.

Conventions (learned from Datasette and pytest):
- Hooks are called with keyword arguments. Every hook receives ``hall`` (the
  running :class:`core.hall.Hall`); hooks that run per request also receive
  ``tenant`` and ``request``. A plugin may accept fewer arguments than offered.
- pluggy has no async hooks: an implementation may return a value, a callable or
  an awaitable, and the core resolves it (``core.utils.await_me_maybe``).
- Per-request hooks are called through the tenant's subset caller, so a plugin
  the tenant has not enabled is never asked. Where the core must know which
  plugin answered, it asks each plugin through a subset caller of its own
  (``HallPluginManager.per_plugin``): every call goes through pluggy.
- The annotations name the types; the classes are imported only for type
  checkers, so importing this module stays cheap.

``tests/docs/test_hooks_documented.py`` fails when a hook lacks a docstring or is
missing from docs/hooks.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # annotations only: importing these here would pull the whole core into every plugin import
    from collections.abc import Awaitable, Callable

    import click
    from litestar import Request
    from pydantic import BaseModel

    from core.auth.permissions import Permission
    from core.auth.tables import CustomerAccount
    from core.config import ConfigIssue
    from core.config.sms import SmsSection
    from core.hall import Hall
    from core.jobs.spec import Job
    from core.payments import Intent
    from core.payments.providers import PaymentProvider
    from core.products.catalog import ProductOffering, ProductSpecification
    from core.products.model import LifecycleCall, ProductView
    from core.tenancy import Tenant
    from core.web.menus import MenuItem, Panel
    from core.workorders.types import WorkOrderType

    Later = Awaitable[None] | None  # nothing, or an awaitable the core awaits
    PanelLike = Panel | Callable[[], Any] | Awaitable[Any] | None  # a panel, or what gives one when called or awaited

hookspec = pluggy.HookspecMarker("hall")
hookimpl = pluggy.HookimplMarker("hall")


@hookspec
def hall_startup(hall: Hall) -> Later:
    """Called once per worker process after configuration is validated and the database is connected.

    Return nothing, or an awaitable. Use it to warm caches or check the plugin's
    own prerequisites; raise to stop start-up with a clear message.
    """


@hookspec
def hall_shutdown(hall: Hall) -> Later:
    """Called once per worker process when the server stops. Return nothing or an awaitable."""


@hookspec
def register_settings(hall: Hall) -> type[BaseModel] | None:
    """Return a pydantic model class: the typed schema of this plugin's ``[plugins.<name>]`` settings.

    Values in hall.toml are overridden key by key by the same table in a tenant's
    tenant.toml; the merged result is validated per tenant at start-up and a
    failure names the file and key. Read it with ``tenant.plugin_settings(name)``.
    A plugin with a manifest sets ``MANIFEST.settings`` instead (core/manifest.py).
    """


@hookspec
def check_config(hall: Hall, tenant: Tenant | None) -> list[ConfigIssue] | None:
    """Return a list of :class:`core.config.ConfigIssue` (file, key, reason): configuration problems the core cannot see.

    Called while the hall is built, after the settings are validated: once with
    ``tenant=None`` for every plugin (problems of the deployment as a whole),
    then once per tenant for the plugins that tenant enables (read its settings
    with ``tenant.plugin_settings(name)``; a plugin whose settings already
    failed validation for that tenant is not asked). The problems join the
    others in the one ConfigError that stops start-up and that ``hall check``
    lists. Return None or ``[]`` when all is well; do no network calls here.
    """


@hookspec
def register_routes(hall: Hall) -> list[Any] | None:
    """Return a list of Litestar route handlers or controllers for this plugin.

    The core mounts them under ``/<plugin name>/`` and guards them: for a tenant
    that has not enabled the plugin every one answers 404. Handlers declare who
    may call them with ``opt={"auth": "customer" | "operator" | "public"}`` (default
    ``customer``) and, for operators, ``opt={"permission": "<code>"}``.
    """


@hookspec
def register_api_routes(hall: Hall) -> list[Any] | None:
    """Return Litestar route handlers that add resources to the public API (docs/api.md).

    The core mounts them under ``/api/tmf/v4/`` (not under ``/<plugin name>/``: TM Forum's paths are
    fixed, e.g. ``POST /troubleTicket``) behind the bearer-token guard, with TM Forum's error bodies and
    in the tenant's OpenAPI document; for a tenant that has not enabled the plugin they answer 404 and are
    left out of its document. Names start with ``<plugin>:``; ``opt={"scope": "customer.write"}`` says which
    scope a token needs. ``core.api.tmf`` has the helpers (the caller, errors, paging, ``payment_created``).

    The list may also hold ``core.api.tmf.ProductOrderKind`` objects: the kinds of TMF622 order item the plugin
    takes through the core's one ``POST /productOrder`` (core/tmf/orders.py; docs/api.md, "Product orders").
    """


@hookspec
def register_permissions(hall: Hall) -> list[Permission] | None:
    """Return a list of :class:`core.auth.permissions.Permission` this plugin checks.

    Operator roles are made of these codes; the role editor lists them with
    their labels (message ids, translated when shown). A plugin with a
    manifest lists them in ``MANIFEST.permissions`` instead.
    """


@hookspec
def register_labels(hall: Hall) -> dict[str, dict[str, str]] | None:
    """Return ``{domain: {code: message id}}``: display names of the codes this plugin stores.

    Pages show a stored code through ``label(domain, code)`` (core/labels.py),
    translated into the viewer's language; e.g. ``{"audit_action":
    {"notices.create": N_("Created a notice")}}``. Called per plugin, once per hall.
    """


@hookspec
def register_db_app(hall: Hall) -> str | None:
    """Return the dotted path of this plugin's Piccolo app module (a ``piccolo_app.py`` with ``APP_CONFIG``).

    ``hall migrate`` runs the core's migrations, then each plugin's, in name
    order. Tables that hold tenant data must derive from
    :class:`core.db.TenantTable`. Write migrations with
    ``PICCOLO_CONF=core.db.piccolo_conf piccolo migrations new <app> --auto``
    (under Piccolo's CLI the hall is not built: ``hall`` is None). A plugin
    with a manifest sets ``MANIFEST.database_app`` instead.
    """


@hookspec
def register_jobs(hall: Hall) -> list[Job] | None:
    """Return a list of :class:`core.jobs.Job`: this plugin's background and scheduled work.

    A job is an idempotent ``async def fn(hall, tenant_id, **kwargs)``; periodic
    jobs (``every_minutes``) run for every tenant that enables the plugin. On
    PostgreSQL they run on procrastinate (``hall worker``); on SQLite in-process.
    Defer one with ``await hall.jobs.defer(name, tenant_id, **kwargs)``.
    """


@hookspec
def register_commands(hall: Hall, cli: click.Group) -> None:
    """Add sub-commands to the ``hall`` command line. ``cli`` is the root click group."""


@hookspec
def demo_data(hall: Hall, tenant: Tenant) -> Later:
    """Fill a demo tenant with this plugin's sample content (``hall demo``); must be idempotent.

    Called per tenant (plugins the tenant enables) inside the tenant's scope,
    after migrations, the customer sync and the demo operators. Return nothing
    or an awaitable. Never called in production set-ups.
    """


@hookspec
def demo_services(hall: Hall, start: bool, echo: Callable[[str], None]) -> Any | None:
    """Prepare (and, when ``start``, run) a local stand-in service the demo needs, such as a payment sandbox.

    Called once by ``hall demo`` after the demo data is in place, for every
    installed plugin. Prepare what the service needs (keys, files) and report
    it through ``echo(text)``; when ``start`` is true, start the service in
    the background and return an object with ``stop()``, which ``hall demo``
    calls on the way out. Return None when nothing is needed or it could not
    start (say why through ``echo``: a busy port must not stop the demo).
    """


@hookspec
def menu_items(hall: Hall, tenant: Tenant, request: Request, audience: str) -> list[MenuItem] | None:
    """Return a list of :class:`core.web.menus.MenuItem` for the menu of ``audience``.

    ``audience`` is ``"customer"`` (the portal) or ``"operator"`` (the console).
    Called only for plugins the tenant has enabled; items the user lacks the
    permission for are dropped by the core. Items name their page with
    ``route="<plugin>:<what>"``; the core resolves it into ``item.href``.
    """


@hookspec
def home_panels(hall: Hall, tenant: Tenant, request: Request, audience: str) -> PanelLike | list[PanelLike]:
    """Return a list of :class:`core.web.menus.Panel` for the home page of ``audience``.

    A panel names a template (rendered through the tenant's template chain) and
    its context; it may return an awaitable when it needs the database.
    """


@hookspec
def quick_actions(hall: Hall, tenant: Tenant, request: Request) -> list[MenuItem] | None:
    """Return a list of :class:`core.web.menus.MenuItem`: the services the portal's home page offers (quick actions).

    The signed-in customer sees them as buttons; a visitor sees them as the
    list of what this hall offers, so the home page never promises a service
    the tenant has not enabled. Called only for enabled plugins, on every home
    page render: keep it free of queries.
    """


@hookspec
def customer_sections(
    hall: Hall, tenant: Tenant, request: Request, customer: dict[str, Any]
) -> list[Panel | Awaitable[Panel | None] | None] | None:
    """Return a list of :class:`core.web.menus.Panel`: sections of the console's customer view.

    ``customer`` is a dict with ``legacy_id``, ``name``, ``status``,
    ``account_id`` (the registered portal account's id, or None) and
    ``numbers`` (the customer's service numbers). Elements may be awaitables
    (when a section needs the database) giving a Panel or None. A panel whose
    ``permission`` the operator lacks is dropped; panels are sorted by ``order``
    and rendered like ``home_panels``. The page itself needs
    ``core.customers.view`` and is audited.
    """


@hookspec
def bill_actions(hall: Hall, tenant: Tenant, request: Request, bill: dict[str, Any]) -> list[tuple[str, str]] | None:
    """Return a list of ``(label, href)`` offered with one bill on the customer's bill page.

    ``bill`` is the bill shown: a dict with ``legacy_id``, ``number``,
    ``month``, ``amount_fen``, ``paid_fen``, ``status`` and ``due_date``.
    ``label`` is a message id (translated by the page); ``href`` is the link,
    built with ``core.web.urls.url_for(request, "billpay:index", query=…)``. Called once per bill page, only for
    plugins the tenant has enabled: keep it free of queries. billpay offers
    "Pay this bill" while something is owed.
    """


@hookspec
def account_actions(hall: Hall, tenant: Tenant, request: Request, account: Any) -> list[tuple[str, str]] | None:
    """Return a list of ``(label, href)`` offered with one billing account on the customer's Accounts and balances page.

    ``account`` is a ``CustomerBillingAccount`` (``legacy_id``, ``name``,
    ``billing``, ``status``, ``numbers``, ``own_tier``: false when the BSS has
    no account tier and the account is the number itself). ``label`` is a
    message id (translated by the page); ``href`` is built with
    ``url_for(request, …)``. Called once per account shown, only for plugins
    the tenant has enabled: keep it free of queries. bills offers the
    account's bills, billpay paying them.
    """


@hookspec
def extra_template_vars(
    hall: Hall, tenant: Tenant, request: Request, template: str
) -> dict[str, Any] | Awaitable[dict[str, Any]] | None:
    """Return a dict (or an awaitable of one) merged into every template's context.

    Called for each page render; keep it cheap.
    """


@hookspec(firstresult=True)
def make_connector(hall: Hall, tenant: Tenant, config: dict[str, Any]) -> Any | None:
    """Build the legacy connector for ``tenant`` when ``config.type`` names this plugin; else return None.

    ``config`` is the tenant's ``[connector]`` table. The first non-None result
    wins. The connector implements the ports in :mod:`core.legacy.ports` that it
    supports; start-up fails when a tenant enables a plugin whose port it lacks.
    """


@hookspec
def required_ports(hall: Hall) -> list[type] | None:
    """Return the legacy ports (protocol classes from core.legacy.ports) this plugin needs from the connector."""


@hookspec
def customer_registered(hall: Hall, tenant: Tenant, account: CustomerAccount) -> Later:
    """Called after a customer finished real-name sign-up; ``account`` is the new CustomerAccount row.

    Return nothing or an awaitable. Runs after the sign-up transaction committed.
    """


@hookspec
def register_workorder_types(hall: Hall) -> list[WorkOrderType] | None:
    """Return a list of :class:`core.workorders.WorkOrderType`: the work-order types (受理单) this plugin owns.

    A type has a code (``"<plugin>.<name>"``), a number prefix, its states and
    transitions (who may take each action, with which permission), a default
    deadline, a form validator and a routing function to a department. The core
    checks the declarations at start-up. Orders of a type exist only for tenants
    that enable the declaring plugin. See docs/workorders.md.
    """


@hookspec
def workorder_changed(hall: Hall, tenant: Tenant, order: dict[str, Any], event: dict[str, Any]) -> Later:
    """Called after every change to a work order: opened, action taken, claimed, transferred, commented, rated, escalated.

    ``order`` is the order row after the change (a dict), ``event`` the history
    row just written (``action``, ``actor_kind``, ``from_state``, ``to_state``,
    ``details``). Called only for plugins the tenant enables, inside the change's
    transaction: writes made here commit or roll back with it, and raising
    refuses the change. Return nothing or an awaitable.
    """


@hookspec
def register_product_specifications(hall: Hall) -> list[ProductSpecification] | None:
    """Return a list of :class:`core.products.ProductSpecification`: the kinds of product this plugin carries out.

    A specification has a code (``"mailbox"``), a label, who charges its monthly
    fee (``charged_by``: ``"bss"`` or ``"hall"``) and the service-number kinds
    its products live on. The declaring plugin's lifecycle hooks
    (``provision_product`` …) are called for its products. Checked at start-up;
    a code declared twice stops it. The core declares ``line``. See docs/products.md.
    """


@hookspec
def register_product_offerings(hall: Hall, tenant: Tenant) -> list[ProductOffering] | None:
    """Return a list of :class:`core.products.ProductOffering` this plugin sells to ``tenant`` (prices in fen, terms, rules).

    Called once per tenant (plugins it enables), after the ``[[products.offerings]]``
    of its tenant.toml, and cached: build them from the plugin's settings, not
    from the database. An offering's code must be unique in the tenant; its
    specification must be declared by an installed plugin. See docs/products.md.
    """


@hookspec
def provision_product(hall: Hall, tenant: Tenant, product: ProductView, call: LifecycleCall) -> Later:
    """Set up a new product in the outside system (create the dial-up account, the mailbox).

    Called only for the plugin that declared the product's specification, outside
    any database transaction, when an order that adds it has been carried out.
    Must be idempotent under ``call.key`` (pass it to the outside system); the
    core never calls it again once it returned. Return nothing (done) or an
    awaitable; raise :class:`core.products.LifecycleFailed` (or anything) when it
    did not happen: the product stays "being set up" with the reason shown to
    operators, who retry it from the console. See docs/products.md.
    """


@hookspec
def modify_product(hall: Hall, tenant: Tenant, product: ProductView, call: LifecycleCall) -> Later:
    """Change a product in the outside system (another plan, a feature, a new password): the contract of ``provision_product``.

    ``call.params`` holds the order item's values: ``offering`` (the new one),
    ``legacy_code``, ``from_offering``, ``effective_at`` (ISO; the change is applied
    to the product on that date by the core) and the plugin's own ``params``.
    """


@hookspec
def suspend_product(hall: Hall, tenant: Tenant, product: ProductView, call: LifecycleCall) -> Later:
    """Suspend a product in the outside system: the contract of ``provision_product``.

    ``call.params["reason"]`` is ``customer`` (报停), ``arrears`` (欠费停机) or
    ``operator``; a product suspended for two reasons is resumed only when both are lifted.
    """


@hookspec
def resume_product(hall: Hall, tenant: Tenant, product: ProductView, call: LifecycleCall) -> Later:
    """Lift one suspension reason (``call.params["reason"]``) in the outside system: the contract of ``provision_product``.

    Called even when another reason keeps the product suspended; the core then leaves it suspended.
    """


@hookspec
def terminate_product(hall: Hall, tenant: Tenant, product: ProductView, call: LifecycleCall) -> Later:
    """End a product in the outside system (close the account, delete the mailbox): the contract of ``provision_product``."""


@hookspec
def renew_product(hall: Hall, tenant: Tenant, product: ProductView, call: LifecycleCall) -> Later:
    """Extend a product for another period in the outside system (a dial-up year paid): the contract of ``provision_product``.

    ``call.params["characteristics"]``, when given, is merged into the product's characteristics once it succeeded.
    """


@hookspec(firstresult=True)
def make_payment_provider(
    hall: Hall, tenant: Tenant, provider_id: str, settings: BaseModel | None
) -> PaymentProvider | None:
    """Build the payment provider ``provider_id`` for ``tenant`` when it is yours; else return None.

    Return a :class:`core.payments.providers.PaymentProvider`. ``settings`` is
    ``tenant.plugin_settings(provider_id)`` (the validated ``[plugins.<provider_id>]``
    model of the plugin named like the provider, or None). The first non-None
    result wins. The core asks only for providers the tenant lists in
    ``[payments] providers`` (and, for history and reconciliation, for the
    provider an existing intent names). See docs/payments.md.
    """


@hookspec
def payment_succeeded(hall: Hall, tenant: Tenant, intent: Intent) -> Later:
    """Fulfil a paid payment: called once per intent, and only for the plugin that owns it (``intent.owner``).

    ``intent`` is a :class:`core.payments.Intent`. Called inside the transaction
    that marks the intent succeeded and writes its ``payment.posted`` outbox
    event: writes made here commit with it, exactly once; raising rolls the
    whole settlement back (the gateway's retry or the reconciliation job tries
    again later). Return nothing or an awaitable; do no slow network calls here.
    A notification's settlement may share its transaction with other payments'
    (group commit, core.payments.group_commit): when one of them raises, the
    batch rolls back and each is settled again on its own, so this may run more
    than once before the one that commits - which is why everything it does
    must be a write in that transaction (the outbox for the BSS), never a side
    effect of its own.
    """


@hookspec
def payment_posted(hall: Hall, tenant: Tenant, intent: Intent) -> Later:
    """Hear of a payment once its settlement has committed: called for every plugin the tenant enables (and the core's).

    Unlike ``payment_succeeded`` (the owner's fulfilment, inside the
    settlement's transaction), this runs after the commit, outside any
    transaction, so it may make network calls: the core's products lift a
    suspension for arrears (复机) at once when a top-up or a bill payment of the
    account pays what is owed. It is called once by the worker that settled the
    payment; a crash before it runs loses nothing the periodic jobs do not
    redo, so anything done here must also be done by a job. Errors are logged
    and never undo the settlement. Return nothing or an awaitable.
    """


@hookspec
def payment_refunded(hall: Hall, tenant: Tenant, intent: Intent, refund: dict[str, Any]) -> Later:
    """Undo what a refund gives back: called once per succeeded refund, and only for the plugin that owns the intent.

    ``intent`` is the :class:`core.payments.Intent` after the refund (state
    ``refunded`` or ``partially_refunded``); ``refund`` is a dict with
    ``refund_id``, ``amount_fen`` and ``reason``. Called inside the transaction
    that marks the refund succeeded and writes its ``payment.refunded`` outbox
    event: writes made here commit with it, exactly once. Raising rolls that
    transaction back and the refund stays pending; the reconciliation job asks
    the gateway again (the same refund id never refunds twice) and calls this
    hook again. Return nothing or an awaitable; do no slow network calls here.
    """


@hookspec(firstresult=True)
def make_sms_channel(hall: Hall, tenant: Tenant, provider: str, settings: SmsSection) -> Any | None:
    """Build the SMS channel ``provider`` for ``tenant`` when it is yours; else return None.

    Asked only for providers the core does not build itself (``demo``, ``smpp``,
    ``aliyun``, ``tencent``) when a tenant's ``[sms] provider`` names one. ``settings`` is the
    tenant's validated ``[sms]`` section (:class:`core.config.sms.SmsSection`); a
    provider's own settings belong under ``[plugins.<plugin>]`` and its secrets in
    the secrets file. Return an object with ``name = "sms"``, ``provider`` (its
    name) and ``async send(*, recipient, subject, body_text, body_html="",
    message=None)`` returning a :class:`core.notify.sms.base.SendOutcome`, and
    optionally ``async poll_reports(pending)`` returning delivery reports; raise
    :class:`core.notify.sms.base.TransientError` or ``PermanentError`` (see
    docs/sms.md). Raise :class:`core.config.ConfigError` for bad settings: ``hall
    check`` reports it. The first non-None result wins.
    """
