"""`rules test` and `rules lint` cores: example results with reasons, branch coverage, the
cross-clause lint over a conservative satisfiability check, and the clause-file JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from schemas.rules import All, ClauseFile, DraftMeta, PackMeta
from screener.authoring.examples import run_examples
from screener.authoring.lint import check_pack, from_problem
from screener.authoring.sat import satisfiable
from screener.authoring.source import resolve
from screener.packs.loader import Pack, PackError, load_packs

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "rules"
VN = REPO / "tests" / "fixtures" / "drafts" / "vn-deposition" / "vn_deposition.yaml"


# The US pack first: the tests below read it as live[0].
LIVE = sorted(load_packs(), key=lambda p: p.jurisdiction != "US")


@pytest.fixture(scope="module")
def live() -> list[Pack]:
    return LIVE


def _draft(tmp_path: Path, text: str, name: str = "draft.yaml") -> Path:
    folder = tmp_path / "draft"
    folder.mkdir(exist_ok=True)
    (folder / name.replace("draft.yaml", "clauses.yaml")).write_text(text)
    return folder


def _vn(**replace: str) -> str:
    text = VN.read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def _line(text: str, needle: str) -> int:
    return next(n for n, t in enumerate(text.splitlines(), 1) if needle in t)


# ------------------------------------------------------------------------------ examples


def test_every_live_example_passes_and_coverage_is_measured(live: list[Pack]) -> None:
    run = run_examples(live)
    assert len(run.results) == sum(len(lc.clause.examples) for p in live for lc in p.clauses)
    assert not run.failed
    assert len(run.coverage) == sum(len(p.clauses) for p in live)
    assert 50.0 < run.branch_coverage < 100.0  # the live pack has real gaps
    ns2 = next(c for c in run.coverage if c.clause_id == "us.ccl.3B001.ns2")
    assert (ns2.fires, ns2.silent, ns2.undecided) == (2, 2, 1)


def test_failing_example_says_which_test_failed_with_the_value(tmp_path: Path) -> None:
    text = _vn(**{"to Malaysia\n        transaction": "to Malaysia\n        transaction"})
    text = text.replace(
        "{destination_country: MY, items: [{eccn: 3B001.d.13, origin_country: US}]}\n"
        "        expect: silent",
        "{destination_country: MY, items: [{eccn: 3B001.d.13, origin_country: US}]}\n"
        "        expect: fires",
    )
    target = resolve(_draft(tmp_path, text), RULES, LIVE)
    run = run_examples(target.packs, target.focus)
    (failure,) = run.failed
    assert failure.example == "deposition tool to Malaysia"
    assert (failure.expect, failure.got) == ("fires", "silent")
    assert failure.line == _line(text, "deposition tool to Malaysia")
    assert failure.reason == "failed: destination.country equals 'VN' (value: 'MY')"


def test_not_in_effect_and_undecided_reasons(tmp_path: Path) -> None:
    text = _vn() + (
        "      - name: deposition tool classified only as 3B001\n"
        "        transaction:\n"
        "          {destination_country: VN, items: [{eccn: 3B001, origin_country: US}]}\n"
        "        expect: silent\n"
    )
    target = resolve(_draft(tmp_path, text), RULES, LIVE)
    run = run_examples(target.packs, target.focus)
    by_name = {r.example: r for r in run.results}
    assert by_name["deposition tool to Vietnam before the draft's date"].reason == (
        "not in effect on 2025-12-31 (effective 2026-01-01 to open)"
    )
    (failure,) = run.failed
    assert failure.got == "undecided"
    assert failure.reason.startswith("undecided: missing item.eccn (a paragraph below 3B001)")


def test_coverage_names_the_branch_no_example_reaches(tmp_path: Path) -> None:
    """Drop the examples that make the country test fail: the gap names that test's line."""
    text = _vn()
    start = text.index("      - name: deposition tool to Malaysia")
    end = text.index("      - name: etch tool (c.1.a) to Vietnam")
    text = text[:start] + text[end:]
    target = resolve(_draft(tmp_path, text), RULES, LIVE)
    (cov,) = run_examples(target.packs, target.focus).coverage
    line = _line(text, "{fact: destination.country, op: equals, value: VN}")
    assert cov.gaps == [f"line {line}: destination.country equals 'VN' is never false"]
    assert (cov.covered, cov.total) == (5, 6)


