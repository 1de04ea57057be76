"""The query worker pool lends its workers first come, first served (issue 7: p99 under load)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from sparql_endpoint import errors
from sparql_endpoint.execute import QueryJob
from sparql_endpoint.workers import WorkerPool

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p }"


def job(text: str) -> QueryJob:
    return QueryJob(text, "text/csv", None, 100)


def occupy(pool: WorkerPool, store: str, outcome: list[type]) -> threading.Thread:
    """Take a worker with a query that runs until its 2 s timeout; ``outcome`` gets the error type."""

    def run() -> None:
        try:
            pool.run(store, job(RUNAWAY), 2.0)
        except errors.ServiceError as exc:
            outcome.append(type(exc))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        time.sleep(0.01)


def test_waiting_requests_get_the_worker_in_arrival_order(var_dir: Path) -> None:
    store = str(var_dir / "current" / "store")
    pool = WorkerPool(1, queue_timeout=60)
    order: list[int] = []
    try:
        outcome: list[type] = []
        busy = occupy(pool, store, outcome)
        wait_until(lambda: not pool._idle)  # the only worker is taken by the runaway query
        waiting = []
        for n in range(4):
            def ask(n: int = n) -> None:
                pool.run(store, job(f"SELECT ({n} AS ?n) WHERE {{}}"), 30.0)
                order.append(n)

            thread = threading.Thread(target=ask)
            thread.start()
            waiting.append(thread)
            wait_until(lambda n=n: len(pool._waiters) == n + 1)  # queued before the next one arrives
        for thread in [busy, *waiting]:
            thread.join(60)
        assert order == [0, 1, 2, 3] and outcome == [errors.QueryTimeout]
    finally:
        pool.close()


def test_a_request_that_waits_too_long_gets_busy(var_dir: Path) -> None:
    store = str(var_dir / "current" / "store")
    pool = WorkerPool(1, queue_timeout=0.2)
    try:
        outcome: list[type] = []
        busy = occupy(pool, store, outcome)
        wait_until(lambda: not pool._idle)
        with pytest.raises(errors.ServiceBusy):
            pool.run(store, job("ASK {}"), 5.0)
        assert not pool._waiters  # the request that gave up left the queue
        busy.join(60)
        assert outcome == [errors.QueryTimeout]
        assert pool.run(store, job("ASK {}"), 5.0).body.strip().endswith(b"true")
    finally:
        pool.close()
