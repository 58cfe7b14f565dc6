"""A real browser signs demo customers up on both demo tenants, then logs out and back in.

jiangnan (zh_CN, default theme) gets its code by SMS, read from the operator
console's Messages page; haibin (en, kiosk theme) by e-mail, read from the
MailSink. Screenshots land in test-artifacts/screenshots/<tenant>-<step>.png.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from core.i18n import load_translations
from core.privacy import mask_contact, mask_id, normalise_id_number

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "Browser-2026-ok"
CHANNEL = {"jiangnan": "sms", "haibin": "email"}
BAD_ID = "This is not a valid 18-digit ID number."
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")  # not \b: in Chinese text a CJK character next to a digit is no boundary
WAIT_MS = 10_000
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


def translated(language: str, message: str) -> str:
    return load_translations([REPO / "core" / "locale"])[language].gettext(message)


def wrong_check_digit(id_number: str) -> str:
    """The same ID number with another last character: exactly one check digit is right."""
    last = id_number[-1].upper()
    return id_number[:-1] + ("1" if last != "1" else "2")


def submit(page, form_selector: str, status: int) -> None:
    """Submit the form like a user (its button) and check the status of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.locator(f"{form_selector} button[type=submit]").click()
    response = navigation.value
    got = response.status if response else None
    if got != status:
        shown = re.sub(r"\s+", " ", page.locator("main").inner_text())[:300] if page.locator("main").count() else ""
        raise AssertionError(
            f"submitting {form_selector} led to HTTP {got} at {page.url}, expected {status}; the page says: {shown!r}"
        )


def assert_no_full_id(html: str, id_number: str, where: str) -> None:
    for variant in {id_number, id_number.upper(), id_number.lower()}:
        assert variant not in html, f"the full ID number appears in the HTML of {where}"


def read_sms_code(browser, base: str, phone: str, tenant: str, shoot, user: str, password: str) -> str:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{base}/console/login")
        page.fill("#f-username", user)
        page.fill("#f-password", password)
        submit(page, 'form[action$="/console/login"]', 200)
        page.wait_for_url(re.compile(r"/console/?$"))
        page.goto(f"{base}/console/messages?channel=sms")
        row = page.locator("table.data tbody tr").filter(has=page.locator("td.mono", has_text=phone)).first
        row.wait_for()
        shoot(page, tenant, "04-console-sms-outbox")
        body = row.locator("td.message-body").inner_text()
        match = CODE_RE.search(body)
        assert match, f"no 6-digit code in the SMS: {body!r}"
        return match.group(1)
    finally:
        context.close()