def test_real_gap_an_exception_never_shown_foreclosed_for_a_listed_party(
    live: list[Pack],
) -> None:
    """LVS for 3C: no example puts a party on the Entity, Denied Persons or Unverified List,
    so nothing proves the exception is then foreclosed (15 CFR 740.2)."""
    (cov,) = run_examples(live, {"us.exc.lvs.3c"}).coverage
    text = (RULES / "us" / "license_exceptions.yaml").read_text()
    start = _line(text, "- id: us.exc.lvs.3c")
    needle = "- not: {fact: parties.lists, op: contains_any, value: [entity_list,"
    line = start + _line("\n".join(text.splitlines()[start:]), needle)
    assert (
        f"line {line}: not (parties.lists contains_any "
        "['entity_list', 'denied_persons', 'unverified']) is never false"
    ) in cov.gaps


# ------------------------------------------------------------------------------ lint


def test_live_pack_lints_clean_but_for_the_foreclosed_gbs_notes(live: list[Pack]) -> None:
    findings = check_pack(live[0])
    assert [(f.severity, f.code, f.clause_id) for f in findings] == [
        ("note", "exception-unreachable", "us.exc.gbs.3b001.sme_set"),
        ("note", "exception-unreachable", "us.exc.gbs.3b002.c"),
    ]


def _copy_of_live(new_id: str, outcome: str = "license_required") -> str:
    """us.ccl.3B001.sme_set.ns.d5, verbatim, under another id (and maybe outcome)."""
    src = (RULES / "us" / "ccl_sme.yaml").read_text()
    start = src.index("  - id: us.ccl.3B001.sme_set.ns.d5\n")
    end = src.index("\n  - id: ", start + 5)
    clause = src[start:end].replace("us.ccl.3B001.sme_set.ns.d5", new_id, 1)
    clause = clause.replace("outcome: license_required", f"outcome: {outcome}")
    return "clauses:\n" + clause + "\n"


def _lint(tmp_path: Path, text: str) -> list[tuple[str, str, str | None]]:
    target = resolve(_draft(tmp_path, text), RULES, LIVE)
    return [
        (f.code, f.where, f.clause_id)
        for p in target.packs
        for f in check_pack(p, target.focus)
        if f.severity != "note"  # the GBS note follows any new us.ccl.3B001.sme_set.* clause
    ]


def test_copy_under_a_new_id_overlaps(tmp_path: Path) -> None:
    findings = _lint(tmp_path, _copy_of_live("us.ccl.3B001.sme_set.ns.d5_copy"))
    assert findings == [
        ("overlap", f"{tmp_path / 'draft' / 'clauses.yaml'}:2", "us.ccl.3B001.sme_set.ns.d5_copy")
    ]


def test_new_clause_on_a_live_provision_gets_a_note(tmp_path: Path) -> None:
    """A narrowed copy under a new id can still fire with the original: a note, not an error."""
    text = _copy_of_live("us.ccl.3B001.sme_set.ns.d5_narrow").replace("3B001.p.2, 3B001.p.4, ", "")
    target = resolve(_draft(tmp_path, text), RULES, LIVE)
    assert target.draft is not None
    notes = [
        (f.severity, f.code, f.clause_id)
        for p in target.packs
        for f in check_pack(p, target.focus, set(target.draft.added))
        if f.code == "same-provision"
    ]
    assert notes == [("note", "same-provision", "us.ccl.3B001.sme_set.ns.d5_narrow")]
    assert _lint(tmp_path, text) == []  # nothing that fails lint


