"""Cross-shipment patterns: each fires on its shape and stays silent one day outside its window
or one unit under a threshold, on both backends; and the backends agree on generated streams.

Boundary streams are built from the loaded patterns' own numbers (window, thresholds), so a
change of policy in rules/patterns/ is tested at its new boundary, not at a copied constant.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.patterns import Alert, Pattern, PatternFile
from schemas.transaction import Transaction
from screener.packs.loader import PackError, YamlDoc, deep_merge
from screener.patterns.engine import scan
from screener.patterns.generate import generate
from screener.patterns.loader import DEFAULT_PATTERNS_DIR, load_pattern_file, load_patterns
from screener.patterns.stream import StreamOrderError

BACKENDS = ["indexed", "durable"]
PATTERNS = load_patterns()
BY_ID = {p.id: p for p in PATTERNS}
DAY0 = dt.date(2026, 3, 2)


def _run(txs: list[dict[str, Any]], backend: str, only: str | None = None) -> list[Alert]:
    stream = [Transaction.model_validate(t) for t in txs]
    alerts = list(scan(stream, PATTERNS, backend))  # type: ignore[arg-type]
    return [a for a in alerts if only is None or a.pattern_id == only]


def _tx(
    day: int,
    *,
    eccn: str = "3B993.f.1",
    value: float | None = 2000,
    consignee: str = "Example Trading Sdn. Bhd.",
    country: str = "MY",
    end_user: str | None = None,
    tid: str | None = None,
) -> dict[str, Any]:
    parties = [{"role": "ultimate_consignee", "name": consignee, "country": country}]
    if end_user is not None:
        parties.append({"role": "end_user", "name": end_user, "country": "MY"})
    item: dict[str, Any] = {"eccn": eccn, "origin_country": "US"}
    if value is not None:
        item["value_usd"] = value
    return {
        "id": tid or f"D{day}-{consignee}",
        "date": (DAY0 + dt.timedelta(days=day)).isoformat(),
        "exporter": {"name": "Example Exporter Inc.", "country": "US"},
        "destination_country": country,
        "parties": parties,
        "items": [item],
    }


# -- each pattern's own examples ------------------------------------------------------------

EXAMPLES = [
    pytest.param(path, p, ex, backend, id=f"{p.id}::{ex.name}::{backend}")
    for path in sorted(DEFAULT_PATTERNS_DIR.glob("*.yaml"))
    for p in load_pattern_file(path)
    for ex in p.examples
    for backend in BACKENDS
]


@pytest.mark.parametrize(("path", "pattern", "example", "backend"), EXAMPLES)
def test_pattern_example(path: Path, pattern: Pattern, example, backend: str) -> None:
    defaults = PatternFile.model_validate(YamlDoc.read(path).data).defaults
    alerts = _run([deep_merge(defaults, t) for t in example.stream], backend, pattern.id)
    assert bool(alerts) is (example.expect == "fires"), (example.name, alerts)


# -- split shipments --------------------------------------------------------------------------


def _split_numbers() -> tuple[int, int, float, float]:
    p = BY_ID["pattern.split_shipments"]
    limit = next(leaf["value"] for leaf in p.select.model_dump()["all"] if leaf.get("op") == "lt")
    total = p.thresholds.min_total_value_usd
    assert total is not None
    return p.window_days, p.thresholds.min_lines, float(limit), float(total)


@pytest.mark.parametrize("backend", BACKENDS)
def test_split_shipments_boundaries(backend: str) -> None:
    window, n, limit, total = _split_numbers()
    each = math.ceil(total * 100 / n) / 100  # n lines that just reach the total
    assert each < limit
    days = [round(k * (window - 1) / (n - 1)) for k in range(n)]  # first and last W-1 apart
    pid = "pattern.split_shipments"

    fired = _run([_tx(d, value=each) for d in days], backend, pid)
    assert len(fired) == 1
    alert = fired[0]
    assert alert.lines == n and alert.total_value_usd == pytest.approx(each * n)
    assert alert.transaction_ids == [f"D{d}-Example Trading Sdn. Bhd." for d in days]
    assert alert.group["item.eccn_entry"] == "3B993"

    one_day_out = [*days[:-1], window]  # the last line a full window after the first
    assert _run([_tx(d, value=each) for d in one_day_out], backend, pid) == []
    assert _run([_tx(d, value=total) for d in days[: n - 1]], backend, pid) == []  # n-1 lines
    short = [each] * (n - 1) + [round(total - each * (n - 1) - 0.01, 2)]  # one cent short
    assert _run([_tx(d, value=v) for d, v in zip(days, short, strict=True)], backend, pid) == []
    at_limit = [_tx(d, value=limit) for d in days]  # not under the limit: not a split
    assert _run(at_limit, backend, pid) == []
    other = [_tx(d, value=each, consignee=f"C{d}") for d in days]  # three consignees
    assert _run(other, backend, pid) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_alert_per_episode(backend: str) -> None:
    window, n, _limit, total = _split_numbers()
    each = math.ceil(total * 100 / n) / 100
    burst = list(range(n + 2))  # n lines complete it; the next two would re-complete it
    later = [window + n + k for k in range(n)]  # a new episode a full window later
    alerts = _run([_tx(d, value=each) for d in burst + later], backend, "pattern.split_shipments")
    assert [a.date for a in alerts] == [
        (DAY0 + dt.timedelta(days=n - 1)).isoformat(),
        (DAY0 + dt.timedelta(days=later[n - 1])).isoformat(),
    ]


# -- fan-in -----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_fan_in_boundaries(backend: str) -> None:
    p = BY_ID["pattern.intermediaries_fan_in"]
    n, window = p.thresholds.min_distinct, p.window_days
    assert n is not None and p.thresholds.min_lines <= n
    days = [round(k * (window - 1) / (n - 1)) for k in range(n)]

    def stream(ds: list[int], names: list[str]) -> list[dict[str, Any]]:
        return [
            _tx(d, consignee=c, end_user="Example Fab", value=None)
            for d, c in zip(ds, names, strict=True)
        ]

    traders = [f"Trader {k}" for k in range(n)]
    (alert,) = _run(stream(days, traders), backend, p.id)
    assert alert.distinct == n and alert.group == {"end_user.key": "example fab|MY"}
    assert _run(stream([*days[:-1], window], traders), backend, p.id) == []  # a day outside
    one_short = [*traders[:-1], traders[0]]  # n lines, n-1 intermediaries
    assert _run(stream(days, one_short), backend, p.id) == []
    # the end user receiving directly is not an intermediary
    direct = [_tx(d, consignee="Example Fab", end_user="Example Fab") for d in days]
    assert _run(direct, backend, p.id) == []


# -- new consignee in a hub -------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_new_hub_consignee_boundaries(backend: str) -> None:
    p = BY_ID["pattern.new_hub_consignee"]
    n, window = p.thresholds.min_lines, p.window_days
    new_days = next(
        leaf["value"]
        for leaf in p.select.model_dump()["all"]
        if leaf.get("fact") == "consignee.days_known"
    )
    days = [round(k * (window - 1) / (n - 1)) for k in range(n)]
    assert len(_run([_tx(d) for d in days], backend, p.id)) == 1
    assert _run([_tx(d) for d in [*days[:-1], window]], backend, p.id) == []  # a day outside
    assert _run([_tx(d) for d in days[:-1]], backend, p.id) == []  # one line short
    # first seen (an EAR99 line) new_days - n days before: the n-th line is no longer 'new'
    first = [_tx(0, eccn="EAR99")]
    still_new = [_tx(new_days - n + k) for k in range(n)]
    assert len(_run(first + still_new, backend, p.id)) == 1
    too_old = [_tx(new_days - n + 1 + k) for k in range(n)]
    assert _run(first + too_old, backend, p.id) == []
    assert _run([_tx(d, country="DE", consignee="X GmbH") for d in days], backend, p.id) == []


# -- the stream contract ----------------------------------------------------------------------


def test_a_stream_out_of_date_order_is_refused() -> None:
    with pytest.raises(StreamOrderError, match="date order"):
        _run([_tx(5), _tx(4)], "indexed")


def test_a_pattern_with_an_unknown_fact_fails_to_load(tmp_path: Path) -> None:
    text = (DEFAULT_PATTERNS_DIR / "evasion.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("consignee.days_known, op: lt", "consignee.days_knwon, op: lt"))
    with pytest.raises(PackError, match=r"unknown line fact 'consignee\.days_knwon'"):
        load_pattern_file(bad)


# -- the oracle rule: both backends give identical alerts -------------------------------------


def _both(txs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    indexed = [a.model_dump() for a in _run(txs, "indexed")]
    durable = [a.model_dump() for a in _run(txs, "durable")]
    assert durable == indexed
    return indexed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_backends_agree_on_generated_streams(seed: int) -> None:
    alerts = _both(list(generate(3000, seed=seed, days=240, growth=40)))
    fired = {a["pattern_id"] for a in alerts}
    assert fired == set(BY_ID), f"the generator must reach every pattern, got {fired}"


days_and_parties = st.lists(
    st.tuples(
        st.integers(0, 4),  # days after the previous transaction
        st.sampled_from(["A", "B", "C", "D"]),  # consignee
        st.sampled_from([None, "Fab", "B"]),  # end user
        st.sampled_from(["MY", "DE", "SG"]),
        st.sampled_from(["3B993.f.1", "3B001.c.1.a", "EAR99", "3A090.a"]),
        st.sampled_from([None, 1000, 1700, 2500, 4999, 5000]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days_and_parties)
def test_backends_agree_on_random_streams(rows: list[tuple]) -> None:
    day, txs = 0, []
    for k, (gap, consignee, end_user, country, eccn, value) in enumerate(rows):
        day += gap
        tx = _tx(
            day,
            eccn=eccn,
            value=value,
            consignee=consignee,
            country=country,
            end_user=end_user,
            tid=f"R{k}",
        )
        txs.append(tx)
    _both(txs)


# -- the command line -------------------------------------------------------------------------


def test_cli_streams_alerts_as_json_lines(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cli.main import app

    _window, n, _limit, total = _split_numbers()
    each = math.ceil(total * 100 / n) / 100
    txs = [_tx(d, value=each) for d in range(n)]
    good = tmp_path / "stream.jsonl"
    good.write_text("\n".join(json.dumps(t) for t in txs) + "\n\n")
    runner = CliRunner()
    for backend in BACKENDS:
        result = runner.invoke(app, ["patterns", str(good), "--backend", backend])
        assert result.exit_code == 0, result.output
        ids = {json.loads(line)["pattern_id"] for line in result.output.splitlines()}
        assert "pattern.split_shipments" in ids

    backwards = tmp_path / "backwards.jsonl"
    backwards.write_text("\n".join(json.dumps(t) for t in reversed(txs)))
    result = runner.invoke(app, ["patterns", str(backwards)])
    assert result.exit_code == 2 and "date order" in result.output
    table = ["patterns", str(backwards), "--sort", "-f", "table"]
    result = runner.invoke(app, table, env={"COLUMNS": "300"})
    assert result.exit_code == 0 and "pattern.split_shipments" in result.output

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(txs[0]) + "\n" + json.dumps(txs[1] | {"destination_country": "ZZ"}))
    result = runner.invoke(app, ["patterns", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: invalid transaction: destination_country" in result.output


def test_the_incremental_monitor_gives_the_same_alerts_as_scan() -> None:
    from screener.patterns.engine import PatternMonitor

    txs = [Transaction.model_validate(t) for t in generate(800, seed=5, days=60)]
    for backend in BACKENDS:
        with PatternMonitor(PATTERNS, backend) as monitor:  # type: ignore[arg-type]
            one_by_one = [a for tx in txs for a in monitor.observe(tx)]
        assert one_by_one == list(scan(txs, PATTERNS, backend))  # type: ignore[arg-type]
        assert one_by_one


def test_cli_scans_the_service_history_in_transaction_date_order(tmp_path: Path) -> None:
    """Screenings stored out of date order (a back-dated one last) still make one split-
    shipment episode; one day outside the window (--since) leaves too few lines to alert."""
    import json

    from typer.testing import CliRunner

    from cli.main import app
    from schemas.result import Decision, ScreeningResult
    from screener.audit.store import AuditStore

    _window, n, _limit, total = _split_numbers()
    each = math.ceil(total * 100 / n) / 100
    txs = [Transaction.model_validate(_tx(d, value=each)) for d in range(n)]
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    store = AuditStore(url)
    for when, tx in zip(range(n), [*txs[1:], txs[0]], strict=True):
        result = ScreeningResult(
            decision=Decision.clear,
            as_of=tx.date,
            jurisdictions={},
            findings=[],
            versions={},
            engine="t",
        )
        at = dt.datetime(2026, 1, 1 + when, tzinfo=dt.UTC)
        store.record(tx, result, requested_by="test", at=at)
    runner = CliRunner()
    out = runner.invoke(app, ["patterns", "--audit", "--db", url])
    assert out.exit_code == 0, out.output
    ids = [json.loads(line)["pattern_id"] for line in out.output.splitlines()]
    assert ids.count("pattern.split_shipments") == 1
    later = runner.invoke(app, ["patterns", "--audit", "--db", url, "--since", "2026-01-02"])
    assert later.exit_code == 0  # one line fewer: under the split-shipment count
    assert "pattern.split_shipments" not in later.output
    neither = runner.invoke(app, ["patterns"])
    assert neither.exit_code == 2 and "--audit" in neither.output
