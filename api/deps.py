"""What a route depends on, named once (the FastAPI project template's `deps.py`): a route
says `svc: Svc, key: ScreenKey`, not how the services are found or which roles a key needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.auth import AUTHOR, READ, SCREEN
from api.services import Services, services
from screener.audit.keys import ApiKey

Svc = Annotated[Services, Depends(services)]
ScreenKey = Annotated[ApiKey, Depends(SCREEN)]  # role screen
ReadKey = Annotated[ApiKey, Depends(READ)]  # role screen or author
AuthorKey = Annotated[ApiKey, Depends(AUTHOR)]  # role author