def read_mail_code(sink, address: str, seen: int, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while len(sink.to(address)) <= seen:
        assert time.monotonic() < deadline, f"no new mail to {address} within {timeout}s"
        time.sleep(0.05)
    message = sink.to(address)[-1]
    body = message.get_body(("plain",)).get_content()
    match = CODE_RE.search(body)
    assert match, f"no 6-digit code in the e-mail: {body!r}"
    return match.group(1)


def keep_failure(page, shoot, tenant: str) -> None:
    """On a failure, keep what the browser saw: <tenant>-FAILED.png and .html next to the screenshots."""
    try:
        path = shoot(page, tenant, "FAILED")
        path.with_suffix(".html").write_text(f"<!-- {page.url} -->\n" + page.content(), encoding="utf-8")
    except Exception:  # noqa: BLE001 - the original failure matters more
        pass


def check_account_page(page, customer, where: str) -> None:
    facts = page.locator("dl.facts")
    facts.wait_for()
    text = facts.inner_text()
    assert customer.name in text, f"{where}: the customer's name {customer.name!r} is not shown: {text!r}"
    masked = mask_id(normalise_id_number(customer.id_number))
    assert masked in text, f"{where}: the masked ID number {masked!r} is not shown: {text!r}"
    assert_no_full_id(page.content(), customer.id_number, where)  # the DOM, attributes included
    assert_no_full_id(page.context.request.get(page.url).text(), customer.id_number, where + " (as served)")


@pytest.mark.parametrize("tenant", ["jiangnan", "haibin"])
def test_signup_logout_login(live_hall, chromium, shoot, tenant):
    base = live_hall.base(tenant)
    language = live_hall.languages[tenant]
    customer = live_hall.customers[tenant][0]
    channel = CHANNEL[tenant]
    for stale in SCREENSHOTS.glob(f"{tenant}-FAILED.*"):
        stale.unlink()

    # One phone-size look at the sign-up page.
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = phone.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{base}/signup")
        page.locator('form[action$="/signup"]').wait_for()
        shoot(page, tenant, "signup-phone", full_page=False)
    finally:
        phone.close()

    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{base}/signup")
        form = 'form[action$="/signup"]'
        page.locator(form).wait_for()
        lang = page.locator("html").get_attribute("lang") or ""
        assert lang.replace("_", "-").lower() == language.replace("_", "-").lower(), (
            f"<html lang={lang!r}>, tenant language {language}"
        )
        shoot(page, tenant, "01-signup")

        # A wrong ID number: the error is shown next to that field, in the tenant's language.
        page.fill("#f-number", customer.numbers[0])
        page.fill("#f-name", customer.name)
        page.fill("#f-id_number", wrong_check_digit(customer.id_number))
        page.check(f'input[name="channel"][value="{channel}"]')
        submit(page, form, 400)
        error = page.locator("#id_number-error")
        error.wait_for()
        expected = translated(language, BAD_ID)
        if language == "zh_CN":
            assert expected != BAD_ID and re.search(r"[\u4e00-\u9fff]", expected), (
                "the zh_CN catalog lacks the ID-number error"
            )
        assert error.inner_text().strip() == expected
        field = page.locator(".field", has=page.locator("#f-id_number"))
        assert field.locator("#id_number-error").count() == 1, "the ID-number error is not inside the ID-number field"
        assert "has-error" in (field.get_attribute("class") or "")
        id_input = page.locator("#f-id_number")
        assert id_input.get_attribute("aria-invalid") == "true"
        assert id_input.get_attribute("aria-describedby") == "id_number-error"
        box_in, box_err = id_input.bounding_box(), error.bounding_box()
        assert box_in and box_err
        gap = box_err["y"] - (box_in["y"] + box_in["height"])
        assert -1 <= gap <= 80, f"the error is not right under the field (gap {gap}px)"
        assert box_err["x"] < box_in["x"] + box_in["width"] and box_in["x"] < box_err["x"] + box_err["width"], (
            "the error is not under the field"
        )
        assert page.locator(".field-error").count() == 1, (
            f"other field errors: {page.locator('.field-error').all_inner_texts()}"
        )
        assert page.input_value("#f-number") == customer.numbers[0] and page.input_value("#f-name") == customer.name, (
            "the form lost what was typed"
        )
        shoot(page, tenant, "02-wrong-id")

        # The right details: a code goes out by SMS or e-mail.
        mails_before = len(live_hall.mail.to(customer.email))
        page.fill("#f-id_number", customer.id_number)
        page.check(f'input[name="channel"][value="{channel}"]')
        submit(page, form, 200)
        verify = 'form[action$="/signup/verify"]'
        page.locator(verify).wait_for()
        recipient = customer.phone if channel == "sms" else customer.email
        notice = page.locator("p.notice").inner_text()
        assert mask_contact(recipient) in notice, f"the page does not say where the code went: {notice!r}"
        assert_no_full_id(page.content(), customer.id_number, "the code page")
        shoot(page, tenant, "03-code-sent")

        if channel == "sms":
            code = read_sms_code(chromium, base, customer.phone, tenant, shoot, *live_hall.operator)
        else:
            code = read_mail_code(live_hall.mail, customer.email, mails_before)

        page.fill("#f-code", code)
        page.fill("#f-password", PASSWORD)
        page.fill("#f-password_confirm", PASSWORD)
        submit(page, verify, 200)
        page.wait_for_url(re.compile(r"/account(\?.*)?$"))
        assert page.url.startswith(f"{base}/account"), page.url
        check_account_page(page, customer, "the account page after sign-up")
        page.locator("p.notice.success").wait_for()
        shoot(page, tenant, "05-account")

        # Log out, then log in again by service number.
        page.locator('form[action$="/logout"] button[type=submit]').click()
        page.wait_for_url(re.compile(re.escape(base) + r"/?$"))
        login_link = page.locator(f'header a[href="/t/{tenant}/login"]')
        login_link.wait_for()
        shoot(page, tenant, "06-logged-out")
        page.goto(f"{base}/account")
        assert page.locator("dl.facts").count() == 0, f"the account page still opens after log-out ({page.url})"

        login_link = page.locator(f'header a[href="/t/{tenant}/login"]')
        login_link.click()
        login = 'form[action$="/login"]'
        page.locator(login).wait_for()
        page.fill("#f-login", customer.numbers[0])
        page.fill("#f-password", PASSWORD)
        shoot(page, tenant, "07-login")
        submit(page, login, 200)
        page.wait_for_url(re.compile(r"/account(\?.*)?$"))
        check_account_page(page, customer, "the account page after log-in")
        assert customer.numbers[0] in page.locator("ul.numbers").inner_text()
        shoot(page, tenant, "08-account-again")
    except BaseException:
        keep_failure(page, shoot, tenant)
        raise
    finally:
        context.close()


def test_phone_viewport_has_no_horizontal_scroll(live_hall, chromium, shoot):
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(WAIT_MS)
    problems = []
    try:
        page = context.new_page()
        for tenant in ("jiangnan", "haibin"):
            for name, path in (("home", "/"), ("signup", "/signup")):
                page.goto(live_hall.base(tenant) + path)
                page.locator("main#main").wait_for()
                sizes = page.evaluate("""() => ({
                    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                    wide: [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().replace(/\\s+/g, '.') : '')),
                })""")
                if sizes["scroll"] > sizes["inner"] or sizes["inner"] != PHONE["width"]:
                    problems.append(
                        f"{tenant} {path}: scrollWidth {sizes['scroll']} > innerWidth {sizes['inner']} (too wide: {sizes['wide']})"
                    )
                shoot(page, tenant, f"phone-{name}", full_page=False)
    finally:
        context.close()
    assert not problems, "horizontal scroll on a phone:\n" + "\n".join(problems)
