"""Fixtures of the procedures tests: a Portal with a blob directory, the wallet, a real HTTP
receiver."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.http_receiver import HttpReceiver
from msp_portal.adapters.smtp import SmtpMailer
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.domain.contact import Civility, ContactDetails
from msp_portal.portal import Portal
from msp_portal.settings import OrganisationEndpoint, PortalSettings, ProcedureSettings
from msp_portal.testing import FakeCaptcha, FakeClock
from tests.portal.helpers import PASSWORD, CountingHasher
from tests.portal.procedures.support import SECRET, Receiver, Wallet, start_receiver

ORGS = ("caf", "ameli", "cnav", "msa", "impots", "cdc-retraites", "cesu", "pajemploi", "etat-civil")
PARTNER_KEY = "cle-partenaire-de-test"


@pytest.fixture(scope="session")
def _receiver() -> Iterator[Receiver]:
    receiver = start_receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver(_receiver: Receiver) -> Receiver:
    with _receiver.lock:
        _receiver.script.clear()
        _receiver.requests.clear()
        _receiver.stored.clear()
    return _receiver


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def wallet(portal: Portal) -> Wallet:
    return Wallet(portal)


def procedure_settings(receiver_url: str, **changes: object) -> PortalSettings:
    endpoints = {
        code: OrganisationEndpoint(f"{receiver_url}/depot/{code}?v=1", SECRET) for code in ORGS
    }
    digest = hashlib.sha256(PARTNER_KEY.encode()).hexdigest()
    procs = replace(
        ProcedureSettings(endpoints=MappingProxyType(endpoints), delivery_timeout=0.5),
        delivery_lease=ProcedureSettings().delivery_lease,
        merge_isolated=False,
        **changes,  # type: ignore[arg-type]
    )
    return PortalSettings(
        partner_keys=MappingProxyType(dict.fromkeys(ORGS, digest)), procedures=procs
    )


@pytest.fixture
def portal(
    store: SqlStore,
    clock: FakeClock,
    mailer: SmtpMailer,
    hasher: CountingHasher,
    blobs: LocalBlobStore,
    receiver: Receiver,
) -> Iterator[Portal]:
    http = HttpReceiver(timeout=0.5)
    made = Portal(
        store,
        mailer,
        FakeCaptcha("ok"),
        clock=clock,
        hasher=hasher,
        settings=procedure_settings(receiver.url),
        blobs=blobs,
        receiver=http,
    )
    made.pctx = replace(made.pctx, jitter=lambda: 0.5)  # waits of 3/4 of each ceiling
    yield made
    http.close()


@pytest.fixture
def session(portal: Portal) -> str:
    """A signed-in account 'jdupont' with contact details; returns the session token."""
    portal.create_account("jdupont", "jean.dupont@example.org", PASSWORD)
    signed = portal.sign_in("jdupont", PASSWORD)
    token = signed.token  # type: ignore[union-attr]
    portal.update_contact_details(
        token,
        ContactDetails(
            civility=Civility.MONSIEUR,
            family_name="Dupont",
            given_names="Jean Élie",
            address_line1="3 rue de l'Église",
            postcode="75014",
            city="Paris",
            country="France",
        ),
    )
    return token


def account_id(portal: Portal, identifier: str = "jdupont") -> int:
    record = portal.ctx.store.account_by_identifier(identifier)
    assert record is not None
    return record.id


def sign_in(portal: Portal, identifier: str = "jdupont") -> str:
    """A new session for ``identifier`` (after the clock moved past the old one's life)."""
    signed = portal.sign_in(identifier, PASSWORD)
    return signed.token  # type: ignore[union-attr]
