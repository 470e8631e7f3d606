"""The reviewer's daily loop in a real browser: headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright) against `create_app` under uvicorn on 127.0.0.1, fresh SQLite database.

Screen a transaction over the API, sign in with a review key, find the hit in the queue,
decide on it with the keyboard, re-screen, and read who decided and why in the stored
record. Then the list-update loop: a clear transaction, a new list version that adds its
party, the trail re-screened from the queue page, the new hit confirmed as a true match. A
form posted from another origin is refused; the gap map's cells read out by keyboard (the
page's script runs under its Content-Security-Policy).

Skips, saying why, where Playwright or the browser is missing (`make test` installs Chromium
with apt where it can).
"""

from __future__ import annotations

import http.server
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from screener.audit.keys import KeyStore
from screener.parties.store import ListStore

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
CHROMIUM = Path(os.environ.get("CHOKEPOINT_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (make test does it where "
        "apt is usable), or set CHOKEPOINT_CHROMIUM",
        allow_module_level=True,
    )

FIXTURE_CSL = Path(__file__).parent / "fixtures" / "lists" / "consolidated.csv"
NEXT_CSL = FIXTURE_CSL.with_name("csl_next.csv")  # the same plus New H3C (Entity List)
H3C = "New H3C Semiconductor Technologies"
PARTY = "Kunlun Bank Company"  # a strong hit on the fixture CSL's CAP entry: `review`
REASON = "Kunlun savings cooperative in Urumqi, not the Karamay bank (registry extract 4411)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    base: str
    url: str
    screen_key: str
    review_key: str
    reviewer: str  # the review key's label, as the audit trail records it

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60, headers={"X-API-Key": self.screen_key})


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("browser")
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(folder / "idx"))
    url = f"sqlite:///{folder / 'review.db'}"
    ListStore(url).import_list(FIXTURE_CSL, "csl-csv", "csl")
    keys = KeyStore(url)
    screen_key = keys.create("screen", "export desk")[0]
    review_key, record = keys.create("review", "Rita Reviewer")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(database_url=url, jobs_dir=folder / "jobs"),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(1200):  # a minute: startup loads every pack, on a busy machine too
            if server.started:
                break
            time.sleep(0.05)
        assert server.started
        yield Live(f"http://127.0.0.1:{port}", url, screen_key, review_key, record.label)
    finally:
        server.should_exit = True
        thread.join(10)
        mp.undo()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        except sync_api.Error as exc:  # a browser that cannot start here: say so, skip
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {str(exc)[:200]}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.problems = problems
    yield tab
    context.close()


def sign_in(page: Any, live: Live) -> None:
    page.goto(f"{live.base}/review")
    assert page.url.startswith(f"{live.base}/review/login")
    page.get_by_label("API key").fill(live.review_key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.base}/review")


def test_the_daily_loop_in_the_browser(live: Live, page: Any) -> None:
    expect = sync_api.expect
    with live.api() as api:
        r = api.post("/v1/screen", json=_transaction("PO-2026-0417"))
        assert r.status_code == 200 and r.json()["decision"] == "review"
        sid = int(r.headers["X-Screening-Id"])

    sign_in(page, live)
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for a decision")
    expect(page.locator("#reviewer")).to_have_text(live.reviewer)
    expect(page.locator("#queue-summary")).to_contain_text("1 screening waiting, with 1 party hit")
    item = page.get_by_role("article").filter(has_text=f"Screening {sid}: PO-2026-0417")
    hit = item.locator(f"#hit-{sid}-0")
    expect(hit).to_contain_text("BANK OF KUNLUN CO LTD")
    expect(hit).to_contain_text("Status: pending")
    hit.get_by_text("Why it matched").click()
    expect(hit.get_by_role("table", name="Token alignment")).to_contain_text("kunlun")

    # decide with the keyboard: the radio by its label (a radio group is one tab stop), then
    # Tab to the reason and on to the button
    hit.get_by_label("False positive: a different party").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(hit.get_by_label("Reason (kept in the audit trail)")).to_be_focused()
    page.keyboard.type(REASON)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.base}/review/screenings/{sid}?recorded=*")
    expect(page.locator("#recorded")).to_be_focused()
    decisions = page.get_by_role("table", name="Decisions on this name and entry (newest first)")
    expect(decisions.locator(".reviewer")).to_have_text(live.reviewer)
    expect(decisions.locator(".reason")).to_have_text(REASON)
    expect(page.locator(f"#hit-{sid}-0")).to_contain_text("Status: released")

    page.get_by_role("button", name="Re-screen now").click()
    page.wait_for_url(f"{live.base}/review/screenings/*")
    new_id = int(page.url.rsplit("/", 1)[1])
    assert new_id != sid
    expect(page.get_by_role("heading", level=1)).to_contain_text("clear")
    expect(page.locator(f"#hit-{new_id}-0")).to_contain_text(
        f"At screening: released as not the listed party by {live.reviewer}"
    )

    page.get_by_role("link", name="Queue").click()
    expect(page.get_by_text("Nothing is waiting.")).to_be_visible()

    with live.api() as api:
        record = api.get(f"/v1/screenings/{new_id}").json()
    assert record["decision"] == "clear" and record["requested_by"] == live.reviewer
    note = record["result"]["party_hits"][0]["adjudication"]
    assert note.startswith(f"released as not the listed party by {live.reviewer} on ")
    assert note.endswith(REASON)
    assert page.problems == []


