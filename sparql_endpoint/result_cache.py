"""A per-build cache of ``/sparql`` results.

A build's store never changes once it is swapped in, so the answer to a query is a function of (build id,
query, dataset parameters, negotiated media types, row cap): caching it is exact. The cache is a bounded
LRU, sized in bytes of result bodies (``IAT_SPARQL_CACHE_MB``; 0 turns it off). Only successful, complete
answers are stored: errors, timeouts and refusals raise before anything is put, and this service never
truncates a result (past the cap it answers 400). An entry is stored under the build id of the store
that computed it (``QueryOutput.build_id``, set by the embedded store), so a result computed on a newer
build is never filed under an older one; a remote store's answers carry no build id and are not cached
(its data may change without a new local build).

The query text in the key is normalised (comments dropped, runs of blanks outside strings and IRIs made
one) only where that is exact; when the lexical reading could be ambiguous the text is used as sent.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from sparql_endpoint.execute import QueryJob, QueryOutput
from sparql_endpoint.store import Store

# The terminals of the SPARQL grammar that may hold blanks or '#': strings and IRIREF (whose class is
# exactly the grammar's: no <>"{}|^`\ and no character up to U+0020), comments, and SPARQL's four blanks.
_TOKENS = re.compile(
    r'"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*"
    r"|[ \t\r\n]+",
    re.DOTALL,
)
_BLANKS = " \t\r\n"


def normalise_query(text: str) -> str:
    """The query with comments removed and each run of blanks between tokens made one blank (a line
    break if the run held one, so that the end of a comment stays where it was).

    Only changes the text where the change cannot alter the query. It returns the text merely stripped
    when a lexical reading is not certain: ``\\u`` escapes (SPARQL decodes them before parsing, so they
    may open strings), long strings (which may span lines), or an IRI-like token holding a quote (a
    ``<`` that is really "less than" could then hide the start of a string)."""
    stripped = text.strip(_BLANKS)
    if "\\u" in text or "\\U" in text or '"""' in text or "'''" in text:
        return stripped
    out: list[str] = []
    gap: str | None = None  # the blank that replaces the current run of blanks and comments

    def emit(piece: str) -> None:
        nonlocal gap
        if gap is not None and out:  # no blank before the first token (leading comments)
            out.append(gap)
        gap = None
        out.append(piece)

    position = 0
    for match in _TOKENS.finditer(stripped):
        start, token = match.start(), match.group(0)
        if start > position:  # plain query text between tokens (names, keywords, punctuation)
            emit(stripped[position:start])
        first = token[0]
        if first == "#" or first in _BLANKS:
            line_break = "\n" in token or "\r" in token
            gap = "\n" if line_break or gap == "\n" else " "
        elif first == "<" and "'" in token:
            return stripped
        else:
            emit(token)
        position = match.end()
    if position < len(stripped):
        emit(stripped[position:])
    return "".join(out)


CacheKey = tuple[object, ...]


def cache_key(build_id: str, job: QueryJob) -> CacheKey:
    return (build_id, normalise_query(job.query), job.default_graphs, job.named_graphs, job.result_type,
            job.graph_type, job.limit, job.prefixes, job.base_iri)


class ResultCache:
    """LRU of serialised results, bounded by the total size of their bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self.max_entry = self.max_bytes // 8  # one large result may not evict most of the others
        self._entries: OrderedDict[CacheKey, QueryOutput] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._running: dict[CacheKey, threading.Event] = {}  # keys being computed, set when done

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size(self) -> int:
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _cost(key: CacheKey, output: QueryOutput) -> int:
        return len(output.body) + len(key[1]) + 256  # body, query text, bookkeeping (a rough bound)

    def get(self, key: CacheKey) -> QueryOutput | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: CacheKey, output: QueryOutput) -> bool:
        cost = self._cost(key, output)
        if not self.enabled or cost > self.max_entry:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= self._cost(key, old)
            self._entries[key] = output
            self._size += cost
            while self._size > self.max_bytes:
                old_key, old_output = self._entries.popitem(last=False)
                self._size -= self._cost(old_key, old_output)
        return True

    def claim(self, key: CacheKey) -> tuple[bool, threading.Event]:
        """(True, event) for the first request of ``key`` not in the cache, which must compute it and
        call ``release``; (False, event) for the others, which may wait for the event, then look again."""
        with self._lock:
            event = self._running.get(key)
            if event is not None:
                return False, event
            event = self._running[key] = threading.Event()
            return True, event

    def release(self, key: CacheKey, event: threading.Event) -> None:
        with self._lock:
            if self._running.get(key) is event:
                del self._running[key]
        event.set()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


def execute_cached(store: Store, cache: ResultCache, job: QueryJob, refresh: bool = False,
                   wait: float = 20.0) -> tuple[QueryOutput, bool]:
    """Run ``job`` on ``store`` through ``cache``: (output, True if it came from the cache).

    Identical requests that arrive while the first one is computed wait for it (at most ``wait``
    seconds) and are served its result from the cache, instead of each taking a query worker; if that
    computation fails (an error is never cached), each runs the query itself. ``refresh`` (the client
    sent ``Cache-Control: no-cache``) skips the lookup; the fresh result is stored. Blocking: call it
    from a worker thread."""
    build = store.build() if cache.enabled else None
    key = cache_key(build.build_id, job) if build is not None else None
    if key is None or build is None:
        return store.execute(job), False
    if not refresh:
        found = cache.get(key)
        if found is not None:
            return found, True
        first, event = cache.claim(key)
        if not first:
            event.wait(wait)
            found = cache.get(key)
            if found is not None:
                return found, True
            return _execute_and_store(store, cache, job, key, build.build_id), False
        try:
            return _execute_and_store(store, cache, job, key, build.build_id), False
        finally:
            cache.release(key, event)
    return _execute_and_store(store, cache, job, key, build.build_id), False


def _execute_and_store(store: Store, cache: ResultCache, job: QueryJob, key: CacheKey, build_id: str) -> QueryOutput:
    output = store.execute(job)
    if output.build_id == build_id:  # computed on the build of the key: exact
        cache.put(key, output)
    return output
