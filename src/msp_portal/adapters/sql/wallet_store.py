"""SqlWalletStore: wallet documents' metadata in SQL; each method is one transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, func, select, update

from msp_portal.adapters.sql import _tx
from msp_portal.adapters.sql.blob_index import add_reference, remove_references
from msp_portal.adapters.sql.schema import accounts, blob_refs, wallet_documents
from msp_portal.domain.wallet import (
    Category,
    MergeSummary,
    WalletDocument,
    WalletQuota,
    WalletUsage,
    check_quota,
)
from msp_portal.errors import DocumentNotFound

__all__ = ["WALLET_DOCUMENT", "SqlWalletStore"]

WALLET_DOCUMENT = "wallet-document"
"""``holder_kind`` of the blob references of wallet documents (``holder_id``: the document id)."""


def _document(row: Row[Any]) -> WalletDocument:
    return WalletDocument(
        id=row.id,
        title=row.title,
        category=Category(row.category),
        sha256=row.sha256,
        size=int(row.size),
        pages=int(row.pages),
        created_at=row.created_at,
        updated_at=row.updated_at,
        summary=MergeSummary.from_dict(json.loads(row.summary)),
    )


def _usage(conn: Connection, account_id: int) -> WalletUsage:
    row = conn.execute(
        select(
            func.count(wallet_documents.c.id),
            func.coalesce(func.sum(wallet_documents.c.size), 0),
        ).where(wallet_documents.c.account_id == account_id)
    ).one()
    return WalletUsage(documents=int(row[0]), bytes=int(row[1]))


class SqlWalletStore:
    """The :class:`msp_portal.ports.WalletStore` on the portal's SQL database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def usage(self, account_id: int) -> WalletUsage:
        """Documents and bytes the account's wallet holds."""
        with _tx.read(self.engine) as conn:
            return _usage(conn, account_id)

    def add_document(self, account_id: int, document: WalletDocument, quota: WalletQuota) -> None:
        """Insert the document and its blob reference, within the quota, in one transaction."""
        with _tx.write(self.engine) as conn:
            # The account row lock (PostgreSQL; SQLite's write lock is already held) makes the
            # check and the insert one step for parallel additions to the same wallet.
            live = conn.execute(
                select(accounts.c.id)
                .where(accounts.c.id == account_id, accounts.c.deleted_at.is_(None))
                .with_for_update()
            ).first()
            if live is None:
                raise DocumentNotFound("account deleted")
            check_quota(_usage(conn, account_id), document.size, quota)
            conn.execute(
                wallet_documents.insert().values(
                    id=document.id,
                    account_id=account_id,
                    title=document.title,
                    category=document.category.value,
                    sha256=document.sha256,
                    size=document.size,
                    pages=document.pages,
                    summary=json.dumps(document.summary.to_dict(), ensure_ascii=False),
                    created_at=document.created_at,
                    updated_at=document.updated_at,
                )
            )
            add_reference(conn, document.sha256, WALLET_DOCUMENT, document.id, document.created_at)

    def documents(self, account_id: int) -> list[WalletDocument]:
        """The account's documents, newest first."""
        with _tx.read(self.engine) as conn:
            rows = conn.execute(
                select(wallet_documents)
                .where(wallet_documents.c.account_id == account_id)
                .order_by(wallet_documents.c.created_at.desc(), wallet_documents.c.id)
            ).all()
        return [_document(r) for r in rows]

    def document(self, account_id: int, document_id: str) -> WalletDocument | None:
        """One of the account's documents, or None."""
        with _tx.read(self.engine) as conn:
            row = conn.execute(
                select(wallet_documents).where(
                    wallet_documents.c.id == document_id,
                    wallet_documents.c.account_id == account_id,
                )
            ).first()
        return None if row is None else _document(row)

    def update_document(
        self,
        account_id: int,
        document_id: str,
        *,
        now: datetime,
        title: str | None = None,
        category: Category | None = None,
    ) -> WalletDocument | None:
        """Change the title and/or the category; None when the document is not found."""
        values: dict[str, Any] = {"updated_at": now}
        if title is not None:
            values["title"] = title
        if category is not None:
            values["category"] = category.value
        with _tx.write(self.engine) as conn:
            row = conn.execute(
                update(wallet_documents)
                .where(
                    wallet_documents.c.id == document_id,
                    wallet_documents.c.account_id == account_id,
                )
                .values(**values)
                .returning(*wallet_documents.c)
            ).first()
        return None if row is None else _document(row)

    def delete_document(self, account_id: int, document_id: str) -> WalletDocument | None:
        """Delete a document and its blob reference; the blob goes at the next collection."""
        with _tx.write(self.engine) as conn:
            row = conn.execute(
                delete(wallet_documents)
                .where(
                    wallet_documents.c.id == document_id,
                    wallet_documents.c.account_id == account_id,
                )
                .returning(*wallet_documents.c)
            ).first()
            if row is None:
                return None
            remove_references(conn, WALLET_DOCUMENT, document_id)
        return _document(row)

    def _delete_where(self, conn: Connection, condition: Any) -> int:
        ids = conn.execute(select(wallet_documents.c.id).where(condition)).scalars().all()
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            conn.execute(
                delete(blob_refs).where(
                    blob_refs.c.holder_kind == WALLET_DOCUMENT, blob_refs.c.holder_id.in_(batch)
                )
            )
            conn.execute(delete(wallet_documents).where(wallet_documents.c.id.in_(batch)))
        return len(ids)

    def delete_account_documents(self, account_id: int) -> int:
        """Delete every document of an account; returns how many."""
        with _tx.write(self.engine) as conn:
            return self._delete_where(conn, wallet_documents.c.account_id == account_id)

    def purge_deleted_accounts(self) -> int:
        """Delete the documents of accounts that were deleted; returns how many."""
        deleted = select(accounts.c.id).where(accounts.c.deleted_at.is_not(None))
        with _tx.write(self.engine) as conn:
            return self._delete_where(conn, wallet_documents.c.account_id.in_(deleted))
