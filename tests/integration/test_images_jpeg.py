"""JPEG to PDF: the DCT data embedded as it is (same pixels), metadata gone, orientation, CMYK."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageCms, ImageOps, ImageStat

from msp_docs import (
    CorruptImage,
    ImageTooLarge,
    Options,
    PageSize,
    TruncatedInput,
    UnsupportedVariant,
    inspect,
)
from msp_docs._backends.jpeg import normalise_jpeg
from msp_docs.limits import Limits
from tests.conftest import corpus_path
from tests.integration._images_support import (
    insert_segments,
    jpeg_segments,
    page_images,
    pdf_image_to_pil,
    to_pdf,
)

GPS = b"GPS 48.8566N 2.3522E"


def _photo(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """An asymmetric picture: a gradient with a bright block in the top-left corner."""
    image = Image.new("RGB", size)
    for x in range(size[0]):
        for y in range(size[1]):
            image.putpixel((x, y), (x * 4 % 256, y * 5 % 256, (x * y) % 256))
    image.paste((250, 250, 250), (2, 2, size[0] // 3, size[1] // 4))
    return image.convert(mode)


def _jpeg(image: Image.Image, **save: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}
    return exif.tobytes()


def _embedded(pdf: bytes) -> bytes:
    (image,) = page_images(pdf)
    assert image.Filter == pikepdf.Name.DCTDecode
    return image.read_raw_bytes()


def _pixels(jpeg: bytes) -> bytes:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image.tobytes()


def _with_metadata(data: bytes) -> bytes:
    return insert_segments(
        data,
        [
            (0xE1, b"http://ns.adobe.com/xap/1.0/\x00<rdf>" + GPS + b"</rdf>"),
            (0xED, b"Photoshop 3.0\x008BIM" + GPS),
            (0xFE, b"comment " + GPS),
        ],
    )


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

FIXTURES = {
    "baseline": lambda: _jpeg(_photo(), exif=_exif(6), icc_profile=SRGB),
    "progressive": lambda: _jpeg(_photo(), progressive=True, exif=_exif(3)),
    "grey": lambda: _jpeg(_photo(mode="L")),
    "cmyk": lambda: _jpeg(_photo(mode="CMYK")),
    "subsampled-444": lambda: _jpeg(_photo(), subsampling=0),
    "restart": lambda: _jpeg(_photo(), restart_marker_blocks=2),
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_embedded_jpeg_decodes_to_the_same_pixels_without_metadata(name: str) -> None:
    data = _with_metadata(FIXTURES[name]())
    embedded = _embedded(to_pdf(data))
    assert _pixels(embedded) == _pixels(data)
    markers = [marker for marker, _ in jpeg_segments(embedded)]
    assert 0xE1 not in markers and 0xED not in markers and 0xFE not in markers
    assert GPS not in embedded


def test_icc_profile_is_kept_in_the_jpeg_and_used_as_iccbased() -> None:
    data = _jpeg(_photo(), icc_profile=SRGB, exif=_exif(1))
    pdf = to_pdf(data)
    embedded = _embedded(pdf)
    assert Image.open(io.BytesIO(embedded)).info["icc_profile"] == SRGB
    (image,) = page_images(pdf)
    assert image.ColorSpace[0] == pikepdf.Name.ICCBased
    assert image.ColorSpace[1].read_bytes() == SRGB


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name",
    [
        "jpeg-16bit-qtables.jpg",
        "jpeg-200dpi-photoshop.jpg",
        "jpeg-cmyk-adobe.jpg",
        "jpeg-exif-corrupt.jpg",
        "jpeg-ff00-in-header.jpg",
        "jpeg-junk-between-markers.jpg",
        "jpeg-mpo-stereo.mpo",
        "jpeg-polyglot-mp3.jpg",
        "jpeg-progressive-icc-400k.jpg",
        "jpeg-progressive-iptc.jpg",
        "jpeg-restart-markers.jpg",
        "jpeg-xmp-2000x1072.jpg",
    ],
)
def test_corpus_jpegs_pass_through_losslessly(name: str) -> None:
    data = corpus_path(name).read_bytes()
    embedded = _embedded(to_pdf(data))
    first_image = Image.open(io.BytesIO(data))
    first_image.load()
    assert _pixels(embedded) == first_image.tobytes()
    source_icc = first_image.info.get("icc_profile")
    assert Image.open(io.BytesIO(embedded)).info.get("icc_profile") == source_icc
    assert not {m for m, _ in jpeg_segments(embedded)} & {0xE1, 0xED, 0xFE}


@pytest.mark.corpus
def test_arithmetic_jpeg_is_reencoded_losslessly() -> None:
    data = corpus_path("jpeg-arith-1x1-smallest.jpg").read_bytes()
    (image,) = page_images(to_pdf(data))
    assert image.Filter == pikepdf.Name.FlateDecode
    assert pdf_image_to_pil(image).tobytes() == _pixels(data)
    assert [n.code for n in inspect(data).actions] == ["reencoded"]


def test_twelve_bit_jpeg_is_an_unsupported_variant() -> None:
    data = bytearray(_jpeg(_photo()))
    sof = data.index(b"\xff\xc0")
    data[sof + 1] = 0xC1  # extended sequential, the process that allows 12 bits
    data[sof + 4] = 12
    with pytest.raises(UnsupportedVariant):
        normalise_jpeg(bytes(data), offset=0, limits=Limits(), options=Options())


def test_declared_size_is_checked_before_decoding() -> None:
    data = bytearray(_jpeg(_photo((16, 16))))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    assert len(data) < 2000
    with pytest.raises(ImageTooLarge) as caught:
        normalise_jpeg(bytes(data), offset=0, limits=Limits(), options=Options())
    assert caught.value.facts["width"] == 65000


def test_truncated_entropy_data_is_refused() -> None:
    data = _jpeg(_photo((200, 150)), progressive=True)
    for cut in (len(data) // 3, len(data) - 3):
        with pytest.raises(TruncatedInput):
            normalise_jpeg(data[:cut], offset=0, limits=Limits(), options=Options())


def test_broken_entropy_data_is_refused() -> None:
    data = bytearray(_jpeg(_photo((200, 150))))
    sos = data.index(b"\xff\xda")
    middle = (sos + len(data)) // 2
    data[middle : middle + 2] = b"\xff\xc4"  # a table marker where Huffman codes should be
    with pytest.raises((CorruptImage, TruncatedInput)):
        normalise_jpeg(bytes(data), offset=0, limits=Limits(), options=Options())


def test_trailing_image_is_removed_with_a_note() -> None:
    first = _jpeg(_photo())
    data = first + _jpeg(_photo((8, 8)))
    report = inspect(data)
    (note,) = [n for n in report.actions if n.code == "trailing-data-removed"]
    assert note.facts["bytes"] == len(data) - len(first)
    assert _embedded(to_pdf(data)).endswith(b"\xff\xd9")
    assert len(_embedded(to_pdf(data))) <= len(first)


@pytest.mark.parametrize("value", [0, 9, 300])
def test_invalid_orientation_is_ignored_with_a_warning(value: int) -> None:
    data = _jpeg(_photo(), exif=_exif(value))
    report = inspect(data)
    assert [(n.code, n.facts["value"]) for n in report.warnings] == [("invalid-orientation", value)]
    assert (report.width, report.height) == (64, 48)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_reported_size_is_as_displayed(orientation: int) -> None:
    report = inspect(_jpeg(_photo(), exif=_exif(orientation)))
    assert (report.width, report.height) == ((48, 64) if orientation >= 5 else (64, 48))


def test_dpi_from_jfif_in_centimetres_and_from_exif() -> None:
    centimetres = bytearray(_jpeg(_photo(), dpi=(100, 100)))
    app0 = centimetres.index(b"JFIF")
    centimetres[app0 + 7 : app0 + 12] = b"\x02" + struct.pack(">HH", 118, 118)
    dpi = inspect(bytes(centimetres)).dpi
    assert dpi is not None and dpi == pytest.approx((299.72, 299.72))
    exif = Image.Exif()
    exif[0x011A] = 200.0
    exif[0x011B] = 200.0
    exif[0x0128] = 2
    no_jfif = _jpeg(_photo(), exif=exif.tobytes())
    start = no_jfif.index(b"\xff\xe0")
    (length,) = struct.unpack_from(">H", no_jfif, start + 2)
    no_jfif = no_jfif[:start] + no_jfif[start + 2 + length :]
    assert inspect(no_jfif).dpi == (200.0, 200.0)


def test_rgb_component_ids_get_an_explicit_colour_transform() -> None:
    data = _jpeg(_photo())
    plain = page_images(to_pdf(data))[0]
    assert int(plain.DecodeParms.ColorTransform) == 1
    cmyk = page_images(to_pdf(_jpeg(_photo(mode="CMYK"))))[0]
    assert int(cmyk.DecodeParms.ColorTransform) == 0
    assert [float(v) for v in cmyk.Decode] == [1, 0, 1, 0, 1, 0, 1, 0]


# --- rendering: what a reader shows -------------------------------------------------------------
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler")


def _render(pdf: bytes, tmp_path: Path) -> Image.Image:
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", str(source), str(tmp_path / "page")],
        check=True,
    )
    return Image.open(tmp_path / "page.png").convert("RGB")


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


ORIGINAL_SIZE = {"page_size": PageSize.ORIGINAL, "default_dpi": 72}


@needs_pdftoppm
@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_is_applied_as_displayed(orientation: int, tmp_path: Path) -> None:
    data = _jpeg(_photo((96, 64)), exif=_exif(orientation))
    page = _render(to_pdf(data, **ORIGINAL_SIZE), tmp_path)
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    assert page.size == upright.size
    # A wrong orientation differs by ~60 levels on this picture; the right one by decoding
    # and resampling noise only.
    assert _mean_difference(page, upright) < 12
    if orientation != 1:
        stored = Image.open(io.BytesIO(data)).convert("RGB")
        if stored.size == page.size:
            assert _mean_difference(page, stored) > 30


@needs_pdftoppm
@pytest.mark.corpus
@pytest.mark.parametrize("orientation", range(2, 9))
def test_corpus_orientations_are_upright(orientation: int, tmp_path: Path) -> None:
    data = corpus_path(f"jpeg-exif-orient-{orientation}.jpg").read_bytes()
    page = _render(to_pdf(data, **ORIGINAL_SIZE), tmp_path)
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    assert _mean_difference(page, upright) < 12


@pytest.mark.corpus
def test_corpus_2x1_orientation_8_gives_a_portrait_page() -> None:
    data = corpus_path("jpeg-exif-orient8-2x1.jpg").read_bytes()
    pdf = pikepdf.open(io.BytesIO(to_pdf(data)))  # A4, turned landscape for landscape images
    box = [float(v) for v in pdf.pages[0].MediaBox]
    assert box[3] > box[2]
    report = inspect(data)
    assert (report.width, report.height) == (1, 2)


@needs_pdftoppm
@pytest.mark.corpus
def test_adobe_cmyk_is_not_shown_inverted(tmp_path: Path) -> None:
    data = corpus_path("jpeg-cmyk-adobe.jpg").read_bytes()
    page = _render(to_pdf(data, **ORIGINAL_SIZE), tmp_path)
    expected = Image.open(io.BytesIO(data)).convert("RGB")
    inverted = ImageChops.invert(expected)
    right = _mean_difference(page, expected)
    assert right < 20
    assert _mean_difference(page, inverted) > 5 * right
