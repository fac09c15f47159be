"""The Content Security Policy really blocks inline code in the browser, and the harness sees it.

If this fails, the "no console errors, no CSP violations" check of every other browser test
proves nothing.
"""

import pytest

pytestmark = pytest.mark.e2e

INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.__inlineScriptRan = true";
    document.body.append(script);
}"""
INLINE_STYLE = """() => document.body.insertAdjacentHTML(
    "beforeend", '<p id="styled" style="color: rgb(255, 0, 0)">styled</p>')"""


def csp_error(message):
    return message.type == "error" and "Content Security Policy" in message.text


def test_csp_blocks_inline_code(browsing):
    page = browsing.new_page()
    page.goto("/accounts/login/")
    browsing.assert_clean()

    with page.expect_console_message(csp_error):
        page.evaluate(INLINE_SCRIPT)
    assert page.evaluate("window.__inlineScriptRan") is None

    with page.expect_console_message(csp_error):
        page.evaluate(INLINE_STYLE)
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != (
        "rgb(255, 0, 0)"
    )

    seen = browsing.take()
    assert len(seen) == 2, seen
    assert all("Content Security Policy" in problem for problem in seen), seen
