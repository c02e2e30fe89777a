"""The citizen's journeys in a real browser, with the keyboard only, axe-core on every page and
a screenshot of each: create an account, sign in, contact details, lockout, recovery, SMS access,
email and password changes, partner links, deletion."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser.conftest import LiveServer
from tests.web.browser.pageutil import Visitor

pytestmark = pytest.mark.slow

PASSWORD = "cheval agrafe pile correcte"
NEW_PASSWORD = "une autre phrase assez longue"


@pytest.fixture
def visitor(
    request: pytest.FixtureRequest, browser: Any, screenshots: Path, live_server: LiveServer
) -> Iterator[Visitor]:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.live_server = live_server
    page = context.new_page()
    page.set_default_timeout(15_000)
    name = request.node.name.removeprefix("test_")
    yield Visitor(page, screenshots, name)
    context.close()


def go(visitor: Visitor, path: str, name: str) -> None:
    visitor.page.goto(path)
    visitor.check(name)


def heading(visitor: Visitor) -> str:
    return str(visitor.page.inner_text("h1"))


def create_and_sign_in(visitor: Visitor, identifier: str = "jdupont") -> None:
    go(visitor, "/inscription", "inscription")
    visitor.fill_with_keyboard(
        {"identifiant": identifier, "courriel": "jean@example.org", "mot_de_passe": PASSWORD},
        submit="Créer mon compte",
    )
    visitor.check("connexion-compte-cree")
    assert "Votre compte a été créé" in visitor.page.inner_text("[role=status]")
    visitor.fill_with_keyboard(
        {"identifiant": identifier, "mot_de_passe": PASSWORD}, submit="Se connecter"
    )
    assert heading(visitor) == "Mon profil"
    visitor.check("profil-non-confirme")
    # The address is confirmed by the link mailed at creation, opened while signed in.
    server: LiveServer = visitor.page.context.live_server  # type: ignore[attr-defined]
    link = re.search(r"https?://\S+verifier-adresse\?jeton=\S+", server.last_email_body())
    assert link
    visitor.page.goto(link.group(0))
    visitor.check("verifier-adresse")
    visitor.fill_with_keyboard({}, submit="Confirmer mon adresse")
    visitor.check("adresse-verifiee")
    visitor.page.goto("/profil")
    visitor.check("profil")


def test_create_account_sign_in_contact_details_sign_out(visitor: Visitor) -> None:
    go(visitor, "/", "accueil")
    go(visitor, "/accessibilite", "accessibilite")
    go(visitor, "/inscription", "inscription-vide")
    visitor.fill_with_keyboard(
        {"identifiant": "jdupont", "courriel": "pas-une-adresse", "mot_de_passe": PASSWORD},
        submit="Créer mon compte",
    )
    visitor.check("inscription-erreur")
    summary = visitor.page.locator(".resume-erreur")
    assert "adresse électronique n'est pas valide" in summary.inner_text()
    assert visitor.focused()["id"] == ""  # the summary itself has the focus
    assert visitor.page.evaluate("document.activeElement.className") == "resume-erreur"
    create_and_sign_in(visitor, "marie.curie")

    visitor.page.click("text=Modifier mes coordonnées")
    visitor.check("coordonnees")
    visitor.tab_to(field_id="civility-none")
    visitor.page.keyboard.press("ArrowDown")  # the radio group wraps round to "Monsieur"
    assert visitor.page.is_checked("#civility-m")
    visitor.fill_with_keyboard(
        {
            "family_name": "Curie",
            "given_names": "Marie",
            "birth_date": "07/11/1967",
            "address_line1": "11 rue Pierre et Marie Curie",
            "postcode": "75005",
            "city": "Paris",
            "phone": "01 23 45 67 89",
        },
        submit="Enregistrer mes coordonnées",
    )
    visitor.check("profil-coordonnees")
    text = visitor.page.inner_text("main")
    assert "07/11/1967" in text and "+33123456789" in text and "M." in text
    visitor.tab_to(button="Se déconnecter")
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.check("accueil-deconnecte")
    assert "Vous êtes déconnecté" in visitor.page.inner_text("[role=status]")


def test_lockout_shows_the_unlock_time(visitor: Visitor, live_server: LiveServer) -> None:
    create_and_sign_in(visitor)
    visitor.page.click("text=Se déconnecter")
    go(visitor, "/connexion", "connexion")
    for _ in range(5):
        visitor.fill_with_keyboard(
            {"identifiant": "jdupont", "mot_de_passe": "pas le bon mot de passe"},
            submit="Se connecter",
        )
    visitor.check("connexion-verrouille")
    message = visitor.page.inner_text(".resume-erreur")
    assert "verrouillé" in message and "le 06/01/2025 à 12:00 (heure de Paris)" in message
    live_server.clock.advance(timedelta(hours=2))
    visitor.fill_with_keyboard(
        {"identifiant": "jdupont", "mot_de_passe": PASSWORD}, submit="Se connecter"
    )
    assert heading(visitor) == "Mon profil"


def solve(visitor: Visitor) -> str:
    words = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"]
    label = visitor.page.inner_text("label[for=captcha_reponse]")
    match = re.search(r"Combien font (\S+) plus (\S+) \?", label)
    assert match, label
    return str(words.index(match.group(1)) + words.index(match.group(2)))


def test_forgot_identifier_and_password(visitor: Visitor, live_server: LiveServer) -> None:
    create_and_sign_in(visitor)
    visitor.page.click("text=Se déconnecter")
    go(visitor, "/identifiant-oublie", "identifiant-oublie")
    visitor.fill_with_keyboard(
        {"courriel": "jean@example.org", "captcha_reponse": solve(visitor)},
        submit="Recevoir mon identifiant",
    )
    visitor.check("identifiant-envoye")
    assert "jdupont" in live_server.last_email_body()

    go(visitor, "/mot-de-passe-oublie", "mot-de-passe-oublie")
    visitor.fill_with_keyboard(
        {"identifiant": "jdupont", "captcha_reponse": "0"}, submit="Recevoir le lien"
    )
    visitor.check("mot-de-passe-oublie-captcha")
    visitor.fill_with_keyboard(
        {"identifiant": "jdupont", "captcha_reponse": solve(visitor)}, submit="Recevoir le lien"
    )
    visitor.check("lien-envoye")
    link = re.search(r"https?://\S+jeton=\S+", live_server.last_email_body())
    assert link
    visitor.page.goto(link.group(0))
    visitor.check("reinitialiser")
    visitor.fill_with_keyboard({"mot_de_passe": NEW_PASSWORD}, submit="Enregistrer le mot de passe")
    visitor.check("connexion-mot-de-passe-change")
    visitor.fill_with_keyboard(
        {"identifiant": "jdupont", "mot_de_passe": NEW_PASSWORD}, submit="Se connecter"
    )
    assert heading(visitor) == "Mon profil"


def sms_code(live_server: LiveServer) -> str:
    match = re.search(r"\b(\d{6})\b", live_server.last_message(".sms.txt"))
    assert match
    return match.group(1)


def test_sms_access_then_phone_changed(visitor: Visitor, live_server: LiveServer) -> None:
    create_and_sign_in(visitor)
    visitor.page.click("text=Activer l'accès par code SMS")
    visitor.check("acces-sms")
    visitor.fill_with_keyboard(
        {"telephone": "06 12 34 56 78", "mot_de_passe": PASSWORD}, submit="Recevoir le code"
    )
    visitor.check("acces-sms-code")
    visitor.fill_with_keyboard(
        {"code": sms_code(live_server)}, submit="Activer l'accès par code SMS"
    )
    visitor.check("acces-sms-active")
    unlock_code = visitor.page.inner_text(".code-deblocage").strip()
    visitor.page.click("text=Se déconnecter")
    go(visitor, "/connexion", "connexion-avant-sms")
    visitor.fill_with_keyboard(
        {"identifiant": "jdupont", "mot_de_passe": PASSWORD}, submit="Se connecter"
    )
    visitor.check("code-sms")
    visitor.fill_with_keyboard({"code": "000000"}, submit="Valider")
    visitor.check("code-sms-erreur")
    visitor.fill_with_keyboard({"code": sms_code(live_server)}, submit="Valider")
    assert heading(visitor) == "Mon profil"
    visitor.page.click("text=Se déconnecter")
    go(visitor, "/telephone-modifie", "telephone-modifie")
    visitor.fill_with_keyboard(
        {"identifiant": "jdupont", "mot_de_passe": PASSWORD, "code_deblocage": unlock_code},
        submit="Supprimer l'accès par code SMS",
    )
    visitor.check("connexion-sms-retire")
    visitor.fill_with_keyboard(
        {"identifiant": "jdupont", "mot_de_passe": PASSWORD}, submit="Se connecter"
    )
    assert heading(visitor) == "Mon profil"


def test_email_password_links_and_deletion(visitor: Visitor, live_server: LiveServer) -> None:
    create_and_sign_in(visitor)
    account = live_server.store.account_by_identifier("jdupont")
    assert account is not None
    live_server.store.add_partner_link(account.id, "caf", "CAF-1", live_server.clock())
    visitor.page.click("text=Mes liaisons avec des organismes partenaires")
    visitor.check("liaisons")
    assert "Caisse" in visitor.page.inner_text("table") or "CAF" in visitor.page.inner_text("table")
    go(visitor, "/profil/adresse-electronique", "adresse-electronique")
    visitor.fill_with_keyboard(
        {"courriel": "neuf@example.org", "mot_de_passe": PASSWORD},
        submit="Envoyer le lien de confirmation",
    )
    visitor.check("confirmation-envoyee")
    link = re.search(r"https?://\S+jeton=\S+", live_server.last_email_body("neuf@example.org"))
    assert link
    visitor.page.goto(link.group(0))
    visitor.check("confirmer-adresse")
    visitor.fill_with_keyboard({}, submit="Confirmer la nouvelle adresse")
    visitor.check("adresse-changee")
    go(visitor, "/profil/mot-de-passe", "mot-de-passe")
    visitor.fill_with_keyboard(
        {"mot_de_passe_actuel": PASSWORD, "mot_de_passe": "court"},
        submit="Enregistrer le nouveau mot de passe",
    )
    visitor.check("mot-de-passe-erreur")
    visitor.fill_with_keyboard(
        {"mot_de_passe_actuel": PASSWORD, "mot_de_passe": NEW_PASSWORD},
        submit="Enregistrer le nouveau mot de passe",
    )
    visitor.check("profil-mot-de-passe-change")
    assert "neuf@example.org" in visitor.page.inner_text("main")
    go(visitor, "/profil/supprimer", "supprimer")
    visitor.fill_with_keyboard(
        {"mot_de_passe": NEW_PASSWORD}, submit="Supprimer définitivement mon compte"
    )
    visitor.check("accueil-compte-supprime")
    assert "Votre compte a été supprimé" in visitor.page.inner_text("[role=status]")


def test_error_pages(visitor: Visitor) -> None:
    go(visitor, "/nulle-part", "erreur-404")
    assert heading(visitor) == "Une erreur est survenue"
    visitor.page.goto("/mot-de-passe/reinitialiser?jeton=perime")
    visitor.fill_with_keyboard({"mot_de_passe": NEW_PASSWORD}, submit="Enregistrer le mot de passe")
    visitor.check("erreur-lien-invalide")
    assert "n'est plus valable" in visitor.page.inner_text("main")


def test_the_axe_check_catches_a_real_violation(visitor: Visitor) -> None:
    visitor.page.set_content('<html lang="fr"><title>x</title><body><input type="text"></body>')
    with pytest.raises(AssertionError, match="label"):
        visitor.check("sans-etiquette")


@pytest.mark.parametrize("path", ["/", "/inscription", "/connexion", "/mot-de-passe-oublie"])
def test_pages_reflow_at_320_css_pixels(visitor: Visitor, path: str) -> None:
    """WCAG 1.4.10: no horizontal scrolling at 320 CSS pixels (a 1280 px screen at 400 %)."""
    visitor.page.set_viewport_size({"width": 320, "height": 640})
    visitor.page.goto(path)
    width = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, (path, width)
    name = "reflow-320" + path.replace("/", "-").rstrip("-")
    visitor.page.screenshot(path=str(visitor.screenshots / f"{name}.png"), full_page=True)


def test_fill_a_cerfa_online_and_download_it(visitor: Visitor) -> None:
    from tests.conftest import CERFA, shared_file

    shared_file(CERFA / "cerfa_11580_05.pdf")
    create_and_sign_in(visitor)
    visitor.page.click("text=Modifier mes coordonnées")
    visitor.fill_with_keyboard(
        {"family_name": "Dupré", "given_names": "Zoé", "postcode": "75011"},
        submit="Enregistrer mes coordonnées",
    )
    visitor.page.click("header >> text=Formulaires")
    visitor.check("formulaires")
    visitor.page.click("a[href='/formulaires/11580-05']")
    visitor.check("formulaire-11580")
    nom = visitor.page.locator("label", has_text="Donateur : nom").get_attribute("for")
    date = visitor.page.locator("label", has_text="Date du versement").get_attribute("for")
    assert visitor.page.input_value(f"#{nom}") == "Dupré"
    visitor.fill_with_keyboard({date: "31/02/2024"}, submit="Télécharger pour imprimer (aplati)")
    visitor.check("formulaire-11580-erreur")
    assert "Date du versement" in visitor.page.inner_text(".resume-erreur")
    visitor.tab_to(field_id=date)
    visitor.page.keyboard.press("Control+A")
    visitor.page.keyboard.type("29/02/2024")
    visitor.tab_to(button="Télécharger pour imprimer (aplati)")
    with visitor.page.expect_download() as download:
        visitor.page.keyboard.press("Enter")
    assert download.value.suggested_filename == "cerfa_11580_05-imprimable.pdf"
    path = download.value.path()
    assert path is not None and Path(path).read_bytes().startswith(b"%PDF-")


SAMPLES = Path(__file__).resolve().parents[3] / "samples"


def test_wallet_add_a_four_file_document_and_download_it(visitor: Visitor) -> None:
    create_and_sign_in(visitor)
    visitor.page.click("header >> text=Porte-documents")
    visitor.check("porte-documents-vide")
    visitor.page.click("text=Ajouter un document")
    visitor.check("document-ajouter")
    files = ["1-id-card-photo.jpg", "2-scan-grey.png", "3-screenshot-rgba.png", "4-letter.pdf"]
    visitor.fill_with_keyboard({"titre": "Dossier complet"}, submit=None)
    visitor.tab_to(field_id="categorie-other")  # Tab enters the group on its checked radio
    visitor.page.keyboard.press("ArrowDown")  # and the arrows wrap round to the first one
    assert visitor.page.is_checked("#categorie-identity")
    for n, name in enumerate(files, start=1):
        if n > 1:  # "Ajouter un autre fichier" opens with the keyboard
            visitor.tab_to(summary="Ajouter un autre fichier")
            visitor.page.keyboard.press("Enter")
        visitor.tab_to(field_id=f"fichier-{n}")
        # the file chooser is the system's: Playwright hands it the file
        visitor.page.set_input_files(f"#fichier-{n}", str(SAMPLES / name))
    visitor.check("document-ajouter-rempli")
    visitor.tab_to(button="Valider")
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.check("document-ajoute")
    assert "Le document a été ajouté" in visitor.page.inner_text("[role=status]")
    assert visitor.page.locator("ol.fichiers > li").count() == 4
    with visitor.page.expect_download() as download:
        visitor.page.click("text=Télécharger le PDF")
    path = download.value.path()
    assert path is not None
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF-")
    from pypdf import PdfReader

    assert len(PdfReader(path).pages) == 5  # three images and a two-page letter
    visitor.page.click("text=Renommer ou changer de catégorie")
    visitor.check("document-modifier")
    visitor.fill_with_keyboard({"titre": "Pièces du dossier"}, submit="Renommer")
    visitor.check("document-renomme")
    visitor.page.click("header >> text=Porte-documents")
    visitor.check("porte-documents")
    visitor.page.click("text=Supprimer >> nth=0")
    visitor.check("document-supprimer")
    visitor.fill_with_keyboard({}, submit="Supprimer le document")
    visitor.check("porte-documents-supprime")


def test_change_of_address_refusing_the_changes(visitor: Visitor) -> None:
    """The change of address is a procedure: its form, each error beside its field, La Poste's
    proposal line by line in the check, "Je refuse ces modifications", the confirmation (the
    profile is not changed, and where to change it), a delivery per organisation in Mon suivi."""
    create_and_sign_in(visitor)
    visitor.page.click("text=Déclarer un changement d'adresse")
    visitor.check("changement-adresse")
    visitor.tab_to(button="Commencer la déclaration")
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.check("changement-adresse-formulaire")
    for code in ("caf", "impots"):
        visitor.tab_to(field_id=f"org-{code}")
        visitor.page.keyboard.press("Space")
    visitor.fill_with_keyboard(
        {
            "f-move_date": "01/12/2024",
            "f-old_address-line1": "3 rue de l'Église",
            "f-old_address-postcode": "75014",
            "f-old_address-city": "Paris",
            "f-new_number": "12",
            "f-new_street": "Avenue du Général de Gaulle",
            "f-new_postcode": "75001",
            "f-new_locality": "paris 1er",
            "o-caf-contract_id": "12",
            "o-impots-contract_id": "1234567890066",
        },
        submit="Continuer",
    )
    visitor.check("changement-adresse-erreurs")
    summary = visitor.page.inner_text(".resume-erreur")
    assert "Il y a 2 problèmes" in summary and "06/04/2025" in summary
    assert visitor.page.get_attribute("#f-move_date", "aria-invalid") == "true"
    visitor.fill_with_keyboard(
        {"f-move_date": "15/02/2025", "o-caf-contract_id": "7654321"}, submit="Continuer"
    )
    visitor.check("changement-adresse-verification")
    table = visitor.page.inner_text(".proposition table")
    assert "12 AVENUE DU GENERAL DE GAULLE" in table and "75001 PARIS" in table
    assert "12 Avenue du Général de Gaulle" in table  # before -> after, line by line
    visitor.tab_to(field_id="refuser")
    visitor.page.keyboard.press("Space")
    assert visitor.page.is_checked("#refuser")
    visitor.tab_to(button="Valider cette adresse")
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.check("changement-adresse-refusee")
    assert "Vous avez refusé ces modifications" in visitor.page.inner_text(".proposition")
    visitor.fill_with_keyboard({}, submit="Transmettre ma demande")
    visitor.check("changement-adresse-transmise")
    text = visitor.page.inner_text("main")
    reference = re.search(r"A-1-[0-9A-Z-]+", text)
    assert reference, text
    sent = visitor.page.inner_text("address")
    assert "12 Avenue du Général de Gaulle" in sent and "75001 paris 1er" in sent
    assert "ne met pas à jour les coordonnées de votre profil" in text
    visitor.page.click("text=Mon profil > Mes coordonnées")
    assert visitor.page.url.endswith("/mon-profil/mes-coordonnees")
    visitor.check("changement-adresse-profil")
    visitor.page.click("header >> text=Mon suivi")
    visitor.check("changement-adresse-suivi")
    tracking = visitor.page.inner_text("table")
    assert reference.group(0) in tracking and tracking.count("envoi en cours") == 2


def test_cerfa_sent_online_as_a_dossier(visitor: Visitor) -> None:
    """A CERFA filled online and sent to its organisation: A-2 reference, in Mon suivi."""
    from tests.conftest import CERFA, shared_file

    shared_file(CERFA / "cerfa_11580_05.pdf")
    create_and_sign_in(visitor)
    visitor.page.goto("/formulaires/11580-05")
    visitor.check("cerfa-dossier-formulaire")
    nom = visitor.page.locator("label", has_text="Donateur : nom").get_attribute("for")
    date = visitor.page.locator("label", has_text="Date du versement").get_attribute("for")
    send = visitor.page.inner_text("button[formaction]")
    visitor.fill_with_keyboard({nom: "Durand", date: "29/02/2024"}, submit=" ".join(send.split()))
    if visitor.page.locator(".resume-erreur").count():  # fields the form requires, still empty
        visitor.check("cerfa-dossier-a-completer")
        required = visitor.page.eval_on_selector_all(
            ".resume-erreur a", "links => links.map(a => a.hash.slice(1))"
        )
        visitor.fill_with_keyboard(dict.fromkeys(required, "X"), submit="Continuer")
    visitor.check("cerfa-dossier-verification")
    assert "Votre demande est complète" in visitor.page.inner_text("main")
    assert "Durand" in visitor.page.inner_text("dl")
    visitor.fill_with_keyboard({}, submit="Transmettre ma demande")
    visitor.check("cerfa-dossier-transmis")
    reference = re.search(r"A-2-[0-9A-Z-]+", visitor.page.inner_text("main"))
    assert reference
    visitor.page.click("header >> text=Mon suivi")
    visitor.check("cerfa-dossier-suivi")
    assert reference.group(0) in visitor.page.inner_text("table")


def test_procedure_saved_resumed_and_transmitted(visitor: Visitor) -> None:
    create_and_sign_in(visitor)
    visitor.page.click("header >> text=Démarches")
    visitor.check("demarches")
    visitor.tab_to(button="Commencer : Demande d'acte de naissance")
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.check("dossier-acte-naissance")
    for group in ("requester_quality", "document", "copies", "purpose"):
        visitor.tab_to(field_id=f"f-{group}-1")  # Tab enters a radio group on its first radio
        visitor.page.keyboard.press("Space")
    visitor.fill_with_keyboard(
        {
            "f-family_name": "DUPONT",
            "f-given_names": "Jean",
            "f-birth_date": "14/07/1985",
            "f-birth_commune": "Lyon",
            "f-birth_postcode": "69001",
            "f-requester_family_name": "DUPONT",
            "f-requester_given_names": "Jean",
            "f-delivery_address-line1": "12 rue de la Paix",
            "f-delivery_address-postcode": "75002",
            "f-delivery_address-city": "Paris",
        },
        submit="Continuer",
    )
    visitor.check("dossier-verification")
    assert "Votre demande est complète" in visitor.page.inner_text("main")
    visitor.fill_with_keyboard({}, submit="Enregistrer le brouillon")
    visitor.check("dossier-enregistre")
    codes = visitor.page.locator(".code-deblocage").all_inner_texts()
    file_number, password = codes[0].strip(), codes[1].strip()
    visitor.page.click("text=Mon suivi >> nth=-1")
    visitor.check("mon-suivi-brouillon")
    visitor.page.click("text=Reprendre")
    visitor.check("reprendre")
    visitor.fill_with_keyboard(
        {"numero": file_number, "mot_de_passe": password}, submit="Reprendre la démarche"
    )
    visitor.check("dossier-repris")
    assert visitor.page.input_value("#f-birth_commune") == "Lyon"  # the saved answers are back
    visitor.fill_with_keyboard({}, submit="Continuer")
    visitor.fill_with_keyboard({}, submit="Transmettre ma demande")
    visitor.check("dossier-transmis")
    text = visitor.page.inner_text("main")
    reference = re.search(r"A-1-[0-9A-Z-]+", text)
    assert reference, text
    with visitor.page.expect_download() as download:
        visitor.page.click("text=Télécharger le récapitulatif (PDF)")
    path = download.value.path()
    assert path is not None and Path(path).read_bytes().startswith(b"%PDF-")
    visitor.page.click("header >> text=Mon suivi")
    visitor.check("mon-suivi-transmis")
    assert reference.group(0) in visitor.page.inner_text("table")
