"""`chokepoint rules ...`: test, lint, replay and shadow a clause before it goes live.

Exit codes: 0 when all is well (a replay that finds differences has answered, not failed),
1 when an example fails, lint finds something, coverage is under `--fail-under` or (with
`--fail-on-change`) a replay changes a decision; 2 on bad input (a missing file, a history
line that is not a transaction, a pack that does not load where one is needed).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console

from cli.common import DbOption, fail
from schemas.rules import ClauseFile, DraftMeta, PackMeta
from schemas.transaction import Transaction
from screener.audit.store import AuditStore
from screener.authoring.drafts import Draft, draft_screener, load_draft
from screener.authoring.examples import ExampleRun, run_examples
from screener.authoring.history import audit_history
from screener.authoring.lint import LintFinding, check_pack, from_problem
from screener.authoring.render import CoverageView, render_impact, render_lint, render_test, short
from screener.authoring.replay import HistoryError, StoredScreening, read_history_jsonl, replay
from screener.authoring.scaffold import copy_clause, find_clause
from screener.authoring.shadow import (
    JsonlShadowSink,
    ShadowRunner,
    read_shadow_log,
    shadow_report,
)
from screener.authoring.source import Target, resolve
from screener.engine import Screener
from screener.errors import InputError, parse_model
from screener.packs.loader import DEFAULT_RULES_DIR, load_packs
from screener.packs.pack import PackError
from screener.parties.screening import PartyScreening, load_party_screening
from screener.parties.store import ListStore
from screener.patterns.loader import load_patterns

rules_app = typer.Typer(
    help="Rule authors: test, lint, replay and shadow clauses and draft packs.",
    no_args_is_help=True,
)


class Fmt(StrEnum):
    table = "table"
    json = "json"


PathArg = Annotated[
    Path | None,
    typer.Argument(
        help="Rules folder, pack folder, draft folder or clause file (default: the live rules)."
    ),
]
RulesOpt = Annotated[Path, typer.Option("--rules", help="Live rules folder.")]
FmtOpt = Annotated[Fmt, typer.Option("--format", "-f", help="table for people, json for tools.")]


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


# ------------------------------------------------------------------------------ test


def _test_json(target: Target, run: ExampleRun) -> dict[str, Any]:
    return {
        "target": target.label,
        "examples": len(run.results),
        "failed": [r.__dict__ | {"file": str(r.file)} for r in run.failed],
        "results": [r.__dict__ | {"file": str(r.file), "passed": r.passed} for r in run.results],
        "branch_coverage": round(run.branch_coverage, 2),
        "clauses": len(run.coverage),
        "clauses_fully_covered": run.fully_covered,
        "gaps": {c.clause_id: c.gaps for c in run.coverage if c.gaps},
    }


@rules_app.command("test")
def test_cmd(
    path: PathArg = None,
    rules: RulesOpt = DEFAULT_RULES_DIR,
    fmt: FmtOpt = Fmt.table,
    coverage: Annotated[
        CoverageView, typer.Option(help="Which coverage gaps to list.")
    ] = CoverageView.summary,
    fail_under: Annotated[
        float, typer.Option(help="Fail (exit 1) when branch coverage is below this percent.")
    ] = 0.0,
    every: Annotated[
        bool, typer.Option("--all", help="List every example with its reason, not only failures.")
    ] = False,
) -> None:
    """Run every clause's examples (must fire / stay silent / be undecided) with coverage."""
    target = _resolve_or_fail(path, rules)
    run = run_examples(target.packs, target.focus)
    if fmt == Fmt.json:
        _echo_json(_test_json(target, run))
    else:
        render_test(target.label, run, coverage, Console(), every)
    if run.failed or run.branch_coverage < fail_under:
        raise typer.Exit(1)


def _resolve_or_fail(path: Path | None, rules: Path) -> Target:
    try:
        return resolve(path, rules)
    except FileNotFoundError as exc:
        fail(str(exc))
    except PackError as exc:
        fail(f"{exc} (run `chokepoint rules lint` for the findings)")


# ------------------------------------------------------------------------------ lint


