"""`chokepoint keys`, `db upgrade` and `stats` against a fresh SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from schemas.transaction import Transaction
from screener.audit.keys import KeyStore
from screener.audit.store import AuditStore
from screener.engine import Screener

runner = CliRunner()


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    result = runner.invoke(
        app, ["keys", "create", "--role", "author", "--name", "rules", "--db", db]
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[0]
    record = KeyStore(db).verify(key)
    assert record is not None and record.role == "author" and record.name == "rules"
    listing = runner.invoke(app, ["keys", "list", "--db", db])
    assert f"{record.prefix}\tauthor\trules\tactive" in listing.stdout
    assert runner.invoke(app, ["keys", "revoke", record.prefix, "--db", db]).exit_code == 0
    assert KeyStore(db).verify(key) is None
    bad = runner.invoke(app, ["keys", "create", "--role", "root", "--db", db])
    assert bad.exit_code == 2 and "unknown role 'root'" in bad.output


def test_db_upgrade_and_stats(tmp_path: Path, screener: Screener) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = runner.invoke(app, ["db", "upgrade", "--db", db])
    assert result.exit_code == 0 and "at revision 0004_audit_digest" in result.stdout
    tx = Transaction.model_validate(
        {
            "date": "2026-08-03",
            "exporter": {"name": "Acme", "country": "US"},
            "destination_country": "CN",
            "items": [{"eccn": "3B001.c.1.a", "origin_country": "US"}],
        }
    )
    AuditStore(db).record(tx, screener.screen(tx), requested_by="cli-test", source="cli")
    stats = runner.invoke(app, ["stats", "--db", db, "--since", "2020-01-01"])
    assert stats.exit_code == 0, stats.output
    body = json.loads(stats.stdout)
    assert body["total"] == 1 and body["by_decision"] == {"license_required": 1}
    assert body["by_rule"]["us.ccl.3B001.worldwide.ns"] == 1
    bad = runner.invoke(app, ["stats", "--db", db, "--since", "last year"])
    assert bad.exit_code == 2 and "not a date" in bad.output
