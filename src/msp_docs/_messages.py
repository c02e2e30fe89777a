"""Every word msp_docs shows, in English and French, rendered from codes and facts.

The rest of the library says what happened with codes (error codes, :class:`Reason`,
:class:`Part`, :class:`OtherFormat`, note codes) and typed facts; this module alone turns them
into sentences. A template names facts and values derived from them (``{limit_h}``: a byte
count in words, ``{reason_s}``: the reason in parentheses...), the same names in both languages;
a template that names a fact the error or note does not have raises ``KeyError`` (a test renders
every error class, reason and note in both languages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from msp_docs.errors import FormError, OtherFormat, Part, Reason

if TYPE_CHECKING:
    from msp_docs.errors import MspDocsError

__all__ = [
    "ERRORS",
    "FORMATS",
    "NOTES",
    "PARTS",
    "REASONS",
    "describe_format",
    "human_bytes",
    "render_error",
    "render_note",
    "render_reason",
]

# Each entry: code -> (English, French). {name} is the input's display name.
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
        "Les fichiers sont trop volumineux : ensemble ils dépassent {limit_h} ({name} a fait "
        "passer le total au-delà après {read_h} lus). Réduisez la taille des fichiers ou "
        "envoyez-en moins.",
    ),
    "output-too-large": (
        "The merged document would be {size_h}, {excess_h} over the limit of {limit_h}. Remove a "
        "file or reduce the size of the largest one.",
        "Le document fusionné ferait {size_h}, soit {excess_h} de plus que la limite de "
        "{limit_h}. Retirez un fichier ou réduisez la taille du plus gros.",
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
        "{name}: the animation has too many frames (more than {limit} are never read). "
        "Export the image you need as PNG or JPEG.",
        "{name} : l'animation a trop d'images (au-delà de {limit}, elles ne sont pas lues). "
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
    "cannot-fit": (
        "The documents cannot be made to fit in {target_h}: the smallest size reachable "
        "without going below {min_dpi:g} dpi is {smallest_h} ({fixed_h} of it cannot be "
        "reduced: text, drawings, small images). Send fewer pages or files, or allow a larger "
        "size.",
        "Les documents ne peuvent pas tenir dans {target_h} : la plus petite taille possible "
        "sans descendre sous {min_dpi:g} ppp est {smallest_h} (dont {fixed_h} ne peuvent pas "
        "être réduits : texte, dessins, petites images). Envoyez moins de pages ou de fichiers, "
        "ou acceptez une taille plus grande.",
    ),
    "unsupported-input": (
        "{name}: this file cannot be used.",
        "{name} : ce fichier ne peut pas être utilisé.",
    ),
    "unsupported-kind": (
        "{name} is {format_text}, which is not accepted: only PDF, PNG, GIF and JPEG files are. "
        "{advice}",
        "{name} est {format_text}, un format non accepté : seuls les fichiers PDF, PNG, GIF et "
        "JPEG le sont. {advice}",
    ),
    "empty-input": (
        "{name} is empty (0 bytes). Choose the file again; it may not have been saved completely.",
        "{name} est vide (0 octet). Choisissez à nouveau le fichier ; il n'a peut-être pas été "
        "enregistré entièrement.",
    ),
    "extension-mismatch": (
        "{name} is named as a .{extension} file but its content is {kind_label}. Rename it or "
        "export it again in the right format.",
        "{name} porte l'extension .{extension} mais son contenu est {kind_label}. Renommez-le "
        "ou exportez-le à nouveau dans le bon format.",
    ),
    "unsupported-variant": (
        "{name} is a file that cannot be read ({reason_text}). Export it again as a standard "
        "JPEG or PNG.",
        "{name} est un fichier illisible ({reason_text}). Exportez-le à nouveau en JPEG ou PNG "
        "standard.",
    ),
    "xfa-only-form": (
        "{name} is a dynamic XFA form: its fields exist only for Adobe's XFA engine, so it can "
        "be neither filled nor shown here. Use the form's AcroForm (PDF) version.",
        "{name} est un formulaire XFA dynamique : ses champs n'existent que pour le moteur XFA "
        "d'Adobe, il ne peut donc être ni rempli ni affiché ici. Utilisez la version AcroForm "
        "(PDF) du formulaire.",
    ),
    "form-not-pdf": (
        "{name} is {kind_label}, not a PDF: a form is a PDF file. Choose the form's PDF file.",
        "{name} est {kind_label}, pas un PDF : un formulaire est un fichier PDF. Choisissez le "
        "fichier PDF du formulaire.",
    ),
    "damaged-input": (
        "{name} is damaged and cannot be read. Export or scan it again.",
        "{name} est endommagé et ne peut pas être lu. Exportez-le ou numérisez-le à nouveau.",
    ),
    "truncated": (
        "{name} is incomplete: the file stops before its end{reason_s}. It was probably not "
        "downloaded or saved completely; choose a complete copy.",
        "{name} est incomplet : le fichier s'arrête avant sa fin{reason_s}. Il n'a sans doute "
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
        "{name} est endommagé : ses données d'image ne peuvent pas être décodées{reason_s}. "
        "Exportez-le à nouveau.",
    ),
    "invalid-dimensions": (
        "{name} declares an impossible size ({width} × {height} pixels). Export it again.",
        "{name} déclare une taille impossible ({width} × {height} pixels). Exportez-le à nouveau.",
    ),
    "corrupt-pdf": (
        "{name} is a damaged PDF that cannot be repaired{reason_s}. Open it in a PDF reader and "
        "save or print it again as PDF.",
        "{name} est un PDF endommagé qui ne peut pas être réparé{reason_s}. Ouvrez-le dans un "
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
        "{name} was refused: its compressed data would expand beyond safe limits ({what_text}, "
        "more than {limit_h}). If it is a genuine document, export it again.",
        "{name} a été refusé : ses données compressées dépasseraient les limites de sécurité une "
        "fois décompressées ({what_text}, plus de {limit_h}). S'il s'agit d'un vrai document, "
        "exportez-le à nouveau.",
    ),
    "unsafe-content": (
        "{name} was refused: {reason_text}. Print it to PDF or export it as a plain PDF.",
        "{name} a été refusé : {reason_text}. Imprimez-le en PDF ou exportez-le en PDF simple.",
    ),
    "processing-timeout": (
        "{name} took too long to process (more than {seconds} s) and was stopped. Export it "
        "again in a simpler form.",
        "Le traitement de {name} a pris trop de temps (plus de {seconds} s) et a été arrêté. "
        "Exportez-le à nouveau sous une forme plus simple.",
    ),
    "unprocessable": (
        "{name} could not be processed safely ({reason_text}). Export it again.",
        "{name} n'a pas pu être traité en sécurité ({reason_text}). Exportez-le à nouveau.",
    ),
    "cannot-read-input": (
        "{name} could not be read: {reason_text}. Check the path and its permissions.",
        "{name} n'a pas pu être lu : {reason_text}. Vérifiez le chemin et les droits d'accès.",
    ),
    "cannot-write-output": (
        "The document could not be written to {target}: {reason_text}. Check the destination.",
        "Le document n'a pas pu être écrit dans {target} : {reason_text}. Vérifiez la destination.",
    ),
    "invalid-call": (
        "Invalid call: {reason_text}{given_s}.",
        "Appel incorrect : {reason_text}{given_s}.",
    ),
    "batch-error": ("The batch cannot run.", "Le lot ne peut pas être lancé."),
    "invalid-job-list": (
        "{source}{line_s}: {reason_text}. Correct the job list and run the command again.",
        "{source}{line_s} : {reason_text}. Corrigez la liste des travaux et relancez la commande.",
    ),
    "scheduler-unavailable": (
        "The Dask cluster at {address} cannot be used: {reason_text}.",
        "Le cluster Dask à l'adresse {address} ne peut pas être utilisé : {reason_text}.",
    ),
    "workers-cannot-start": (
        "The batch's worker processes stop as soon as they start. If a script calls "
        'msp_docs.batch.run, put the call under `if __name__ == "__main__":`; otherwise please '
        "report it.",
        "Les processus de travail du lot s'arrêtent dès leur lancement. Si un script appelle "
        'msp_docs.batch.run, placez l\'appel sous `if __name__ == "__main__":` ; sinon, merci '
        "de le signaler.",
    ),
    "unguarded-main": (
        "msp_docs.batch.run was called while a worker process was importing your script: each "
        "worker would start a batch of its own. Put the code that starts the batch under `if "
        '__name__ == "__main__":`.',
        "msp_docs.batch.run a été appelé pendant qu'un processus de travail importait votre "
        "script : chaque processus lancerait son propre lot. Placez le code qui lance le lot "
        'sous `if __name__ == "__main__":`.',
    ),
    "form-error": (
        "This form cannot be filled as asked{about}.",
        "Ce formulaire ne peut pas être rempli ainsi{about}.",
    ),
    "unknown-form": (
        "There is no form {form} ({reason_text}). Check the CERFA number (five digits, a star "
        "and two digits, e.g. 11580*05) or ask the operator to add the form.",
        "Il n'existe pas de formulaire {form} ({reason_text}). Vérifiez le numéro CERFA (cinq "
        "chiffres, une étoile et deux chiffres, par exemple 11580*05) ou demandez à "
        "l'exploitant d'ajouter le formulaire.",
    ),
    "not-fillable": (
        "Form {form} has no field to fill online: print it and fill it in by hand.",
        "Le formulaire {form} n'a aucun champ à remplir en ligne : imprimez-le et remplissez-le "
        "à la main.",
    ),
    "unknown-field": (
        "Form {form} has no field named {field_q}. List its fields with 'msp-docs cerfa fields'.",
        "Le formulaire {form} n'a pas de champ nommé {field_q}. La liste de ses champs est "
        "donnée par « msp-docs cerfa fields ».",
    ),
    "invalid-field-value": (
        "{label_q}: {reason_text}. Correct this value and try again.",
        "{label_q} : {reason_text}. Corrigez cette valeur et réessayez.",
    ),
    "value-too-long": (
        "{label_q}: the value is too long ({too_long}). Shorten it and try again.",
        "{label_q} : la valeur est trop longue ({too_long}). Raccourcissez-la et réessayez.",
    ),
    "invalid-form-map": (
        "The description of form {form} is wrong ({where}: {reason_text}). This is the "
        "operator's configuration, not your fault: please report it.",
        "La description du formulaire {form} est erronée ({where} : {reason_text}). Cela relève "
        "de la configuration de l'exploitant, non de votre saisie : merci de le signaler.",
    ),
}

# Why, in words: the reason of an error or a note. {value} is the fact of that name.
REASONS: dict[Reason, tuple[str, str]] = {
    Reason.SIGNATURE_CUT: ("the signature is cut short", "sa signature est tronquée"),
    Reason.PNG_SIGNATURE: ("bad PNG signature", "signature PNG incorrecte"),
    Reason.GIF_VERSION: ("not a GIF87a or GIF89a file", "ni GIF87a ni GIF89a"),
    Reason.PDF_HEADER: ("damaged PDF header", "en-tête PDF endommagé"),
    Reason.HEADER_CUT: ("the header is cut short", "l'en-tête est tronqué"),
    Reason.CHUNK_BEFORE_HEADER: (
        "{value} chunk before the header chunk",
        "bloc {value} avant le bloc d'en-tête",
    ),
    Reason.TWO_HEADERS: ("two header chunks", "deux blocs d'en-tête"),
    Reason.TWO_PALETTES: ("two palettes", "deux palettes"),
    Reason.PALETTE_AFTER_DATA: ("palette after the image data", "palette après les données"),
    Reason.PALETTE_LENGTH: ("invalid palette length", "longueur de palette invalide"),
    Reason.DATA_SPLIT: (
        "image data split by other chunks",
        "données d'image coupées par d'autres blocs",
    ),
    Reason.UNKNOWN_CRITICAL_CHUNK: (
        "unknown critical chunk {value}",
        "bloc critique inconnu {value}",
    ),
    Reason.NO_PALETTE: ("palette image without a palette", "image à palette sans palette"),
    Reason.NO_END_CHUNK: (
        "the data stops before the end chunk",
        "les données s'arrêtent avant le bloc de fin",
    ),
    Reason.CHUNK_LENGTH: ("chunk length over 2^31-1", "longueur de bloc au-delà de 2^31-1"),
    Reason.CHUNK_TYPE: ("invalid chunk type", "type de bloc invalide"),
    Reason.CHUNK_CUT: ("{value} chunk cut short", "bloc {value} tronqué"),
    Reason.HEADER_CHUNK: ("invalid header chunk", "bloc d'en-tête invalide"),
    Reason.COLOUR_TYPE: ("invalid colour type {value}", "type de couleur {value} invalide"),
    Reason.BIT_DEPTH: ("invalid bit depth {value}", "profondeur de {value} bits invalide"),
    Reason.HEADER_METHODS: (
        "unknown compression, filter or interlace method",
        "méthode de compression, de filtre ou d'entrelacement inconnue",
    ),
    Reason.NO_IMAGE_DATA: ("no image data", "aucune donnée d'image"),
    Reason.TOO_MUCH_DATA: (
        "more image data than the size declares",
        "plus de données d'image que la taille déclarée",
    ),
    Reason.TOO_LITTLE_DATA: (
        "less image data than the size declares",
        "moins de données d'image que la taille déclarée",
    ),
    Reason.ROW_FILTER: ("invalid row filter type", "type de filtre de ligne invalide"),
    Reason.COMPRESSED_DATA: (
        "corrupt compressed image data",
        "données d'image compressées corrompues",
    ),
    Reason.DATA_CUT: (
        "the image data stops before its end",
        "les données d'image s'arrêtent avant leur fin",
    ),
    Reason.DECODER: ("the decoder refused the image data", "le décodeur a refusé les données"),
    Reason.NO_SOI: ("no start-of-image marker", "pas de marqueur de début d'image"),
    Reason.SECOND_SOI: ("second start-of-image marker", "second marqueur de début d'image"),
    Reason.NO_EOI: (
        "the data stops before the end-of-image marker",
        "les données s'arrêtent avant le marqueur de fin d'image",
    ),
    Reason.SEGMENT_CUT: ("segment cut short", "segment tronqué"),
    Reason.SEGMENT_LENGTH: ("invalid segment length", "longueur de segment invalide"),
    Reason.RESTART_INTERVAL: ("invalid restart interval", "intervalle de reprise invalide"),
    Reason.UNEXPECTED_MARKER: ("unexpected marker {value}", "marqueur inattendu {value}"),
    Reason.TWO_FRAMES: ("more than one frame header", "plus d'un en-tête d'image"),
    Reason.FRAME_HEADER_CUT: ("frame header cut short", "en-tête d'image tronqué"),
    Reason.FRAME_HEADER: ("invalid frame header", "en-tête d'image invalide"),
    Reason.COMPONENTS: ("invalid component parameters", "paramètres de composantes invalides"),
    Reason.PRECISION: ("{value}-bit samples", "échantillons de {value} bits"),
    Reason.SCAN_BEFORE_FRAME: ("scan before the frame header", "balayage avant l'en-tête d'image"),
    Reason.SCAN_HEADER: ("invalid scan header", "en-tête de balayage invalide"),
    Reason.SCAN_COMPONENT: (
        "a scan names an unknown component",
        "un balayage nomme une composante inconnue",
    ),
    Reason.SCAN_INCOMPLETE: (
        "scan data incomplete: only {value} restart intervals",
        "données de balayage incomplètes : seulement {value} intervalles de reprise",
    ),
    Reason.RESTART_ORDER: (
        "restart markers out of order",
        "marqueurs de reprise dans le désordre",
    ),
    Reason.HIERARCHICAL_JPEG: ("a hierarchical JPEG", "un JPEG hiérarchique"),
    Reason.JPEG_LS: ("a JPEG-LS image", "une image JPEG-LS"),
    Reason.LOSSLESS_JPEG: ("lossless JPEG", "JPEG sans perte"),
    Reason.ARITHMETIC_CODING: ("arithmetic coding", "codage arithmétique"),
    Reason.JPEG_PRECISION: ("{value}-bit precision", "précision de {value} bits"),
    Reason.JPEG_COMPONENTS: ("{value} colour components", "{value} composantes de couleur"),
    Reason.GIF_LZW: (
        "PDF readers cannot decode GIF's variant of LZW",
        "les lecteurs PDF ne décodent pas la variante LZW du GIF",
    ),
    Reason.INTERLACED: (
        "a PDF image cannot be interlaced",
        "une image PDF ne peut pas être entrelacée",
    ),
    Reason.ALPHA_CHANNEL: (
        "a PDF image keeps alpha in a separate soft mask",
        "une image PDF garde la transparence dans un masque à part",
    ),
    Reason.COLOUR_KEY_FLATTENED: (
        "the transparent colour was made white",
        "la couleur transparente a été blanchie",
    ),
    Reason.TRANSPARENCY_FLATTENED: (
        "the transparency was flattened onto white, as asked",
        "la transparence a été aplatie sur fond blanc, comme demandé",
    ),
    Reason.ALPHA_UNUSED: (
        "its alpha channel hides nothing and was dropped",
        "son canal alpha ne masque rien et a été retiré",
    ),
    Reason.NO_IMAGE: ("no image in the file", "aucune image dans le fichier"),
    Reason.NO_IMAGE_BEFORE_END: (
        "the data stops before any image",
        "les données s'arrêtent avant toute image",
    ),
    Reason.EXTENSION_CUT: ("extension block cut short", "bloc d'extension tronqué"),
    Reason.UNKNOWN_BLOCK: ("unknown block {value}", "bloc inconnu {value}"),
    Reason.COLOUR_TABLE_CUT: ("colour table cut short", "table de couleurs tronquée"),
    Reason.BLOCK_CUT: (
        "the data stops inside a block",
        "les données s'arrêtent au milieu d'un bloc",
    ),
    Reason.DESCRIPTOR_CUT: ("image descriptor cut short", "descripteur d'image tronqué"),
    Reason.LZW_CODE_SIZE: ("LZW code size {value}", "taille de code LZW {value}"),
    Reason.ICC_SHORT: ("profile shorter than its header", "profil plus court que son en-tête"),
    Reason.ICC_NOT_A_PROFILE: ("not an ICC profile", "pas un profil ICC"),
    Reason.ICC_TRUNCATED: ("profile truncated", "profil tronqué"),
    Reason.ICC_CLASS: ("profile class {value}", "classe de profil {value}"),
    Reason.ICC_COLOUR_SPACE: ("colour space {value}", "espace de couleur {value}"),
    Reason.ICC_COMPONENTS: (
        "a profile for {value} components, not the image's",
        "un profil pour {value} composantes, pas celles de l'image",
    ),
    Reason.ICC_UNREADABLE: ("unreadable profile", "profil illisible"),
    Reason.ICC_CHUNK_COUNT: ("inconsistent ICC chunk count", "nombre de morceaux ICC incohérent"),
    Reason.ICC_CHUNKS_MISSING: (
        "missing or repeated ICC chunks",
        "morceaux ICC manquants ou répétés",
    ),
    Reason.ICC_MALFORMED_CHUNK: ("malformed iCCP chunk", "bloc iCCP mal formé"),
    Reason.ICC_COMPRESSED_DATA: ("corrupt compressed data", "données compressées corrompues"),
    Reason.EXIF_NOT_TIFF: ("not a TIFF structure", "pas une structure TIFF"),
    Reason.EXIF_IFD_OUTSIDE: ("IFD0 outside the block", "IFD0 hors du bloc"),
    Reason.EXIF_IFD_COUNT: (
        "implausible IFD0 entry count",
        "nombre d'entrées IFD0 invraisemblable",
    ),
    Reason.EXIF_IFD_CUT: ("IFD0 cut short", "IFD0 tronqué"),
    Reason.EXIF_TAG: ("unreadable tag {value}", "étiquette {value} illisible"),
    Reason.PAGE_TREE_LOOP: (
        "its page tree loops back on itself",
        "son arbre de pages boucle sur lui-même",
    ),
    Reason.PAGE_TREE_DEEP: (
        "its page tree is nested too deeply",
        "son arbre de pages est trop profond",
    ),
    Reason.NO_STRUCTURE: ("its structure cannot be found", "sa structure est introuvable"),
    Reason.NO_PDF_HEADER: ("it has no PDF header", "il n'a pas d'en-tête PDF"),
    Reason.NO_PAGE_TREE: ("its page tree is missing", "son arbre de pages manque"),
    Reason.PAGE_TREE_INCONSISTENT: (
        "its page tree is inconsistent",
        "son arbre de pages est incohérent",
    ),
    Reason.UNKNOWN_ENCRYPTION: (
        "it uses an unknown kind of encryption",
        "il utilise un chiffrement inconnu",
    ),
    Reason.OBJECTS_TOO_DEEP: (
        "its objects are nested too deeply",
        "ses objets sont imbriqués trop profondément",
    ),
    Reason.ACTIONS_TOO_DEEP: (
        "its actions are nested too deeply",
        "ses actions sont imbriquées trop profondément",
    ),
    Reason.PAGE_CONTENT_MISSING: (
        "the content of page {value} is missing",
        "le contenu de la page {value} manque",
    ),
    Reason.PAGE_CONTENT_UNDECODABLE: (
        "the content of page {value} cannot be decoded",
        "le contenu de la page {value} ne peut pas être décodé",
    ),
    Reason.XFA_ONLY: (
        "it is an XFA-only form, which nothing but Adobe software shows",
        "c'est un formulaire uniquement XFA, que seuls les logiciels d'Adobe affichent",
    ),
    Reason.WORKER_NOT_STARTED: (
        "no worker could be started: {value}",
        "aucun processus n'a pu être lancé : {value}",
    ),
    Reason.OUT_OF_MEMORY: (
        "it needed more memory than allowed",
        "il demandait plus de mémoire que permis",
    ),
    Reason.KILLED: ("the worker was killed (out of memory)", "le processus a été tué (mémoire)"),
    Reason.CRASHED: ("the decoder crashed ({value})", "le décodeur a planté ({value})"),
    Reason.WORKER_EXITED: (
        "the worker stopped unexpectedly (status {value})",
        "le processus s'est arrêté de façon inattendue (code {value})",
    ),
    Reason.WORKER_DIED: (
        "the worker process running it died",
        "le processus qui le traitait s'est arrêté",
    ),
    Reason.NOT_FOUND: ("no such file or directory", "fichier ou dossier introuvable"),
    Reason.PERMISSION_DENIED: ("permission denied", "permission refusée"),
    Reason.IS_A_DIRECTORY: ("it is a directory", "c'est un dossier"),
    Reason.NOT_A_DIRECTORY: (
        "a part of the path is not a directory",
        "une partie du chemin n'est pas un dossier",
    ),
    Reason.NOT_REGULAR: ("not a regular file", "ce n'est pas un fichier ordinaire"),
    Reason.NO_SPACE: ("no space left on the device", "plus de place sur le disque"),
    Reason.READ_ONLY: ("read-only file system", "système de fichiers en lecture seule"),
    Reason.OS_ERROR: ("{value}", "erreur du système : {value}"),
    Reason.DIRECTORY_MISSING: (
        "the directory {value} does not exist",
        "le dossier {value} n'existe pas",
    ),
    Reason.TEXT_STREAM: (
        "the stream is open in text mode; open it in binary mode ('wb')",
        "le flux est ouvert en mode texte ; ouvrez-le en mode binaire (« wb »)",
    ),
    Reason.STREAM_ERROR: (
        "the stream refused the data ({value})",
        "le flux a refusé les données ({value})",
    ),
    Reason.REPORT_LOCKED: (
        "another batch is running with this report",
        "un autre lot est en cours avec ce rapport",
    ),
    Reason.CALL_NO_INPUTS: ("no input was given", "aucun fichier n'a été donné"),
    Reason.CALL_INPUT_TYPE: (
        "an input must be a path, bytes, a binary stream or an msp_docs.Input",
        "un fichier d'entrée doit être un chemin, des octets, un flux binaire ou un msp_docs.Input",
    ),
    Reason.CALL_OUTPUT_TYPE: (
        "the output must be a path or a binary stream",
        "la sortie doit être un chemin ou un flux binaire",
    ),
    Reason.CALL_EXECUTOR_AND_SCHEDULER: (
        "give an executor or a scheduler, not both",
        "indiquez un exécuteur ou un planificateur, pas les deux",
    ),
    Reason.LIST_FORMAT_UNKNOWN: (
        "its format cannot be told from its name: name it .csv or .jsonl, or give the format",
        "son format ne se déduit pas de son nom : nommez-la .csv ou .jsonl, ou indiquez le format",
    ),
    Reason.NOT_UTF8: ("not UTF-8 text", "ce n'est pas du texte UTF-8"),
    Reason.NOT_CSV: ("not valid CSV ({value})", "CSV invalide ({value})"),
    Reason.NOT_JSON: ("not valid JSON ({value})", "JSON invalide ({value})"),
    Reason.NOT_AN_OBJECT: (
        "each line must be a JSON object",
        "chaque ligne doit être un objet JSON",
    ),
    Reason.NO_OUTPUT_COLUMN: (
        "the header row has no 'output' column (expected e.g. 'output,input1,input2,title')",
        "la ligne d'en-tête n'a pas de colonne « output » (attendu par exemple "
        "« output,input1,input2,title »)",
    ),
    Reason.UNKNOWN_COLUMN: (
        "unknown column '{value}' (columns: output, input1, input2..., title)",
        "colonne inconnue « {value} » (colonnes : output, input1, input2..., title)",
    ),
    Reason.DUPLICATE_INPUT_COLUMN: (
        "two input columns have the same number",
        "deux colonnes d'entrée ont le même numéro",
    ),
    Reason.TOO_MANY_CELLS: (
        "{value} cells, more than the header has columns",
        "{value} cellules, plus que de colonnes dans l'en-tête",
    ),
    Reason.UNKNOWN_KEYS: (
        "unknown keys {value} (keys: output, inputs, title)",
        "clés inconnues {value} (clés : output, inputs, title)",
    ),
    Reason.INPUTS_AND_INPUT: (
        "give 'inputs' or 'input', not both",
        "indiquez « inputs » ou « input », pas les deux",
    ),
    Reason.INPUTS_NOT_A_LIST: (
        "'inputs' must be a list of file paths",
        "« inputs » doit être une liste de chemins de fichiers",
    ),
    Reason.NOT_A_STRING: ("'{value}' must be a string", "« {value} » doit être une chaîne"),
    Reason.NO_INPUT: ("no input file", "aucun fichier d'entrée"),
    Reason.OUTPUT_EMPTY: ("the output name is empty", "le nom de sortie est vide"),
    Reason.OUTPUT_CONTROL_CHARACTER: (
        "the output name '{value}' holds a backslash or a control character",
        "le nom de sortie « {value} » contient une barre oblique inverse ou un caractère de "
        "contrôle",
    ),
    Reason.OUTPUT_ABSOLUTE: (
        "the output name '{value}' must be relative to the output directory",
        "le nom de sortie « {value} » doit être relatif au dossier de sortie",
    ),
    Reason.OUTPUT_OUTSIDE: (
        "the output name '{value}' must stay inside the output directory",
        "le nom de sortie « {value} » doit rester dans le dossier de sortie",
    ),
    Reason.OUTPUT_NOT_CLEAN: (
        "the output '{value}' is not a clean relative path ending in .pdf",
        "la sortie « {value} » n'est pas un chemin relatif propre finissant par .pdf",
    ),
    Reason.OUTPUT_TWICE: (
        "the output '{value}' is written by two jobs",
        "la sortie « {value} » est écrite par deux travaux",
    ),
    Reason.OUTPUT_OF_LINE: (
        "this output is already the output of line {value}",
        "cette sortie est déjà celle de la ligne {value}",
    ),
    Reason.OUTPUT_OVERWRITES_INPUT: (
        "the output '{value}' would overwrite one of the inputs",
        "la sortie « {value} » écraserait l'un des fichiers d'entrée",
    ),
    Reason.SOURCE_NOT_A_DIRECTORY: ("not a directory", "ce n'est pas un dossier"),
    Reason.DASK_MISSING: (
        "Dask is not installed (install the 'dask' extra)",
        "Dask n'est pas installé (installez l'extra « dask »)",
    ),
    Reason.SCHEDULER_UNREACHABLE: (
        "the scheduler cannot be reached ({value})",
        "le planificateur est injoignable ({value})",
    ),
    Reason.NO_WORKERS: ("the cluster has no worker", "le cluster n'a aucun processus de travail"),
    Reason.CALL_CACHE_BOUNDS: (
        "cache bounds must be zero (no cache) or positive",
        "les bornes du cache doivent être nulles (pas de cache) ou positives",
    ),
    Reason.CALL_PROFILE_KEYS: (
        "unknown profile keys",
        "clés de profil inconnues",
    ),
    # forms
    Reason.INVALID_NUMBER: ("not a CERFA number", "ce n'est pas un numéro CERFA"),
    Reason.NOT_IN_CATALOGUE: ("not in the catalogue", "absent du catalogue"),
    Reason.FILE_MISSING: (
        "its PDF file is missing from the forms directory",
        "son fichier PDF manque dans le répertoire des formulaires",
    ),
    Reason.FORM_UNPROCESSABLE: (
        "its form cannot be processed",
        "son formulaire ne peut pas être traité",
    ),
    Reason.DATE_FORMAT: (
        "a date is written JJ/MM/AAAA (e.g. 05/03/2024) and must exist",
        "une date s'écrit JJ/MM/AAAA (par exemple 05/03/2024) et doit exister",
    ),
    Reason.POSTCODE_FORMAT: ("a postcode is five digits", "un code postal compte cinq chiffres"),
    Reason.EMAIL_FORMAT: ("not an email address", "ce n'est pas une adresse électronique"),
    Reason.PHONE_FORMAT: (
        "a phone number is written 0X XX XX XX XX or +33 X XX XX XX XX",
        "un numéro de téléphone s'écrit 0X XX XX XX XX ou +33 X XX XX XX XX",
    ),
    Reason.DIGITS_FORMAT: ("only digits are expected", "seuls des chiffres sont attendus"),
    Reason.AMOUNT_FORMAT: (
        "an amount is written like 1234,56 or 1 234,56",
        "un montant s'écrit comme 1234,56 ou 1 234,56",
    ),
    Reason.CHECKBOX_VALUE: (
        "a checkbox takes true or false",
        "une case à cocher vaut vrai ou faux",
    ),
    Reason.CHOOSE_ONE: ("choose one of: {value}", "choisissez parmi : {value}"),
    Reason.NOT_A_STATE: (
        "not one of its states ({value}; or true/false for a checkbox)",
        "ce n'est pas l'un de ses états ({value} ; ou vrai/faux pour une case à cocher)",
    ),
    Reason.NOT_AN_OPTION: (
        "not one of its options ({value})",
        "ce n'est pas l'un de ses choix ({value})",
    ),
    Reason.TEXT_EXPECTED: ("text is expected", "un texte est attendu"),
    Reason.TEXT_NOT_BOOLEAN: (
        "text is expected, not true or false",
        "un texte est attendu, pas vrai ou faux",
    ),
    Reason.FIELD_READ_ONLY: ("this field is read-only", "ce champ est en lecture seule"),
    Reason.FIELD_NOT_FILLABLE: (
        "this field cannot be filled here",
        "ce champ ne se remplit pas ici",
    ),
    Reason.LINE_BREAK: (
        "line breaks are not allowed in this one-line field",
        "les retours à la ligne ne sont pas permis dans ce champ d'une ligne",
    ),
    Reason.UNPRINTABLE: (
        "characters the form's font cannot print: {value}",
        "caractères que la police du formulaire ne peut imprimer : {value}",
    ),
    Reason.TOO_LONG: ("the value is too long", "la valeur est trop longue"),
    # form maps (an operator's files: the words name the TOML keys)
    Reason.MAP_NOT_TOML: ("not TOML: {value}", "ce n'est pas du TOML : {value}"),
    Reason.MAP_SCHEMA: ("schema must be '{value}'", "schema doit valoir « {value} »"),
    Reason.MAP_NUMBER: (
        "not a CERFA number NNNNN*VV: '{value}'",
        "ce n'est pas un numéro CERFA NNNNN*VV : « {value} »",
    ),
    Reason.MAP_UNKNOWN_KEYS: ("unknown keys: {value}", "clés inconnues : {value}"),
    Reason.MAP_TITLE: ("a title is required", "un titre (title) est exigé"),
    Reason.MAP_ORGANISATION: (
        "the receiving organisation is required",
        "l'organisme destinataire (organisation) est exigé",
    ),
    Reason.MAP_KIND: (
        "kind must be 'fillable' or 'blank'",
        "kind doit valoir « fillable » ou « blank »",
    ),
    Reason.MAP_FILE: (
        "file must be a plain file name in the forms directory",
        "file doit être un simple nom de fichier du répertoire des formulaires",
    ),
    Reason.MAP_FIELDS: (
        "fields must be an array of tables ([[fields]])",
        "fields doit être un tableau de tables ([[fields]])",
    ),
    Reason.MAP_BLANK_WITH_FIELDS: (
        "a blank form (printed, filled by hand) has no field map",
        "un formulaire vierge (imprimé, rempli à la main) n'a pas de description de champs",
    ),
    Reason.MAP_NO_FIELDS: (
        "a fillable form needs its field map",
        "un formulaire à remplir en ligne a besoin de la description de ses champs",
    ),
    Reason.MAP_NAME_TWICE: ("two entries have this name", "deux entrées portent ce nom"),
    Reason.MAP_PDF_FIELD_TWICE: (
        "PDF field '{value}' is mapped twice",
        "le champ PDF « {value} » est décrit deux fois",
    ),
    Reason.MAP_FIELD_NOT_A_TABLE: ("each field is a table", "chaque champ est une table"),
    Reason.MAP_NAME: ("name is required", "name est exigé"),
    Reason.MAP_TYPE: ("type must be one of {value}", "type doit valoir l'un de {value}"),
    Reason.MAP_LABEL: ("label is required", "label est exigé"),
    Reason.MAP_PROFILE_KEY: (
        "unknown profile key '{value}'",
        "clé de profil inconnue « {value} »",
    ),
    Reason.MAP_FORMAT_NOT_TEXT: (
        "format applies to text fields",
        "format ne s'applique qu'aux champs de texte",
    ),
    Reason.MAP_FORMAT: ("format must be one of {value}", "format doit valoir l'un de {value}"),
    Reason.MAP_MAX_LENGTH: (
        "max_length must be a positive integer",
        "max_length doit être un entier positif",
    ),
    Reason.MAP_COMB_LENGTH: (
        "a comb field needs max_length (its number of cells)",
        "un champ en cases a besoin de max_length (son nombre de cases)",
    ),
    Reason.MAP_CHECKBOX_ON: (
        "a checkbox needs its on-state ('on', from /AP /N)",
        "une case à cocher a besoin de son état coché (« on », d'après /AP /N)",
    ),
    Reason.MAP_ON_NOT_CHECKBOX: (
        "'on' applies to checkboxes",
        "« on » ne s'applique qu'aux cases à cocher",
    ),
    Reason.MAP_RADIO_STATES: (
        "a radio group needs its states and their labels",
        "un groupe de boutons radio a besoin de ses états et de leurs libellés",
    ),
    Reason.MAP_STATES_TEXT: (
        "states map state names to labels (text)",
        "states associe des noms d'états à des libellés (du texte)",
    ),
    Reason.MAP_STATES_NOT_RADIO: (
        "'states' applies to radio groups",
        "« states » ne s'applique qu'aux groupes de boutons radio",
    ),
    Reason.MAP_OPTIONS: (
        "options must be a list of text",
        "options doit être une liste de textes",
    ),
    Reason.MAP_DATE_PARTS: (
        "a date needs parts = [day, month, year] (PDF names)",
        "une date a besoin de parts = [jour, mois, année] (noms PDF)",
    ),
    Reason.MAP_PARTS_NOT_DATE: (
        "'parts' applies to dates",
        "« parts » ne s'applique qu'aux dates",
    ),
    Reason.MAP_YEAR_DIGITS: ("year_digits must be 2 or 4", "year_digits doit valoir 2 ou 4"),
    Reason.MAP_REQUIRED: (
        "required must be true or false",
        "required doit valoir true ou false",
    ),
    Reason.MAP_TWICE_IN_CATALOGUE: (
        "the catalogue has it twice",
        "le catalogue le contient deux fois",
    ),
    Reason.MAP_NO_PDF_FIELD: (
        "the PDF has no field '{value}'",
        "le PDF n'a pas de champ « {value} »",
    ),
    Reason.MAP_PDF_FIELD_KIND: (
        "the PDF field is a {value} field, not what the map says",
        "le champ PDF est de type {value}, pas celui de la description",
    ),
    Reason.MAP_ON_STATE: (
        "its on-state is not the PDF's ({value})",
        "son état coché n'est pas celui du PDF ({value})",
    ),
    Reason.MAP_STATES_DIFFER: (
        "its states differ from the PDF's ({value})",
        "ses états diffèrent de ceux du PDF ({value})",
    ),
    Reason.MAP_CELLS_DIFFER: (
        "max_length differs from the PDF's {value}",
        "max_length diffère de celui du PDF, {value}",
    ),
}

PARTS: dict[Part, tuple[str, str]] = {
    Part.PAGE_CONTENT: ("content of page {value}", "contenu de la page {value}"),
    Part.STREAM: ("a compressed stream, object {value}", "un flux compressé, objet {value}"),
    Part.TEXT_CHUNKS: ("text chunks", "blocs de texte"),
    Part.ICC_PROFILE: ("ICC colour profile", "profil de couleur ICC"),
}

_ADVICE_EXPORT = (
    "Export it as PDF or JPEG and try again.",
    "Exportez-le en PDF ou en JPEG puis réessayez.",
)
_ADVICE_PDF = (
    "Save or print it as PDF (File > Save as > PDF) and try again.",
    "Enregistrez-le ou imprimez-le en PDF (Fichier > Enregistrer sous > PDF) puis réessayez.",
)
_ADVICE_IMAGE = (
    "Export it as PNG or JPEG and try again.",
    "Exportez-le en PNG ou en JPEG puis réessayez.",
)
_ADVICE_ARCHIVE = (
    "Extract the documents it holds and add them one by one.",
    "Extrayez les documents qu'elle contient et ajoutez-les un par un.",
)
_ADVICE_PROGRAM = (
    "A program is not a document; choose the document itself.",
    "Un programme n'est pas un document ; choisissez le document lui-même.",
)

# What an unaccepted file is, for a citizen: (English, French, advice in English and French).
FORMATS: dict[OtherFormat, tuple[str, str, tuple[str, str]]] = {
    OtherFormat.HEIC: (
        "a HEIC photo",
        "une photo HEIC",
        (
            "Export it as JPEG (on an iPhone: Settings > Camera > Formats > Most Compatible).",
            "Exportez-la en JPEG (sur iPhone : Réglages > Appareil photo > Formats > Le plus "
            "compatible).",
        ),
    ),
    OtherFormat.HEIF: ("a HEIF photo", "une photo HEIF", _ADVICE_IMAGE),
    OtherFormat.AVIF: ("an AVIF image", "une image AVIF", _ADVICE_IMAGE),
    OtherFormat.WEBP: ("a WebP image", "une image WebP", _ADVICE_IMAGE),
    OtherFormat.BMP: ("a BMP image", "une image BMP", _ADVICE_IMAGE),
    OtherFormat.TIFF: ("a TIFF image", "une image TIFF", _ADVICE_EXPORT),
    OtherFormat.JPEG_2000: ("a JPEG 2000 image", "une image JPEG 2000", _ADVICE_IMAGE),
    OtherFormat.JPEG_XL: ("a JPEG XL image", "une image JPEG XL", _ADVICE_IMAGE),
    OtherFormat.SVG: ("an SVG drawing", "un dessin SVG", _ADVICE_PDF),
    OtherFormat.PHOTOSHOP: ("a Photoshop file", "un fichier Photoshop", _ADVICE_EXPORT),
    OtherFormat.ICON: ("an icon file", "un fichier d'icône", _ADVICE_IMAGE),
    OtherFormat.ZIP: ("a ZIP archive", "une archive ZIP", _ADVICE_ARCHIVE),
    OtherFormat.RAR: ("a RAR archive", "une archive RAR", _ADVICE_ARCHIVE),
    OtherFormat.SEVEN_ZIP: ("a 7-Zip archive", "une archive 7-Zip", _ADVICE_ARCHIVE),
    OtherFormat.GZIP: ("a compressed archive", "une archive compressée", _ADVICE_ARCHIVE),
    OtherFormat.WORD: ("a Word document", "un document Word", _ADVICE_PDF),
    OtherFormat.EXCEL: ("an Excel spreadsheet", "un tableur Excel", _ADVICE_PDF),
    OtherFormat.POWERPOINT: (
        "a PowerPoint presentation",
        "une présentation PowerPoint",
        _ADVICE_PDF,
    ),
    OtherFormat.OPENDOCUMENT_TEXT: ("an OpenDocument text", "un texte OpenDocument", _ADVICE_PDF),
    OtherFormat.OPENDOCUMENT_SPREADSHEET: (
        "an OpenDocument spreadsheet",
        "un tableur OpenDocument",
        _ADVICE_PDF,
    ),
    OtherFormat.RTF: ("an RTF document", "un document RTF", _ADVICE_PDF),
    OtherFormat.POSTSCRIPT: ("a PostScript file", "un fichier PostScript", _ADVICE_PDF),
    OtherFormat.HTML: ("a web page", "une page web", _ADVICE_PDF),
    OtherFormat.XML: ("an XML file", "un fichier XML", _ADVICE_PDF),
    OtherFormat.TEXT: ("a text file", "un fichier texte", _ADVICE_PDF),
    OtherFormat.WINDOWS_PROGRAM: ("a Windows program", "un programme Windows", _ADVICE_PROGRAM),
    OtherFormat.PROGRAM: ("a program", "un programme", _ADVICE_PROGRAM),
    OtherFormat.AUDIO: (
        "an audio file",
        "un fichier audio",
        (
            "Only documents and photos are accepted.",
            "Seuls les documents et les photos sont acceptés.",
        ),
    ),
    OtherFormat.VIDEO: (
        "a video",
        "une vidéo",
        (
            "Only documents and photos are accepted; send a photo instead.",
            "Seuls les documents et les photos sont acceptés ; envoyez plutôt une photo.",
        ),
    ),
    OtherFormat.OTHER_IMAGE: (
        "an image in an unsupported format",
        "une image d'un format non accepté",
        _ADVICE_IMAGE,
    ),
    OtherFormat.UNKNOWN: (
        "a file of unknown type",
        "un fichier de type inconnu",
        (
            "Choose your document again, exported as PDF or JPEG.",
            "Choisissez à nouveau votre document, exporté en PDF ou en JPEG.",
        ),
    ),
}

NOTES: dict[str, tuple[str, str]] = {
    # actions
    "metadata-removed": (
        "personal metadata removed ({items_text})",
        "métadonnées personnelles supprimées ({items_text})",
    ),
    "exif-oriented": (
        "turned upright from its EXIF orientation ({orientation}: {transform})",
        "redressé d'après son orientation EXIF ({orientation} : {transform})",
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
        "image re-encoded losslessly ({source} → {target}): {reason_text}",
        "image réencodée sans perte ({source} → {target}) : {reason_text}",
    ),
    "passthrough": (
        "image data embedded as it is ({encoding})",
        "données d'image intégrées telles quelles ({encoding})",
    ),
    "trailing-data-removed": (
        "data after the end of the {end_of} removed ({bytes_h})",
        "données après la fin du {end_of} supprimées ({bytes_h})",
    ),
    "stray-bytes-removed": (
        "stray bytes between the JPEG segments removed ({bytes_h}; decoders skip them)",
        "octets parasites entre les segments JPEG supprimés ({bytes_h} ; les décodeurs les "
        "ignorent)",
    ),
    "leading-junk-removed": (
        "data before the PDF header ignored ({bytes_h})",
        "données avant l'en-tête PDF ignorées ({bytes_h})",
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
        "document metadata removed ({parts_text})",
        "métadonnées du document supprimées ({parts_text})",
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
        "fields filled: {count} ({prefilled} from the profile)",
        "champs remplis : {count} (dont {prefilled} d'après le profil)",
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
    "fit-reduced": (
        "{what_text} reduced to fit the size asked for: {from_width} × {from_height} px, "
        "{from_bytes_h} → {to_width} × {to_height} px ({dpi} dpi), JPEG quality {quality}, "
        "{to_bytes_h}",
        "{what_text} réduite pour tenir dans la taille demandée : {from_width} × {from_height} "
        "px, {from_bytes_h} → {to_width} × {to_height} px ({dpi} ppp), JPEG qualité {quality}, "
        "{to_bytes_h}",
    ),
    "frames-as-pages": (
        "each of the {frames} frames became a page",
        "chacune des {frames} images est devenue une page",
    ),
    # warnings
    "extension-mismatch": (
        "the name ends in .{extension} but the content is {kind_label}; it was read as such",
        "le nom se termine par .{extension} mais le contenu est {kind_label} ; il a été lu "
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
        "the EXIF data is damaged ({reason_text}); what could not be read was ignored",
        "les données EXIF sont endommagées ({reason_text}) ; ce qui n'a pu être lu a été ignoré",
    ),
    "icc-profile-ignored": (
        "the embedded colour profile was not used ({reason_text}); colours may look slightly "
        "different",
        "le profil de couleur intégré n'a pas été utilisé ({reason_text}) ; les couleurs peuvent "
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
        "the file also looks like {other_label}; it was handled as {kind_label}, what its "
        "first bytes declare, and only that part was kept",
        "le fichier ressemble aussi à {other_label} ; il a été traité comme {kind_label}, ce que "
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
    "zip": ("a ZIP archive", "une archive ZIP"),
}

# What ends where trailing data starts (the ``kind`` of a trailing-data-removed note).
_ENDS: dict[str, tuple[str, str]] = {
    "pdf": ("PDF", "PDF"),
    "png": ("PNG", "PNG"),
    "gif": ("GIF", "GIF"),
    "jpeg": ("JPEG", "JPEG"),
    "png-image-data": ("PNG image data", "flux d'image PNG"),
}

# Names of removed image metadata; technical names (EXIF, XMP, APP13...) are the same in French.
# What ``fit`` reduced (the ``what`` of a ``fit-reduced`` note).
_REDUCED: dict[str, tuple[str, str]] = {
    "image": ("the image", "l'image"),
    "pdf-image": ("an image of the PDF", "une image du PDF"),
}

_METADATA: dict[str, tuple[str, str]] = {
    "exif": ("EXIF", "EXIF"),
    "xmp": ("XMP", "XMP"),
    "iptc": ("IPTC/Photoshop", "IPTC/Photoshop"),
    "mpf": ("MPF", "MPF"),
    "jfif": ("JFIF", "JFIF"),
    "jfif-thumbnail": ("JFIF thumbnail", "vignette JFIF"),
    "comment": ("comment", "commentaire"),
    "comments": ("comments", "commentaires"),
    "text": ("text", "texte"),
    "modification-time": ("modification time", "date de modification"),
    "application-data": ("application data", "données d'application"),
}

# EXIF orientation -> what the viewer does to show the stored image upright.
_TRANSFORMS: dict[int, tuple[str, str]] = {
    2: ("mirrored left to right", "retourné gauche-droite"),
    3: ("turned 180°", "tourné de 180°"),
    4: ("mirrored top to bottom", "retourné haut-bas"),
    5: ("mirrored and turned 90° counter-clockwise", "retourné et tourné de 90° à gauche"),
    6: ("turned 90° clockwise", "tourné de 90° à droite"),
    7: ("mirrored and turned 90° clockwise", "retourné et tourné de 90° à droite"),
    8: ("turned 90° counter-clockwise", "tourné de 90° à gauche"),
}


def human_bytes(n: int, lang: str = "en") -> str:
    """A byte count for people: ``10.0 MiB``, ``512 KiB``, ``1 byte``; ``10,0 Mio`` in French."""
    french = _french(lang)
    if n >= 1024 * 1024:
        text = f"{n / (1024 * 1024):.1f} " + ("Mio" if french else "MiB")
        return text.replace(".", ",") if french else text
    if n >= 1024:
        return f"{n / 1024:.0f} " + ("Kio" if french else "KiB")
    if french:
        return "1 octet" if n == 1 else f"{n} octets"
    return "1 byte" if n == 1 else f"{n} bytes"


def _french(lang: str) -> bool:
    return str(lang).lower().startswith("fr")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if _french(lang) else pair[0]


def render_reason(reason: Reason, value: object = None, lang: str = "en") -> str:
    """A reason in words, with its value where the wording shows one."""
    return _pick(REASONS[reason], lang).format(value=value)


def describe_format(format: OtherFormat, lang: str = "en") -> str:
    """What an unaccepted file is, in words (``a ZIP archive``)."""
    english, french, _ = FORMATS[format]
    return french if _french(lang) else english


def _derived(facts: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The facts, plus the values templates build from them, in ``lang``."""
    out = dict(facts)
    for key, value in facts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            out[f"{key}_h"] = human_bytes(value, lang)
    if "size" in facts and "limit" in facts:
        out["excess_h"] = human_bytes(int(facts["size"]) - int(facts["limit"]), lang)
    kind = facts.get("kind")
    if kind is not None and str(kind) in KIND_LABELS:
        out["kind_label"] = _pick(KIND_LABELS[str(kind)], lang)
    reason = facts.get("reason")
    if isinstance(reason, Reason):
        out["reason_text"] = render_reason(reason, facts.get("value"), lang)
        out["reason_s"] = f" ({out['reason_text']})"
    elif reason is None:
        out["reason_s"] = ""
    return out


