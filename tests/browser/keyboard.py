"""Moving through a page as a keyboard user does: Tab from control to control, and
reading (never clicking) what has focus."""

from __future__ import annotations

MAX_TABS = 250

FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].innerText : e.innerText;
  return {tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "",
          value: e.value || "", id: e.id, checked: !!e.checked,
          label: (label || "").trim(), classes: e.className || "",
          ring: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
                 && s.outlineColor !== "rgba(0, 0, 0, 0)") || s.boxShadow !== "none"};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, selector: str) -> dict:
    """Press Tab until the element matching `selector` has focus; every stop on the way
    must show a visible focus indicator (WCAG 2.4.7). Returns the focused element."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["ring"], f"no visible focus on {now}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return now
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def answer_section(page, comment: str, turn: int) -> dict[str, str]:
    """Tab through a section's questions to its Continue button, answering each radio
    group with Space and arrow keys and typing `comment` into the first text box.
    Returns {question code: value} as the page shows it checked."""
    answered: dict[str, str] = {}
    typed = False
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["ring"], f"no visible focus on {now}"
        if now["tag"] == "button":
            return answered
        if now["type"] == "radio" and now["name"] not in answered:
            page.keyboard.press("Space")
            for _ in range((turn + len(answered)) % 3):
                page.keyboard.press("ArrowDown")
            chosen = focused(page)
            assert chosen["checked"] and chosen["name"] == now["name"], chosen
            answered[chosen["name"]] = chosen["value"]
        elif now["tag"] == "textarea" and not typed:
            page.keyboard.type(comment)
            answered[now["name"]] = comment
            typed = True
    raise AssertionError(f"Tab never left the questions on {page.url}")
