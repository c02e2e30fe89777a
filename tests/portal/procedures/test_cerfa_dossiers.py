"""CERFA forms sent online as dossiers (F1-F4) on the real forms of ../shared/cerfa.

End to end on SQLite and PostgreSQL, a real SMTP server and a real HTTP receiver: prefill from
the profile, typed values overriding it, refused values naming their field, save and resume,
"Transmettre ma demande" with an A-2 reference, the flattened form in the dossier PDF (read
back with pdftotext and pypdf), delivery to the form's organisation, Mon suivi, immutability,
and no active content from a form file reaching a citizen or an organisation.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from msp_docs.cerfa import Catalogue
from msp_portal import Portal
from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.http_receiver import HttpReceiver
from msp_portal.adapters.smtp import SmtpMailer
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.domain.lifecycle import DeliveryState, DossierState, OrganisationStatus
from msp_portal.domain.procedure_types import ProcedureType
from msp_portal.domain.references import parse_reference
from msp_portal.errors import (
    AnswersIncomplete,
    AnswersMalformed,
    AttachmentRefused,
    DossierFrozen,
    FormValuesInvalid,
    IllegalTransition,
    ProcedureInProgress,
    UnknownProcedure,
)
from msp_portal.services.cerfa import CerfaDesk, CerfaDocuments
from msp_portal.testing import FakeCaptcha, FakeClock
from tests.conftest import CERFA, shared_file
from tests.pdfcheck import active_content
from tests.portal.helpers import SmtpServer, body
from tests.portal.procedures.conftest import PARTNER_KEY, procedure_settings, sign_in
from tests.portal.procedures.support import Receiver

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed"
)

RECEIPT = "11580*05"  # Reçu des dons et versements effectués par les particuliers
VARIANT = "99999*01"  # the same form, built here with a comb field and active content
ACCENTS = "Fondation Œuvre d'Éloïse à Noël"


def _javascript_and_comb(pdf: pikepdf.Pdf) -> None:
    """Active content a hostile or careless form file may carry, and a comb postcode field."""
    script = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.launchURL('https://x.invalid')")
    )
    pdf.Root["/OpenAction"] = pdf.make_indirect(script)
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
    for field in pdf.Root.AcroForm.Fields:
        name = str(field.get("/T"))
        if name == "Nom":
            field["/AA"] = pikepdf.Dictionary(K=script, F=launch)
            field["/A"] = launch
        if name == "a21":
            field["/Ff"] = int(field.get("/Ff", 0)) | (1 << 24)  # comb
            field["/MaxLen"] = 5


@pytest.fixture(scope="module")
def forms_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A forms directory (the real forms, and the variant built from one) and a maps one."""
    real = shared_file(CERFA / "cerfa_11580_05.pdf")
    root = tmp_path_factory.mktemp("cerfa")
    forms, maps = root / "forms", root / "maps"
    forms.mkdir()
    maps.mkdir()
    for source in sorted(CERFA.glob("*.pdf")):
        (forms / source.name).symlink_to(source)
    with pikepdf.open(real) as pdf:
        _javascript_and_comb(pdf)
        pdf.save(forms / "cerfa_99999_01.pdf")
    shipped = Path(__file__).parents[3] / "src/msp_docs/cerfa_forms/11580-05.toml"
    text = shipped.read_text("utf-8")
    text = text.replace('number = "11580*05"', 'number = "99999*01"')
    text = text.replace('file = "cerfa_11580_05.pdf"', 'file = "cerfa_99999_01.pdf"')
    comb = 'name = "a21"\ntype = "comb"\nmax_length = 5'
    text = text.replace('name = "a21"\ntype = "text"', comb)
    text = text.replace('name = "Nom"\n', 'name = "Nom"\nrequired = true\n')
    assert text.count("99999*01") == 1 and "comb" in text and "required = true" in text
    (maps / "99999-01.toml").write_text(text, "utf-8")
    return forms, maps


@pytest.fixture(scope="module")
def catalogue(forms_dirs: tuple[Path, Path]) -> Catalogue:
    forms, maps = forms_dirs
    return Catalogue.load(forms, maps=[maps])


@pytest.fixture
def portal(
    store: SqlStore,
    clock: FakeClock,
    mailer: SmtpMailer,
    hasher: Any,
    blobs: LocalBlobStore,
    receiver: Receiver,
    catalogue: Catalogue,
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
        cerfa=catalogue,
    )
    made.pctx = replace(made.pctx, jitter=lambda: 0.5)
    yield made
    http.close()


@pytest.fixture
def desk(portal: Portal) -> CerfaDesk:
    assert portal.cerfa is not None
    return portal.cerfa


