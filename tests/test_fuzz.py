"""Property tests of the contract (issue 19), bounded in examples: any JSON either screens or
is refused with the field named, never a 500 or a traceback; random bad batch rows give one
output row per input row; the list importers raise only their refusals."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fuzz import importers, shipments
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_api import ETCH

from api.app import create_app
from schemas.transaction import Transaction
from screener.audit.keys import KeyStore
from screener.engine import Screener
from screener.errors import InputError, parse_model
from screener.limits import LimitError, Limits

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
PROBLEM = re.compile(r'^(\(root\)|[\w"-]).*: \S')  # `field.path: message`, one line

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "US", "cn", "3B001.c.1.a", "EAR99", "2026-08-03", "LVS", "tpp"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


FULL = {
    **ETCH,
    "transit_countries": ["NL"],
    "end_use": {"description": "logic", "categories": ["civil"]},
    "us_persons_involved": False,
    "license_exceptions": ["LVS"],
    "items": [
        {
            "eccn": "3A090.a",
            "origin_country": "TW",
            "us_content_percent": 40,
            "quantity": 2,
            "value_usd": 1000.5,
            "control_codes": {"EU": "3A090.a"},
            "parameters": {"tpp": 4992, "designed_for_data_center": True},
            "production": {"direct_product_of": ["3E001"], "contains_us_origin_ic": True},
        }
    ],
}
PATHS = [p for p in _paths(FULL) if p]


def _outcome(screener: Screener, data: Any) -> None:
    """Screens, or raises InputError whose every problem names a field."""
    try:
        tx = parse_model(Transaction, data)
    except InputError as exc:
        assert exc.problems and all(PROBLEM.match(p) and "\n" not in p for p in exc.problems)
        raise
    Limits().check(tx)
    screener.screen(tx)


@FAST
@given(value=json_values)
def test_any_json_screens_or_is_refused_with_a_field(unscreened: Screener, value: Any) -> None:
    with contextlib.suppress(InputError):
        _outcome(unscreened, value)


@FAST
@given(path=st.sampled_from(PATHS), new=json_values)
def test_a_bad_value_anywhere_is_refused_naming_its_field(
    unscreened: Screener, path: tuple[Any, ...], new: Any
) -> None:
    data = _replace(FULL, path, new)
    try:
        _outcome(unscreened, data)
    except LimitError:
        raise
    except InputError as exc:
        top = str(path[0])
        assert any(p.startswith(top) for p in exc.problems), (path, new, exc.problems)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    folder = tmp_path_factory.mktemp("fuzz-api")
    url = f"sqlite:///{folder / 'f.db'}"
    app = create_app(database_url=url, jobs_dir=folder / "jobs")
    key = KeyStore(url).create("screen", "fuzz")[0]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, key


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(path=st.sampled_from(PATHS), new=json_values)
def test_the_service_never_answers_500(
    client: tuple[TestClient, str], path: tuple[Any, ...], new: Any
) -> None:
    c, key = client
    body = json.dumps(_replace(FULL, path, new), allow_nan=True).encode()
    r = c.post(
        "/v1/screen", content=body, headers={"X-API-Key": key, "Content-Type": "application/json"}
    )
    assert r.status_code in (200, 413, 422), r.text
    if r.status_code != 200:
        assert set(r.json()) == {"error", "problems"} and r.json()["problems"]


# -------------------------------------------------------------------------- batch fuzz

_CELLS = st.sampled_from(
    [
        "",
        "L1",
        "2026-08-03",
        "2026-02-30",
        "0",
        "Acme",
        "US",
        "CN",
        "DE",
        "XX",
        "cn",
        "3B001.c.1.a",
        "3B001.c.1.a.x.y.z",
        "EAR99",
        "abc",
        "1",
        "1.5",
        "-3",
        "NaN",
        "inf",
        "1e400",
        "tpp=4992",
        "tpp=NaN",
        "designed_for_data_center=maybe",
        "EU=3B001.c.1.a",
        "EU=",
        "civil",
        "picnics",
        "yes",
        "2",
        '"',
        '""',
        "=cmd|' /C calc'!A0",
        "\x00",
        "é",
    ]
)
_ROW = st.lists(_CELLS, min_size=0, max_size=17).map(lambda cells: ",".join(cells).encode())
_BODY = st.lists(_ROW | st.binary(max_size=30), min_size=1, max_size=12).map(b"\n".join)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(body=_BODY)
def test_batch_fuzz_one_output_row_per_input_row(unscreened: Screener, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        shipments.one_input(body, Path(folder), unscreened)


# --------------------------------------------------------------------- importer fuzz

_CSV_LIKE = st.lists(
    st.lists(
        st.text(max_size=10) | st.sampled_from(["Name", "Country", "Aliases", "CN"]), max_size=5
    ).map(lambda cells: ",".join(cells)),
    max_size=6,
).map(lambda lines: "\n".join(lines).encode())
_CSL_JSON = json_values.map(lambda v: json.dumps({"results": v}, allow_nan=True).encode())


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.binary(max_size=200) | _CSV_LIKE | _CSL_JSON)
def test_importers_raise_only_their_refusals(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        importers.one_input(data, Path(folder))


@pytest.mark.parametrize(
    ("target", "runs"), [("importers.py", 1000), ("shipments.py", 150)], ids=["lists", "csv"]
)
def test_atheris_runs_the_targets_a_fixed_number_of_times(target: str, runs: int) -> None:
    """The coverage-guided fuzzer (atheris, a dev dependency where it has wheels: Linux
    x86-64) over the list importers and the batch's CSV reader, a fixed number of runs from a
    fixed seed; a crash or a broken promise (an exception the target does not allow) fails."""
    pytest.importorskip("atheris")
    done = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "fuzz" / target), f"-atheris_runs={runs}",
         "-seed=1"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Done {runs} runs" in done.stderr or f"Done {runs} in" in done.stderr, done.stderr[
        -500:
    ]
