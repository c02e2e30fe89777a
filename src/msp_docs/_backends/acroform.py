"""AcroForm filling with pikepdf: read the field tree, set values, draw appearances, flatten.

The form is first opened and sanitised exactly as an uploaded PDF (:func:`open_pdf`): repaired,
stripped of JavaScript, actions, embedded files, metadata, XFA and usage rights, and saved
(:func:`prepare`); that is most of the cost, and a caller may keep the result to fill the same
form again (the CERFA catalogue does). Then, on a copy opened from those bytes:

- the field tree is walked once (depth- and loop-guarded) into :class:`_Field` values, one per
  fully qualified name, holding the field dictionaries (a name may be split over several) and
  their widgets, with the inheritable attributes resolved;
- values are checked against what the PDF says of each field and set on every dictionary of
  the name (``/V``) and every widget (``/AS`` for buttons);
- every widget of a field with a value gets a new appearance stream drawn by
  :mod:`msp_docs._formats.appearance`, so that the value shows in viewers that never regenerate
  appearances; ``/NeedAppearances`` is removed. Text is drawn in standard Helvetica with
  WinAnsiEncoding when it can be, else in a subset of the embedded Liberation Sans
  (:mod:`msp_docs._backends._truetype`), made once every value is drawn;
- flattening draws each visible widget's appearance into its page as a Form XObject placed by
  the algorithm of ISO 32000-1 12.5.5, removes the widgets and the /AcroForm.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream, String

from msp_docs._backends import _truetype
from msp_docs._backends.assemble import PRODUCER, _content_id
from msp_docs._backends.pdf import open_pdf
from msp_docs._formats.appearance import (
    Box,
    DefaultAppearance,
    DoesNotFit,
    Unencodable,
    check_appearance,
    empty_appearance,
    layout_text,
    standard_font,
    text_appearance,
)
from msp_docs._formats.textfont import StandardFont, TextFont, choose_font
from msp_docs._forms_model import FieldKind, FieldValue, FormField, Widget
from msp_docs._model import Note
from msp_docs.errors import (
    CorruptPdf,
    InvalidFieldValue,
    NotFillable,
    Reason,
    UnknownField,
    Value,
    ValueTooLong,
    XfaOnlyForm,
)
from msp_docs.limits import Limits
from msp_docs.options import Options

__all__ = ["A4", "Prepared", "Request", "Result", "Upload", "describe", "prepare", "process"]

#: A4 in points, portrait.
A4 = (595.276, 841.89)
_A4_TOLERANCE = 2.0  # points: 595 × 842 is A4 as forms round it

# Field flags (ISO 32000-1, tables 221, 226, 228, 230).
_READ_ONLY = 1
_REQUIRED = 1 << 1
_MULTILINE = 1 << 12
_PASSWORD = 1 << 13
_RADIO = 1 << 15
_PUSHBUTTON = 1 << 16
_COMBO = 1 << 17
_EDIT = 1 << 18
_FILE_SELECT = 1 << 20
_COMB = 1 << 24
# Annotation flags.
_HIDDEN = 1 << 1
_NO_VIEW = 1 << 5

_INHERITABLE = ("/FT", "/Ff", "/V", "/DA", "/Q", "/MaxLen", "/Opt")
_FONT_NAME = re.compile(r"[A-Za-z0-9_.+-]{1,64}")
_OFF = "Off"
_PDF_DAMAGE = (pikepdf.PdfError, RuntimeError, ValueError, OverflowError)


@dataclass(frozen=True, slots=True)
class Request:
    """What to do to a form: values to set (already mapped to PDF names) and the output's form."""

    values: Mapping[str, FieldValue]
    flatten: bool
    fit_a4: bool
    labels: Mapping[str, str]
    title: str
    clear: bool


@dataclass(slots=True)
class Result:
    """The output PDF and what was done."""

    data: bytes
    pages: int
    fields: int
    filled: list[str]
    flattened: bool
    actions: list[Note]
    warnings: list[Note]


@dataclass(slots=True)
class _Field:
    name: str
    nodes: list[Dictionary]
    widgets: list[Dictionary]
    attrs: dict[str, Any]
    kind: FieldKind = FieldKind.TEXT
    states: tuple[str, ...] = ()

    @property
    def flags(self) -> int:
        return _int(self.attrs.get("/Ff"), 0)

    @property
    def max_length(self) -> int | None:
        value = _int(self.attrs.get("/MaxLen"), 0)
        return value if value > 0 else None

    def options(self) -> list[tuple[str, str]]:
        opts = self.attrs.get("/Opt")
        out: list[tuple[str, str]] = []
        if isinstance(opts, Array):
            for opt in opts:
                if isinstance(opt, Array) and len(opt) >= 2:
                    out.append((_text(opt[0]) or "", _text(opt[1]) or ""))
                else:
                    text = _text(opt) or ""
                    out.append((text, text))
        return out


