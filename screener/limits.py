"""The size limits of one screening: what a single request may cost.

A result grows with the findings, and the findings with the items (each item fires its own
clauses with their explanations and licence-exception advice: about 43 KB of JSON per
controlled item with the bundled packs). Without a limit, one valid 10,000-item transaction
made a 421 MB response and a 420 MB audit row; with the defaults a transaction costs at most
about 11 MB of result and 0.2 s of screening. The limits apply wherever one transaction is
screened (the service's `POST /v1/screen`, `chokepoint screen`); a batch line is one item.

Configured by the environment: CHOKEPOINT_MAX_ITEMS (default 250), CHOKEPOINT_MAX_PARTIES
(default 50), CHOKEPOINT_MAX_BODY_BYTES (the JSON body or file, default 1 MiB).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from schemas.transaction import Transaction
from screener.errors import InputError

DEFAULT_MAX_ITEMS = 250
DEFAULT_MAX_PARTIES = 50
DEFAULT_MAX_BODY_BYTES = 1 << 20


class LimitError(InputError):
    """A valid transaction over a size limit (HTTP 413): `problems` name field and limit."""


def _env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


@dataclass(frozen=True)
class Limits:
    items: int = DEFAULT_MAX_ITEMS
    parties: int = DEFAULT_MAX_PARTIES
    body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            items=_env("CHOKEPOINT_MAX_ITEMS", DEFAULT_MAX_ITEMS),
            parties=_env("CHOKEPOINT_MAX_PARTIES", DEFAULT_MAX_PARTIES),
            body_bytes=_env("CHOKEPOINT_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        )

    def check(self, tx: Transaction) -> None:
        """Raise LimitError naming each count over its limit (and the setting that moves it)."""
        problems = []
        if len(tx.items) > self.items:
            problems.append(
                f"items: {len(tx.items):,} items; the limit is {self.items:,} per transaction "
                "(CHOKEPOINT_MAX_ITEMS; split the shipment or use the batch)"
            )
        if len(tx.services) > self.items:  # a service is screened as a line, like an item
            problems.append(
                f"services: {len(tx.services):,} services; the limit is {self.items:,} per "
                "transaction (CHOKEPOINT_MAX_ITEMS)"
            )
        if len(tx.parties) > self.parties:
            problems.append(
                f"parties: {len(tx.parties):,} parties; the limit is {self.parties:,} per "
                "transaction (CHOKEPOINT_MAX_PARTIES)"
            )
        if problems:
            raise LimitError(problems)
