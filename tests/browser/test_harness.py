"""The harness checks itself: a journey asserting "no CSP violations" must be able to see one."""

from __future__ import annotations

from tests.browser.harness import log_of


def test_harness_sees_a_csp_violation_and_its_console_error(page):
    page.goto("/account/login/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.append(script);
    }""")
    log = log_of(page)
    for _ in range(40):  # the violation event reaches Python asynchronously
        if log.csp_violations and log.console_errors:
            break
        page.wait_for_timeout(50)

    assert page.evaluate("() => window.inlineRan") is None
    assert any(v.startswith("script-src") for v in log.csp_violations), log
    assert any("Content Security Policy" in e for e in log.console_errors), log
