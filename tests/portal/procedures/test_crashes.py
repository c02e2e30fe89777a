"""A process killed (SIGKILL) at chosen points of a transmission, a save or a delivery leaves
nothing half-written, and the citizen can try again ("erreur sérieuse", P9): no duplicate
dossier, reference, delivery or email."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from msp_portal import Portal
from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.http_receiver import HttpReceiver
from msp_portal.adapters.sql.procedure_store import SqlProcedureStore
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.adapters.summary_pdf import FpdfSummaryRenderer
from msp_portal.domain.emails import Email
from msp_portal.domain.lifecycle import DossierState
from msp_portal.ports import BlobRef, Transmission
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from tests.portal.helpers import CountingHasher, SmtpServer, StoreSpec
from tests.portal.procedures.conftest import procedure_settings
from tests.portal.procedures.support import Receiver, Wallet
from tests.portal.procedures.test_delivery import ADDRESS, address_answers
from tests.portal.procedures.test_flow import BIRTH, birth_answers
from tests.portal.procedures.workers import die

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


class _DyingBlobs(LocalBlobStore):
    def __init__(self, root: Path, die_after_put: int) -> None:
        super().__init__(root)
        self.puts, self.limit = 0, die_after_put

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        ref = super().put(chunks)
        self.puts += 1
        if self.puts == self.limit:
            die()
        return ref


class _DyingRenderer(FpdfSummaryRenderer):
    def render(self, summary: Any, *, created_at: Any) -> bytes:
        die()
        raise AssertionError


class _DyingMailer(MemoryMailer):
    def send(self, email: Email) -> None:
        die()


class _DyingAfterCommit(SqlProcedureStore):
    def commit_transmission(self, pk: int, s: str, e: Any, t: Transmission) -> bool:
        super().commit_transmission(pk, s, e, t)
        die()
        raise AssertionError


def _child(run: Callable[[], None]) -> None:
    """Run ``run`` in a forked child and check that it was killed by SIGKILL."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            run()
        except BaseException:
            import traceback

            traceback.print_exc()
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status


def _child_portal(
    spec: StoreSpec, clock: FakeClock, blobs: LocalBlobStore, receiver_url: str, **kw: Any
) -> Portal:
    store = spec.open(migrate=False)
    return Portal(
        store,
        kw.pop("mailer", MemoryMailer()),
        FakeCaptcha(),
        clock=clock,
        hasher=CountingHasher(),
        settings=procedure_settings(receiver_url),
        blobs=blobs,
        receiver=kw.pop("receiver", HttpReceiver(timeout=0.5)),
        **kw,
    )


def _counts(store: SqlStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in (
                "procedure_dossiers",
                "procedure_deliveries",
                "procedure_emails",
                "procedure_attachments",
            )
        }


POINTS = ["render", "summary-blob", "dossier-blob", "commit", "after-commit", "mail"]


