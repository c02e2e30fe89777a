"""Transactions for the SQL adapters other than SqlStore: the same rules, shared."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from msp_portal.errors import StorageError


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """One write transaction (``BEGIN IMMEDIATE`` on SQLite); database errors -> StorageError."""
    try:
        with engine.begin() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StorageError(str(exc), reason=type(exc).__name__) from exc


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction (a plain ``BEGIN`` on SQLite); errors -> StorageError."""
    try:
        with engine.connect() as conn:
            conn.execution_options(msp_read_only=True)
            with conn.begin():
                yield conn
    except SQLAlchemyError as exc:
        raise StorageError(str(exc), reason=type(exc).__name__) from exc