def test_same_condition_other_outcome_contradicts(tmp_path: Path) -> None:
    findings = _lint(tmp_path, _copy_of_live("us.ccl.3B001.sme_set.ns.d5_rev", "review"))
    assert [f[0] for f in findings] == ["contradictory"]


def test_placeholder_citation(tmp_path: Path) -> None:
    text = _vn(**{"not in the EAR": "TODO find the FR cite"})
    assert _lint(tmp_path, text) == [
        ("placeholder", f"{tmp_path / 'draft' / 'clauses.yaml'}:6", "us.draft.3B001.d.vn")
    ]


def test_unsatisfiable_clause(tmp_path: Path) -> None:
    text = _vn(
        **{
            "        - {fact: destination.country, op: equals, value: VN}\n": (
                "        - {fact: destination.country, op: equals, value: VN}\n"
                "        - {fact: destination.country_groups, op: contains, value: 'D:5'}\n"
            )
        }
    )
    assert [f[0] for f in _lint(tmp_path, text)] == ["unsatisfiable"]


def _problems(folder: Path, text: str) -> list[Any]:
    (folder / "clauses.yaml").write_text(text)
    with pytest.raises(PackError) as err:
        resolve(folder, RULES, LIVE)
    return [from_problem(p) for p in err.value.problems]


def test_loader_problems_become_coded_findings(tmp_path: Path) -> None:
    """The loader's checks, one layer at a time: schema first (a missing citation), then the
    clause's own consistency (dates), then every leaf (unknown ECCN and country)."""
    folder = _draft(tmp_path, "")
    citation = '    citation: "Hypothetical draft rule (test fixture), not in the EAR"\n'
    text = _vn(**{citation: ""})
    (found,) = _problems(folder, text)
    assert found.code == "missing-citation"
    assert found.message == "clauses.0.citation: Field required"
    assert found.where == f"{folder / 'clauses.yaml'}:{_line(text, '- id: ')}"
    dates = "    effective_from: 2026-01-01\n    effective_to: 2025-06-30\n"
    (found,) = _problems(folder, _vn(**{"    effective_from: 2026-01-01\n": dates}))
    assert found.code == "dates"
    assert "effective_to 2025-06-30 is before effective_from 2026-01-01" in found.message
    text = _vn(**{"value: [3B001.d]": "value: [3B001.zz]", "value: VN}": "value: XX}"})
    found = _problems(folder, text)
    assert sorted(f.code for f in found) == ["unknown-country", "unknown-eccn"]
    assert {f.where for f in found} == {f"{folder / 'clauses.yaml'}:{_line(text, '- id: ')}"}
    assert {f.clause_id for f in found} == {"us.draft.3B001.d.vn"}


# ------------------------------------------------------------------------------ sat


def _cond(*leaves: dict[str, Any]) -> All:
    return All.model_validate({"all": list(leaves)})


