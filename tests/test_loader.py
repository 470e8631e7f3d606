"""A pack that does not validate fails loudly, with file, line and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from screener.packs.loader import PackError, load_pack

US = Path(__file__).resolve().parent.parent / "rules" / "us"

BAD = """\
clauses:
  - id: us.test.bad_fact
    jurisdiction: US
    title: Unknown fact
    citation: 15 CFR 738.4
    effective_from: 2024-01-01
    confidence: {level: high, source: test}
    outcome: review
    when: {fact: destination.contry, op: equals, value: CN}
    examples: [{name: x, transaction: {}, expect: fires}]
  - id: us.test.bad_dates
    jurisdiction: US
    title: Dates reversed
    citation: 15 CFR 738.4
    effective_from: 2024-01-01
    effective_to: 2023-01-01
    confidence: {level: high, source: test}
    outcome: review
    when: {fact: destination.country, op: equals, value: CN}
    examples: [{name: x, transaction: {}, expect: fires}]
  - id: us.test.bad_values
    jurisdiction: US
    title: Unknown ECCN, country, group and a list op on a string
    citation: 15 CFR 738.4
    effective_from: 2024-01-01
    confidence: {level: high, source: test}
    outcome: license_required
    when:
      all:
        - {fact: item.eccn, op: eccn_in, value: [3B999, 3b001.c]}
        - {fact: destination.country, op: in, value: [CN, XY]}
        - {fact: destination.country_groups, op: contains, value: "D:9"}
        - {fact: destination.country, op: contains, value: CN}
    examples: [{name: x, transaction: {destination_country: QQ}, expect: fires}]
  - id: us.test.bad_number
    jurisdiction: US
    title: A number written as a string
    citation: 15 CFR 740.3
    effective_from: 2024-01-01
    confidence: {level: high, source: test}
    outcome: review
    when:
      all:
        - {fact: destination.country, op: equals, value: CN}
        - {fact: item.value_usd, op: gt, value: "500"}
    examples: [{name: x, transaction: {}, expect: fires}]
"""


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    root = tmp_path / "us"
    root.mkdir()
    shutil.copy(US / "pack.yaml", root / "pack.yaml")
    shutil.copy(US / "jurisdiction.yaml", root / "jurisdiction.yaml")
    (root / "tables").symlink_to(US / "tables")
    return root


def test_valid_pack_loads(pack_dir: Path) -> None:
    pack = load_pack(pack_dir)
    assert pack.meta.jurisdiction == "US"
    assert len(pack.version) == 16
    assert {lc.clause.id for lc in pack.clauses} >= {"us.nexus.us_origin"}


def test_every_problem_is_reported_with_file_and_line(pack_dir: Path) -> None:
    (pack_dir / "bad.yaml").write_text(BAD)
    with pytest.raises(PackError) as info:
        load_pack(pack_dir)
    problems = info.value.problems
    text = "\n".join(problems)
    bad = str(pack_dir / "bad.yaml")
    assert f"{bad}:2: clause us.test.bad_fact: unknown fact path 'destination.contry'" in text
    assert (
        f"{bad}:11: clauses.1: Value error, "
        "effective_to 2023-01-01 is before effective_from 2024-01-01" in text
    )
    assert "ECCN 3B999 is not on the Commerce Control List" in text
    assert "write ECCN '3b001.c' as '3B001.c'" in text
    assert "'XY' is not an ISO-2 country code" in text
    assert "'D:9' is not an EAR Country Group" in text
    assert "op contains needs a list fact; destination.country is string" in text
    line = 1 + next(i for i, t in enumerate(BAD.splitlines()) if '"500"' in t)
    assert f"{bad}:{line}: clauses.3.when.all.1: Value error, op gt needs a number as value" in text
    assert any(p.startswith(f"{bad}:") and "destination_country" in p for p in problems)


def test_yaml_syntax_error_names_the_line(pack_dir: Path) -> None:
    (pack_dir / "broken.yaml").write_text("clauses:\n  - id: x\n    title: [unclosed\n")
    with pytest.raises(PackError) as info:
        load_pack(pack_dir)
    assert info.value.problems[0].startswith(f"{pack_dir / 'broken.yaml'}:")
    assert "YAML syntax error" in info.value.problems[0]


def test_duplicate_ids_are_refused(pack_dir: Path) -> None:
    shutil.copy(pack_dir / "jurisdiction.yaml", pack_dir / "again.yaml")
    with pytest.raises(PackError, match="duplicate id"):
        load_pack(pack_dir)
