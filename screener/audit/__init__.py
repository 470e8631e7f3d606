"""The audit trail: every screening with its input, result, versions, who asked and when;
API keys; batch jobs. One database (SQLite or PostgreSQL), schema managed by alembic."""

from screener.audit.db import open_engine, upgrade
from screener.audit.keys import ROLES, ApiKey, KeyStore
from screener.audit.store import AuditStore, DecisionStats, ScreeningSummary, StoredScreening
from screener.settings import database_url

__all__ = [
    "ROLES",
    "ApiKey",
    "AuditStore",
    "DecisionStats",
    "KeyStore",
    "ScreeningSummary",
    "StoredScreening",
    "database_url",
    "open_engine",
    "upgrade",
]