# --- entry points --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Upload:
    """A form file's bytes, not sanitised yet: a PDF whose header is at ``offset``."""

    data: bytes
    offset: int


@dataclass(frozen=True, slots=True)
class Prepared:
    """A form read and sanitised, with the notes of what sanitising did.

    ``data`` is the sanitised PDF, which :func:`describe` and :func:`process` open as it is.
    """

    data: bytes
    actions: tuple[Note, ...]
    warnings: tuple[Note, ...]


def prepare(upload: Upload, *, limits: Limits) -> Prepared:
    """Open and sanitise the form as any upload; return it saved, with the notes.

    This is the costly part of filling (repair, removal of active content, the check of every
    page's content); its result can be kept and filled many times.
    """
    pdf, actions, warnings = _open(upload, limits)
    try:
        buffer = io.BytesIO()
        try:
            # Streams are copied as they are: decoding and compressing is for the output.
            pdf.save(
                buffer,
                static_id=True,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            )
        except _PDF_DAMAGE as exc:
            raise CorruptPdf(detail=str(exc), reason=Reason.FORM_UNPROCESSABLE) from exc
    finally:
        pdf.close()
    return Prepared(buffer.getvalue(), tuple(actions), tuple(warnings))


def describe(form: Upload | Prepared, *, limits: Limits) -> list[FormField]:
    """The fields of a form: a file's bytes (sanitised first) or a prepared form."""
    pdf, _, _ = _open_form(form, limits)
    try:
        fields = _collect(pdf, limits.max_depth)
        pages = _page_numbers(pdf)
        return [_public(f, pages) for f in fields]
    finally:
        pdf.close()


def process(form: Upload | Prepared, request: Request, *, limits: Limits) -> Result:
    """Apply ``request`` to a form (a file's bytes, sanitised first, or a prepared form).

    A file's bytes are sanitised and processed in memory: for a single fill, saving and
    reopening them as :func:`prepare` does would only add time. Both ways are deterministic;
    their outputs hold the same content but are not the same bytes.
    """
    pdf, actions, warnings = _open_form(form, limits)
    try:
        try:
            return _process(pdf, request, limits, actions, warnings)
        except _PDF_DAMAGE as exc:
            raise CorruptPdf(detail=str(exc), reason=Reason.FORM_UNPROCESSABLE) from exc
    finally:
        pdf.close()


def _open_form(
    form: Upload | Prepared, limits: Limits
) -> tuple[pikepdf.Pdf, list[Note], list[Note]]:
    if isinstance(form, Prepared):
        return _open_prepared(form.data), list(form.actions), list(form.warnings)
    return _open(form, limits)


