"""Decided vs review on real cases: how many answers chokepoint settles, and what it asks.

Usage: python bench/bench_decided.py [--strict]

Screens, with the bundled packs and the fixture CSL (tests/fixtures/lists, 32 real rows):
the project's examples (examples/*.json), the clause examples of every pack (each one a
transaction) and the real cases of bench/cases/decided.yaml (issue examples, the peer
export-controls-agent-mcp verification probes, enforcement cases), each with its source.
Prints, per jurisdiction with a nexus, how many verdicts are decided and how many `review`,
the facts the reviews ask for (counted), and for the scored cases the decisions that differ
from the expected one. Not a timed benchmark: it measures what the answers are.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas.result import Decision, JurisdictionVerdict  # noqa: E402
from schemas.transaction import Transaction  # noqa: E402
from screener.engine import Screener  # noqa: E402
from screener.packs.loader import deep_merge, load_packs  # noqa: E402
from screener.parties.screening import load_party_screening  # noqa: E402
from screener.parties.store import ListStore  # noqa: E402


def _screener() -> Screener:
    folder = Path(tempfile.mkdtemp(prefix="chokepoint-bench-"))
    os.environ.setdefault("CHOKEPOINT_CACHE_DIR", str(folder / "cache"))
    store = ListStore(f"sqlite:///{folder / 'lists.db'}")
    store.import_list(ROOT / "tests/fixtures/lists/consolidated.csv", "csl-csv", "csl")
    return Screener(parties=load_party_screening(store))


def _asks(verdict: JurisdictionVerdict) -> list[str]:
    """What a review asks: the questions of the search, or the findings that decided it."""
    if verdict.questions:
        return [q.fact for q in verdict.questions]
    return [
        f"{f.rule_id} ({', '.join(f.missing_facts) or 'the clause asks for a human review'})"
        for f in verdict.findings
        if f.decisive and f.outcome.value == "review"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strict", action="store_true", help="apply no default")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    screener = _screener()
    sets: dict[str, list[tuple[str, Transaction, dict[str, str] | None]]] = {
        "project examples": [
            (p.name, Transaction.model_validate_json(p.read_text()), None)
            for p in sorted((ROOT / "examples").glob("*.json"))
        ],
        "clause examples": [
            (f"{lc.clause.id}: {e.name}", Transaction.model_validate(
                deep_merge(pack.meta.example_defaults, e.transaction)), None)
            for pack in load_packs()
            for lc in pack.clauses
            for e in lc.clause.examples
        ],
        "real cases": [
            (c["name"], Transaction.model_validate(c["transaction"]), c.get("expect"))
            for c in yaml.safe_load((ROOT / "bench/cases/decided.yaml").read_text())["cases"]
        ],
    }
    report: dict[str, object] = {}
    for name, cases in sets.items():
        decided: Counter[str] = Counter()
        reviews: Counter[str] = Counter()
        asked: Counter[str] = Counter()
        wrong: list[str] = []
        scored = 0
        for label, tx, expect in cases:
            result = screener.screen(tx, strict=True) if args.strict else screener.screen(tx)
            for jurisdiction, verdict in result.jurisdictions.items():
                if verdict.decision == Decision.not_applicable:
                    continue
                if verdict.decision == Decision.review:
                    reviews[jurisdiction] += 1
                    asked.update(_asks(verdict))
                else:
                    decided[jurisdiction] += 1
            for jurisdiction, want in (expect or {}).items():
                scored += 1
                got = result.jurisdictions[jurisdiction].decision.value
                if got != want:
                    wrong.append(f"{label} [{jurisdiction}]: {got}, expected {want}")
        total = sum(decided.values()) + sum(reviews.values())
        print(f"\n== {name}: {len(cases)} transactions, {total} verdicts with a nexus")
        print(f"decided {sum(decided.values())}, review {sum(reviews.values())} "
              f"({100 * sum(reviews.values()) / max(total, 1):.1f} %)")
        for j in sorted(set(decided) | set(reviews)):
            print(f"  {j}: decided {decided[j]}, review {reviews[j]}")
        print("facts asked by the reviews (count):")
        for fact, n in asked.most_common(15):
            print(f"  {n:5d}  {fact}")
        if scored:
            print(f"scored: {scored - len(wrong)}/{scored} as expected")
            for line in wrong:
                print("  differs:", line)
        report[name] = {
            "transactions": len(cases),
            "decided": sum(decided.values()),
            "review": sum(reviews.values()),
            "asked": dict(asked.most_common(15)),
            "scored": scored,
            "differs": wrong,
        }
    if args.json:
        print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
