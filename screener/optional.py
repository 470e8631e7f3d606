"""Optional engines: the durable-rules backend is an extra (`pip install chokepoint[durable]`).

durable-rules is published only as a source distribution, so installing it compiles a C
extension (a compiler and Python headers are needed). The python backend, the default and
the oracle, needs none of it: screener imports without durable-rules, and asking for the
durable backend without it is a one-line error, not a traceback.
"""

from __future__ import annotations

from types import ModuleType


class BackendUnavailable(ImportError):
    """An optional engine asked for but not installed."""


MISSING_DURABLE = (
    "the durable backend needs durable-rules, which is not installed: "
    "pip install 'chokepoint[durable]' (it builds from source: a C compiler is needed), "
    "or use --backend python"
)


def durable_engine() -> ModuleType:
    """The durable-rules C extension, or BackendUnavailable saying how to install it."""
    try:
        import durable_rules_engine
    except ImportError as exc:
        raise BackendUnavailable(MISSING_DURABLE) from exc
    engine: ModuleType = durable_rules_engine
    return engine
