"""English and French wording for error codes and report notes, rendered from code + facts."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msp_docs.errors import MspDocsError

__all__ = ["ERRORS", "NOTES", "human_bytes", "human_bytes_fr", "render_error", "render_note"]

# Each entry: code -> (English, French). Placeholders name facts; {name} is the input's name.
ERRORS: dict[str, tuple[str, str]] = {
    "internal-error": (
        "An unexpected error occurred{about}. Please report it with the file if you can.",
        "Une erreur inattendue s'est produite{about}. Merci de la signaler, avec le fichier si "
        "possible.",
    ),
    "limit-exceeded": ("A limit was exceeded{about}.", "Une limite a été dépassée{about}."),
    "too-many-files": (
        "Too many files: at most {limit} documents can be merged at once ({name} is number "
        "{count}). Merge the others in a second document.",
        "Trop de fichiers : {limit} documents au plus peuvent être fusionnés à la fois ({name} est "
        "le numéro {count}). Fusionnez les autres dans un second document.",
    ),
    "input-too-large": (
        "The files are too large: together they exceed {limit_h} ({name} brought the total past "
        "it after {read_h} had been read). Reduce the size of the files or send fewer of them.",
        "Les fichiers sont trop volumineux : ensemble ils dépassent {limit_fr_h} ({name} a fait "
        "passer le total au-delà après {read_fr_h} lus). Réduisez la taille des fichiers ou "
        "envoyez-en moins.",
    ),
    "output-too-large": (
        "The merged document would be {size_h}, {excess_h} over the limit of {limit_h}. Remove a "
        "file or reduce the size of the largest one.",
        "Le document fusionné ferait {size_fr_h}, soit {excess_fr_h} de plus que la limite de "
        "{limit_fr_h}. Retirez un fichier ou réduisez la taille du plus gros.",
    ),
    "image-too-large": (
        "{name}: the image is too large ({width} × {height} pixels; at most {limit_mp} megapixels "
        "are accepted). Reduce its resolution and try again.",
        "{name} : l'image est trop grande ({width} × {height} pixels ; {limit_mp} mégapixels au "
        "plus). Réduisez sa résolution et réessayez.",
    ),
    "too-many-pages": (
        "{name}: too many pages ({pages}; at most {limit}). Split the document.",
        "{name} : trop de pages ({pages} ; {limit} au plus). Découpez le document.",
    ),
    "too-many-frames": (
        "{name}: the animation has too many frames ({frames}; at most {limit} are read). "
        "Export the image you need as PNG or JPEG.",
        "{name} : l'animation a trop d'images ({frames} ; {limit} au plus sont lues). "
        "Exportez l'image voulue en PNG ou en JPEG.",
    ),
    "too-many-objects": (
        "{name}: the PDF is made of too many objects ({objects}; at most {limit}). Print it to "
        "PDF again or split it.",
        "{name} : le PDF est fait de trop d'objets ({objects} ; {limit} au plus). "
        "Imprimez-le à nouveau en PDF ou découpez-le.",
    ),
    "page-too-complex": (
        "{name}: page {page} is too complex to be checked safely (more than {limit} drawing "
        "operations). Print the document to PDF again, or scan it.",
        "{name} : la page {page} est trop complexe pour être vérifiée en sécurité (plus de "
        "{limit} opérations de dessin). Imprimez à nouveau le document en PDF, ou numérisez-le.",
    ),
    "unsupported-input": (
        "{name}: this file cannot be used.",
        "{name} : ce fichier ne peut pas être utilisé.",
    ),
    "unsupported-kind": (
        "{name} is {described_as}, which is not accepted: only PDF, PNG, GIF and JPEG files are. "
        "{advice}",
        "{name} est {described_as_fr}, un format non accepté : seuls les fichiers PDF, PNG, GIF et "
        "JPEG le sont. {advice_fr}",
    ),
    "empty-input": (
        "{name} is empty (0 bytes). Choose the file again; it may not have been saved completely.",
        "{name} est vide (0 octet). Choisissez à nouveau le fichier ; il n'a peut-être pas été "
        "enregistré entièrement.",
    ),
    "extension-mismatch": (
        "{name} is named as a .{extension} file but its content is {kind_label}. Rename it or "
        "export it again in the right format.",
        "{name} porte l'extension .{extension} mais son contenu est {kind_label_fr}. Renommez-le "
        "ou exportez-le à nouveau dans le bon format.",
    ),
    "unsupported-variant": (
        "{name} is a {variant} that cannot be read. Export it again as a standard JPEG or PNG.",
        "{name} est un fichier {variant} illisible. Exportez-le à nouveau en JPEG ou PNG standard.",
    ),
    "xfa-only-form": (
        "{name} is a dynamic XFA form: its fields exist only for Adobe's XFA engine, so it can "
        "be neither filled nor shown here. Use the form's AcroForm (PDF) version.",
        "{name} est un formulaire XFA dynamique : ses champs n'existent que pour le moteur XFA "
        "d'Adobe, il ne peut donc être ni rempli ni affiché ici. Utilisez la version AcroForm "
        "(PDF) du formulaire.",
    ),
    "damaged-input": (
        "{name} is damaged and cannot be read. Export or scan it again.",
        "{name} est endommagé et ne peut pas être lu. Exportez-le ou numérisez-le à nouveau.",
    ),
    "truncated": (
        "{name} is incomplete: the file stops before its end{reason_s}. It was probably not "
        "downloaded or saved completely; choose a complete copy.",
        "{name} est incomplet : le fichier s'arrête avant sa fin{reason_fr_s}. Il n'a sans doute "
        "pas été téléchargé ou enregistré entièrement ; choisissez une copie complète.",
    ),
    "checksum-mismatch": (
        "{name} is damaged: a checksum does not match its data ({chunk}). Export or download it "
        "again.",
        "{name} est endommagé : une somme de contrôle ne correspond pas aux données ({chunk}). "
        "Exportez-le ou téléchargez-le à nouveau.",
    ),
    "corrupt-image": (
        "{name} is damaged: its image data cannot be decoded{reason_s}. Export it again.",
        "{name} est endommagé : ses données d'image ne peuvent pas être décodées{reason_fr_s}. "
        "Exportez-le à nouveau.",
    ),
    "invalid-dimensions": (
        "{name} declares an impossible size ({width} × {height} pixels). Export it again.",
        "{name} déclare une taille impossible ({width} × {height} pixels). Exportez-le à nouveau.",
    ),
    "corrupt-pdf": (
        "{name} is a damaged PDF that cannot be repaired{reason_s}. Open it in a PDF reader and "
        "save or print it again as PDF.",
        "{name} est un PDF endommagé qui ne peut pas être réparé{reason_fr_s}. Ouvrez-le dans un "
        "lecteur PDF puis enregistrez-le ou imprimez-le à nouveau en PDF.",
    ),
    "no-pages": (
        "{name} is a PDF without any page. Choose the document that holds the pages.",
        "{name} est un PDF sans aucune page. Choisissez le document qui contient les pages.",
    ),
    "password": (
        "{name} is protected by a password.",
        "{name} est protégé par un mot de passe.",
    ),
    "password-required": (
        "{name} is protected by a password. Give its password, or save an unprotected copy.",
        "{name} est protégé par un mot de passe. Indiquez ce mot de passe ou enregistrez une "
        "copie non protégée.",
    ),
    "wrong-password": (
        "{name}: the password given does not open this PDF. Check it and try again.",
        "{name} : le mot de passe indiqué n'ouvre pas ce PDF. Vérifiez-le et réessayez.",
    ),
    "unsafe-input": (
        "{name} was refused for safety reasons.",
        "{name} a été refusé pour des raisons de sécurité.",
    ),
    "decompression-bomb": (
        "{name} was refused: its compressed data would expand beyond safe limits ({what}). "
        "If it is a genuine document, export it again.",
        "{name} a été refusé : ses données compressées dépasseraient les limites de sécurité une "
        "fois décompressées ({what_fr}). S'il s'agit d'un vrai document, exportez-le à nouveau.",
    ),
    "unsafe-content": (
        "{name} was refused: {reason}. Print it to PDF or export it as a plain PDF.",
        "{name} a été refusé : {reason_fr}. Imprimez-le en PDF ou exportez-le en PDF simple.",
    ),
    "processing-timeout": (
        "{name} took too long to process (more than {seconds} s) and was stopped. Export it "
        "again in a simpler form.",
        "Le traitement de {name} a pris trop de temps (plus de {seconds} s) et a été arrêté. "
        "Exportez-le à nouveau sous une forme plus simple.",
    ),
    "unprocessable": (
        "{name} could not be processed safely ({reason}). Export it again.",
        "{name} n'a pas pu être traité en sécurité ({reason_fr}). Exportez-le à nouveau.",
    ),
    "cannot-read-input": (
        "{name} could not be read: {reason}. Check the path and its permissions.",
        "{name} n'a pas pu être lu : {reason}. Vérifiez le chemin et les droits d'accès.",
    ),
    "cannot-write-output": (
        "The merged document could not be written to {target}: {reason}. Check the destination.",
        "Le document fusionné n'a pas pu être écrit dans {target} : {reason}. Vérifiez la "
        "destination.",
    ),
    "form-error": (
        "This form cannot be filled as asked{about}.",
        "Ce formulaire ne peut pas être rempli ainsi{about}.",
    ),
    "unknown-form": (
        "There is no form {form}{form_reason}. Check the CERFA number (five digits, a star and "
        "two digits, e.g. 11580*05) or ask the operator to add the form.",
        "Il n'existe pas de formulaire {form}{form_reason_fr}. Vérifiez le numéro CERFA (cinq "
        "chiffres, une étoile et deux chiffres, par exemple 11580*05) ou demandez à "
        "l'exploitant d'ajouter le formulaire.",
    ),
    "not-fillable": (
        "Form {form} has no field to fill online: print it and fill it in by hand.",
        "Le formulaire {form} n'a aucun champ à remplir en ligne : imprimez-le et remplissez-le "
        "à la main.",
    ),
    "unknown-field": (
        "Form {form} has no field named “{field}”. List its fields with 'msp-docs cerfa fields'.",
        "Le formulaire {form} n'a pas de champ nommé « {field} ». La liste de ses champs est "
        "donnée par « msp-docs cerfa fields ».",
    ),
    "invalid-field-value": (
        "{label_q}: {reason}. Correct this value and try again.",
        "{label_q_fr} : {reason_fr}. Corrigez cette valeur et réessayez.",
    ),
    "value-too-long": (
        "{label_q}: the value is too long ({too_long}). Shorten it and try again.",
        "{label_q_fr} : la valeur est trop longue ({too_long_fr}). Raccourcissez-la et réessayez.",
    ),
    "invalid-form-map": (
        "The description of form {form} is wrong ({where}: {reason}). This is the operator's "
        "configuration, not your fault: please report it.",
        "La description du formulaire {form} est erronée ({where} : {reason}). Cela relève de "
        "la configuration de l'exploitant, non de votre saisie : merci de le signaler.",
    ),
}

NOTES: dict[str, tuple[str, str]] = {
    # actions
    "metadata-removed": (
        "personal metadata removed ({what})",
        "métadonnées personnelles supprimées ({what_fr})",
    ),
    "exif-oriented": (
        "turned upright from its EXIF orientation ({orientation}: {transform})",
        "redressé d'après son orientation EXIF ({orientation} : {transform_fr})",
    ),
    "transparency-soft-mask": (
        "transparency kept as a soft mask",
        "transparence conservée (masque progressif)",
    ),
    "transparency-colour-key": (
        "transparent colour kept as a colour-key mask",
        "couleur transparente conservée (masque de couleur)",
    ),
    "transparency-flattened": (
        "transparency flattened onto white",
        "transparence aplatie sur fond blanc",
    ),
    "reencoded": (
        "image re-encoded losslessly ({source} → {target}): {reason}",
        "image réencodée sans perte ({source} → {target}) : {reason_fr}",
    ),
    "passthrough": (
        "image data embedded as it is ({encoding})",
        "données d'image intégrées telles quelles ({encoding})",
    ),
    "trailing-data-removed": (
        "data after the end of the {kind_upper} removed ({bytes_h})",
        "données après la fin du {kind_upper} supprimées ({bytes_fr_h})",
    ),
    "stray-bytes-removed": (
        "stray bytes between the JPEG segments removed ({bytes_h}; decoders skip them)",
        "octets parasites entre les segments JPEG supprimés ({bytes_fr_h} ; les décodeurs les "
        "ignorent)",
    ),
    "leading-junk-removed": (
        "data before the PDF header ignored ({bytes_h})",
        "données avant l'en-tête PDF ignorées ({bytes_fr_h})",
    ),
    "repaired": (
        "damaged PDF structure repaired (problems fixed: {count})",
        "structure PDF endommagée réparée (problèmes corrigés : {count})",
    ),
    "encryption-removed": (
        "encryption and usage restrictions removed (it opened without a password)",
        "chiffrement et restrictions d'usage supprimés (ouverture sans mot de passe)",
    ),
    "decrypted-with-password": (
        "opened with the password given; the output is not encrypted",
        "ouvert avec le mot de passe indiqué ; le document produit n'est pas chiffré",
    ),
    "javascript-removed": ("JavaScript removed ({count})", "JavaScript supprimé ({count})"),
    "actions-removed": (
        "active actions removed ({kinds})",
        "actions actives supprimées ({kinds})",
    ),
    "attachments-removed": (
        "embedded files removed ({count})",
        "fichiers joints supprimés ({count})",
    ),
    "multimedia-removed": (
        "multimedia content removed ({count})",
        "contenu multimédia supprimé ({count})",
    ),
    "xfa-removed": (
        "XFA form data removed (the AcroForm fields are kept)",
        "données de formulaire XFA supprimées (les champs AcroForm sont conservés)",
    ),
    "pdf-metadata-removed": (
        "document metadata removed ({what})",
        "métadonnées du document supprimées ({what_fr})",
    ),
    "signature-removed": (
        "digital signature value removed (merging invalidates it)",
        "valeur de signature électronique supprimée (la fusion l'invalide)",
    ),
    "usage-rights-removed": (
        "Adobe usage rights removed (merging invalidates them)",
        "droits d'usage Adobe supprimés (la fusion les invalide)",
    ),
    "form-fields-renamed": (
        "form fields renamed to avoid clashes: {count}",
        "champs de formulaire renommés pour éviter des conflits : {count}",
    ),
    "form-usage-rights-removed": (
        "Adobe usage rights removed: filling the form invalidates their signature, and Adobe "
        "Reader would otherwise report the document as altered",
        "droits d'usage Adobe supprimés : remplir le formulaire invalide leur signature, et "
        "Adobe Reader signalerait sinon le document comme modifié",
    ),
    "form-filled": (
        "{count} fields filled ({prefilled} from the profile)",
        "{count} champs remplis (dont {prefilled} d'après le profil)",
    ),
    "form-flattened": (
        "form flattened for printing: the values are part of the pages, no field remains",
        "formulaire aplati pour l'impression : les valeurs font partie des pages, il ne reste "
        "aucun champ",
    ),
    "form-cleared": (
        "every field emptied ({count})",
        "tous les champs vidés ({count})",
    ),
    "text-shrunk": (
        "text drawn smaller than the form's size to fit its box: {fields}",
        "texte écrit plus petit que la taille prévue par le formulaire pour tenir dans sa "
        "case : {fields}",
    ),
    "pages-fitted-to-a4": (
        "pages scaled to fit A4 for printing ({count})",
        "pages mises à l'échelle du format A4 pour l'impression ({count})",
    ),
    "frames-as-pages": (
        "each of the {frames} frames became a page",
        "chacune des {frames} images est devenue une page",
    ),
    # warnings
    "extension-mismatch": (
        "the name ends in .{extension} but the content is {kind_label}; it was read as such",
        "le nom se termine par .{extension} mais le contenu est {kind_label_fr} ; il a été lu "
        "comme tel",
    ),
    "animation-first-frame": (
        "animated image: only the first of its {frames} frames was kept",
        "image animée : seule la première de ses {frames} images a été conservée",
    ),
    "invalid-orientation": (
        "invalid EXIF orientation {value} ignored",
        "orientation EXIF invalide {value} ignorée",
    ),
    "exif-unreadable": (
        "the EXIF data is damaged ({reason}); what could not be read was ignored",
        "les données EXIF sont endommagées ({reason}) ; ce qui n'a pu être lu a été ignoré",
    ),
    "icc-profile-ignored": (
        "the embedded colour profile was not used ({reason}); colours may look slightly different",
        "le profil de couleur intégré n'a pas été utilisé ({reason}) ; les couleurs peuvent "
        "paraître légèrement différentes",
    ),
    "palette-invented": (
        "the GIF has no colour table; it was shown in shades of grey",
        "le GIF n'a pas de table de couleurs ; il a été rendu en niveaux de gris",
    ),
    "signature-invalidated": (
        "the PDF is digitally signed; merging invalidates the signature",
        "le PDF est signé électroniquement ; la fusion invalide la signature",
    ),
    "dpi-assumed": (
        "no usable resolution declared; {dpi} dpi assumed",
        "aucune résolution exploitable ; {dpi} ppp supposés",
    ),
    "polyglot": (
        "the file also looks like a {other}; it was handled as {kind_label}, what its first "
        "bytes declare, and only that part was kept",
        "le fichier ressemble aussi à un {other} ; il a été traité comme {kind_label_fr}, ce que "
        "déclarent ses premiers octets, et seule cette partie a été conservée",
    ),
    "outline-items-dropped": (
        "bookmarks that led outside the document dropped: {count}",
        "signets qui menaient hors du document supprimés : {count}",
    ),
    "pdf-warnings": (
        "the PDF has {count} structural problems that viewers tolerate",
        "le PDF présente {count} problèmes de structure tolérés par les lecteurs",
    ),
}

KIND_LABELS: dict[str, tuple[str, str]] = {
    "pdf": ("a PDF document", "un document PDF"),
    "png": ("a PNG image", "une image PNG"),
    "gif": ("a GIF image", "une image GIF"),
    "jpeg": ("a JPEG image", "une image JPEG"),
}


def human_bytes_fr(n: int) -> str:
    """Byte counts in French: ``10,0 Mio``, ``512 Kio``, ``12 octets``, ``1 octet``."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} Mio".replace(".", ",")
    if n >= 1024:
        return f"{n / 1024:.0f} Kio"
    return "1 octet" if n == 1 else f"{n} octets"


