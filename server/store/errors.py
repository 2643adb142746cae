"""The one error type of the query engines: a query that will not or could not be answered."""

from __future__ import annotations


class QueryError(Exception):
    """A query the engine will not or could not answer; `status` is the HTTP status to send, and
    `line`/`column` (1-based, in the query as the user wrote it) say where, when known.
    `retry_after` (seconds) is set on a 503 that a retry may well cure."""

    def __init__(self, status: int, message: str, *, line: int | None = None, column: int | None = None,
                 retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.line = line
        self.column = column
        self.retry_after = retry_after

    def __reduce__(self):  # crosses the pipe from a query process intact
        return (_rebuild, (self.status, self.message, self.line, self.column, self.retry_after))


def _rebuild(status, message, line, column, retry_after) -> QueryError:
    return QueryError(status, message, line=line, column=column, retry_after=retry_after)
