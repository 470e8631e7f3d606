"""Hardening (issue 19): what one request may cost, strict numbers, no 500 and no traceback
for hostile input, and refusals in one error model, through the service and the CLI."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from test_api import ETCH, Service
from test_authoring_api import BAD_VN
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli
from schemas.compact import CompactResult
from schemas.transaction import Transaction
from screener.batch.layout import LineError, to_transaction
from screener.errors import InputError, parse_model
from screener.limits import Limits

REPO = Path(__file__).resolve().parent.parent


class Hard(Service):
    def raw(self, path: str, body: bytes, key: str | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json", "X-API-Key": key or self.screen_key}
        return self.client.post(path, content=body, headers=headers)


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hard]:
    folder = tmp_path_factory.mktemp("hard")
    url = f"sqlite:///{folder / 'hard.db'}"
    app = create_app(database_url=url, jobs_dir=folder / "jobs", limits=Limits(items=50))
    with TestClient(app) as client:
        yield Hard(client, url, folder / "jobs")


def _many_items(n: int) -> dict[str, object]:
    return {**ETCH, "items": [{"eccn": "3B001.c.1.a", "origin_country": "US"}] * n}


# ------------------------------------------------------------------------- size limits


def test_a_10000_item_transaction_is_refused_naming_the_limit(svc: Hard) -> None:
    r = svc.post("/v1/screen", svc.screen_key, json=_many_items(10_000))
    assert r.status_code == 413
    body = r.json()
    assert body["problems"] == [
        "items: 10,000 items; the limit is 50 per transaction (CHOKEPOINT_MAX_ITEMS; split "
        "the shipment or use the batch)"
    ]
    assert body["error"].startswith("transaction too large: items: 10,000 items")
    assert svc.post("/v1/screen", svc.screen_key, json=_many_items(50)).status_code == 200


def test_the_compact_view_is_a_tenth_and_the_trail_keeps_the_full_digest(
    svc: Hard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`?view=compact` answers with what decides (CompactResult); the audit row is the same
    as for the full answer: the full result's digest, which GET reproduces."""
    monkeypatch.setenv("CHOKEPOINT_AUDIT_RESULTS", "digest")
    full = svc.post("/v1/screen", svc.screen_key, json=_many_items(20))
    small = svc.post("/v1/screen?view=compact", svc.screen_key, json=_many_items(20))
    assert full.status_code == small.status_code == 200
    assert len(small.content) * 10 < len(full.content), (len(small.content), len(full.content))
    assert CompactResult.model_validate_json(small.content).decision == full.json()["decision"]
    stored = svc.get(small.headers["Location"], svc.screen_key).json()
    assert stored["reproduction"] == "verified"
    assert stored["result_sha256"] == hashlib.sha256(full.content).hexdigest()
    assert stored["result"] == full.json()
    bad = svc.post("/v1/screen?view=tiny", svc.screen_key, json=_many_items(1))
    assert bad.status_code == 422 and any("view" in p for p in bad.json()["problems"])


def test_too_many_parties_is_refused(svc: Hard) -> None:
    party = {"role": "end_user", "name": "Example Fab Co.", "country": "CN"}
    r = svc.post("/v1/screen", svc.screen_key, json={**ETCH, "parties": [party] * 51})
    assert r.status_code == 413
    assert r.json()["problems"][0].startswith("parties: 51 parties; the limit is 50")


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHOKEPOINT_MAX_ITEMS", "3")
    monkeypatch.setenv("CHOKEPOINT_MAX_PARTIES", "nonsense")  # ignored: the default
    assert Limits.from_env() == Limits(items=3, parties=50, body_bytes=1 << 20)


def _screen_cli(tmp_path: Path, text: str | bytes, **env: str) -> tuple[int, str]:
    source = tmp_path / "tx.json"
    source.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = CliRunner().invoke(
        cli, ["screen", str(source), "--no-record", "--db", f"sqlite:///{tmp_path}/c.db"], env=env
    )
    return result.exit_code, result.output


def test_cli_refuses_an_oversized_transaction_in_one_line(tmp_path: Path) -> None:
    code, out = _screen_cli(tmp_path, json.dumps(_many_items(10_000)))
    assert code == 2
    assert out.strip().splitlines() == [
        "error: transaction too large: items: 10,000 items; the limit is 250 per transaction "
        "(CHOKEPOINT_MAX_ITEMS; split the shipment or use the batch)"
    ]
    code, out = _screen_cli(tmp_path, json.dumps(ETCH), CHOKEPOINT_MAX_BODY_BYTES="100")
    assert code == 2 and "larger than the limit of 100 bytes" in out


# ------------------------------------------------------------------ hostile JSON, no 500


def test_an_id_beyond_bigint_is_422_not_500(svc: Hard) -> None:
    for sid in ("9223372036854775808", "0", "-1"):
        r = svc.get(f"/v1/screenings/{sid}", svc.screen_key)
        assert r.status_code == 422, (sid, r.text)
        assert r.json()["problems"][0].startswith("path.screening_id: Input should be")
    assert svc.get("/v1/screenings/9223372036854775807", svc.screen_key).status_code == 404


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"[" * 100_000, "(root): JSON nested too deeply to read"),
        (b'{"id": "\xff\xfe"}', "(root): the body is not UTF-8 (byte 8: invalid start byte)"),
    ],
)
def test_unreadable_bodies_are_refused_in_the_error_model(
    svc: Hard, body: bytes, problem: str
) -> None:
    r = svc.raw("/v1/screen", body)
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0].startswith(problem), r.json()


def test_a_bom_is_ignored_as_rfc_8259_allows_and_the_cli_does(svc: Hard) -> None:
    assert svc.raw("/v1/screen", b"\xef\xbb\xbf" + json.dumps(ETCH).encode()).status_code == 200


