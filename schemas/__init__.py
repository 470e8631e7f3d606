"""The contract shared by the API, the CLI, the batch screener and rule authors."""

from schemas.patterns import Alert, Pattern
from schemas.result import (
    ConditionTrace,
    Decision,
    Effective,
    ExceptionAdvice,
    Finding,
    JurisdictionVerdict,
    Nexus,
    Outcome,
    ScreeningResult,
    Trigger,
)
from schemas.rules import Clause, PackMeta
from schemas.transaction import EndUse, Exporter, Item, Party, Transaction

__all__ = [
    "Alert",
    "Clause",
    "ConditionTrace",
    "Decision",
    "Effective",
    "EndUse",
    "ExceptionAdvice",
    "Exporter",
    "Finding",
    "Item",
    "JurisdictionVerdict",
    "Nexus",
    "Outcome",
    "PackMeta",
    "Party",
    "Pattern",
    "ScreeningResult",
    "Transaction",
    "Trigger",
]
