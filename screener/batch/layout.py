"""The batch CSV layout: one line per shipment item, parties in per-role columns.

Input columns (header line required; order free; only the first three are required):

| column | meaning |
| --- | --- |
| exporter_name, exporter_country | the exporter (ISO 3166-1 alpha-2 country) |
| destination_country | ISO alpha-2 |
| id | your reference (default `line-N`) |
| date | YYYY-MM-DD, the date the rules are applied as of (default today) |
| exporter_headquarters_country | where the exporter's ultimate parent is |
| description, eccn, origin_country, us_content_percent, quantity, value_usd | the item |
| control_codes | other jurisdictions' list entries: `EU=3B001.c.1.a;JP=not_listed` |
| parameters | declared parameters: `tpp=4992;designed_for_data_center=true` |
| ROLE_name, ROLE_country, ROLE_address | one party per role; a role without a name is absent |
| end_use_categories | `civil;advanced_node_ic_production` |
| end_use_description | free text |
| us_persons_involved | true/false (blank: unknown) |
| license_exceptions, license_exceptions_confirmed | `LVS;GOV` (blank confirmed: not stated) |
| strict_assumptions | true: apply no default (a party's headquarters is not its stated country) |

ROLE is end_user, ultimate_consignee, intermediate_consignee, purchaser or
freight_forwarder. Lists inside a cell are separated by `;`. Each record is one physical
line (a quoted field may not span lines), so one broken line can never swallow the lines
after it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from schemas.vocabulary import PartyRole

PARTY_ROLES: tuple[str, ...] = tuple(r.value for r in PartyRole if r != PartyRole.other)
PARTY_FIELDS: tuple[str, ...] = ("name", "country", "address")

REQUIRED_COLUMNS: tuple[str, ...] = ("exporter_name", "exporter_country", "destination_country")
INPUT_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    *REQUIRED_COLUMNS,
    "exporter_headquarters_country",
    "description",
    "eccn",
    "control_codes",
    "origin_country",
    "us_content_percent",
    "quantity",
    "value_usd",
    "parameters",
    *(f"{role}_{f}" for role in PARTY_ROLES for f in PARTY_FIELDS),
    "end_use_categories",
    "end_use_description",
    "us_persons_involved",
    "license_exceptions",
    "license_exceptions_confirmed",
    "strict_assumptions",
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "line",  # physical line number in the input file (the header is line 1)
    "id",
    "description",  # the item, ECCN and destination as the line gave them (also on errors)
    "eccn",
    "destination_country",
    "status",  # ok | error
    "decision",
    "jurisdictions",  # US=license_required;NL=license_required (those with a nexus)
    "findings",  # license_required=4;review=1 (decisive findings by outcome)
    "rules",  # ids of decisive findings
    "citations",
    "red_flags",  # red flags raised (trigger clauses): us.red_flag.x | us.red_flag.y (undecided)
    "asks",  # what a review asks: US: item.us_content_percent (item 0) | ...
    "assumptions",  # defaults the decision rests on: US: Example KK headquartered in JP | ...
    "party_hits",
    "error",
    "note",
)
ECHOED_COLUMNS: tuple[str, ...] = ("description", "eccn", "destination_country")

_ITEM_NUMBERS = ("us_content_percent", "quantity", "value_usd")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


class HeaderError(ValueError):
    """The header line cannot be read as the layout: nothing in the file can be."""


class LineError(ValueError):
    """One line cannot be turned into a transaction; the message names the column(s)."""


def template() -> str:
    return ",".join(INPUT_COLUMNS)


def check_header(fields: list[str]) -> list[str]:
    """Normalised column names, or HeaderError naming missing, unknown or repeated ones."""
    names = [f.strip().lower() for f in fields]
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    unknown = [n or "(empty)" for n in names if n not in INPUT_COLUMNS]
    if unknown:
        problems.append(
            f"unknown column(s): {', '.join(unknown)} (see `chokepoint batch --template`)"
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(f"repeated column(s): {', '.join(repeated)}")
    if problems:
        raise HeaderError("; ".join(problems))
    return names


def _list(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _number(column: str, text: str) -> float:
    try:
        return float(text.replace(",", "")) if "." in text or "," in text else float(int(text))
    except ValueError:
        raise LineError(f"{column}: {text!r} is not a number") from None


def _bool(column: str, text: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise LineError(f"{column}: {text!r} is not true or false")


def _pairs(column: str, text: str) -> dict[str, str]:
    out = {}
    for part in _list(text):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise LineError(f"{column}: {part!r} is not NAME=VALUE")
        out[key.strip()] = value.strip()
    return out


def _parameter(column: str, name: str, text: str) -> float | bool:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return float(text)
    except ValueError:
        raise LineError(f"{column}: {name}={text!r} is not a number or true/false") from None


def to_transaction(row: dict[str, str], line: int) -> dict[str, Any]:
    """A row's cells (already stripped) as the Transaction JSON; LineError names the column."""
    item: dict[str, Any] = {}
    for column in ("description", "eccn", "origin_country"):
        if row.get(column):
            item[column] = row[column]
    for column in _ITEM_NUMBERS:
        if row.get(column):
            item[column] = _number(column, row[column])
    if "quantity" in item:  # a count of units: 2 or 2.0 in a spreadsheet, never 1.5
        if not item["quantity"].is_integer():
            raise LineError(f"quantity: {row['quantity']!r} is not a whole number of units")
        item["quantity"] = int(item["quantity"])
    if row.get("control_codes"):
        item["control_codes"] = _pairs("control_codes", row["control_codes"])
    if row.get("parameters"):
        item["parameters"] = {
            k: _parameter("parameters", k, v)
            for k, v in _pairs("parameters", row["parameters"]).items()
        }
    parties = []
    for role in PARTY_ROLES:
        name = row.get(f"{role}_name", "")
        country = row.get(f"{role}_country", "")
        address = row.get(f"{role}_address", "")
        if not name:
            if country or address:
                raise LineError(f"{role}_name: empty, but {role}_country/address is given")
            continue
        party: dict[str, Any] = {"role": role, "name": name}
        if country:
            party["country"] = country
        if address:
            party["address"] = address
        parties.append(party)
    tx: dict[str, Any] = {
        "id": row.get("id") or f"line-{line}",
        "exporter": {
            "name": row.get("exporter_name", ""),
            "country": row.get("exporter_country", ""),
        },
        "destination_country": row.get("destination_country", ""),
        "parties": parties,
        "items": [item],
    }
    if row.get("exporter_headquarters_country"):
        tx["exporter"]["headquarters_country"] = row["exporter_headquarters_country"]
    if row.get("date"):
        try:
            tx["date"] = dt.date.fromisoformat(row["date"]).isoformat()
        except ValueError:
            raise LineError(f"date: {row['date']!r} is not a date (YYYY-MM-DD)") from None
    end_use: dict[str, Any] = {}
    if row.get("end_use_categories"):
        end_use["categories"] = _list(row["end_use_categories"])
    if row.get("end_use_description"):
        end_use["description"] = row["end_use_description"]
    if end_use:
        tx["end_use"] = end_use
    if row.get("us_persons_involved"):
        tx["us_persons_involved"] = _bool("us_persons_involved", row["us_persons_involved"])
    if row.get("strict_assumptions"):
        tx["strict_assumptions"] = _bool("strict_assumptions", row["strict_assumptions"])
    if row.get("license_exceptions"):
        tx["license_exceptions"] = _list(row["license_exceptions"])
    if row.get("license_exceptions_confirmed"):
        tx["license_exceptions_confirmed"] = _list(row["license_exceptions_confirmed"])
    return tx


def column_of(problem: str, roles: list[str]) -> str:
    """Rewrite a model error's path (`items.0.origin_country: ...`) as the CSV column."""
    path, sep, message = problem.partition(": ")
    if not sep:
        return problem
    parts = path.split(".")
    if parts[0] == "items" and len(parts) > 2:
        column = "_".join(parts[2:3]) if parts[2] != "parameters" else "parameters"
        if parts[2] == "control_codes":
            column = "control_codes"
    elif parts[0] == "exporter" and len(parts) > 1:
        column = f"exporter_{parts[1]}"
    elif parts[0] == "parties" and len(parts) > 2 and parts[1].isdigit():
        index = int(parts[1])
        role = roles[index] if index < len(roles) else "party"
        column = f"{role}_{parts[2]}"
    elif parts[0] == "end_use" and len(parts) > 1:
        column = "end_use_categories" if parts[1] == "categories" else f"end_use_{parts[1]}"
    else:
        column = parts[0]
    return f"{column}: {message}"