def render_error(error: MspDocsError, lang: str = "en") -> str:
    """Render ``error`` from its code and facts (``detail`` is for diagnosis, never shown)."""
    facts = _derived(error.facts, lang)
    name = error.input_name
    facts["name"] = name if name is not None else _pick(("The file", "Le fichier"), lang)
    facts["about"] = f" ({name})" if name else ""
    if error.code == "image-too-large":
        facts["limit_mp"] = f"{int(facts['limit']) / 1_000_000:g}"
    what = facts.get("what")
    if isinstance(what, Part):
        facts["what_text"] = _pick(PARTS[what], lang).format(value=facts.get("value"))
    fmt = facts.get("format")
    if isinstance(fmt, OtherFormat):
        facts["format_text"] = describe_format(fmt, lang)
        facts["advice"] = _pick(FORMATS[fmt][2], lang)
    line = facts.get("line")
    facts["line_s"] = f":{line}" if line is not None else ""
    given = facts.get("given")
    facts["given_s"] = f" ({given})" if given is not None else ""
    if isinstance(error, FormError):
        _form_facts(facts, lang)
    return _pick(ERRORS[error.code], lang).format_map(facts)


def _form_facts(facts: dict[str, Any], lang: str) -> None:
    """Facts the form errors show: the field as a citizen reads it, a length in words."""
    quote = _pick(("“{}”", "« {} »"), lang)
    field = facts.get("field")
    if field is not None:
        facts["field_q"] = quote.format(field)
    label = facts.get("label") or field
    facts["label_q"] = quote.format(label) if label else _pick(("A field", "Un champ"), lang)
    length, most = facts.get("length"), facts.get("max_length")
    if isinstance(length, int) and isinstance(most, int):
        facts["too_long"] = _pick(
            ("{length} characters, at most {most}", "{length} caractères, {most} au plus"), lang
        ).format(length=length, most=most)
    else:
        facts["too_long"] = _pick(
            (
                "it does not fit in its box, even in small print",
                "elle ne tient pas dans sa case, même en petits caractères",
            ),
            lang,
        )


