"""`chokepoint serve`: the HTTP API (api/) under uvicorn, with the JSON request log."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
import uvicorn

from cli.common import DbOption


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: DbOption = None,
) -> None:
    """Start the HTTP API with uvicorn (OpenAPI at /docs and /openapi.json). Requests are
    logged as JSON lines on stderr, each with its X-Request-ID."""
    from api import request_log
    from api.app import create_app
    from screener.settings import database_url, shown_url

    request_log.configure()
    url = database_url(db)
    logging.getLogger("chokepoint.api").info("database %s", shown_url(url))
    # the request log replaces uvicorn's access log
    uvicorn.run(create_app(database_url=url), host=host, port=port, access_log=False)
