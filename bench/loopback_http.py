"""A minimal HTTP/1.1 keep-alive client over asyncio streams, for `bench/load.py`.

httpx's async client spent 10-13 ms of CPU per request of the load run (its connection
pool, header models and per-request objects), on the same two cores as the server it was
measuring. This client sends a prebuilt request on a pooled connection and reads back the
status, the headers and a Content-Length body: enough for POST /v1/screen on 127.0.0.1, and
cheap enough that the load generator takes little of the machine from the server.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

IDLE = 2.0  # seconds: a connection idle longer is not reused (uvicorn closes them after 5 s)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class Pool:
    """Up to `size` keep-alive connections to one host; a connection is reused when free."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self._free: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._slots = asyncio.Semaphore(size)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        async with self._slots:
            reader, writer = await self._connection()
            try:
                writer.write(request)
                reply = await _read(reader)
            except BaseException:
                writer.close()
                raise
            if reply.headers.get("connection", "").lower() == "close":
                writer.close()
            else:
                self._free.append((reader, writer, time.monotonic()))
            return reply

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The most recently used free connection that is not stale, else a new one."""
        while self._free:
            reader, writer, since = self._free.pop()
            if time.monotonic() - since < IDLE and not reader.at_eof():
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        for _, writer, _ in self._free:
            writer.close()
        self._free.clear()


async def _read(reader: asyncio.StreamReader) -> Reply:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Reply(status, headers, body)