def render_note(code: str, facts: Mapping[str, Any], lang: str = "en") -> str:
    """Render a report note; an unknown code renders as the code and its facts."""
    templates = NOTES.get(code)
    if templates is None:
        extra = ", ".join(f"{k}={v}" for k, v in facts.items())
        return f"{code} ({extra})" if extra else code
    values = _derived(facts, lang)
    if code == "metadata-removed":
        values["items_text"] = _list(facts["items"], _METADATA, lang)
    elif code == "exif-oriented":
        values["transform"] = _pick(_TRANSFORMS[int(facts["orientation"])], lang)
    elif code == "trailing-data-removed":
        values["end_of"] = _pick(_ENDS[str(facts["kind"])], lang)
    elif code == "pdf-metadata-removed":
        values["parts_text"] = _pdf_metadata(facts, lang)
    elif code == "polyglot":
        values["other_label"] = _pick(KIND_LABELS[str(facts["other"])], lang)
    elif code == "fit-reduced":
        values["what_text"] = _pick(_REDUCED[str(facts["what"])], lang)
    return _pick(templates, lang).format_map(values)


def _list(items: Sequence[str], names: Mapping[str, tuple[str, str]], lang: str) -> str:
    return ", ".join(_pick(names[i], lang) if i in names else i for i in items)


def _pdf_metadata(facts: Mapping[str, Any], lang: str) -> str:
    parts = []
    if facts.get("info"):
        parts.append(_pick(("document information", "informations du document"), lang))
    if facts.get("xmp"):
        parts.append(_pick(("XMP metadata", "métadonnées XMP"), lang))
    if facts.get("objects"):
        parts.append(
            _pick(("metadata of {n} objects", "métadonnées de {n} objets"), lang).format(
                n=facts["objects"]
            )
        )
    if facts.get("private"):
        parts.append(
            _pick(
                ("private application data ({n})", "données privées d'applications ({n})"), lang
            ).format(n=facts["private"])
        )
    if facts.get("dates"):
        parts.append(
            _pick(
                ("page modification dates ({n})", "dates de modification des pages ({n})"), lang
            ).format(n=facts["dates"])
        )
    return ", ".join(parts)
