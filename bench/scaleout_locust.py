"""The load of bench/scaleout.py, run headless in a child process: ``scaleout_locust.py PLAN.json RESULT.json``.

A child because locust patches the standard library with gevent on import, and the parent runs asyncio.
Each locust user is one customer (its own account, bills and X-Forwarded-For address) and sends each request
to the next web process's port in turn, so consecutive requests of one user land on different processes.
Every response is checked: an unexpected status (a lost session shows as a 303 to the log-in page) or an
unexpected page is a failure, and the parent fails the run on any.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

try:
    import gevent
    from locust import between, task
    from locust.env import Environment
    from locust.user import HttpUser
except ImportError:
    sys.exit(
        "bench/scaleout.py needs locust: .venv/bin/pip install locust (or pip install -e '.[bench]' in a checkout)"
    )

PLAN = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
PORTS: list[int] = PLAN["ports"]
PATHS: dict = PLAN["paths"]
ACCOUNTS = iter(PLAN["users"])
BY_PORT: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # kind -> port -> requests
PAID: list[str] = []  # payment ids whose return page said "succeeded" or was shown after the sandbox's "pay"
EXHAUSTED = {"payments_skipped": 0}
STARTED = itertools.count()
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


class Customer(HttpUser):
    wait_time = between(PLAN.get("wait_min", 1.0), PLAN.get("wait_max", 3.0))
    host = f"http://127.0.0.1:{PORTS[0]}"

    def on_start(self) -> None:
        self.account = next(ACCOUNTS)
        self.turn = next(STARTED)  # users start on different processes too
        self.bills = list(self.account["bills"])
        self.client.headers["X-Forwarded-For"] = f"10.1.{self.turn // 250}.{self.turn % 250 + 1}"
        self.log_in()

    # -- plumbing ----------------------------------------------------------------------------------

    def url(self, path: str) -> tuple[str, int]:
        self.turn += 1
        port = PORTS[self.turn % len(PORTS)]
        return f"http://127.0.0.1:{port}{path}", port

    def call(self, kind: str, method: str, path: str, expect: int, check=None, **kwargs):
        """One request to the next process; a failure unless the status is ``expect`` and ``check(response)`` is None."""
        url, port = self.url(path) if path.startswith("/") else (path, 0)
        if port:
            BY_PORT[kind][port] += 1
        if method == "POST" and "files" not in kwargs:
            kwargs["data"] = {**kwargs.get("data", {}), "_csrf_token": self.csrf()}
        with self.client.request(
            method, url, name=kind, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            problem = None
            if response.status_code != expect:
                location = response.headers.get("location", "")
                problem = f"HTTP {response.status_code} (expected {expect}) {location}"
            elif check is not None:
                problem = check(response)
            if problem:
                response.failure(f"{problem} [port {port}]")
            else:
                response.success()
            return None if problem else response

    def csrf(self) -> str:
        return next((c.value for c in self.client.cookies if c.name == "hall_csrf"), "")

    def number_path(self, name: str, **extra) -> str:
        path = PATHS[name].replace("NUMBER", self.account["number"])
        return path.replace("MONTH", self.account["month"]) if "MONTH" in path else path

    def log_in(self) -> None:
        if not self.csrf():
            self.call("log-in page", "GET", PATHS["auth:login"], 200)
        self.call(
            "log in",
            "POST",
            PATHS["auth:login"],
            303,
            data={"login": self.account["login"], "password": PLAN["password"]},
        )

    # -- what customers do -------------------------------------------------------------------------

    @task(2)
    def overview(self) -> None:
        name = self.account["name"]
        self.call(
            "account page", "GET", PATHS["account:overview"], 200, lambda r: None if name in r.text else "not mine"
        )

    @task(1)
    def log_out_and_in(self) -> None:
        self.call("log out", "POST", PATHS["auth:logout"], 303)
        self.log_in()

    @task(3)
    def bill_page(self) -> None:
        self.call(
            "bill page",
            "GET",
            self.number_path("bills:bill"),
            200,
            lambda r: None if 'id="bill"' in r.text else "no bill",
        )

    @task(2)
    def calls(self) -> None:
        self.call("call records", "GET", self.number_path("bills:calls"), 200)

    @task(1)
    def calls_csv(self) -> None:
        def is_csv(r):
            return None if r.headers.get("content-type", "").startswith("text/csv") else "not CSV"

        self.call("call records CSV", "GET", self.number_path("bills:calls.csv"), 200, is_csv)

    @task(1)
    def complain(self) -> None:
        if not self.call("complaint form", "GET", PATHS["service:complain"], 200):
            return
        fields = {
            "category": "billing",
            "title": f"scale-out {self.account['number']} {time.time():.3f}",
            "text": "The bill seems higher than usual this month; please check it.",
            "_csrf_token": self.csrf(),
        }
        self.call("complaint", "POST", PATHS["service:complain"], 303, files={k: (None, v) for k, v in fields.items()})

    @task(1)
    def pay_a_bill(self) -> None:
        """Owed page, pay one bill, the sandbox's pay page and its "pay" button, back to the hall's return page."""
        if not self.bills:
            EXHAUSTED["payments_skipped"] += 1
            return
        bill = self.bills.pop(0)
        if not self.call(
            "billpay page", "GET", PATHS["billpay:index"], 200, lambda r: None if bill in r.text else f"{bill} not owed"
        ):
            return
        r = self.call(
            "pay: to the gateway",
            "POST",
            PATHS["billpay:pay"],
            303,
            data={"number": self.account["number"], "only": bill},
        )
        if r is None:
            return
        page = self.call(
            "sandbox: pay page",
            "GET",
            r.headers["location"],
            200,
            lambda r: None if 'action="/sandbox/pay"' in r.text else "no pay form",
        )
        if page is None:
            return
        gateway = urlsplit(r.headers["location"])
        fields = dict(HIDDEN.findall(page.text))
        back = self.call(
            "sandbox: pay",
            "POST",
            urlunsplit((gateway.scheme, gateway.netloc, "/sandbox/pay", "", "")),
            303,
            data={**fields, "action": "pay"},
        )
        if back is None:
            return
        target = urlsplit(back.headers["location"])  # the hall's signed return URL: followed on the next process
        intent = target.path.rstrip("/").split("/")[-2]
        path = target.path + (f"?{target.query}" if target.query else "")
        if self.call(
            "pay: return page", "GET", path, 200, lambda r: None if "data-payment" in r.text else "no payment"
        ):
            PAID.append(intent)


def main() -> None:
    result_path = Path(sys.argv[2])
    env = Environment(user_classes=[Customer], stop_timeout=120)
    runner = env.create_local_runner()
    users = len(PLAN["users"])
    started = time.monotonic()
    runner.start(users, spawn_rate=PLAN.get("spawn_rate", 5))
    gevent.sleep(PLAN["seconds"])
    runner.stop()  # each user finishes the task it is in (a payment is not cut half-way), within stop_timeout
    seconds = time.monotonic() - started
    runner.quit()
    kinds = {}
    for (name, method), entry in sorted(env.stats.entries.items()):
        kinds[name] = {
            "method": method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "per_second": round(entry.num_requests / seconds, 2),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": round(entry.max_response_time or 0),
            "ports": dict(sorted(BY_PORT[name].items())),
        }
    total = env.stats.total
    errors = [
        {"kind": e.name, "method": e.method, "error": str(e.error)[:300], "count": e.occurrences}
        for e in env.stats.errors.values()
    ]
    result_path.write_text(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "requests": total.num_requests,
                "failures": total.num_failures,
                "per_second": round(total.num_requests / seconds, 2),
                "p50_ms": total.get_response_time_percentile(0.5),
                "p99_ms": total.get_response_time_percentile(0.99),
                "kinds": kinds,
                "errors": errors,
                "paid": PAID,
                **EXHAUSTED,
            }
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
