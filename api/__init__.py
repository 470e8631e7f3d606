"""The chokepoint HTTP service: thin FastAPI routers over `screener` (see `api/app.py`)."""