@pytest.mark.parametrize(
    ("leaves", "expected"),
    [
        (
            [
                {"fact": "destination.country", "op": "in", "value": ["CN", "VN"]},
                {"fact": "destination.country", "op": "not_equals", "value": "CN"},
            ],
            True,
        ),
        (
            [
                {"fact": "destination.country", "op": "in", "value": ["CN", "VN"]},
                {"fact": "destination.country", "op": "not_in", "value": ["CN", "VN"]},
            ],
            False,
        ),
        (
            [
                {"fact": "item.tpp", "op": "gte", "value": 4800},
                {"fact": "item.tpp", "op": "lt", "value": 1600},
            ],
            False,
        ),
        (
            [
                {"fact": "item.eccn", "op": "eccn_in", "value": ["3B001.c"]},
                {"fact": "item.eccn", "op": "eccn_in", "value": ["3B001.c.1.a", "3B001.d"]},
            ],
            True,
        ),
        (
            [
                {"fact": "item.eccn", "op": "eccn_in", "value": ["3B001.c"]},
                {"fact": "item.eccn", "op": "eccn_in", "value": ["3B001.d"]},
            ],
            False,
        ),
        (
            [
                {"fact": "parties.lists", "op": "exists", "value": False},
                {"fact": "parties.lists", "op": "contains", "value": "entity_list"},
            ],
            False,
        ),
        (
            [
                {"fact": "destination.country", "op": "equals", "value": "MO"},
                {"fact": "destination.country_groups", "op": "contains", "value": "D:5"},
            ],
            False,
        ),
        (
            [
                {"fact": "destination.country", "op": "equals", "value": "HK"},
                {"fact": "destination.country_groups", "op": "contains", "value": "D:5"},
            ],
            True,
        ),
    ],
)
def test_satisfiable(live: list[Pack], leaves: list[dict[str, Any]], expected: bool) -> None:
    assert satisfiable(_cond(*leaves), tables=live[0].tables) is expected


def test_not_pushes_to_the_leaves(live: list[Pack]) -> None:
    cond = All.model_validate(
        {
            "all": [
                {"fact": "destination.country", "op": "equals", "value": "CN"},
                {
                    "not": {
                        "any": [
                            {"fact": "destination.country", "op": "in", "value": ["CN", "HK"]},
                            {"fact": "item.tpp", "op": "gt", "value": 1},
                        ]
                    }
                },
            ]
        }
    )
    assert satisfiable(cond, tables=live[0].tables) is False


# ------------------------------------------------------------------------------ JSON Schema


def _jsonable(data: Any) -> Any:
    """YAML as an editor's language server reads it: dates are strings."""
    return json.loads(
        json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, dt.date) else v)
    )


@pytest.mark.parametrize(
    ("name", "model"), [("clause-file", ClauseFile), ("draft", DraftMeta), ("pack", PackMeta)]
)
def test_committed_authoring_schemas_are_current(name: str, model: type) -> None:
    committed = json.loads((REPO / "schemas" / "jsonschema" / f"{name}.schema.json").read_text())
    assert committed == model.model_json_schema(), (
        f"regenerate: chokepoint rules schema {name} > schemas/jsonschema/{name}.schema.json"
    )


def test_every_clause_file_validates_against_the_clause_file_schema() -> None:
    schema = json.loads((REPO / "schemas" / "jsonschema" / "clause-file.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    files = [p for p in (RULES / "us").glob("*.yaml") if p.name != "pack.yaml"]
    files += list((REPO / "tests" / "fixtures" / "drafts").rglob("*.yaml"))
    files = [p for p in files if p.name != "draft.yaml"]
    assert len(files) >= 10
    for path in files:
        errors = list(validator.iter_errors(_jsonable(yaml.safe_load(path.read_text()))))
        assert not errors, f"{path}: {errors[0].message}"
    pack_schema = json.loads((REPO / "schemas" / "jsonschema" / "pack.schema.json").read_text())
    pack = _jsonable(yaml.safe_load((RULES / "us" / "pack.yaml").read_text()))
    assert not list(jsonschema.Draft202012Validator(pack_schema).iter_errors(pack))
    broken = {"clauses": [{"id": "us.x", "jurisdiction": "US", "titel": "typo"}]}
    messages = [e.message for e in validator.iter_errors(broken)]
    assert any("'titel' was unexpected" in m for m in messages)
    assert any("'citation' is a required property" in m for m in messages)
    # fact paths are offered by name, so an editor flags a misspelt one as you type
    clause = yaml.safe_load(VN.read_text())["clauses"][0]
    clause["when"]["all"][1]["fact"] = "destination.countree"
    (error,) = validator.iter_errors(_jsonable({"clauses": [clause]}))
    assert list(error.absolute_path) == ["clauses", 0, "when"]
