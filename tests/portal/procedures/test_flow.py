"""The whole path of a procedure on SQLite and PostgreSQL: start, answer, save, resume,
transmit, deliver over HTTP, statuses reported by the organisation, Mon suivi."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest

from msp_portal import Portal
from msp_portal.domain.lifecycle import DeliveryState, DossierState, OrganisationStatus
from msp_portal.domain.references import parse_reference
from msp_portal.errors import (
    AnswersIncomplete,
    DossierFrozen,
    DossierLocked,
    IllegalTransition,
    ResumeCredentialsInvalid,
)
from msp_portal.testing import FakeClock
from tests.portal.helpers import SmtpServer, body
from tests.portal.procedures.conftest import PARTNER_KEY, sign_in
from tests.portal.procedures.support import Receiver, Wallet

BIRTH = "acte-naissance"


def birth_answers() -> dict[str, object]:
    return {
        "fields": {
            "requester_quality": "self",
            "document": "full-copy",
            "copies": "1",
            "family_name": "Dupont",
            "given_names": "Jean Élie",
            "birth_date": "14/07/1980",
            "birth_commune": "Saint-Étienne",
            "birth_postcode": "42000",
            "father_name": "Dupont Œdipe",
            "mother_name": "Lefèvre Zoé",
            "purpose": "other",
            "purpose_other": "Dossier de retraite (frais 12 €)",
            "requester_family_name": "Dupont",
            "requester_given_names": "Jean Élie",
            "delivery_address": {
                "line1": "3 rue de l'Église",
                "line2": "",
                "postcode": "75014",
                "city": "Paris",
                "country": "France",
            },
            "email": "jean.dupont@example.org",
        }
    }


def test_start_prefills_from_the_profile(portal: Portal, session: str) -> None:
    dossier = portal.start_procedure(session, BIRTH)
    fields = dossier.answers["fields"]
    assert fields["family_name"] == "Dupont"
    assert fields["given_names"] == "Jean Élie"
    assert fields["email"] == "jean.dupont@example.org"
    assert fields["delivery_address"]["city"] == "Paris"
    assert "birth_date" not in fields  # the profile has none
    assert dossier.state is DossierState.IN_PROGRESS


def test_save_resume_transmit_deliver_report(
    portal: Portal,
    session: str,
    clock: FakeClock,
    smtp: SmtpServer,
    wallet: Wallet,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    dossier = portal.start_procedure(session, BIRTH)
    answers = birth_answers()
    portal.update_answers(session, dossier.dossier_id, answers)
    doc = wallet.add(session, "Livret de famille – 1980", "family", pages=2)
    portal.attach_document(session, dossier.dossier_id, "proof", doc)
    doc_sha = portal.document(session, doc).sha256

    draft = portal.save_procedure(session, dossier.dossier_id)
    assert draft.email_sent and draft.password
    [mail] = smtp.messages()
    text = body(mail)
    assert draft.file_number in text and draft.password in text and draft.resume_link in text
    assert "n'a pas encore été transmis" in text
    assert draft.expires_at == dossier.created_at + timedelta(days=15)  # no DST change in January
    [entry] = portal.my_tracking(session).entries
    assert entry.state is DossierState.SAVED and entry.resume_link == draft.resume_link

    clock.advance(timedelta(days=3))
    session = sign_in(portal)  # the old session ended long ago
    with pytest.raises(ResumeCredentialsInvalid):
        portal.resume_procedure(
            session, dossier.dossier_id, file_number=draft.file_number, password="faux"
        )
    resumed = portal.resume_procedure(
        session,
        dossier.dossier_id,
        file_number=draft.file_number.lower().replace("-", " "),
        password=draft.password.lower(),
    )
    assert resumed.answers == answers | {"organisations": {}}  # exactly what was saved
    assert [a.document_id for a in resumed.attachments] == [doc]

    smtp.clear()
    receipt = portal.transmit_procedure(session, dossier.dossier_id)
    assert parse_reference(receipt.reference) == receipt.reference
    assert receipt.reference.startswith("A-1-")
    assert receipt.organisations == (
        ("etat-civil", "Service de l'état civil de la commune de naissance"),
    )
    [mail] = smtp.messages()
    assert receipt.reference in body(mail) and "ni annulé ni modifié" in body(mail)

    # The dossier PDF: the summary, then the attachment; every answer, in French, accents kept.
    pdf_bytes = b"".join(portal.dossier_pdf(session, dossier.dossier_id))
    assert hashlib.sha256(pdf_bytes).hexdigest() == receipt.dossier_sha256
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    attachment_pages = 2
    assert len(reader.pages) >= 1 + attachment_pages
    path = tmp_path / "dossier.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        receipt.reference,
        "Saint-Étienne",
        "Dupont Œdipe",
        "Lefèvre Zoé",
        "12 €",
        "14/07/1980",
        "le 09/01/2025 à 10:00 (heure de Paris)",
        "Service de l'état civil de la commune de naissance",
        "Livret de famille – 1980",
        doc_sha[:40],
    ):
        assert expected in text.replace("\n", " ") or expected in text, expected
    summary = b"".join(portal.dossier_pdf(session, dossier.dossier_id, summary_only=True))
    fonts = subprocess.run(["pdffonts", "-"], input=summary, capture_output=True, check=False)
    assert len(pypdf.PdfReader(io.BytesIO(summary)).pages) >= 1
    page_size = pypdf.PdfReader(io.BytesIO(summary)).pages[0].mediabox
    assert (round(float(page_size.width)), round(float(page_size.height))) == (595, 842)  # A4
    del fonts

    # Transmitted: frozen, and transmitting again gives the same receipt.
    with pytest.raises(DossierFrozen):
        portal.update_answers(session, dossier.dossier_id, answers)
    with pytest.raises(DossierFrozen):
        portal.abandon_procedure(session, dossier.dossier_id)
    assert portal.transmit_procedure(session, dossier.dossier_id) == receipt

    # Delivery: one signed request, received once.
    run = portal.deliver_pending()
    assert (run.attempted, run.delivered) == (1, 1)
    [request] = receiver.requests
    assert request.signature_ok and request.path == "/depot/etat-civil?v=1"
    assert request.headers["Idempotency-Key"] == f"{receipt.reference}/etat-civil"
    payload = request.payload
    assert payload["reference"] == receipt.reference
    assert payload["answers"]["fields"] == answers["fields"]
    assert payload["document"]["sha256"] == receipt.dossier_sha256
    assert portal.deliver_pending().attempted == 0

    [entry] = portal.my_tracking(session).entries
    [delivery] = entry.deliveries
    assert entry.state is DossierState.TRANSMITTED and entry.reference == receipt.reference
    assert delivery.state is DeliveryState.DELIVERED and delivery.status is None

    # The organisation reports; the citizen sees it.
    spoken = receipt.reference.lower().replace("-", " ")
    portal.report_status("etat-civil", PARTNER_KEY, spoken, "received", "Bien reçu.")
    portal.report_status("etat-civil", PARTNER_KEY, receipt.reference, "accepted", "Acte envoyé.")
    with pytest.raises(IllegalTransition):
        portal.report_status("etat-civil", PARTNER_KEY, receipt.reference, "in-progress")
    [entry] = portal.my_tracking(session).entries
    assert entry.deliveries[0].status is OrganisationStatus.ACCEPTED
    assert entry.deliveries[0].status_message == "Acte envoyé."


def test_transmission_needs_every_required_answer(portal: Portal, session: str) -> None:
    dossier = portal.start_procedure(session, BIRTH)
    with pytest.raises(AnswersIncomplete) as info:
        portal.transmit_procedure(session, dossier.dossier_id)
    paths = dict(info.value.problems)
    assert paths["fields.birth_date"] == "required"
    assert paths["fields.purpose"] == "required"
    answers = birth_answers()
    answers["fields"]["birth_date"] = "31/02/1980"  # type: ignore[index]
    portal.update_answers(session, dossier.dossier_id, answers)
    with pytest.raises(AnswersIncomplete) as info:
        portal.transmit_procedure(session, dossier.dossier_id)
    assert info.value.problems == (("fields.birth_date", "date-impossible"),)
    assert portal.view_dossier(session, dossier.dossier_id).state is DossierState.IN_PROGRESS


def test_wrong_resume_credentials_lock_the_draft(
    portal: Portal, session: str, clock: FakeClock
) -> None:
    dossier = portal.start_procedure(session, BIRTH)
    draft = portal.save_procedure(session, dossier.dossier_id)
    for _ in range(4):
        with pytest.raises(ResumeCredentialsInvalid):
            portal.resume_procedure(
                session,
                dossier.dossier_id,
                file_number=draft.file_number,
                password="XXXX-XXXX-XXXX",
            )
    with pytest.raises(DossierLocked) as info:
        portal.resume_procedure(
            session, dossier.dossier_id, file_number="2222-2222-2", password=draft.password
        )
    assert info.value.facts["until"] == clock() + timedelta(hours=2)
    with pytest.raises(DossierLocked):  # even the right ones, while locked
        portal.resume_procedure(
            session, dossier.dossier_id, file_number=draft.file_number, password=draft.password
        )
    clock.advance(timedelta(hours=2))
    session = sign_in(portal)
    resumed = portal.resume_procedure(
        session, dossier.dossier_id, file_number=draft.file_number, password=draft.password
    )
    assert resumed.state is DossierState.IN_PROGRESS


def test_email_text_names_what_the_faq_says(portal: Portal, session: str, smtp: SmtpServer) -> None:
    dossier = portal.start_procedure(session, BIRTH)
    draft = portal.save_procedure(session, dossier.dossier_id)
    text = body(smtp.messages()[0])
    assert re.search(r"valable 15 jours, jusqu'au 21/01/2025 à 10:00 \(heure de Paris\)", text), (
        text
    )
    assert draft.expires_at.isoformat() == "2025-01-21T09:00:00+00:00"


def test_the_summary_embeds_its_fonts_and_renders_accents(
    portal: Portal, session: str, tmp_path: Path
) -> None:
    from PIL import Image

    dossier = portal.start_procedure(session, BIRTH)
    answers = birth_answers()
    answers["fields"]["birth_commune"] = "Œuilly-sur-Aisne – Cœur €"  # type: ignore[index]
    portal.update_answers(session, dossier.dossier_id, answers)
    portal.transmit_procedure(session, dossier.dossier_id)
    path = tmp_path / "summary.pdf"
    path.write_bytes(b"".join(portal.dossier_pdf(session, dossier.dossier_id, summary_only=True)))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    assert rows and all("DejaVu" in r[0] and r[-5:-2] == ["yes", "yes", "yes"] for r in rows), rows
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert "Œuilly-sur-Aisne – Cœur €" in text.stdout
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")],
        check=True,
    )
    [png] = tmp_path.glob("p*.png")
    with Image.open(png) as image:
        grey = image.convert("L")
        width, height = grey.size
        dark = sum(grey.histogram()[:128])
    assert abs(width / height - 210 / 297) < 0.01  # A4 portrait
    assert dark > 0.01 * width * height  # text was drawn