def test_a_list_update_re_screened_and_confirmed_in_the_browser(live: Live, page: Any) -> None:
    expect = sync_api.expect
    with live.api() as api:
        r = api.post("/v1/screen", json=_transaction("PO-2026-0502", H3C))
        assert r.status_code == 200 and r.json()["decision"] == "clear"
        sid = int(r.headers["X-Screening-Id"])
    sign_in(page, live)
    expect(page.get_by_role("link", name=f"Screening {sid}: PO-2026-0502")).to_have_count(0)
    ListStore(live.url).import_list(NEXT_CSL, "csl-csv", "csl")  # the next list version

    page.get_by_role("button", name="Re-screen against the latest lists").click()
    page.wait_for_url(f"{live.base}/review/rescreen")
    change = page.get_by_role("region", name=f"Screening {sid}: PO-2026-0502")
    expect(change).to_contain_text("clear now license required")
    expect(change.locator(".cause")).to_contain_text(
        "New H3C Semiconductor Technologies Co., Ltd. was added on csl"
    )
    change.get_by_role("link", name="The new screening").click()
    page.wait_for_url(f"{live.base}/review/screenings/*")
    new_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_text(f"Re-screening of screening {sid}.")).to_be_visible()

    page.get_by_role("link", name="Queue").click()
    item = page.get_by_role("article").filter(has_text=f"Screening {new_id}: PO-2026-0502")
    hit = item.locator(f"#hit-{new_id}-0")
    expect(hit).to_contain_text("Status: pending")
    expect(hit).to_contain_text("Entity List")
    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)  # a true match is confirmed once more
    hit.get_by_label("True match: it is the listed party").check()
    hit.get_by_label("Reason (kept in the audit trail)").fill("same Hangzhou address and FN4")
    hit.get_by_role("button", name="Record decision").click()
    page.wait_for_url(f"{live.base}/review/screenings/{new_id}?recorded=*")
    assert asked == ["Record that this party IS the listed party?"]
    expect(page.locator(f"#hit-{new_id}-0")).to_contain_text("Status: confirmed")
    decisions = page.get_by_role("table", name="Decisions on this name and entry (newest first)")
    expect(decisions).to_contain_text("true match")
    expect(decisions.locator(".reviewer")).to_have_text(live.reviewer)
    page.get_by_role("link", name="Queue").click()
    expect(page.get_by_role("link", name=f"Screening {new_id}: PO-2026-0502")).to_have_count(0)

    page.goto(f"{live.base}/review/screenings/{new_id}")
    page.get_by_role("button", name="Re-screen now").click()
    page.wait_for_url(f"{live.base}/review/screenings/*")
    last = int(page.url.rsplit("/", 1)[1])
    with live.api() as api:
        record = api.get(f"/v1/screenings/{last}").json()
    assert record["source"] == f"rescreen:{new_id}" and record["requested_by"] == live.reviewer
    assert record["decision"] == "license_required"
    note = record["result"]["party_hits"][0]["adjudication"]
    assert note.startswith(f"confirmed as the listed party by {live.reviewer} on ")
    assert note.endswith("same Hangzhou address and FN4")
    assert page.problems == []


