"""Driving pages as a keyboard user would, and checking each page with axe-core."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BAD_IMPACTS = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
MAX_TABS = 200


def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return str(AXE_SCRIPT)


@dataclass
class Visitor:
    """One browser tab: every page it lands on is checked and photographed once."""

    page: Any
    screenshots: Path
    prefix: str
    seen: list[str] = field(default_factory=list)
    csp_reports: list[str] = field(default_factory=list)
    all_violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_reports.append(message.text)

    def check(self, name: str) -> None:
        """Run axe on the current page (no serious or critical violation), screenshot it."""
        page = self.page
        page.wait_for_load_state("load")
        page.evaluate(axe_script())
        results = page.evaluate(
            "options => axe.run(document, options)",
            {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
        )
        violations = results["violations"]
        self.all_violations[name] = violations
        report = self.screenshots / f"{self.prefix}-{name}.axe.json"
        report.write_text(json.dumps(violations, indent=1, ensure_ascii=False), encoding="utf-8")
        bad = [v for v in violations if v.get("impact") in BAD_IMPACTS]
        assert not bad, f"{name}: " + json.dumps(
            [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in bad], indent=1
        )
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert page.title(), name
        assert self.csp_reports == [], self.csp_reports
        page.screenshot(path=str(self.screenshots / f"{self.prefix}-{name}.png"), full_page=True)
        self.seen.append(name)

    def focused(self) -> dict[str, Any]:
        return dict(
            self.page.evaluate(
                """() => {
                const e = document.activeElement;
                const s = getComputedStyle(e);
                return {id: e.id, tag: e.tagName.toLowerCase(), type: e.type || "",
                        text: (e.innerText || e.value || "").trim(),
                        outline: s.outlineStyle, shadow: s.boxShadow};
            }"""
            )
        )

    def tab_to(
        self,
        *,
        field_id: str | None = None,
        button: str | None = None,
        summary: str | None = None,
        nth: int = 1,
    ) -> None:
        """Press Tab until the field (by id), the button or the disclosure summary (by its
        text, the ``nth`` one) has the focus; the focus must be visible on it."""
        seen = 0
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            now = self.focused()
            hit = (field_id is not None and now["id"] == field_id) or (
                button is not None
                and now["tag"] == "button"
                and " ".join(now["text"].split()) == button
            )
            if summary is not None and now["tag"] == "summary" and now["text"] == summary:
                seen += 1
                hit = seen == nth
            if hit:
                assert now["outline"] != "none" or now["shadow"] != "none", now
                return
        raise AssertionError(f"{field_id or button!r} cannot be reached with Tab")

    def fill_with_keyboard(self, values: dict[str, str], submit: str | None) -> None:
        """Fill a form with the keyboard only: Tab to each field, type, Tab to the button,
        press Enter. Starts from the top of the page."""
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        self.page.evaluate("window.scrollTo(0, 0)")
        for field_id, text in values.items():
            self.tab_to(field_id=field_id)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(text)
        if submit is None:
            return
        self.tab_to(button=submit)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
