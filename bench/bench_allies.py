"""Cost of the allies' additions on the screening hot path: member-state packs (the EU pack
applied in NL and DE), the EU001 exception, Japanese native numbering and the model catalog.

    .venv/bin/python bench/bench_allies.py [N]

Screens each case N times with the python backend (no lists) and prints ms per screening.
"""

from __future__ import annotations

import sys
import time

from screener.engine import Screener

NL = {"name": "Example Lithography B.V.", "country": "NL"}
CASES = {
    "EUV NL->CN (EU + NL + DE packs)": {
        "exporter": NL,
        "destination_country": "CN",
        "items": [{"eccn": "3B001.f.1.a", "origin_country": "NL"}],
    },
    "EUV NL->JP under EU001": {
        "exporter": NL,
        "destination_country": "JP",
        "license_exceptions": ["EU001"],
        "license_exceptions_confirmed": ["EU001"],
        "items": [{"eccn": "3B001.f.1.a", "origin_country": "NL"}],
    },
    "NXT:1980Di by model NL->CN": {
        "exporter": NL,
        "destination_country": "CN",
        "items": [{"model": "ASML TWINSCAN NXT:1980Di", "origin_country": "NL"}],
    },
    "JP native numbering JP->CN": {
        "exporter": {"name": "Example K.K.", "country": "JP"},
        "destination_country": "CN",
        "items": [{"eccn": "3B001.f.1.b", "control_codes": {"JP": "貨物等省令第6条第17号ル"}}],
    },
}


def main(n: int) -> None:
    started = time.perf_counter()
    screener = Screener()
    print(f"load: {time.perf_counter() - started:.1f} s")
    for name, tx in CASES.items():
        tx = {"date": "2025-06-01", **tx}
        screener.screen(tx)  # warm caches
        t0 = time.perf_counter()
        for _ in range(n):
            screener.screen(tx)
        print(f"{name}: {(time.perf_counter() - t0) / n * 1000:.2f} ms per screening (n={n})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
