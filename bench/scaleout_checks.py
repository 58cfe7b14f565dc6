"""The explicit cross-process checks of bench/scaleout.py (sessions, log-in throttles, number holds) and its verdict.

Each check drives the web processes through their own ports, so every step is known to land on a different
process than the one before; a step that does not answer as it must raises CheckFailed with what came back.
"""

from __future__ import annotations

import re
import threading
import time

import httpx


class CheckFailed(RuntimeError):
    pass


class Browser:
    """One customer's cookie jar and address (X-Forwarded-For, as a load balancer sends it), any port per request."""

    def __init__(self, ports: list[int], paths: dict, address: str):
        self.ports, self.paths = ports, paths
        self.client = httpx.Client(follow_redirects=False, timeout=60, headers={"X-Forwarded-For": address})

    def url(self, port_index: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[port_index % len(self.ports)]}{path}"

    def get(self, port_index: int, path: str) -> httpx.Response:
        return self.client.get(self.url(port_index, path))

    def post(self, port_index: int, path: str, data: dict) -> httpx.Response:
        return self.client.post(self.url(port_index, path), data={**data, "_csrf_token": self.csrf()})

    def csrf(self) -> str:
        return self.client.cookies.get("hall_csrf") or ""

    def log_in(self, port_index: int, login: str, password: str) -> httpx.Response:
        if not self.csrf():
            r = self.get(port_index, self.paths["auth:login"])
            expect(r, 200, "GET the log-in page")
        return self.post(port_index, self.paths["auth:login"], {"login": login, "password": password})

    def close(self) -> None:
        self.client.close()


def expect(r: httpx.Response, status: int, what: str) -> httpx.Response:
    if r.status_code != status:
        raise CheckFailed(f"{what}: HTTP {r.status_code}, expected {status} ({r.url})\n{r.text[:600]}")
    return r


def check_sessions(ports: list[int], paths: dict, account: dict, password: str, cache_seconds: float) -> dict:
    """Log in on process 0; the session holds on every other process. Log out on process 1, then replay the old
    cookie (as a copied cookie would be): every process refuses it once its ``cache_seconds`` cache of sessions
    has run out (core/auth/sessions.py; how many still let it in before that is reported, not failed)."""
    b = Browser(ports, paths, "10.200.0.1")
    try:
        expect(b.log_in(0, account["login"], password), 303, "log in on process 0")
        token = b.client.cookies.get("hall_session")
        if not token:
            raise CheckFailed("log in on process 0: no hall_session cookie")
        seen = []
        for i in range(1, len(ports) + 1):
            r = expect(b.get(i, paths["account:overview"]), 200, f"the account page on process {i % len(ports)}")
            if account["name"] not in r.text:
                raise CheckFailed(f"process {i % len(ports)}: the account page is not {account['name']}'s")
            seen.append(ports[i % len(ports)])
        expect(b.post(1, paths["auth:logout"], {}), 303, "log out on process 1")
        replay = httpx.Client(follow_redirects=False, timeout=60, cookies={"hall_session": token})
        try:
            at_once = sum(replay.get(b.url(i, paths["account:overview"])).status_code == 200 for i in range(len(ports)))
            time.sleep(cache_seconds + 0.5)
            for i in range(len(ports)):
                r = replay.get(b.url(i, paths["account:overview"]))
                if r.status_code != 303 or paths["auth:login"] not in r.headers.get("location", ""):
                    raise CheckFailed(
                        f"{cache_seconds:g} s after the log-out on process 1, process {i} still took the old"
                        f" session cookie (HTTP {r.status_code})"
                    )
        finally:
            replay.close()
        return {
            "ok": True,
            "logged_in_on": ports[0],
            "account_page_on": seen,
            "old_cookie_taken_right_after_log_out": at_once,
            "old_cookie_refused_everywhere_after_s": cache_seconds + 0.5,
        }
    finally:
        b.close()


