"""The contract: invalid input is a clear error naming the field; JSON Schemas are current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from schemas.patterns import Alert, PatternFile
from schemas.result import ScreeningResult
from schemas.rules import Clause
from schemas.transaction import Transaction
from screener.audit.reproduce import reproduce
from screener.audit.store import AuditStore
from screener.errors import InputError, parse_model
from screener.wiring import build_screener

REPO = Path(__file__).resolve().parent.parent
VALID = {
    "exporter": {"name": "Acme", "country": "US"},
    "destination_country": "DE",
    "items": [{"eccn": "3B001.c.1.a", "origin_country": "US"}],
}


def _problems(data: object) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_model(Transaction, data)
    return info.value.problems


def test_valid_transaction_normalises_eccn_and_country() -> None:
    tx = parse_model(
        Transaction, VALID | {"destination_country": "de", "items": [{"eccn": "3b001.C.1.A"}]}
    )
    assert tx.destination_country == "DE"
    assert tx.items[0].eccn == "3B001.c.1.a"


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (
            {"destination_country": "XX"},
            "destination_country: 'XX' is not an ISO 3166-1 alpha-2 country code",
        ),
        ({"items": [{"eccn": "3B01"}]}, "items.0.eccn: '3B01' is not an ECCN"),
        (
            {"items": [{"eccn": "EAR99", "parameters": {"tpp": -5}}]},
            "items.0.parameters: parameter 'tpp' = -5 TPP is impossible",
        ),
        (
            {"items": [{"eccn": "EAR99", "parameters": {"tps": 5}}]},
            "items.0.parameters: unknown parameter 'tps'",
        ),
        (
            {"items": [{"eccn": "EAR99", "us_content_percent": 140}]},
            "items.0.us_content_percent: Input should be less than or equal to 100",
        ),
        (
            {"items": [{"eccn": "EAR99", "quantity": 0}]},
            "items.0.quantity: Input should be greater than 0",
        ),
        ({"items": []}, "items: give at least one item (or one service in services)"),
        ({"end_use": {"categories": ["weapons"]}}, "end_use.categories.0: Input should be"),
        ({"destinaton_country": "CN"}, "destinaton_country: unknown field"),
        (
            {"parties": [{"role": "end_user", "name": "  "}]},
            "parties.0.name: String should have at least 1 character",
        ),
        ({"date": "2026-13-01"}, "date: Input should be a valid date"),
    ],
)
def test_invalid_input_names_the_field(patch: dict, expected: str) -> None:
    problems = _problems(VALID | patch)
    assert any(p.startswith(expected) for p in problems), problems


def test_missing_fields_are_all_reported() -> None:
    problems = _problems({"items": [{}]})
    assert "exporter: required field is missing" in problems
    assert "destination_country: required field is missing" in problems


def test_broken_json_is_an_input_error() -> None:
    assert _problems('{"exporter": ')[0].startswith("(root): not valid JSON")
    assert _problems("[1, 2]") == ["(root): expected a JSON object, got list"]


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("transaction", Transaction),
        ("result", ScreeningResult),
        ("clause", Clause),
        ("pattern", PatternFile),
        ("alert", Alert),
    ],
)
def test_committed_json_schema_is_current(name: str, model: type) -> None:
    committed = json.loads((REPO / "schemas" / "jsonschema" / f"{name}.schema.json").read_text())
    assert committed == model.model_json_schema(), (
        f"regenerate: chokepoint schema {name} > schemas/jsonschema/{name}.schema.json"
    )


def test_cli_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "tx.json"
    good.write_text(json.dumps(VALID))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(VALID | {"destination_country": "ZZ"}))
    db = f"sqlite:///{tmp_path / 'cp.db'}"
    cli = [sys.executable, "-m", "cli", "screen", "--db", db]
    ok = subprocess.run([*cli, str(good)], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["jurisdictions"]["US"]["applies"] is True
    assert "Stored in the audit trail as screening 1." in ok.stderr
    stored = AuditStore(db).get(1)
    assert stored is not None and stored.source == "cli"
    assert stored.summary.decision == json.loads(ok.stdout)["decision"]
    # the row keeps the digest; re-screened on the same packs and lists it is the answer
    done = reproduce(stored, build_screener(db_url=db))
    assert done.verified, done.detail
    assert json.loads(done.result_json or "") == json.loads(ok.stdout)
    fail = subprocess.run([*cli, str(bad)], capture_output=True, text=True, cwd=REPO)
    assert fail.returncode == 2
    assert fail.stderr.strip().splitlines() == [
        "error: invalid transaction: destination_country: 'ZZ' is not an ISO 3166-1 alpha-2 "
        "country code (e.g. CN, DE, US)"
    ]
    assert "Traceback" not in fail.stderr
