"""The review pages through FastAPI's TestClient: sign-in and refusals, the CSRF token, the
queue's contents as decisions are taken and lists change, hostile names escaped, the
adjudication recorded with who and why, the overview pages, the hits table's migration."""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.web_session import COOKIE, MAX_AGE, SessionSigner
from screener.audit.db import _config, open_engine
from screener.audit.keys import KeyStore
from screener.engine import Screener
from screener.parties.store import ListStore

FIXTURE_CSL = Path(__file__).parent / "fixtures" / "lists" / "consolidated.csv"
HOSTILE = '<script>alert("x")</script> Photonics Ltd'
KUNLUN = "Kunlun Bank Company"  # a strong hit on the CAP entry of the fixture CSL: `review`


def tx(tid: str, name: str, eccn: str = "EAR99") -> dict[str, object]:
    return {
        "id": tid,
        "date": "2026-08-03",
        "exporter": {"name": "Acme", "country": "US"},
        "destination_country": "CN",
        "parties": [{"role": "end_user", "name": name, "country": "CN"}],
        "items": [{"eccn": eccn, "origin_country": "US"}],
    }


def write_list(
    path: Path, extra: list[dict[str, str]], change: dict[str, dict[str, str]] | None = None
) -> Path:
    """The fixture CSL plus `extra` rows (columns by name), its rows named in `change`
    updated, as a new list file."""
    with FIXTURE_CSL.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = [{**r, **(change or {}).get(r["name"], {})} for r in reader]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)
        for row in extra:
            writer.writerow({k: row.get(k, "") for k in header})
    return path


def entity_list_row(name: str, remarks: str = "") -> dict[str, str]:
    return {
        "_id": "9001",
        "source": "Entity List (EL) - Bureau of Industry and Security",
        "name": name,
        "addresses": "Beijing, CN",
        "license_requirement": "For all items subject to the EAR.",
        "license_policy": "Presumption of denial.",
        "remarks": remarks,
    }


class Site:
    def __init__(self, client: TestClient, url: str, folder: Path) -> None:
        self.client = client
        self.url = url
        self.folder = folder
        keys = KeyStore(url)
        self.review_key, self.review_record = keys.create("review", "Rita Reviewer")
        self.screen_key = keys.create("screen", "export desk")[0]

    def screen(self, body: dict[str, object]) -> int:
        r = self.client.post("/v1/screen", json=body, headers={"X-API-Key": self.screen_key})
        assert r.status_code == 200, r.text
        return int(r.headers["X-Screening-Id"])

    def as_reviewer(self) -> dict[str, str]:
        return {"X-API-Key": self.review_key}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("review")
    url = f"sqlite:///{folder / 'review.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(folder / "idx"))
    lists = write_list(folder / "v1.csv", [entity_list_row(HOSTILE)])
    ListStore(url).import_list(lists, "csl-csv", "csl")
    app = create_app(database_url=url, jobs_dir=folder / "jobs")
    with TestClient(app) as client:
        yield Site(client, url, folder)
    mp.undo()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(site: Site, key: str | None = None) -> TestClient:
    """A fresh browser-like client on the same app, signed in with `key`."""
    client = TestClient(site.client.app, follow_redirects=False)
    r = client.post("/review/login", data={"key": key or site.review_key, "next": "/review"})
    assert r.status_code == 303, r.text
    return client


def test_pages_refuse_without_a_key(site: Site) -> None:
    client = TestClient(site.client.app, follow_redirects=False)
    for path in ("/review", "/review/screenings/1", "/review/gaps", "/review/stats"):
        r = client.get(path)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/review/login?next=")
    r = client.post("/review/screenings/1/hits/0", data={"decision": "false_positive"})
    assert r.status_code == 303 and r.headers["location"].startswith("/review/login")
    r = client.get("/review", headers={"X-API-Key": "cp_00000000_not-a-key"})
    assert r.status_code == 401 and r.json()["error"] == "unknown or revoked API key"
    r = client.get("/review", headers={"X-API-Key": site.screen_key})
    assert r.status_code == 403 and "needs admin or review" in r.json()["error"]