def _pattern_problems(folder: Path) -> list[LintFinding]:
    """A rules folder's cross-shipment patterns (`patterns/`) are rules too: lint them."""
    patterns = folder / "patterns"
    if not patterns.is_dir():
        return []
    try:
        load_patterns(patterns)
    except PackError as exc:
        return [from_problem(p) for p in exc.problems]
    return []


def lint_target(path: Path | None, rules: Path) -> tuple[str, list[LintFinding]]:
    """Every finding for `path`: the loader's problems, else the cross-clause checks; for a
    rules folder, its patterns' problems as well."""
    folder = path if path is not None and any(path.glob("*/pack.yaml")) else None
    patterns = _pattern_problems(folder or rules) if path is None or folder else []
    try:
        target = resolve(path, rules)
    except PackError as exc:
        return str(path or rules), [from_problem(p) for p in exc.problems] + patterns
    added = set(target.draft.added) if target.draft else None
    findings = [f for pack in target.packs for f in check_pack(pack, target.focus, added)]
    return target.label, findings + patterns


@rules_app.command("lint")
def lint_cmd(
    path: PathArg = None, rules: RulesOpt = DEFAULT_RULES_DIR, fmt: FmtOpt = Fmt.table
) -> None:
    """Schema errors, unknown facts/ECCNs/countries, overlapping or contradictory clauses."""
    if path is not None and not path.exists():
        fail(f"{path}: no such file or folder")
    label, findings = lint_target(path, rules)
    failing = [f for f in findings if f.severity != "note"]
    console = Console()
    if fmt == Fmt.json:
        _echo_json({"target": label, "findings": [f.as_dict() for f in findings]})
    elif not console.is_terminal:  # piped or in CI: whole `path:line: code message` lines
        for f in findings:
            typer.echo(f"{f.where or label}: {f.code} {f.message}")
        typer.echo(f"{len(failing)} finding(s), {len(findings) - len(failing)} note(s) in {label}")
    else:
        render_lint(label, findings, console)
    if failing:
        raise typer.Exit(1)


# ------------------------------------------------------------------------------ replay


def _parties(db: str | None) -> PartyScreening | None:
    return load_party_screening(ListStore(db))


def _load_pair(draft_path: Path, rules: Path, db: str | None) -> tuple[Draft, Screener, Screener]:
    """The live Screener and the draft's, sharing one party screening."""
    try:
        parties = _parties(db)
        live = Screener(rules, backend="python", parties=parties)
        draft = load_draft(draft_path, [c.pack for c in live.compiled])
    except PackError as exc:
        fail(str(exc))
    return draft, live, draft_screener(draft, parties)


@rules_app.command("replay")
def replay_cmd(
    draft: Annotated[Path, typer.Argument(help="Draft folder or clause file.")],
    history: Annotated[
        Path | None,
        typer.Option(
            help="Stored screenings, JSONL: a transaction per line, or "
            "{id, screened_at, transaction, result}. Default: the audit trail in --db."
        ),
    ] = None,
    since: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only screenings made on or after."),
    ] = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only screenings made on or before."),
    ] = None,
    rules: RulesOpt = DEFAULT_RULES_DIR,
    db: DbOption = None,
    fmt: FmtOpt = Fmt.table,
    fail_on_change: Annotated[
        bool, typer.Option(help="Exit 1 when the draft changes any decision.")
    ] = False,
) -> None:
    """Evaluate stored screenings with the draft beside the live pack; print what changes.

    The screenings are the audit trail in the database (`--db`, as the service stores them),
    or a JSONL file given with `--history`.
    """
    if history is not None and not history.is_file():
        fail(f"{history}: no such file")
    loaded, live, drafted = _load_pair(draft, rules, db)
    start, end = (since.date() if since else None), (until.date() if until else None)
    records: Iterable[StoredScreening]
    if history is not None:
        try:
            records = list(read_history_jsonl(history))
        except HistoryError as exc:
            fail(str(exc))
        source = history.name
    else:
        # streamed: the audit trail may be far larger than memory should hold
        records = audit_history(AuditStore(db), start, end)
        source = "the audit trail"
    report = replay(
        records,
        live,
        drafted,
        draft_name=loaded.name,
        draft_version=loaded.version,
        since=start,
        until=end,
    )
    if fmt == Fmt.json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        render_impact(report, Console(), f"Replay of draft {loaded.name} over {source}")
    if fail_on_change and (report.newly_flagged or report.newly_cleared):
        raise typer.Exit(1)


