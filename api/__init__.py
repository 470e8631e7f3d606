"""The FastAPI service: thin routers over `screener` (see README, "Service")."""
