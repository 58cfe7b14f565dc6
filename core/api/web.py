"""Pages and forms: rendering through the tenant's templates, the request's tenant and user, forms and
numbers typed by people, audit records, paging, "data as of" lines, one-time codes, PDFs, and the request's
tenant, principal, hall and plugin settings as handler parameters (``TenantDep``, ``NamedDependency[MySettings]``)."""

from core import pdf
from core.auth.throttle import Rule as ThrottleRule, release as release_attempt, reserve as reserve_attempt
from core.accounts.views import balance_view
from core.web.audit_helpers import Auditor, audit, auditor_of
from core.web.codes import refused_until, send_code
from core.web.client import client_address
from core.web.context import RequestInfo, info
from core.web.data_as_of import as_of, data_as_of_context
from core.web.forms import FieldErrors, Form
from core.web.next_target import resolve_next
from core.web.numbers import BadNumber, parse_int, query_int
from core.web.dependencies import AuditorDep, HallDep, NamedDependency, PrincipalDep, RequestInfoDep, TenantDep
from core.db.page_versions import bump_page_version
from core.web.pagecache import PageHit, cached_page, keep_for_hits, page_fresh_until
from core.web.paging import PAGE_SIZE, Page, page_number, page_url, paginate
from core.web.render import gettext, hall_of, redirect, redirect_to, render
from core.web.templating import Templates, hall_templates
from core.web.urls import UnknownRoute, path_for, route_path, url_for
from core.web.waits import GUESS_WAIT, SEND_WAIT, until

__all__ = [
    "GUESS_WAIT",
    "PAGE_SIZE",
    "SEND_WAIT",
    "Auditor",
    "AuditorDep",
    "BadNumber",
    "FieldErrors",
    "Form",
    "HallDep",
    "NamedDependency",
    "Page",
    "PrincipalDep",
    "RequestInfo",
    "RequestInfoDep",
    "PageHit",
    "TenantDep",
    "ThrottleRule",
    "Templates",
    "UnknownRoute",
    "as_of",
    "audit",
    "auditor_of",
    "balance_view",
    "bump_page_version",
    "cached_page",
    "keep_for_hits",
    "client_address",
    "data_as_of_context",
    "gettext",
    "hall_of",
    "hall_templates",
    "info",
    "page_fresh_until",
    "page_number",
    "page_url",
    "paginate",
    "parse_int",
    "path_for",
    "pdf",
    "query_int",
    "redirect",
    "redirect_to",
    "refused_until",
    "render",
    "release_attempt",
    "reserve_attempt",
    "resolve_next",
    "route_path",
    "send_code",
    "until",
    "url_for",
]