def _open_prepared(data: bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except _PDF_DAMAGE as exc:  # our own output: not expected
        raise CorruptPdf(detail=str(exc), reason=Reason.FORM_UNPROCESSABLE) from exc


def _process(
    pdf: pikepdf.Pdf, request: Request, limits: Limits, actions: list[Note], warnings: list[Note]
) -> Result:
    fields = _collect(pdf, limits.max_depth)
    if request.values and not fields:
        raise NotFillable(form=request.title)
    by_name = {f.name: f for f in fields}
    unknown = [name for name in request.values if name not in by_name]
    if unknown:
        raise UnknownField(field=unknown[0], form=request.title)
    painter = _Painter(pdf)
    filled: list[str] = []
    shrunk: list[str] = []
    if request.clear:
        for f in fields:
            _clear(f)
    for f in fields:
        if f.name in request.values:
            value = _check(f, request.values[f.name], request.labels)
            _set(f, value)
            if value is not None:
                filled.append(f.name)
        if _draw(f, painter, request.labels, touched=request.clear or f.name in request.values):
            shrunk.append(request.labels.get(f.name, f.name))
    painter.finish()
    form = pdf.Root.get("/AcroForm")
    if isinstance(form, Dictionary) and "/NeedAppearances" in form:
        del form["/NeedAppearances"]
    if fields and request.clear:
        actions.append(Note("form-cleared", {"count": len(fields)}))
    if request.values:
        actions.append(Note("form-filled", {"count": len(filled), "prefilled": 0}))
    if shrunk:
        warnings.append(Note("text-shrunk", {"fields": ", ".join(shrunk), "count": len(shrunk)}))
    flattened = False
    if request.flatten:
        _flatten(pdf)
        flattened = True
        if fields:
            actions.append(Note("form-flattened"))
    if request.fit_a4:
        fitted = _fit_a4(pdf)
        if fitted:
            actions.append(Note("pages-fitted-to-a4", {"count": fitted}))
    data = _save(pdf, request.title)
    return Result(data, len(pdf.pages), len(fields), filled, flattened, actions, warnings)


# --- opening -------------------------------------------------------------------------------------
def _open(upload: Upload, limits: Limits) -> tuple[pikepdf.Pdf, list[Note], list[Note]]:
    _refuse_xfa_only(upload.data[upload.offset :])
    result = open_pdf(
        upload.data, offset=upload.offset, limits=limits, options=Options(isolate=False)
    )
    actions = [
        Note("form-usage-rights-removed") if n.code == "usage-rights-removed" else n
        for n in result.actions
    ]
    return result.document, actions, list(result.warnings)


def _refuse_xfa_only(body: bytes) -> None:
    """Refuse a dynamic XFA form: XFA without AcroForm fields, or flagged to be rendered by XFA.

    A hybrid form (XFA beside real AcroForm fields) passes: the sanitiser drops its XFA.
    """
    try:
        pdf = pikepdf.open(io.BytesIO(body))
    except (pikepdf.PasswordError, *_PDF_DAMAGE):
        return  # open_pdf gives the right error
    with pdf:
        form = pdf.Root.get("/AcroForm")
        if not isinstance(form, Dictionary) or "/XFA" not in form:
            return
        fields = form.get("/Fields")
        has_fields = isinstance(fields, Array) and any(isinstance(f, Dictionary) for f in fields)
        if not has_fields or bool(pdf.Root.get("/NeedsRendering", False)):
            raise XfaOnlyForm(detail="dynamic XFA form")


# --- the field tree ------------------------------------------------------------------------------
def _collect(pdf: pikepdf.Pdf, max_depth: int) -> list[_Field]:
    """Every terminal field, by fully qualified name, in the order of the form's tree."""
    form = pdf.Root.get("/AcroForm")
    if not isinstance(form, Dictionary):
        return []
    top = form.get("/Fields")
    if not isinstance(top, Array):
        return []
    found: dict[str, _Field] = {}
    seen: set[tuple[int, int]] = set()
    defaults = {"/DA": form["/DA"]} if "/DA" in form else {}
    stack: list[tuple[Any, str, dict[str, Any], int]] = [
        (node, "", defaults, 0) for node in reversed(list(top))
    ]
    while stack:
        node, prefix, inherited, depth = stack.pop()
        if not isinstance(node, Dictionary) or depth > max_depth:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        partial = _text(node.get("/T"))
        name = f"{prefix}.{partial}" if prefix and partial is not None else (partial or prefix)
        attrs = dict(inherited)
        for key in _INHERITABLE:
            if key in node:
                attrs[key] = node[key]
        kids = node.get("/Kids")
        kid_list = [k for k in kids if isinstance(k, Dictionary)] if isinstance(kids, Array) else []
        if any("/T" in k for k in kid_list):
            for kid in reversed(kid_list):
                stack.append((kid, name, attrs, depth + 1))
            continue
        if not name or "/FT" not in attrs:
            continue
        widgets = kid_list or ([node] if "/Rect" in node else [])
        entry = found.get(name)
        if entry is None:
            found[name] = _Field(name, [node], list(widgets), attrs)
        else:
            entry.nodes.append(node)
            entry.widgets.extend(widgets)
    fields = list(found.values())
    for f in fields:
        _classify(f)
    return fields


def _classify(f: _Field) -> None:
    ft = _name(f.attrs.get("/FT"))
    flags = f.flags
    if ft == "Tx":
        comb = (
            flags & _COMB and f.max_length and not flags & (_MULTILINE | _PASSWORD | _FILE_SELECT)
        )
        f.kind = FieldKind.COMB if comb else FieldKind.TEXT
    elif ft == "Btn":
        if flags & _PUSHBUTTON:
            f.kind = FieldKind.BUTTON
            return
        states: list[str] = []
        for widget in f.widgets:
            for state in _on_states(widget):
                if state not in states:
                    states.append(state)
        if not states:
            current = _name(f.attrs.get("/V"))
            states = [current if current and current != _OFF else "Yes"]
        f.states = tuple(states)
        f.kind = FieldKind.RADIO if flags & _RADIO or len(states) > 1 else FieldKind.CHECKBOX
    elif ft == "Ch":
        f.kind = FieldKind.CHOICE
    elif ft == "Sig":
        f.kind = FieldKind.SIGNATURE


def _on_states(widget: Dictionary) -> list[str]:
    ap = widget.get("/AP")
    normal = ap.get("/N") if isinstance(ap, Dictionary) else None
    if not isinstance(normal, Dictionary) or isinstance(normal, Stream):
        return []
    return [str(key)[1:] for key in normal.keys() if key != "/Off"]  # noqa: SIM118


def _page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    numbers: dict[tuple[int, int], int] = {}
    for index, page in enumerate(pdf.pages):
        annots = page.obj.get("/Annots")
        if isinstance(annots, Array):
            for annot in annots:
                if isinstance(annot, Dictionary) and annot.is_indirect:
                    numbers.setdefault(annot.objgen, index + 1)
    return numbers


def _public(f: _Field, pages: Mapping[tuple[int, int], int]) -> FormField:
    widgets = []
    for w in f.widgets:
        page = pages.get(w.objgen, 0) if w.is_indirect else 0
        states = _on_states(w)
        widgets.append(Widget(page, _rect(w), states[0] if states else None))
    da = DefaultAppearance.parse(_text(f.attrs.get("/DA")))
    text_like = f.kind in (FieldKind.TEXT, FieldKind.COMB, FieldKind.CHOICE)
    return FormField(
        name=f.name,
        kind=f.kind,
        value=_value_text(f),
        states=f.states,
        options=tuple(f.options()),
        max_length=f.max_length,
        multiline=bool(f.flags & _MULTILINE) and f.kind is FieldKind.TEXT,
        read_only=bool(f.flags & _READ_ONLY),
        required=bool(f.flags & _REQUIRED),
        font_size=da.size if text_like else None,
        alignment=_int(f.attrs.get("/Q"), 0),
        widgets=tuple(widgets),
    )


def _value_text(f: _Field) -> str | None:
    value = f.attrs.get("/V")
    if isinstance(value, Name):
        text = _name(value)
        return None if text == _OFF else text
    if isinstance(value, Array):
        texts = [t for t in (_text(v) for v in value) if t is not None]
        return texts[0] if texts else None
    text = _text(value)
    return text or None


# --- values --------------------------------------------------------------------------------------
def _invalid(f: _Field, labels: Mapping[str, str], reason: Reason, value: Value = None) -> NoReturn:
    raise InvalidFieldValue(
        field=f.name, label=labels.get(f.name, f.name), reason=reason, value=value
    )


def _check(f: _Field, value: object, labels: Mapping[str, str]) -> str | None:
    """The value to set (text, or an on-state for buttons; None for empty/off), or raise."""
    if f.flags & _READ_ONLY:
        _invalid(f, labels, Reason.FIELD_READ_ONLY)
    if f.kind in (FieldKind.SIGNATURE, FieldKind.BUTTON):
        _invalid(f, labels, Reason.FIELD_NOT_FILLABLE)
    if f.kind in (FieldKind.CHECKBOX, FieldKind.RADIO):
        return _check_button(f, value, labels)
    if isinstance(value, bool):
        _invalid(f, labels, Reason.TEXT_NOT_BOOLEAN)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        _invalid(f, labels, Reason.TEXT_EXPECTED)
    # Canonically the same text, with the precomposed letters fonts have (a name typed with
    # combining accents, as some keyboards and file names give it, is drawn and stored composed).
    value = unicodedata.normalize("NFC", value)
    if f.kind is FieldKind.CHOICE:
        return _check_choice(f, value, labels)
    multiline = bool(f.flags & _MULTILINE)
    if not multiline and ("\n" in value or "\r" in value):
        _invalid(f, labels, Reason.LINE_BREAK)
    limit = f.max_length
    if limit is not None and len(value) > limit:
        raise ValueTooLong(
            field=f.name, label=labels.get(f.name, f.name), length=len(value), max_length=limit
        )
    return value


def _check_button(f: _Field, value: object, labels: Mapping[str, str]) -> str | None:
    if value is None or value is False or value in ("", _OFF):
        return None
    if value is True:
        if f.kind is FieldKind.RADIO:
            _invalid(f, labels, Reason.CHOOSE_ONE, ", ".join(f.states))
        return f.states[0]
    if isinstance(value, str) and value in f.states:
        return value
    _invalid(f, labels, Reason.NOT_A_STATE, ", ".join(f.states))


def _check_choice(f: _Field, value: str, labels: Mapping[str, str]) -> str:
    options = f.options()
    for export, display in options:
        if value in (export, display) or value in (_nfc(export), _nfc(display)):
            return export
    if f.flags & _EDIT or not options:
        return value
    choices = ", ".join(e for e, _ in options)
    _invalid(f, labels, Reason.NOT_AN_OPTION, choices)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _set(f: _Field, value: str | None) -> None:
    button = f.kind in (FieldKind.CHECKBOX, FieldKind.RADIO)
    for node in f.nodes:
        if button:
            node["/V"] = Name("/" + (value or _OFF))
        elif value is None:
            if "/V" in node:
                del node["/V"]
        else:
            node["/V"] = String(value)
        if f.kind is FieldKind.CHOICE and "/I" in node:
            del node["/I"]
    if button:
        f.attrs["/V"] = Name("/" + (value or _OFF))
    elif value is None:
        f.attrs.pop("/V", None)
    else:
        f.attrs["/V"] = String(value)


def _clear(f: _Field) -> None:
    if f.kind not in (FieldKind.SIGNATURE, FieldKind.BUTTON):
        _set(f, None)


# --- appearances ---------------------------------------------------------------------------------
class _Painter:
    """Makes appearance streams for one document, sharing the font objects.

    The standard fonts are small dictionaries made on first use; the embedded font is an
    indirect dictionary that appearances refer to at once and that :meth:`finish` fills with
    the subset of every character drawn in it.
    """

    #: Resource name of the embedded font in appearance streams.
    EMBEDDED_KEY = "MspSans"

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self._fonts: dict[str, Any] = {}
        self._embedded: Dictionary | None = None
        self._embedded_chars: set[int] = set()
        self._streams: dict[tuple[Any, ...], Stream] = {}

    def text_font(self, value: str, da: DefaultAppearance) -> TextFont:
        """The font to draw ``value`` in: standard when it can, embedded otherwise.

        Raises:
            Unencodable: characters no font can draw.
        """
        text = value.replace("\r", "").replace("\n", "")
        return choose_font(text, standard_font(da), _truetype.metrics)

    def font_resource(self, font: TextFont, text: str, da_key: str) -> tuple[str, Any]:
        """The resource name and font object of an appearance of ``text`` drawn in ``font``."""
        if isinstance(font, StandardFont):
            return da_key, self.font(font.name)
        if self._embedded is None:
            self._embedded = self.pdf.make_indirect(Dictionary())
        self._embedded_chars.update(ord(c) for c in text if c not in "\r\n")
        return self.EMBEDDED_KEY, self._embedded

    def finish(self) -> None:
        """Write the embedded font's subset, if any value was drawn in it."""
        if self._embedded is not None:
            _truetype.embed(self.pdf, self._embedded, self._embedded_chars)

    def font(self, base: str) -> Any:
        if base not in self._fonts:
            font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/" + base))
            if base != "ZapfDingbats":
                font["/Encoding"] = Name.WinAnsiEncoding
            self._fonts[base] = self.pdf.make_indirect(font)
        return self._fonts[base]

    def stream(self, content: bytes, box: Box, rotation: int, fonts: dict[str, Any]) -> Stream:
        """The appearance XObject; widgets that look the same share one (boxes off, marks...)."""
        bbox = (_fmt(box.width), _fmt(box.height))
        key = (content, bbox, rotation, tuple((k, v.objgen) for k, v in sorted(fonts.items())))
        shared = self._streams.get(key)
        if shared is not None:
            return shared
        xobject = self._streams[key] = self._new_stream(content, box, rotation, fonts)
        return xobject

    def _new_stream(self, content: bytes, box: Box, rotation: int, fonts: dict[str, Any]) -> Stream:
        xobject = Stream(self.pdf, content)
        xobject["/Type"] = Name.XObject
        xobject["/Subtype"] = Name.Form
        xobject["/BBox"] = Array([0, 0, _dec(box.width), _dec(box.height)])
        if fonts:
            xobject["/Resources"] = Dictionary(Font=Dictionary(fonts))
        if rotation:
            xobject["/Matrix"] = Array(_ROTATIONS[rotation])
        return xobject


_ROTATIONS = {90: [0, 1, -1, 0, 0, 0], 180: [-1, 0, 0, -1, 0, 0], 270: [0, -1, 1, 0, 0, 0]}


def _draw(f: _Field, painter: _Painter, labels: Mapping[str, str], *, touched: bool) -> bool:
    """Give every widget of ``f`` the appearance of its value; True if text had to shrink."""
    if f.kind in (FieldKind.CHECKBOX, FieldKind.RADIO):
        _draw_button(f, painter)
        return False
    if f.kind not in (FieldKind.TEXT, FieldKind.COMB, FieldKind.CHOICE):
        return False
    value = _value_text(f)
    if f.kind is FieldKind.CHOICE and value is not None:
        shown = dict(f.options()).get(value)
        value = shown or value
    if value is None and not touched:
        return False
    da = DefaultAppearance.parse(_text(f.attrs.get("/DA")))
    font_key = da.font if _FONT_NAME.fullmatch(da.font) else "Helv"
    comb = f.max_length if f.kind is FieldKind.COMB else None
    multiline = bool(f.flags & _MULTILINE) and f.kind is FieldKind.TEXT
    label = labels.get(f.name, f.name)
    font: TextFont | None = None
    if value is not None:
        try:
            font = painter.text_font(value, da)
        except Unencodable as exc:
            if not touched:
                return False  # a value the form already had: its own appearance stays
            raise InvalidFieldValue(
                field=f.name, label=label, reason=Reason.UNPRINTABLE, value=exc.chars
            ) from None
    shrunk = False
    for widget in f.widgets:
        box, rotation = _box(widget, f.attrs)
        if value is None or font is None:
            content = empty_appearance(box)
            fonts: dict[str, Any] = {}
        else:
            try:
                layout = layout_text(value, box, da, multiline=multiline, comb=comb, font=font)
            except DoesNotFit:
                if not touched:
                    continue  # a value the form already had: its own appearance stays
                raise ValueTooLong(field=f.name, label=label, length=len(value)) from None
            shrunk = shrunk or layout.shrunk
            key, font_object = painter.font_resource(layout.font, value, font_key)
            content = text_appearance(layout, box, da, key)
            fonts = {"/" + key: font_object}
        widget["/AP"] = Dictionary(N=painter.stream(content, box, rotation, fonts))
    return shrunk


def _draw_button(f: _Field, painter: _Painter) -> None:
    """Set each widget's /AS from the value, and draw its on and off appearances.

    They are always drawn anew (a ZapfDingbats mark, /MK /CA), in a new /N dictionary with the
    on-state first: poppler shows nothing for the /0 states of cerfa 11580*05 whose /N lists
    /Off first (and whose marks are nested transparency groups), and a checked box must show
    in every viewer. The state names are the form's own.
    """
    value = _name(f.attrs.get("/V"))
    state = value if value and value != _OFF else None
    mk_default = "l" if f.kind is FieldKind.RADIO and f.flags & _RADIO else "4"
    da = DefaultAppearance.parse(_text(f.attrs.get("/DA")))
    for widget in f.widgets:
        own = _on_states(widget) or ([f.states[0]] if f.kind is FieldKind.CHECKBOX else [])
        box, rotation = _box(widget, f.attrs)
        mk = widget.get("/MK")
        mark = _text(mk.get("/CA")) if isinstance(mk, Dictionary) else None
        content = check_appearance(box, mark or mk_default, da, "ZaDb")
        fonts = {"/ZaDb": painter.font("ZapfDingbats")}
        normal = Dictionary()
        for on in own:
            normal["/" + on] = painter.stream(content, box, rotation, fonts)
        normal["/Off"] = painter.stream(empty_appearance(box), box, rotation, {})
        widget["/AP"] = Dictionary(N=normal)
        widget["/AS"] = Name("/" + (state if state is not None and state in own else _OFF))


def _box(widget: Dictionary, attrs: Mapping[str, Any]) -> tuple[Box, int]:
    x0, y0, x1, y1 = _rect(widget)
    width, height = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    mk = widget.get("/MK")
    mk = mk if isinstance(mk, Dictionary) else Dictionary()
    rotation = _int(mk.get("/R"), 0) % 360
    rotation = rotation if rotation in _ROTATIONS else 0
    if rotation in (90, 270):
        width, height = height, width
    border_colour = _colour(mk.get("/BC"))
    border = 0.0
    if border_colour:
        bs = widget.get("/BS")
        border = _float(bs.get("/W"), 1.0) if isinstance(bs, Dictionary) else 1.0
    alignment = _int(widget.get("/Q", attrs.get("/Q")), 0)
    box = Box(
        width=width,
        height=height,
        border=max(border, 0.0),
        background=_colour(mk.get("/BG")),
        border_colour=border_colour,
        alignment=alignment if alignment in (0, 1, 2) else 0,
    )
    return box, rotation


# --- flattening ----------------------------------------------------------------------------------
def _flatten(pdf: pikepdf.Pdf) -> None:
    """Draw every visible widget's appearance into its page; remove widgets and the form."""
    for index, page in enumerate(pdf.pages):
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array):
            continue
        kept: list[Any] = []
        draws: list[str] = []
        xobjects: dict[str, Stream] = {}
        for annot in annots:
            if not isinstance(annot, Dictionary) or _name(annot.get("/Subtype")) != "Widget":
                kept.append(annot)
                continue
            if _int(annot.get("/F"), 0) & (_HIDDEN | _NO_VIEW):
                continue
            appearance = _normal_appearance(annot)
            if appearance is None:
                continue
            matrix = _placement(appearance, _rect(annot))
            if matrix is None:
                continue
            key = f"/MspForm{index + 1}x{len(xobjects) + 1}"
            xobjects[key] = appearance
            numbers = " ".join(_fmt(v) for v in matrix)
            draws.append(f"q {numbers} cm {key} Do Q")
        if kept:
            page.obj["/Annots"] = Array(kept)
        else:
            del page.obj["/Annots"]
        if draws:
            resources = _own_resources(page.obj)
            targets = resources.get("/XObject")
            if not isinstance(targets, Dictionary):
                targets = resources["/XObject"] = Dictionary()
            for key, appearance in xobjects.items():
                targets[key] = appearance
            page.contents_add(Stream(pdf, b"q\n"), prepend=True)
            page.contents_add(Stream(pdf, ("Q\n" + "\n".join(draws) + "\n").encode("ascii")))
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]


