"""Seeded synthetic shipment streams, for the backend-agreement tests and the benchmark.

Not a model of real trade: a stream dense enough in repeat consignees, small controlled
lines, shared end users and new consignees in transshipment points that every pattern both
fires and stays silent many times. New consignees keep appearing (the pool grows with the
stream), so 'first seen' and group eviction are exercised over long streams.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

COUNTRIES = ["MY", "SG", "AE", "HK", "TH", "DE", "JP", "KR", "NL", "IN", "TR", "CN", "US", "MX"]
ECCNS = [
    "EAR99",
    "EAR99",
    "3B993.f.1",
    "3B001.c.1.a",
    "3B994.a",
    "3A090.a",
    "4A090.a",
    "3C005",
    "3A991.a",
    None,
]
VALUES = [150, 900, 1500, 1700, 2000, 2400, 4999.99, 5000, 12000, 250000, None]


def generate(
    n: int,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 730,
    growth: int = 20,
) -> Iterator[dict[str, Any]]:
    """`n` transaction dicts in date order over `days` days; a new consignee every `growth`."""
    rng = random.Random(seed)
    for i in range(n):
        date = start + dt.timedelta(days=i * days // n)
        pool = 30 + i // growth
        c = rng.randrange(pool)
        country = COUNTRIES[c % len(COUNTRIES)]
        consignee = {"role": "ultimate_consignee", "name": f"Consignee {c}", "country": country}
        eu = rng.randrange(max(5, pool // 8))
        end_user = {"role": "end_user", "name": f"End User {eu}", "country": COUNTRIES[eu % 5]}
        shape = rng.random()
        if shape < 0.45:
            parties = [consignee, end_user]
        elif shape < 0.7:
            parties = [dict(end_user, role="ultimate_consignee"), end_user]
        elif shape < 0.9:
            parties = [consignee]
        else:
            parties = []
        items = []
        for _ in range(1 if rng.random() < 0.8 else 2):
            item: dict[str, Any] = {"eccn": rng.choice(ECCNS), "origin_country": "US"}
            value = rng.choice(VALUES)
            if value is not None:
                item["value_usd"] = value
            items.append(item)
        yield {
            "id": f"T{i}" if rng.random() < 0.97 else None,
            "date": date.isoformat(),
            "exporter": {"name": "Example Exporter Inc.", "country": "US"},
            "destination_country": country,
            "parties": parties,
            "items": items,
        }