def test_a_form_from_another_origin_is_refused(live: Live, page: Any) -> None:
    """Same host, another port: same-site, so the Strict cookie is sent; the token and the
    Origin check refuse it, and nothing is recorded."""
    with live.api() as api:
        sid = int(api.post("/v1/screen", json=_transaction("PO-FORGED")).headers["X-Screening-Id"])
    before = len(ListStore(live.url).adjudications_for(PARTY, "csl", "CAP:15268"))
    sign_in(page, live)
    forged = (
        f'<form method="post" action="{live.base}/review/screenings/{sid}/hits/0">'
        '<input name="decision" value="true_match"><input name="reason" value="forged">'
        '<button type="submit">win a prize</button></form>'
    ).encode()

    class Attacker(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(forged)

        def log_message(self, *args: object) -> None:
            pass

    evil = http.server.HTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        with page.expect_response(lambda r: "/hits/0" in r.url) as answer:
            page.get_by_role("button", name="win a prize").click()
        assert answer.value.status == 403
        assert "cross-site form post refused" in answer.value.text()
    finally:
        evil.shutdown()
    assert len(ListStore(live.url).adjudications_for(PARTY, "csl", "CAP:15268")) == before


def test_gap_map_and_statistics_by_keyboard(live: Live, page: Any) -> None:
    expect = sync_api.expect
    sign_in(page, live)
    page.goto(f"{live.base}/review/gaps?as_of=2024-09-01")
    expect(page.get_by_role("heading", level=1)).to_contain_text("as of 2024-09-01")
    cell = page.locator("button.gap-cell").first
    cell.focus()
    page.keyboard.press("Enter")
    title = cell.get_attribute("title")
    assert title
    expect(page.locator("#gap-detail")).to_have_text(title)  # the script ran under the CSP
    page.get_by_role("link", name="Statistics").click()
    chart = page.get_by_role("img", name="screenings by quarter and decision")
    expect(chart).to_be_visible()
    assert page.problems == []


def _transaction(tid: str, party: str = PARTY) -> dict[str, object]:
    return {
        "id": tid,
        "date": "2026-08-03",
        "exporter": {"name": "Acme Test Instruments", "country": "US"},
        "destination_country": "CN",
        "parties": [{"role": "end_user", "name": party, "country": "CN"}],
        "items": [{"description": "Oscilloscope", "eccn": "EAR99", "origin_country": "US"}],
    }


def test_every_page_passes_axe(live: Live, browser: Any) -> None:
    """axe-core (the accessibility engine, as bundled by axe-playwright-python) finds no
    violation on any page: labels, headings, landmarks, contrast, ARIA, names of controls."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="no axe").Axe()
    with live.api() as api:
        sid = int(api.post("/v1/screen", json=_transaction("PO-AXE")).headers["X-Screening-Id"])
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    tab = context.new_page()
    try:
        tab.goto(f"{live.base}/review/login")
        reports = {"login": axe.run(tab)}
        sign_in(tab, live)
        reports["queue"] = axe.run(tab)
        for name, path in (
            ("screening", f"/review/screenings/{sid}"),
            ("gaps", "/review/gaps?as_of=2025-06-01"),
            ("batches", "/review/batches"),
            ("stats", "/review/stats"),
        ):
            tab.goto(f"{live.base}{path}")
            reports[name] = axe.run(tab)
        tab.goto(f"{live.base}/review")
        tab.get_by_role("button", name="Re-screen against the latest lists").click()
        tab.wait_for_url(f"{live.base}/review/rescreen")
        reports["rescreen"] = axe.run(tab)
    finally:
        context.close()
    found = {name: r.generate_report() for name, r in reports.items() if r.violations_count}
    assert not found, "\n".join(f"{name}: {text}" for name, text in found.items())
