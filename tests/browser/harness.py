"""The browser harness apart from its fixtures: finding Chromium, watching pages, the sign-in form.

Plain Playwright (sync API), no pytest-playwright: Playwright's own browser download does not work
on our machines, so we drive the system's Chromium.
"""

from __future__ import annotations

import os
import shutil
import weakref
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Page, expect

from frontoffice.conf import env_bool, env_str
from tests.core.factories import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
NOT_INSTALLED = "Chromium not installed: apt-get install chromium"
MISSING_CHROMIUM = f"{NOT_INSTALLED} — browser tests SKIPPED"
REQUIRED_CHROMIUM = f"{NOT_INSTALLED} — browser tests FAIL because FRONTOFFICE_REQUIRE_BROWSER=1"


def chromium_path() -> str | None:
    """FRONTOFFICE_CHROMIUM when set, else /usr/bin/chromium, else `chromium` on PATH; None if missing."""
    override = env_str("CHROMIUM")
    candidates = [override] if override else ["/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.path.isfile(c) and os.access(c, os.X_OK)), None)


def browser_required() -> bool:
    """CI sets FRONTOFFICE_REQUIRE_BROWSER=1: there a missing Chromium fails instead of skipping."""
    return env_bool("REQUIRE_BROWSER", False)


def missing_chromium_reason() -> str:
    reason = REQUIRED_CHROMIUM if browser_required() else MISSING_CHROMIUM
    override = env_str("CHROMIUM")
    return f"{reason} (FRONTOFFICE_CHROMIUM={override} is not an executable)" if override else reason


@dataclass
class BrowserLog:
    """What went wrong inside the page, as the browser saw it."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)  # uncaught JavaScript exceptions
    csp_violations: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)  # responses with status >= 500

    def problems(self) -> list[str]:
        return [*self.console_errors, *self.page_errors, *self.csp_violations, *self.server_errors]


_LOGS: weakref.WeakKeyDictionary[Page, BrowserLog] = weakref.WeakKeyDictionary()

# Init scripts and bindings are injected by the browser itself, so the page's CSP does not block them.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => window.__frontofficeCspViolation(
  `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""


def watch_context(context: BrowserContext) -> None:
    """Record console errors, uncaught exceptions, CSP violations and 5xx responses of every page."""
    context.expose_binding("__frontofficeCspViolation",
                           lambda source, text: log_of(source["page"]).csp_violations.append(text))
    context.add_init_script(_CSP_LISTENER)
    context.on("page", watch_page)


def watch_page(page: Page) -> BrowserLog:
    if page in _LOGS:
        return _LOGS[page]
    log = _LOGS[page] = BrowserLog()

    def on_console(message):
        if message.type == "error":
            log.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_response(response):
        if response.status >= 500:
            log.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("response", on_response)
    return log


def log_of(page: Page) -> BrowserLog:
    return watch_page(page)


def submit_login_form(page: Page, email: str, password: str) -> None:
    """Open the sign-in page and submit it; selectors by field name so it works in any language."""
    page.goto("/account/login/")
    form = page.locator("form.form")
    form.locator("input[name=username]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def login(page: Page, member, password: str = PASSWORD) -> Page:
    """Sign in through the real login form and wait for the signed-in shell."""
    submit_login_form(page, member.user.email, password)
    expect(page.locator("header.topbar"), f"signing in as {member.user.email} did not reach the shell"
           ).to_be_visible()
    return page