def _normal_appearance(annot: Dictionary) -> Stream | None:
    ap = annot.get("/AP")
    normal = ap.get("/N") if isinstance(ap, Dictionary) else None
    if isinstance(normal, Stream):
        chosen: Any = normal
    elif isinstance(normal, Dictionary):
        state = annot.get("/AS")
        chosen = normal.get(str(state)) if isinstance(state, Name) else None
    else:
        return None
    if not isinstance(chosen, Stream) or not isinstance(chosen.get("/BBox"), Array):
        return None
    chosen["/Type"] = Name.XObject
    chosen["/Subtype"] = Name.Form
    return chosen


def _placement(appearance: Stream, rect: tuple[float, float, float, float]) -> list[float] | None:
    """The matrix that maps an appearance onto its annotation rectangle (ISO 32000-1 12.5.5).

    The Form XObject's own /Matrix is applied by the viewer when it is drawn with ``Do``; this
    is the matrix that brings its transformed bounding box onto the rectangle.
    """
    raw_box = appearance.get("/BBox")
    if not isinstance(raw_box, Array) or len(raw_box) != 4:
        return None
    bbox = [_float(v, 0.0) for v in raw_box]
    raw = appearance.get("/Matrix")
    m = [_float(v, 0.0) for v in raw] if isinstance(raw, Array) and len(raw) == 6 else None
    a, b, c, d, e, f = m or [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    xs, ys = [], []
    for x, y in ((bbox[0], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[1]), (bbox[2], bbox[3])):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    if width <= 0 or height <= 0:
        return None
    x0, y0, x1, y1 = rect
    sx, sy = (x1 - x0) / width, (y1 - y0) / height
    return [sx, 0.0, 0.0, sy, x0 - min(xs) * sx, y0 - min(ys) * sy]


def _own_resources(page: Dictionary) -> Dictionary:
    """The page's own /Resources, copied from an ancestor when the page inherits them."""
    resources = page.get("/Resources")
    if isinstance(resources, Dictionary):
        return resources
    node = page.get("/Parent")
    depth = 0
    while isinstance(node, Dictionary) and depth < 64:
        inherited = node.get("/Resources")
        if isinstance(inherited, Dictionary):
            copied = Dictionary({key: inherited[key] for key in list(inherited.keys())})
            page["/Resources"] = copied
            return copied
        node = node.get("/Parent")
        depth += 1
    empty = Dictionary()
    page["/Resources"] = empty
    return empty


# --- printing on A4 -------------------------------------------------------------------------------
def _fit_a4(pdf: pikepdf.Pdf) -> int:
    """Scale and centre every page that is not A4 onto an A4 page; return how many were."""
    fitted = 0
    for page in pdf.pages:
        box = _floats(page.obj.get("/CropBox")) or _floats(page.obj.get("/MediaBox"))
        if box is None:
            continue
        rotate = _int(page.obj.get("/Rotate"), 0) % 360
        width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
        if rotate in (90, 270):
            width, height = height, width
        target = A4 if width <= height else (A4[1], A4[0])
        if abs(width - target[0]) <= _A4_TOLERANCE and abs(height - target[1]) <= _A4_TOLERANCE:
            continue
        xobject = page.as_form_xobject()
        # qpdf builds its data from the page's content when the file is written: take it now,
        # before the page gets its new content.
        xobject.write(xobject.read_bytes())
        scale = min(target[0] / width, target[1] / height)
        dx, dy = (target[0] - width * scale) / 2, (target[1] - height * scale) / 2
        raw_matrix = xobject.get("/Matrix")
        inner = (
            [_float(v, 0.0) for v in raw_matrix]
            if isinstance(raw_matrix, Array) and len(raw_matrix) == 6
            else [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        )
        bbox = [_float(v, 0.0) for v in xobject.BBox]
        # Where the page's own origin lands: as_form_xobject's /Matrix turns it upright, with
        # its box's lower left corner at the origin.
        lx, ly = _transformed_min(inner, bbox)
        fit = [scale, 0.0, 0.0, scale, dx - lx * scale, dy - ly * scale]
        page.obj["/Resources"] = Dictionary(XObject=Dictionary(MspPage=xobject))
        page.obj["/Contents"] = Stream(
            pdf, f"q {' '.join(_fmt(v) for v in fit)} cm /MspPage Do Q\n".encode("ascii")
        )
        page.obj["/MediaBox"] = Array([0, 0, _dec(target[0]), _dec(target[1])])
        for key in ("/CropBox", "/Rotate", "/BleedBox", "/TrimBox", "/ArtBox", "/UserUnit"):
            if key in page.obj:
                del page.obj[key]
        _move_annotations(page.obj, _multiply(inner, fit))
        fitted += 1
    return fitted


def _transformed_min(m: list[float], bbox: list[float]) -> tuple[float, float]:
    a, b, c, d, e, f = m
    corners = [(bbox[0], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[1]), (bbox[2], bbox[3])]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    return min(xs), min(ys)


def _multiply(m: list[float], n: list[float]) -> list[float]:
    """The matrix of applying ``m`` then ``n``."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [
        a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
        e * a2 + f * c2 + e2, e * b2 + f * d2 + f2,
    ]  # fmt: skip


def _move_annotations(page: Dictionary, m: list[float]) -> None:
    annots = page.get("/Annots")
    if not isinstance(annots, Array):
        return
    for annot in annots:
        rect = _floats(annot.get("/Rect")) if isinstance(annot, Dictionary) else None
        if rect is None:
            continue
        x0, y0 = _transformed_min(m, rect)
        neg = [-v for v in m[:4]] + [-m[4], -m[5]]
        x1, y1 = (-v for v in _transformed_min(neg, rect))
        annot["/Rect"] = Array([_dec(x0), _dec(y0), _dec(x1), _dec(y1)])


# --- saving --------------------------------------------------------------------------------------
def _save(pdf: pikepdf.Pdf, title: str) -> bytes:
    info = pdf.make_indirect(Dictionary())
    info["/Title"] = String(title)
    info["/Producer"] = String(PRODUCER)
    pdf.trailer["/Info"] = info
    buffer = io.BytesIO()
    pdf.save(
        buffer,
        static_id=True,  # replaced by an ID derived from the content
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        normalize_content=False,
    )
    return _content_id(buffer.getvalue())


# --- small readers -------------------------------------------------------------------------------
def _rect(annot: Dictionary) -> tuple[float, float, float, float]:
    values = _floats(annot.get("/Rect")) or [0.0, 0.0, 0.0, 0.0]
    x0, x1 = sorted((values[0], values[2]))
    y0, y1 = sorted((values[1], values[3]))
    return x0, y0, x1, y1


def _floats(value: Any) -> list[float] | None:
    if not isinstance(value, Array) or len(value) != 4:
        return None
    numbers = [_float(v, math.nan) for v in value]
    return None if any(math.isnan(n) or math.isinf(n) for n in numbers) else numbers


def _colour(value: Any) -> tuple[float, ...] | None:
    if not isinstance(value, Array) or len(value) not in (1, 3, 4):
        return None
    return tuple(min(max(_float(v, 0.0), 0.0), 1.0) for v in value)


def _float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _name(value: Any) -> str | None:
    if not isinstance(value, Name):
        return None
    try:
        return str(value)[1:]
    except UnicodeDecodeError:
        return value.unparse()[1:].decode("ascii", "replace")


def _text(value: Any) -> str | None:
    if isinstance(value, String):
        try:
            return str(value)
        except UnicodeDecodeError:
            return bytes(value).decode("latin-1")
    return None


def _dec(value: float) -> int | Decimal:
    return int(value) if value == int(value) else Decimal(_fmt(value))


def _fmt(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
