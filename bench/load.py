"""A small HTTP/1.1 load generator, run as its own process on loopback by ``python -m bench``.

    .venv/bin/python -m bench.load --port 8123 --path /sparql?query=... [--concurrency 8]
        [--requests 500] [--duration 10] [--timeout 70] [--header "Accept: text/html"]

``--concurrency`` connections (keep-alive) send GET requests in a loop, rotating over the ``--path``
values, until ``--requests`` requests are done or ``--duration`` seconds have passed, whichever comes
first (bounded in count and in time); ``--timeout`` bounds the whole run, answers included, and the
requests still unanswered then are abandoned and reported as ``unfinished``. Prints one JSON object:
requests answered, errors (non-2xx or broken connections), status counts, unfinished requests,
throughput (``req_per_s`` all answers, ``ok_per_s`` 2xx only) and latency percentiles in milliseconds.

Written on asyncio streams rather than httpx: the client shares the 2 cores with the server it
measures, and a raw keep-alive client costs a fraction of httpx's CPU per request (so the figures
measure the server, not the client). It reads Content-Length and chunked bodies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least 1
    return ordered[int(min(rank, len(ordered))) - 1]


def summary_ms(seconds: list[float]) -> dict[str, float | None]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else None,
        "mean_ms": statistics.fmean(ms) if ms else None,
    }


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, int]:
        """One GET; returns (status, body bytes). Reconnects when the server closed the connection."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await self.writer.drain()
        reader = self.reader
        assert reader is not None
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip().lower()
        size = 0
        if "content-length" in fields:
            size = int(fields["content-length"])
            await reader.readexactly(size)
        elif fields.get("transfer-encoding") == "chunked":
            while True:
                chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await reader.readexactly(chunk + 2)
                size += chunk
                if chunk == 0:
                    break
        else:
            size = len(await reader.read())
            await self.close()
        if fields.get("connection") == "close" and self.writer is not None:
            await self.close()
        return status, size


async def run(host: str, port: int, paths: list[str], headers: dict[str, str], concurrency: int,
              requests: int, duration: float, timeout: float | None = None) -> dict:
    """``timeout`` (default ``duration`` + 60 s) bounds the whole run, answers included: requests still
    waiting for their answer then are abandoned (connection closed) and counted in ``unfinished``."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    sent = 0
    received = 0
    in_flight = 0
    start = time.perf_counter()
    deadline = start + duration
    cap = max(timeout if timeout is not None else duration + 60, duration)

    async def worker() -> None:
        nonlocal sent, errors, received, in_flight
        conn = Connection(host, port)
        try:
            while sent < requests and time.perf_counter() < deadline:
                path = paths[sent % len(paths)]
                sent += 1
                t0 = time.perf_counter()
                in_flight += 1
                try:
                    status, size = await conn.get(path, headers)
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                    errors += 1
                    statuses["error"] = statuses.get("error", 0) + 1
                    await conn.close()
                    continue
                finally:
                    in_flight -= 1
                latencies.append(time.perf_counter() - t0)
                received += size
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if not 200 <= status < 300:
                    errors += 1
        finally:
            await conn.close()

    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    _done, pending = await asyncio.wait(tasks, timeout=cap)
    unfinished = in_flight  # requests sent and not answered within the cap (a task between requests has none)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
    elapsed = min(time.perf_counter() - start, cap) if pending else time.perf_counter() - start
    ok = sum(n for status, n in statuses.items() if status.isdigit() and 200 <= int(status) < 300)
    return {
        "requests": len(latencies),
        "errors": errors,
        "statuses": statuses,
        "unfinished": unfinished if pending else 0,  # abandoned at the cap, not counted in requests
        "timeout_s": round(cap, 3),
        "concurrency": concurrency,
        "elapsed_s": round(elapsed, 3),
        "req_per_s": round(len(latencies) / elapsed, 2) if elapsed else None,  # answers, errors included
        "ok_per_s": round(ok / elapsed, 2) if elapsed else None,  # 2xx answers only (what the ratios use)
        "bytes": received,
        **{k: (round(v, 3) if v is not None else None) for k, v in summary_ms(latencies).items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", action="append", required=True, help="chemin demandé (répétable : rotation)")
    parser.add_argument("--header", action="append", default=[], help="en-tête « Nom: valeur » (répétable)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=500, help="nombre maximal de requêtes")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="secondes pendant lesquelles de nouvelles requêtes partent")
    parser.add_argument("--timeout", type=float, default=None,
                        help="durée maximale de la mesure, réponses comprises (défaut : --duration + 60 s) ; "
                             "les requêtes encore sans réponse sont alors abandonnées et comptées à part")
    args = parser.parse_args(argv)
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    result = asyncio.run(run(args.host, args.port, args.path, headers, args.concurrency, args.requests,
                             args.duration, args.timeout))
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