def check_throttle(ports: list[int], paths: dict, account: dict, password: str, free: int) -> dict:
    """``free`` wrong passwords spread over the processes, then the right one on yet another: refused (the counter is
    shared); the same right password from another address goes in (the refusal was the throttle, not a broken log-in)."""
    b = Browser(ports, paths, "10.200.0.2")
    try:
        for n in range(free):
            r = expect(b.log_in(n, account["login"], password + "-wrong"), 400, f"wrong password #{n + 1}")
        r = b.log_in(free, account["login"], password)
        if r.status_code == 303 or b.client.cookies.get("hall_session"):
            raise CheckFailed(
                f"after {free} wrong passwords on {len(ports)} processes, the right one on process "
                f"{free % len(ports)} was let in: the throttle is not shared"
            )
        expect(r, 400, "the right password while throttled")
        other = Browser(ports, paths, "10.200.0.3")
        try:
            expect(other.log_in(free + 1, account["login"], password), 303, "the right password from another address")
        finally:
            other.close()
        return {"ok": True, "wrong_attempts": free, "refused_on": ports[free % len(ports)]}
    finally:
        b.close()


def check_holds(ports: list[int], paths: dict, a: dict, b: dict, password: str, rounds: int = 4) -> dict:
    """Two customers press "hold" on the same free number at once, on two different processes: exactly one wins."""
    one, two = Browser(ports, paths, "10.200.0.4"), Browser(ports, paths, "10.200.0.5")
    numbers, outcomes = [], []
    try:
        expect(one.log_in(0, a["login"], password), 303, "hold check: log in customer A")
        expect(two.log_in(1, b["login"], password), 303, "hold check: log in customer B")
        for n in range(rounds):
            page = expect(one.get(n, paths["phone:numbers"]), 200, "the free numbers")
            free = [m for m in re.findall(r'data-number="(\d+)"', page.text) if m not in numbers]
            if not free:
                raise CheckFailed("hold check: the numbers page offers no free number")
            number = free[0]
            answers: dict[str, int] = {}
            start = threading.Barrier(2)

            def press(who: str, browser: Browser, port_index: int, number=number, start=start, answers=answers) -> None:
                csrf = browser.csrf()
                start.wait()
                r = browser.client.post(
                    browser.url(port_index, paths["phone:numbers.hold"]),
                    data={"number": number, "_csrf_token": csrf},
                )
                answers[who] = r.status_code

            threads = [
                threading.Thread(target=press, args=("a", one, n)),
                threading.Thread(target=press, args=("b", two, n + 1)),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if sorted(answers.values()) != [303, 409]:
                raise CheckFailed(f"hold check: number {number} pressed by two customers on two processes: {answers}")
            numbers.append(number)
            outcomes.append(
                {"number": number, "ports": [ports[n % len(ports)], ports[(n + 1) % len(ports)]], **answers}
            )
        return {"ok": True, "rounds": outcomes, "numbers": numbers}
    finally:
        one.close()
        two.close()


def verdict(load: dict, drained: dict, facts: dict, processes: int) -> list[str]:
    """What failed, one line each (empty: the run passed)."""
    problems = []
    if load["failures"]:
        problems.append(f"{load['failures']} failed requests: {load['errors'][:5]}")
    for kind, k in load["kinds"].items():
        if k["ports"] and len(k["ports"]) < processes and k["requests"] >= 4 * processes:
            problems.append(f"{kind}: only processes {sorted(k['ports'])} answered")
    if drained["due_unfinished"]:
        problems.append(f"{drained['due_unfinished']} jobs still due or running after {drained['waited_s']} s")
    if drained["outbox_undelivered"]:
        problems.append(f"{drained['outbox_undelivered']} outbox events undelivered after {drained['waited_s']} s")
    if drained["by_status"].get("failed"):
        problems.append(f"{drained['by_status']['failed']} jobs failed")
    paid = len(load["paid"])
    if paid == 0:
        problems.append("no payment was made")
    if facts["intents"].get("succeeded", 0) != paid:
        problems.append(f"{paid} payments made, intents by state {facts['intents']}")
    if facts["intents_notified"] != paid:
        problems.append(f"{paid} payments made, {facts['intents_notified']} had a verified notification")
    if facts["notifications_refused"]:
        problems.append(f"{facts['notifications_refused']} notifications refused")
    if facts["payment_posted_events"] != paid:
        problems.append(f"{paid} payments made, {facts['payment_posted_events']} payment.posted events")
    if set(facts["outbox"]) - {"delivered"}:
        problems.append(f"outbox not delivered: {facts['outbox']}")
    if any(n > 1 for n in facts["live_holds"].values()):
        problems.append(f"a number held twice: {facts['live_holds']}")
    return problems