def test_sign_in_sets_a_strict_http_only_cookie_without_the_key(site: Site) -> None:
    client = TestClient(site.client.app, follow_redirects=False)
    r = client.get("/review/login")
    assert r.status_code == 200 and '<label for="key">' in r.text
    r = client.post("/review/login", data={"key": "cp_00000000_wrong"})
    assert r.status_code == 401 and "unknown or revoked API key" in r.text
    r = client.post("/review/login", data={"key": site.screen_key})
    assert r.status_code == 403 and "needs a review or admin key" in r.text
    r = client.post("/review/login", data={"key": site.review_key, "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/review"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "Path=/review", "SameSite=strict", f"Max-Age={MAX_AGE}"):
        assert attribute in cookie
    assert site.review_key not in cookie
    page = client.get("/review")
    assert page.status_code == 200 and "key:" + site.review_record.prefix in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    r = client.post("/review/login", data={"key": site.review_key}, headers={"Origin": "http://x"})
    assert r.status_code == 403


def test_session_tokens_are_signed_and_expire() -> None:
    signer = SessionSigner("secret")
    token = signer.issue(7, now=1000)
    assert signer.read(token, now=1001) == (7, token.split(".")[2])
    assert signer.read(token, now=1000 + MAX_AGE + 1) is None
    forged = "8" + token[1:]
    assert signer.read(forged, now=1001) is None
    assert SessionSigner("other").read(token, now=1001) is None
    assert signer.csrf("a") != signer.csrf("b")


def test_a_revoked_key_ends_its_session(site: Site) -> None:
    key, record = KeyStore(site.url).create("review", "leaver")
    client = sign_in(site, key)
    assert client.get("/review").status_code == 200
    KeyStore(site.url).revoke(record.prefix)
    r = client.get("/review")
    assert r.status_code == 303 and "revoked" in r.headers["location"]


def test_adjudicating_in_the_browser_needs_the_csrf_token(site: Site) -> None:
    sid = site.screen(tx("PO-CSRF", KUNLUN))
    client = sign_in(site)
    page = client.get(f"/review/screenings/{sid}")
    token = csrf_of(page.text)
    form = {"decision": "false_positive", "reason": "another bank"}
    before = ListStore(site.url).adjudications_for(KUNLUN, "csl", "CAP:15268")
    r = client.post(f"/review/screenings/{sid}/hits/0", data=form)
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    r = client.post(f"/review/screenings/{sid}/hits/0", data={**form, "csrf": "x" + token})
    assert r.status_code == 403
    r = client.post(
        f"/review/screenings/{sid}/hits/0",
        data={**form, "csrf": token},
        headers={"Origin": "http://attacker.example"},
    )
    assert r.status_code == 403 and "cross-site" in r.json()["error"]
    other = sign_in(site)  # another session's token is not this one's
    assert csrf_of(other.get("/review").text) != token
    after = ListStore(site.url).adjudications_for(KUNLUN, "csl", "CAP:15268")
    assert len(after) == len(before)


def test_the_loop_queue_adjudicate_rescreen_audit(site: Site) -> None:
    """A review hit waits in the queue; a false positive recorded with the signed-in key as
    reviewer leaves the screening waiting until it is re-screened, which then clears with
    the release quoted; a list update changing the entry re-opens it."""
    sid = site.screen(tx("PO-LOOP", KUNLUN))
    client = sign_in(site)
    queue = client.get("/review").text
    assert f'href="/review/screenings/{sid}"' in queue
    assert f'id="hit-{sid}-0"' in queue and "Status: <strong>pending</strong>" in queue
    token = csrf_of(queue)
    started = dt.datetime.now(dt.UTC)
    r = client.post(
        f"/review/screenings/{sid}/hits/0",
        data={"decision": "false_positive", "reason": "a savings bank in Xinjiang", "csrf": token},
    )
    assert r.status_code == 303
    assert re.fullmatch(
        rf"/review/screenings/{sid}\?recorded=\d+&hit=0#hit-{sid}-0", r.headers["location"]
    )
    made = ListStore(site.url).adjudications_for(KUNLUN, "csl", "CAP:15268")[0]
    assert made.reviewer == f"key:{site.review_record.prefix}:Rita Reviewer"
    assert made.decision == "false_positive" and made.reason == "a savings bank in Xinjiang"
    assert started - dt.timedelta(seconds=1) <= made.decided_at <= dt.datetime.now(dt.UTC)
    page = client.get(r.headers["location"]).text
    assert "released" in page and "a savings bank in Xinjiang" in page
    # decided, but the stored decision is still `review`: it waits until re-screened
    assert f'href="/review/screenings/{sid}"' in client.get("/review").text
    r = client.post(f"/review/screenings/{sid}/rescreen", data={"csrf": token})
    new_id = int(r.headers["location"].rsplit("/", 1)[1])
    stored = site.client.get(f"/v1/screenings/{new_id}", headers=site.as_reviewer())
    assert stored.status_code == 403  # the JSON API keeps its roles: review is not author
    record = site.client.get(
        f"/v1/screenings/{new_id}", headers={"X-API-Key": site.screen_key}
    ).json()
    assert record["decision"] == "clear" and record["requested_by"] == made.reviewer
    assert record["source"] == f"rescreen:{sid}" and record["transaction_id"] == "PO-LOOP"
    note = record["result"]["party_hits"][0]["adjudication"]
    assert note.startswith(f"released as not the listed party by {made.reviewer}")
    assert note.endswith("a savings bank in Xinjiang")
    queue = client.get("/review").text
    assert f'href="/review/screenings/{sid}"' not in queue
    assert f'href="/review/screenings/{new_id}"' not in queue
    # the list changes the entry the release was made against: the hit waits again
    changed = write_list(
        site.folder / "v2.csv",
        [entity_list_row(HOSTILE)],
        {"BANK OF KUNLUN CO LTD": {"addresses": "Karamay, Xinjiang, CN"}},
    )
    ListStore(site.url).import_list(changed, "csl-csv", "csl")
    queue = client.get("/review").text
    assert f'href="/review/screenings/{new_id}"' in queue
    assert "Status: <strong>reopened</strong>" in queue


def test_rescreening_the_trail_after_a_list_update(site: Site) -> None:
    """A party that was clear is added to the list: the page's re-screen finds it, says
    which entry caused it, and the new screening's hit waits in the queue."""
    sid = site.screen(tx("PO-H3C", "New H3C Semiconductor Technologies"))
    client = sign_in(site)
    queue = client.get("/review").text
    assert f'href="/review/screenings/{sid}"' not in queue  # clear, no hit
    with (FIXTURE_CSL.parent / "csl_next.csv").open(newline="", encoding="utf-8") as f:
        h3c = next(r for r in csv.DictReader(f) if r["_id"] == "3703")
    ListStore(site.url).import_list(
        write_list(
            site.folder / "v3.csv",
            [entity_list_row(HOSTILE), h3c],
            {"BANK OF KUNLUN CO LTD": {"addresses": "Karamay, Xinjiang, CN"}},
        ),
        "csl-csv",
        "csl",
    )
    r = client.post("/review/rescreen", data={"csrf": csrf_of(queue)})
    assert r.status_code == 200
    change = re.search(
        rf'<section class="change" aria-labelledby="change-{sid}">(.*?)</section>', r.text, re.S
    )
    assert change, "the H3C screening did not change"
    assert "clear" in change.group(1) and "license required" in change.group(1)
    assert "New H3C Semiconductor Technologies Co., Ltd." in change.group(1)
    assert "was added on csl" in change.group(1)
    new_id = int(re.search(r'href="/review/screenings/(\d+)"', change.group(1)).group(1))
    queue = client.get("/review").text
    assert f'href="/review/screenings/{new_id}"' in queue
    assert f'Re-screening of <a href="/review/screenings/{sid}">' in queue
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    r = client.post("/review/rescreen", data={"csrf": "wrong"})
    assert r.status_code == 403


def test_a_review_for_a_missing_fact_names_it(site: Site) -> None:
    """No party hit: the screening waits because US content decides it, and the queue says
    so with what each answer would lead to."""
    body = {
        "id": "PO-KR-ETCH",
        "date": "2026-08-03",
        "exporter": {"name": "Korea Etch Co.", "country": "KR"},
        "destination_country": "JP",
        "items": [
            {"description": "Isotropic dry etcher", "eccn": "3B001.c.1.a", "origin_country": "KR"}
        ],
    }
    sid = site.screen(body)
    queue = site.client.get("/review", headers=site.as_reviewer()).text
    item = re.search(
        rf'<article class="screening" aria-labelledby="s-{sid}">(.*?)</article>', queue, re.S
    )
    assert item, "the review screening is not in the queue"
    text = item.group(1)
    assert '<code class="fact">item.us_content_percent</code>' in text
    assert "24.0 -&gt; clear" in text and "26.0 -&gt; license_required" in text
    assert 'class="hit' not in text


def test_hostile_names_and_reasons_are_escaped(site: Site) -> None:
    sid = site.screen(tx("PO-<b>bold</b>", HOSTILE))
    r = site.client.get(f"/review/screenings/{sid}", headers=site.as_reviewer())
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<b>bold" not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Photonics Ltd" in r.text
    hit = re.search(rf'<section class="hit[^>]*id="hit-{sid}-(\d+)"', r.text)
    assert hit, "the hostile name was not hit"
    r = site.client.post(
        f"/review/screenings/{sid}/hits/{hit.group(1)}",
        data={"decision": "true_match", "reason": "<img src=x onerror=alert(1)>"},
        headers=site.as_reviewer(),
        follow_redirects=False,
    )
    assert r.status_code == 303  # a key in the header needs no form token
    page = site.client.get(f"/review/screenings/{sid}", headers=site.as_reviewer()).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "confirmed" in page


def test_refused_adjudications(site: Site) -> None:
    sid = site.screen(tx("PO-REFUSE", KUNLUN))
    headers = site.as_reviewer()
    post = site.client.post
    r = post(f"/review/screenings/{sid}/hits/5", data={}, headers=headers)
    assert r.status_code == 404
    r = post(
        f"/review/screenings/{sid}/hits/0",
        data={"decision": "maybe", "reason": "x"},
        headers=headers,
    )
    assert r.status_code == 422 and "decision must be one of" in r.json()["error"]
    r = post(
        f"/review/screenings/{sid}/hits/0",
        data={"decision": "true_match", "reason": " "},
        headers=headers,
    )
    assert r.status_code == 422 and "reason" in r.json()["error"]
    assert site.client.get("/review/screenings/999999", headers=headers).status_code == 404
    # a browser on the review pages is refused with a page, everything else with JSON
    browser = {**headers, "Accept": "text/html,application/xhtml+xml"}
    r = site.client.get("/review/screenings/999999", headers=browser)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<p class="error" role="alert" id="reason">no screening 999999</p>' in r.text
    r = site.client.get("/review/gaps?as_of=<b>x</b>", headers=browser)
    assert r.status_code == 422 and "as_of: " in r.text and "<b>x" not in r.text
    r = site.client.get("/v1/screenings/999999", headers={**browser, "X-API-Key": site.screen_key})
    assert r.status_code == 404 and r.json()["error"] == "no screening 999999"


def test_overview_pages(site: Site) -> None:
    headers = site.as_reviewer()
    gaps = site.client.get("/review/gaps?as_of=2024-09-01", headers=headers)
    assert gaps.status_code == 200 and "as of 2024-09-01" in gaps.text
    assert 'class="gap-cell"' in gaps.text and '<th scope="row">CN</th>' in gaps.text
    assert site.client.get("/review/gaps?as_of=2024-13-01", headers=headers).status_code == 422
    from schemas.result import ScreeningResult
    from schemas.transaction import Transaction
    from screener.audit.store import AuditStore

    audit = AuditStore(site.url)
    stored = audit.get(site.screen(tx("PO-STATS", "Example Fab Co.")))
    assert stored is not None
    for when in (dt.datetime(2026, 5, 2, tzinfo=dt.UTC), dt.datetime(2025, 2, 1, tzinfo=dt.UTC)):
        audit.record(
            Transaction.model_validate(stored.transaction),
            ScreeningResult.model_validate(stored.result),
            requested_by="test",
            at=when,
        )
    stats = site.client.get("/review/stats", headers=headers).text
    quarter = f"{dt.date.today().year}-Q{(dt.date.today().month - 1) // 3 + 1}"
    assert 'aria-label="screenings by quarter and decision"' in stats
    assert f">{quarter}</text>" in stats and f'<th scope="row">{quarter}</th>' in stats
    # oldest first, a time series (the batch report's chart orders by size)
    assert (
        stats.index(">2025-Q1</text>")
        < stats.index(">2026-Q2</text>")
        < stats.index(f">{quarter}</text>")
    )
    window = site.client.get("/review/stats?since=2026-01-01&until=2026-07-01", headers=headers)
    assert ">2026-Q2</text>" in window.text and "2025-Q1" not in window.text
    batches = site.client.get("/review/batches", headers=headers)
    assert batches.status_code == 200
    assert site.client.get("/review/static/review.js").status_code == 200


def test_batch_report_is_served_sandboxed(site: Site) -> None:
    line = "exporter_name,exporter_country,destination_country,eccn,origin_country\n"
    body = line + "Acme,US,CN,3B001.c.1.a,US\nAcme,US,DE,EAR99,US\n"
    r = site.client.post(
        "/v1/batches",
        files={"file": ("two.csv", body.encode(), "text/csv")},
        headers={"X-API-Key": site.screen_key},
    )
    job = r.json()["id"]
    for _ in range(600):
        status = site.client.get(f"/v1/batches/{job}", headers={"X-API-Key": site.screen_key})
        if status.json()["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status.json()["status"] == "done"
    page = site.client.get("/review/batches", headers=site.as_reviewer()).text
    assert "two.csv" in page and 'aria-label="lines by decision"' in page
    report = site.client.get(f"/review/batches/{job}/report", headers=site.as_reviewer())
    assert report.status_code == 200 and "Batch screening report" in report.text
    assert "sandbox" in report.headers["content-security-policy"]


def test_migration_fills_the_hits_of_screenings_stored_before_it(site: Site) -> None:
    from alembic import command

    engine = open_engine(site.url)
    with engine.connect() as conn:
        before = conn.execute(
            text(
                "SELECT screening_id, hit_index, query_name, entry_id FROM cp_screening_hits "
                "ORDER BY id"
            )
        ).all()
    assert before, "no hits stored yet"
    command.downgrade(_config(engine), "0002_audit")
    command.upgrade(_config(engine), "head")
    with engine.connect() as conn:
        after = conn.execute(
            text(
                "SELECT screening_id, hit_index, query_name, entry_id FROM cp_screening_hits "
                "ORDER BY screening_id, hit_index"
            )
        ).all()
    assert sorted(before) == after


def test_queue_on_either_database(db_url: str, screener: Screener, list_store: ListStore) -> None:
    """The queue's query (latest per transaction id, superseded re-screenings left out, hits
    from cp_screening_hits) on SQLite and PostgreSQL: only what still waits is shown."""
    from schemas.transaction import Transaction
    from screener.audit.store import AuditStore
    from screener.review.queue import review_queue

    audit = AuditStore(db_url)

    def record(body: dict[str, object], source: str = "api") -> int:
        t = Transaction.model_validate(body)
        return audit.record(t, screener.screen(t), requested_by="test", source=source)

    old = record(tx("PO-Q1", KUNLUN))
    latest = record(tx("PO-Q1", KUNLUN))  # the same transaction again: only this one shows
    clear = record(tx("PO-Q2", "Example Fab Co."))
    anonymous = {**tx("x", KUNLUN), "id": None}
    replaced = record(anonymous)
    again = record(anonymous, source=f"rescreen:{replaced}")
    queue = review_queue(audit, list_store)
    shown = [s.id for s in queue.items]
    assert shown == [again, latest] and queue.total == 2 and queue.waiting_hits == 2
    assert {old, clear, replaced}.isdisjoint(shown)
    assert [h.entry_id for h in queue.items[1].waiting_hits] == ["CAP:15268"]
    assert review_queue(audit, list_store, offset=1, limit=1).items[0].id == latest