def test_cli_deep_nesting_and_bad_utf8_exit_2_in_one_line(tmp_path: Path) -> None:
    code, out = _screen_cli(tmp_path, "[" * 100_000)
    assert (code, out.strip()) == (
        2,
        "error: invalid transaction: (root): JSON nested too deeply to read (a transaction "
        "is a few levels deep)",
    )
    code, out = _screen_cli(tmp_path, b'{"id": "\xff"}')
    assert code == 2 and out.strip().endswith("not UTF-8 (byte 8: invalid start byte)")


# ---------------------------------------------------------------------- strict numbers

_ITEM = {"eccn": "3B001.c.1.a", "origin_country": "US"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"items": [{**_ITEM, "parameters": {"tpp": "NaN"}}]},
            "items.0.parameters: parameter 'tpp' must be a finite number or true/false, got nan",
        ),
        ({"items": [{**_ITEM, "value_usd": "Infinity"}]}, "items.0.value_usd: Input should be a"),
        ({"items": [{**_ITEM, "us_content_percent": "NaN"}]}, "items.0.us_content_percent: "),
        ({"items": [{**_ITEM, "quantity": True}]}, "items.0.quantity: expected a whole number"),
        ({"items": [{**_ITEM, "quantity": 1.5}]}, "items.0.quantity: expected a whole number"),
        ({"items": [{**_ITEM, "eccn": ""}]}, "items.0.eccn: empty"),
        (
            {"items": [{**_ITEM, "eccn": "3B001.c.1.a.x.y.z"}]},
            "items.0.eccn: '3B001.c.1.a.x.y.z' is not an ECCN the CCL can have: paragraph 'x' "
            "follows the letter 'a'",
        ),
        ({"date": 0}, "date: expected a date as YYYY-MM-DD, got 0"),
        ({"us_persons_involved": 0}, "us_persons_involved: Input should be a valid boolean"),
    ],
)
def test_lax_values_are_refused_naming_the_field(
    svc: Hard, change: dict[str, object], problem: str
) -> None:
    # NaN and Infinity as JSON tokens (Python's json writes them; strict JSON has neither)
    text = json.dumps({**ETCH, **change}).replace('"NaN"', "NaN").replace('"Infinity"', "Infinity")
    r = svc.raw("/v1/screen", text.encode())
    assert r.status_code == 422, r.text
    assert any(p.startswith(problem) for p in r.json()["problems"]), r.json()["problems"]
    with pytest.raises(InputError) as exc:
        parse_model(Transaction, text)
    assert any(p.startswith(problem) for p in exc.value.problems)


def test_real_ccl_paragraphs_still_parse() -> None:
    for eccn in ("3A001.a.5.b.2.a.1", "1A607.f.2.1", "3A611.y.14", "3A001.z.1.a", "EAR99"):
        tx = parse_model(Transaction, {**ETCH, "items": [{"eccn": eccn}]})
        assert tx.items[0].eccn == eccn


def test_the_batch_converts_its_text_cells_explicitly() -> None:
    row = {"exporter_name": "A", "exporter_country": "US", "destination_country": "DE"}
    for cell, quantity in (("2", 2), ("2.0", 2), ("1,000", 1000)):
        tx = parse_model(Transaction, to_transaction({**row, "quantity": cell}, 2))
        assert tx.items[0].quantity == quantity
    with pytest.raises(LineError, match=r"quantity: '1.5' is not a whole number of units"):
        to_transaction({**row, "quantity": "1.5"}, 2)
    tx = parse_model(
        Transaction, to_transaction({**row, "date": "2026-08-03", "us_persons_involved": "no"}, 2)
    )
    assert (str(tx.date), tx.us_persons_involved) == ("2026-08-03", False)


# ------------------------------------------------------------------- OpenAPI honesty


def test_options_on_a_draft_names_every_method(svc: Hard) -> None:
    r = svc.client.options("/v1/rules/drafts/x", headers={"X-API-Key": svc.author_key})
    assert r.status_code == 405
    assert r.headers["allow"] == "DELETE, GET, HEAD, PUT"
    assert r.json()["error"] == "Method Not Allowed"


def test_the_document_names_the_refusals(svc: Hard) -> None:
    doc = svc.get("/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            if path != "/healthz":
                assert {"401", "403", "413", "422"} <= codes, (method, path, codes)
                assert op["responses"]["422"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"
                }
            if "{" in path and method != "put":  # PUT creates a draft
                assert "404" in codes, (method, path)


# ---------------------------------------------------------------------- small things


def test_a_rejected_first_draft_leaves_no_folder(svc: Hard) -> None:
    r = svc.client.put(
        "/v1/rules/drafts/never", json={"files": BAD_VN}, headers={"X-API-Key": svc.author_key}
    )
    assert r.status_code == 422
    assert not (svc.jobs_dir / "drafts" / "never").exists()


def _rules_copy(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    return rules


def _lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["rules", "lint", *args])
    return result.exit_code, result.output


def test_lint_reports_every_bad_file_and_the_patterns(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path)
    (rules / "us" / "zz_broken.yaml").write_text("clauses: [\n")
    (rules / "eu" / "zz_broken.yaml").write_text("clauses: [\n")
    (rules / "patterns" / "zz_broken.yaml").write_text("patterns: [\n")
    code, out = _lint(str(rules), "--rules", str(rules))
    assert code == 1
    lines = out.splitlines()  # not a terminal: whole `path:line: code message` lines
    for broken in ("us", "eu", "patterns"):
        path = rules / broken / "zz_broken.yaml"
        assert any(line.startswith(f"{path}:2: yaml YAML syntax error") for line in lines), out
    assert lines[-1] == f"3 finding(s), 0 note(s) in {rules}"
