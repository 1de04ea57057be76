"""``bench.load``: bounded in requests, and in time answers included (a server that never answers cannot
hang a benchmark). Small asyncio servers on loopback; no assertion on durations."""

from __future__ import annotations

import asyncio

from bench.load import percentile, run


async def _serve(handler) -> tuple[asyncio.AbstractServer, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _answering(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.read()  # reads the request and never answers, until the client goes away
    finally:
        writer.close()


def test_bounded_in_requests():
    async def main():
        server, port = await _serve(_answering)
        async with server:
            return await run("127.0.0.1", port, ["/a", "/b"], {}, concurrency=2, requests=20, duration=60,
                             timeout=120)

    result = asyncio.run(main())
    assert result["requests"] == 20 and result["errors"] == 0 and result["unfinished"] == 0
    assert result["statuses"] == {"200": 20} and result["ok_per_s"] > 0


def test_requests_unanswered_at_the_timeout_are_abandoned_and_counted():
    async def main():
        server, port = await _serve(_silent)
        async with server:
            return await run("127.0.0.1", port, ["/slow"], {}, concurrency=3, requests=100, duration=0.2,
                             timeout=0.5)

    result = asyncio.run(main())
    assert result["requests"] == 0 and result["unfinished"] == 3
    assert result["ok_per_s"] == 0 and result["p50_ms"] is None
    assert result["timeout_s"] == 0.5


def test_percentile_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(list(range(1, 101)), 99) == 99
