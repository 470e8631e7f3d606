"""Load rule packs, derive facts, evaluate clauses and explain the decision.

`screen(transaction)` screens with the bundled packs; `Screener` loads a chosen rules folder
and backend ("python", the oracle and fast path, or "durable", durable-rules' Rete engine).
"""

from screener.engine import Screener
from screener.wiring import screen

__all__ = ["Screener", "screen"]
