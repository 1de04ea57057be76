"""Embedded queries run in worker processes that can be killed: the enforced query timeout.

pyoxigraph has no query timeout and cannot cancel a running query, and a Python thread cannot be
stopped. So each embedded query runs in one of ``settings.query_workers`` long-lived processes (fresh
interpreters, ``python -m sparql_endpoint.workers FD``: nothing of the web process is inherited, and
the main module is never re-imported), each holding the store open read-only.
The web thread sends the job over a pipe and waits ``query_timeout`` seconds for the answer; when
the time is up the worker is killed (SIGKILL frees its CPU at once; a read-only RocksDB handle holds no
lock) and replaced by a fresh process. Only serialised bytes cross the pipe.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
from collections import deque
from multiprocessing.connection import Connection

from sparql_endpoint import errors
from sparql_endpoint.execute import QueryJob, QueryOutput

log = logging.getLogger(__name__)
_BOOT_TIMEOUT = 60.0  # seconds a new worker may take to import pyoxigraph and say it is ready


def _worker_main(conn: Connection) -> None:  # runs in the child process
    import pyoxigraph as ox

    from sparql_endpoint.execute import embedded_source, run_job

    stores: dict[str, ox.Store] = {}
    conn.send(("ready",))
    while True:
        try:
            store_path, job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            store = stores.get(store_path)
            if store is None:
                stores.clear()  # a new build: drop the old handle
                store = stores[store_path] = ox.Store.read_only(store_path)
            conn.send(("ok", run_job(embedded_source(store), job)))
        except errors.ServiceError as exc:
            conn.send(("error", type(exc).__name__, exc.message))
        except OSError as exc:  # the detail names server paths: to the log (stderr), not to the client
            log.warning("store %s unreadable: %s", store_path, exc)
            conn.send(("error", "StoreUnavailable",
                       "Lecture des données impossible (store illisible) ; l'erreur a été journalisée."))


class _Worker:
    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sparql_endpoint.workers", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(_BOOT_TIMEOUT):
            raise errors.StoreUnavailable("Le processus de requête n'a pas démarré à temps.")
        self.conn.recv()
        self.ready = True

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.conn.close()


class _Waiter:
    """A request waiting for a worker: handed one directly, in arrival order."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.worker: _Worker | None = None


class WorkerPool:
    """Workers are lent first come, first served: a released worker goes straight to the request that
    has waited longest (a plain queue lets a newly arrived request take it first, and under load some
    requests then wait several times longer than others)."""

    def __init__(self, size: int, queue_timeout: float) -> None:
        self._queue_timeout = queue_timeout
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[_Waiter] = deque()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(max(1, size)):
            self._release(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker()
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            waiter = _Waiter()
            self._waiters.append(waiter)
        waiter.event.wait(self._queue_timeout)
        with self._lock:
            if waiter.worker is not None:  # handed over (possibly just as the wait timed out)
                return waiter.worker
            self._waiters.remove(waiter)
        raise errors.ServiceBusy(
            "Toutes les requêtes SPARQL simultanées autorisées sont en cours ; réessayez dans un instant.",
            headers={"Retry-After": "5"},
        )

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.worker = worker
                waiter.event.set()
            else:
                self._idle.append(worker)

    def run(self, store_path: str, job: QueryJob, timeout: float) -> QueryOutput:
        worker = self._acquire()
        healthy = False
        try:
            worker.wait_ready()
            worker.conn.send((store_path, job))
            if not worker.conn.poll(timeout):
                raise errors.QueryTimeout(
                    f"La requête a dépassé la durée maximale de {timeout:g} s et a été arrêtée. "
                    "Restreignez-la (motifs plus précis, LIMIT) ou téléchargez les fichiers complets."
                )
            reply = worker.conn.recv()
            healthy = True
        except (EOFError, BrokenPipeError, ConnectionResetError):
            raise errors.ServiceError("Le processus de requête s'est arrêté ; la requête a été abandonnée.") from None
        finally:
            if healthy:
                self._release(worker)
            else:
                self._retire(worker)
                self._release(self._spawn())
        if reply[0] == "ok":
            return reply[1]
        _, name, message = reply
        raise getattr(errors, name, errors.ServiceError)(message)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all)

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


if __name__ == "__main__":
    _worker_main(Connection(int(sys.argv[1])))