def human_bytes(n: int) -> str:
    """Format a byte count for people: ``10.0 MiB``, ``512 KiB``, ``12 bytes``, ``1 byte``."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return "1 byte" if n == 1 else f"{n} bytes"


class _Facts(dict[str, Any]):
    """Facts with derived values, and a visible marker for a missing one (never a KeyError)."""

    def __missing__(self, key: str) -> str:
        if key.endswith("_fr_h"):
            raw = self.get(key[:-5])
            return human_bytes_fr(int(raw)) if isinstance(raw, int) else "?"
        if key.endswith("_h"):
            raw = self.get(key[:-2])
            return human_bytes(int(raw)) if isinstance(raw, int) else "?"
        if key.endswith("_fr"):
            return str(self[key[:-3]])
        if key == "reason_s":
            reason = self.get("reason")
            return f" ({reason})" if reason else ""
        if key == "reason_fr_s":
            # A French message names the technical cause only when we have it in French; the
            # English one stays available in the facts and the detail for whoever diagnoses.
            reason = self.get("reason_fr")
            return f" ({reason})" if reason else ""
        return "?"


def _fill(template: str, facts: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Facts(facts))


def _lang_index(lang: str) -> int:
    return 1 if str(lang).lower().startswith("fr") else 0


def render_error(error: MspDocsError, lang: str = "en") -> str:
    """Render ``error`` from its code and facts; ``detail`` is appended for diagnosis."""
    facts: dict[str, Any] = dict(error.facts)
    french = _lang_index(lang) == 1
    name = error.input_name
    facts["name"] = name if name is not None else ("Le fichier" if french else "The file")
    facts["about"] = f" ({name})" if name else ""
    _form_facts(facts)
    if "limit" in facts and "limit_mp" not in facts and error.code == "image-too-large":
        facts["limit_mp"] = f"{int(facts['limit']) / 1_000_000:g}"
    if "size" in facts and "limit" in facts and "excess" not in facts:
        facts["excess"] = int(facts["size"]) - int(facts["limit"])
    kind = facts.get("kind")
    if isinstance(kind, str) and kind in KIND_LABELS:
        facts.setdefault("kind_label", KIND_LABELS[kind][0])
        facts.setdefault("kind_label_fr", KIND_LABELS[kind][1])
    templates = ERRORS.get(error.code) or ERRORS["internal-error"]
    return _fill(templates[_lang_index(lang)], facts)


def _form_facts(facts: dict[str, Any]) -> None:
    """Derived facts of the form errors: the field as a citizen reads it, lengths in words."""
    label = facts.get("label") or facts.get("field")
    if label is not None:
        facts.setdefault("label_q", f"“{label}”")
        facts.setdefault("label_q_fr", f"« {label} »")
    else:
        facts.setdefault("label_q", "A field")
        facts.setdefault("label_q_fr", "Un champ")
    reason = facts.get("reason")
    if "form" in facts:
        facts.setdefault("form_reason", _FORM_REASONS.get(str(reason), ("", ""))[0])
        facts.setdefault("form_reason_fr", _FORM_REASONS.get(str(reason), ("", ""))[1])
    length, limit = facts.get("length"), facts.get("max_length")
    if isinstance(length, int) and isinstance(limit, int):
        facts.setdefault("too_long", f"{length} characters, at most {limit}")
        facts.setdefault("too_long_fr", f"{length} caractères, {limit} au plus")
    else:
        facts.setdefault("too_long", "it does not fit in its box, even in small print")
        facts.setdefault("too_long_fr", "elle ne tient pas dans sa case, même en petits caractères")


_FORM_REASONS = {
    "invalid-number": (" (not a CERFA number)", " (ce n'est pas un numéro CERFA)"),
    "not-in-catalogue": (" in the catalogue", " dans le catalogue"),
    "file-missing": (
        " available: its PDF file is missing from the forms directory",
        " disponible : son fichier PDF manque dans le répertoire des formulaires",
    ),
}


def render_note(code: str, facts: Mapping[str, Any], lang: str = "en") -> str:
    """Render a report note; an unknown code renders as the code and its facts."""
    merged: dict[str, Any] = dict(facts)
    kind = merged.get("kind")
    if isinstance(kind, str):
        merged.setdefault("kind_upper", kind.upper())
    if isinstance(kind, str) and kind in KIND_LABELS:
        merged.setdefault("kind_label", KIND_LABELS[kind][0])
        merged.setdefault("kind_label_fr", KIND_LABELS[kind][1])
    templates = NOTES.get(code)
    if templates is None:
        extra = ", ".join(f"{k}={v}" for k, v in facts.items())
        return f"{code} ({extra})" if extra else code
    return _fill(templates[_lang_index(lang)], merged)