# ------------------------------------------------------------------------------ shadow


@rules_app.command("shadow")
def shadow_cmd(
    draft: Annotated[Path, typer.Argument(help="Draft folder or clause file.")],
    files: Annotated[list[Path], typer.Argument(help="Transaction JSON files to screen.")],
    log: Annotated[Path, typer.Option(help="Shadow log (JSONL) to append to.")] = Path(
        "shadow.jsonl"
    ),
    rules: RulesOpt = DEFAULT_RULES_DIR,
    db: DbOption = None,
) -> None:
    """Screen transactions with the live pack while the draft runs in shadow.

    The live decisions are printed as decided; what the draft would have decided is appended
    to the log (see `rules shadow-report`).
    """
    loaded, live, drafted = _load_pair(draft, rules, db)
    runner = ShadowRunner(live, drafted, JsonlShadowSink(log), loaded.name, loaded.version)
    for file in files:
        if not file.is_file():
            fail(f"{file}: no such file")
        try:
            tx = parse_model(Transaction, file.read_text(encoding="utf-8-sig"))
        except InputError as exc:
            fail(f"{file}: invalid transaction: {exc}")
        result = runner.screen(tx, screening_id=file.stem)
        typer.echo(f"{file.name}: {result.decision.value}")


@rules_app.command("shadow-report")
def shadow_report_cmd(
    log: Annotated[Path, typer.Argument(help="Shadow log (JSONL).")] = Path("shadow.jsonl"),
    draft: Annotated[str | None, typer.Option(help="Report on this draft only.")] = None,
    fmt: FmtOpt = Fmt.table,
) -> None:
    """Where the draft running in shadow disagreed with the live pack."""
    if not log.is_file():
        fail(f"{log}: no such file")
    try:
        report = shadow_report(list(read_shadow_log(log)), draft)
    except ValueError as exc:
        fail(str(exc))
    if fmt == Fmt.json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        render_impact(report, Console(), f"Shadow disagreements of draft {report.draft}")


# ------------------------------------------------------------------------------ copy


@rules_app.command("copy")
def copy_cmd(
    clause_id: Annotated[str, typer.Argument(help="Id of the live clause to start from.")],
    draft: Annotated[Path, typer.Argument(help="Draft folder to write it into.")],
    rules: RulesOpt = DEFAULT_RULES_DIR,
) -> None:
    """Copy a live clause, verbatim, into a draft folder to amend it (same id: replaces it)."""
    try:
        packs = load_packs(rules)
    except PackError as exc:
        fail(str(exc))
    found = find_clause(packs, clause_id)
    if found is None:
        fail(f"no live clause {clause_id!r} in {rules}")
    target = copy_clause(found, draft, CLAUSE_FILE_SCHEMA)
    typer.echo(f"{short(str(target))}: edit it, then `chokepoint rules lint {short(str(draft))}`")


# ------------------------------------------------------------------------------ schema

SCHEMAS: dict[str, type[BaseModel]] = {
    "clause-file": ClauseFile,
    "draft": DraftMeta,
    "pack": PackMeta,
}
CLAUSE_FILE_SCHEMA = (
    Path(__file__).resolve().parent.parent / "schemas" / "jsonschema" / "clause-file.schema.json"
)


@rules_app.command("schema")
def schema_cmd(
    name: Annotated[str, typer.Argument(help="clause-file, draft or pack")] = "clause-file",
) -> None:
    """JSON Schema of a clause file, draft.yaml or pack.yaml (for editors, see the README)."""
    model = SCHEMAS.get(name)
    if model is None:
        fail(f"unknown schema {name!r}; choose one of {', '.join(SCHEMAS)}")
    typer.echo(json.dumps(model.model_json_schema(), indent=2))