def pdf_text(data: bytes, tmp_path: Path, name: str = "out.pdf", first_page: int = 1) -> str:
    """The text poppler extracts from ``data``, from ``first_page`` on, blanks collapsed."""
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-raw", "-f", str(first_page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(out.split())


def has_acroform(data: bytes) -> bool:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "/AcroForm" in reader.trailer["/Root"] or bool(reader.get_fields())


def test_fill_save_resume_transmit_deliver_track(
    portal: Portal,
    desk: CerfaDesk,
    session: str,
    clock: FakeClock,
    smtp: SmtpServer,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    # Start (P4): prefilled from the profile (F1).
    started = desk.start(session, RECEIPT)
    assert started.dossier.procedure == "cerfa-11580-05"
    assert started.dossier.state is DossierState.IN_PROGRESS
    profile = {
        "Nom": "Dupont", "Prenom": "Jean Élie", "a19": "3", "a20": "rue de l'Église",
        "a21": "75014", "a22": "Paris", "a23": "France",
    }  # fmt: skip
    assert {k: v for k, v in started.values.items() if v is not None} == profile
    assert set(started.prefilled) == set(profile)
    with pytest.raises(ProcedureInProgress) as other:
        desk.start(session, "16216*01")
    assert other.value.facts["dossier"] == started.dossier.dossier_id

    # Typed values: every refused field named, nothing stored.
    dossier_id = started.dossier.dossier_id
    with pytest.raises(FormValuesInvalid) as refused:
        desk.update(session, dossier_id, {"d35": "31/02/2024", "a21": "7501", "a1": "R-12"})
    assert {p.field: p.code for p in refused.value.problems} == {
        "d35": "invalid-field-value",
        "a21": "invalid-field-value",
    }
    [date_problem] = [p for p in refused.value.problems if p.field == "d35"]
    assert date_problem.label.startswith("Date du versement")
    assert "JJ/MM/AAAA" in date_problem.message_fr and date_problem.path == "fields.d35"
    assert desk.dossier(session, dossier_id).values == started.values

    # What the user typed wins over the profile; fields left out keep the profile's value.
    typed = {
        "Prenom": "Zoé", "a1": "R-2025-0042", "a2": ACCENTS, "CAC0": "Musée de France",
        "d35": "05/03/2025", "a27": "150,00", "CAC21": True, "a22": "",
    }  # fmt: skip
    updated = desk.update(session, dossier_id, typed)
    assert updated.values["Prenom"] == "Zoé" and updated.values["Nom"] == "Dupont"
    assert updated.values["CAC0"] == "4"  # the label typed, the PDF's state stored
    assert updated.values["a22"] == ""  # cleared by the user: the profile does not come back
    assert "Prenom" not in updated.prefilled and "Nom" in updated.prefilled
    assert desk.check(session, dossier_id).ok

    # Save (P1-P3) and resume: the values come back exactly.
    draft = desk.save(session, dossier_id)
    assert draft.password and draft.email_sent
    [mail] = smtp.messages()
    assert draft.file_number in body(mail)
    with pytest.raises(IllegalTransition):
        desk.update(session, dossier_id, {"a1": "x"})
    clock.advance(timedelta(days=2))
    session = sign_in(portal)
    resumed = desk.resume(
        session, dossier_id, file_number=draft.file_number, password=draft.password
    )
    assert resumed.values == updated.values

    # Download to print (F1): the flattened form, nothing sent.
    printed = desk.print_copy(session, dossier_id)
    assert not has_acroform(printed.data)
    assert ACCENTS in pdf_text(printed.data, tmp_path, "print.pdf")
    assert portal.deliver_pending().attempted == 0

    # "Transmettre ma demande" (P5, F3, F4).
    smtp.clear()
    receipt = desk.transmit(session, dossier_id)
    assert receipt.reference.startswith("A-2-")
    assert parse_reference(receipt.reference) == receipt.reference
    assert receipt.organisations == (
        ("dgfip", "Direction générale des Finances publiques (DGFiP)"),
    )
    [mail] = smtp.messages()
    assert receipt.reference in body(mail)

    dossier_pdf = b"".join(portal.dossier_pdf(session, dossier_id))
    assert not has_acroform(dossier_pdf)  # the form is flattened: no field left
    assert active_content(dossier_pdf) == []
    reader = pypdf.PdfReader(io.BytesIO(dossier_pdf))
    summary_pages = len(
        pypdf.PdfReader(
            io.BytesIO(b"".join(portal.dossier_pdf(session, dossier_id, summary_only=True)))
        ).pages
    )
    assert len(reader.pages) == summary_pages + len(pypdf.PdfReader(io.BytesIO(printed.data)).pages)
    # The pages after the summary are the form: its values are page text (flattened).
    form_text = pdf_text(dossier_pdf, tmp_path, "dossier.pdf", first_page=summary_pages + 1)
    assert receipt.reference not in form_text
    for expected in (ACCENTS, "R-2025-0042", "Zoé", "Dupont", "150,00", "rue de l'Église"):
        assert expected in form_text, expected
    [bookmark_summary, bookmark_form] = [o.title for o in reader.outline[:2]]  # type: ignore[union-attr]
    assert bookmark_summary == "Récapitulatif" and bookmark_form == "Formulaire cerfa n° 11580*05"
    # The form after the summary is the one the citizen printed (same values, same bytes).
    assert desk.print_copy(session, dossier_id).data == printed.data

    # Immutable (P7).
    with pytest.raises(DossierFrozen):
        desk.update(session, dossier_id, {"a1": "autre"})
    with pytest.raises(DossierFrozen):
        portal.update_answers(session, dossier_id, {"fields": {}})
    with pytest.raises(DossierFrozen):
        portal.abandon_procedure(session, dossier_id)
    assert desk.transmit(session, dossier_id) == receipt

    # Delivered to the form's organisation: the answers and the dossier PDF with the form.
    run = portal.deliver_pending()
    assert (run.attempted, run.delivered) == (1, 1)
    [request] = receiver.requests
    assert request.signature_ok and request.path == "/depot/dgfip?v=1"
    payload = request.payload
    assert payload["reference"] == receipt.reference
    assert payload["procedure"]["id"] == "cerfa-11580-05"
    assert payload["answers"]["fields"]["a2"] == ACCENTS
    assert payload["answers"]["fields"]["prenom"] == "Zoé"
    sent = base64.b64decode(payload["document"]["base64"])
    assert sent == dossier_pdf and not has_acroform(sent) and active_content(sent) == []

    # Mon suivi (F3: MSP says it was sent; the organisation says how far it is).
    [entry] = portal.my_tracking(session).entries
    assert entry.reference == receipt.reference
    assert entry.deliveries[0].state is DeliveryState.DELIVERED
    portal.report_status("dgfip", PARTNER_KEY, receipt.reference, "received", "Reçu.")
    [entry] = portal.my_tracking(session).entries
    assert entry.deliveries[0].status is OrganisationStatus.RECEIVED


def test_comb_and_required_fields(desk: CerfaDesk, session: str) -> None:
    started = desk.start(session, VARIANT)
    dossier_id = started.dossier.dossier_id
    with pytest.raises(FormValuesInvalid) as refused:
        desk.update(session, dossier_id, {"a21": "750140"})
    [problem] = refused.value.problems
    assert (problem.field, problem.code) == ("a21", "value-too-long")
    assert problem.label == "Donateur : code postal"
    desk.update(session, dossier_id, {"Nom": ""})
    check = desk.check(session, dossier_id)
    assert [(p.field, p.code) for p in check.problems] == [("Nom", "required")]
    assert check.problems[0].message_fr == "Ce champ est obligatoire."
    with pytest.raises(AnswersIncomplete) as incomplete:
        desk.transmit(session, dossier_id)
    assert incomplete.value.problems == (("fields.nom", "required"),)


def test_active_content_of_a_form_file_reaches_no_one(
    portal: Portal,
    desk: CerfaDesk,
    session: str,
    receiver: Receiver,
    forms_dirs: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    source = (forms_dirs[0] / "cerfa_99999_01.pdf").read_bytes()
    assert len(active_content(source)) >= 3  # the form file really carries them
    assert active_content(desk.blank(VARIANT, fit_a4=True).data) == []
    filled = desk.fill(session, VARIANT, {"a1": "1"}, flatten=False)
    assert active_content(filled.data) == []
    codes = {n.code for n in filled.report.actions}
    assert {"javascript-removed", "actions-removed"} <= codes

    dossier_id = desk.start(session, VARIANT).dossier.dossier_id
    desk.update(session, dossier_id, {"a2": ACCENTS})
    assert active_content(desk.print_copy(session, dossier_id).data) == []
    desk.transmit(session, dossier_id)
    assert portal.deliver_pending().delivered == 1
    [request] = receiver.requests
    sent = base64.b64decode(request.payload["document"]["base64"])
    assert active_content(sent) == [] and not has_acroform(sent)
    assert ACCENTS in pdf_text(sent, tmp_path)


def test_the_generic_api_keeps_the_form_and_the_answers_together(
    portal: Portal, desk: CerfaDesk, session: str
) -> None:
    dossier_id = desk.start(session, RECEIPT).dossier.dossier_id
    # The map's checks apply on the generic API too (answers keyed by answer ids).
    with pytest.raises(FormValuesInvalid) as refused:
        portal.update_answers(session, dossier_id, {"fields": {"d35": "5/3/2025"}})
    assert [p.field for p in refused.value.problems] == ["d35"]
    with pytest.raises(AnswersMalformed):
        desk.update(session, dossier_id, {"Inconnu": "x"})
    # The main document is made from the answers, never given.
    with pytest.raises(AttachmentRefused) as given:
        portal.set_main_document(session, dossier_id, _ref())
    assert given.value.facts["reason"] == "made-from-answers"
    # A blank form is not sent online.
    with pytest.raises(UnknownProcedure):
        desk.procedure("13750*05")
    types = {t.id: t for t in portal.procedure_types()}
    assert types["cerfa-16216-01"].series.value == 2 and "cerfa-13750-05" not in types


def _ref() -> Any:
    from msp_portal.ports import BlobRef

    return BlobRef("0" * 64, 10)


class _EditWhileFilling:
    """FormDocuments that changes the answers while the form is being filled (a racing edit)."""

    def __init__(self, inner: CerfaDocuments, edit: Any) -> None:
        self.inner, self.edit = inner, edit

    def initial_answers(self, ptype: ProcedureType, contact: Any, email: str) -> dict[str, Any]:
        return self.inner.initial_answers(ptype, contact, email)

    def problems(self, ptype: ProcedureType, answers: Mapping[str, Any]) -> tuple[Any, ...]:
        return self.inner.problems(ptype, answers)

    def render(self, ptype: ProcedureType, answers: Mapping[str, Any]) -> bytes:
        data = self.inner.render(ptype, answers)
        self.edit()
        return data


def test_an_edit_during_transmission_sends_nothing(
    portal: Portal, desk: CerfaDesk, session: str, receiver: Receiver
) -> None:
    dossier_id = desk.start(session, RECEIPT).dossier.dossier_id
    desk.update(session, dossier_id, {"a1": "avant"})
    inner = portal.pctx.forms
    assert isinstance(inner, CerfaDocuments)
    portal.pctx = replace(
        portal.pctx,
        forms=_EditWhileFilling(inner, lambda: desk.update(session, dossier_id, {"a1": "après"})),
    )
    with pytest.raises(IllegalTransition):
        portal.transmit_procedure(session, dossier_id)
    portal.pctx = replace(portal.pctx, forms=inner)
    assert desk.dossier(session, dossier_id).dossier.state is DossierState.IN_PROGRESS
    receipt = desk.transmit(session, dossier_id)  # tried again: the form shows what is sent
    portal.deliver_pending()
    [request] = receiver.requests
    assert request.payload["reference"] == receipt.reference
    assert request.payload["answers"]["fields"]["a1"] == "après"


def test_a_portal_without_the_catalogue_offers_no_cerfa_procedure(
    store: SqlStore, mailer: SmtpMailer
) -> None:
    plain = Portal(store, mailer, FakeCaptcha("ok"))
    assert plain.cerfa is None
    assert not any(t.form for t in plain.procedure_types())


def test_the_types_come_from_the_maps_not_the_files(tmp_path: Path) -> None:
    # A forms directory without the PDFs still gives the types (a delivery worker needs only
    # the maps for the titles).
    empty = Catalogue.load(tmp_path)
    from msp_portal.adapters.definitions import shipped_catalogue
    from msp_portal.domain.cerfa_procedures import with_cerfa_types
    from msp_portal.domain.hooks import default_hooks

    types = with_cerfa_types(shipped_catalogue(), empty, hooks=default_hooks()).types
    assert {"cerfa-11580-05", "cerfa-16216-01"} <= set(types)


def test_parallel_transmissions_give_one_reference(
    portal: Portal, desk: CerfaDesk, session: str, smtp: SmtpServer
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    dossier_id = desk.start(session, RECEIPT).dossier.dossier_id
    desk.update(session, dossier_id, {"a1": "R-1"})
    smtp.clear()
    with ThreadPoolExecutor(6) as pool:
        receipts = list(pool.map(lambda _: desk.transmit(session, dossier_id), range(6)))
    assert len(set(receipts)) == 1 and receipts[0].reference.startswith("A-2-")
    assert len(smtp.messages()) == 1
    [entry] = portal.my_tracking(session).entries
    assert len(entry.deliveries) == 1