@pytest.mark.parametrize("point", POINTS)
def test_transmit_killed_at_any_point_can_be_tried_again(
    point: str,
    portal: Portal,
    session: str,
    store: SqlStore,
    store_spec: StoreSpec,
    clock: FakeClock,
    tmp_path: Path,
    wallet: Wallet,
    blobs: LocalBlobStore,
    receiver: Receiver,
    smtp: SmtpServer,
) -> None:
    blobs_dir = blobs.root
    durable = blobs
    doc = wallet.add(session, "Justificatif", "family")
    dossier = portal.start_procedure(session, BIRTH)
    portal.update_answers(session, dossier.dossier_id, birth_answers())
    portal.attach_document(session, dossier.dossier_id, "proof", doc)

    def run() -> None:
        kw: dict[str, Any] = {}
        blobs: LocalBlobStore = durable
        if point == "render":
            kw["renderer"] = _DyingRenderer()
        elif point == "summary-blob":
            blobs = _DyingBlobs(blobs_dir, 1)
        elif point == "dossier-blob":
            blobs = _DyingBlobs(blobs_dir, 2)
        elif point == "mail":
            kw["mailer"] = _DyingMailer()
        child = _child_portal(store_spec, clock, blobs, receiver.url, **kw)
        if point == "commit":
            event.listen(child.ctx.store.engine, "commit", lambda conn: die())
        if point == "after-commit":
            child.pctx = type(child.pctx)(
                **{**child.pctx.__dict__, "store": _DyingAfterCommit(child.ctx.store.engine)}
            )
        child.transmit_procedure(session, dossier.dossier_id)

    before = _counts(store)
    _child(run)
    after = _counts(store)
    committed = point in ("after-commit", "mail")
    state = portal.view_dossier(session, dossier.dossier_id).state
    if committed:
        assert state is DossierState.TRANSMITTED
        assert after["procedure_deliveries"] == 1 and after["procedure_emails"] == 1
    else:  # nothing happened, as far as the citizen and the organisations can tell
        assert state is DossierState.IN_PROGRESS
        assert after == before

    # The citizen tries again: one dossier, one reference, one delivery each, one email.
    receipt = portal.transmit_procedure(session, dossier.dossier_id)
    assert portal.transmit_procedure(session, dossier.dossier_id) == receipt
    final = _counts(store)
    assert final["procedure_dossiers"] == 1 and final["procedure_attachments"] == 1
    assert final["procedure_deliveries"] == 1 and final["procedure_emails"] == 1
    with store.engine.connect() as conn:
        references = (
            conn.execute(
                text("SELECT reference FROM procedure_dossiers WHERE reference IS NOT NULL")
            )
            .scalars()
            .all()
        )
        unsent = conn.execute(
            text("SELECT count(*) FROM procedure_emails WHERE sent_at IS NULL")
        ).scalar_one()
    assert references == [receipt.reference] and unsent == 0
    mails = [m for m in smtp.messages() if receipt.reference in str(m["Subject"])]
    assert len(mails) == 1
    assert portal.deliver_pending().delivered == 1
    assert [r.payload["organisation"] for r in receiver.requests] == ["etat-civil"]
    # What was sent is held: the summary and the dossier PDF are referenced by the dossier.
    with store.engine.connect() as conn:
        held = conn.execute(
            text("SELECT count(*) FROM blob_refs WHERE holder_kind = 'procedure-dossier'")
        ).scalar_one()
    assert held == 3  # the attachment, the summary, the dossier PDF


def test_a_worker_killed_while_sending_is_taken_over_with_the_same_key(
    portal: Portal,
    session: str,
    store_spec: StoreSpec,
    clock: FakeClock,
    blobs: LocalBlobStore,
    receiver: Receiver,
) -> None:
    durable = blobs
    dossier = portal.start_procedure(session, ADDRESS)
    portal.update_answers(session, dossier.dossier_id, address_answers("caf"))
    reference = portal.transmit_procedure(session, dossier.dossier_id).reference

    class DyingAfterPost(HttpReceiver):
        def post(self, url: str, body: bytes, headers: Any) -> int | None:
            super().post(url, body, headers)  # the organisation got it...
            die()  # ... and the worker died before recording it
            return None

    def run() -> None:
        child = _child_portal(store_spec, clock, durable, receiver.url, receiver=DyingAfterPost())
        child.deliver_pending()

    _child(run)
    assert portal.deliver_pending().attempted == 0  # held by the dead worker's lease
    clock.advance(portal.pctx.settings.delivery_lease)
    assert portal.deliver_pending().delivered == 1
    keys = [r.headers["Idempotency-Key"] for r in receiver.requests]
    assert keys == [f"{reference}/caf"] * 2 and len(receiver.stored) == 1


def test_save_killed_before_its_commit_leaves_the_dossier_in_progress(
    portal: Portal,
    session: str,
    store_spec: StoreSpec,
    clock: FakeClock,
    tmp_path: Path,
    receiver: Receiver,
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    portal.update_answers(session, dossier.dossier_id, address_answers("caf"))

    def run() -> None:
        child = _child_portal(store_spec, clock, LocalBlobStore(tmp_path / "b"), receiver.url)
        event.listen(child.ctx.store.engine, "commit", lambda conn: die())
        child.save_procedure(session, dossier.dossier_id)

    _child(run)
    again = portal.view_dossier(session, dossier.dossier_id)
    assert again.state is DossierState.IN_PROGRESS and again.file_number is None
    draft = portal.save_procedure(session, dossier.dossier_id)
    assert portal.view_dossier(session, dossier.dossier_id).file_number == draft.file_number
