"""The lossless encoder: every filter choice and bit depth decodes to the same samples.

Each stream is read back by two parsers that are not ours: qpdf (through pikepdf) and pypdf,
which both undo ``/FlateDecode`` with PNG predictors.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import zlib

import pikepdf
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from msp_docs._backends import _deflate, _pillow, _predictors
from msp_docs._backends._predictors import Filter
from msp_docs._model import DeviceColour, RasterImage

from ._images_support import make_png, page_images, to_pdf


def _pdf_of(image: RasterImage) -> bytes:
    """A one-page PDF holding ``image`` as it is (written by pikepdf, not by our assembler)."""
    pdf = pikepdf.new()
    parms = image.decode_parms
    stream = pdf.make_stream(
        image.data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=image.width,
        Height=image.height,
        BitsPerComponent=image.bits_per_component,
        ColorSpace=pikepdf.Name("/DeviceGray" if _components(image) == 1 else "/DeviceRGB")
        if _components(image) in (1, 3)
        else pikepdf.Name.DeviceCMYK,
        Filter=pikepdf.Name.FlateDecode,
    )
    if parms:
        stream.DecodeParms = pikepdf.Dictionary({"/" + k: v for k, v in parms.items()})
    pdf.add_blank_page()
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=stream))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _components(image: RasterImage) -> int:
    space = image.colour_space
    assert isinstance(space, DeviceColour)
    return space.components


def _decoded_both(image: RasterImage) -> tuple[bytes, bytes]:
    data = _pdf_of(image)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        by_qpdf = pdf.pages[0].Resources.XObject.Im0.read_bytes()
    xobject = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/XObject"]["/Im0"]
    by_pypdf = xobject.get_object().get_data()
    return by_qpdf, by_pypdf


def _raster(
    raw: bytes, size: tuple[int, int], bits: int, channels: int, kind: Filter
) -> RasterImage:
    width, height = size
    row_bytes = (width * channels * bits + 7) // 8
    bpp = max(1, channels * bits // 8)
    if kind == Filter.NONE:
        data, parms = zlib.compress(raw), None
    else:
        data = zlib.compress(_predictors.filtered(raw, row_bytes, bpp, kind))
        parms = {"Predictor": 15, "Colors": channels, "BitsPerComponent": bits, "Columns": width}
    space = DeviceColour({1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}[channels])  # type: ignore[arg-type]
    return RasterImage(
        width=width, height=height, bits_per_component=bits, colour_space=space, data=data,
        filter="FlateDecode", decode_parms=parms,
    )  # fmt: skip


SHAPES = [(1, 1), (2, 1), (4, 1), (8, 1), (8, 3), (8, 4), (16, 1), (16, 3)]


@pytest.mark.parametrize("kind", list(Filter), ids=lambda f: f.name.lower())
@pytest.mark.parametrize(("bits", "channels"), SHAPES, ids=lambda v: str(v))
def test_each_filter_decodes_to_the_same_samples(kind: Filter, bits: int, channels: int) -> None:
    rng = random.Random(bits * 10 + channels)
    width, height = 37, 23  # odd sizes: rows padded to a byte at low bit depths
    row_bytes = (width * channels * bits + 7) // 8
    raw = bytes(rng.randrange(256) for _ in range(row_bytes * height))
    if bits < 8:  # the padding bits of each row are zero, as a decoder gives them
        pad = row_bytes * 8 - width * channels * bits
        mask = (0xFF << pad) & 0xFF
        raw = b"".join(
            raw[y * row_bytes : (y + 1) * row_bytes - 1]
            + bytes([raw[(y + 1) * row_bytes - 1] & mask])
            for y in range(height)
        )
    by_qpdf, by_pypdf = _decoded_both(_raster(raw, (width, height), bits, channels, kind))
    assert by_qpdf == raw
    if bits >= 8 or kind in (Filter.NONE, Filter.UP):
        # pypdf takes the byte to the left for "bpp" at depths under 8, where PNG says one
        # byte: one more reason why our encoder filters only rows of whole bytes per sample.
        assert by_pypdf == raw


@pytest.mark.parametrize("bits", [1, 2, 4])
def test_no_filter_below_eight_bits(bits: int) -> None:
    smooth = bytes(range(256)) * 64  # would favour Sub at 8 bits
    encoded = _predictors.encode_rows(smooth, 64, 1, bits=bits)
    assert not encoded.predictor


def _flat_rows() -> tuple[bytes, int, int]:
    image = Image.new("RGB", (640, 900), (250, 250, 252))
    draw = ImageDraw.Draw(image)
    for y in range(20, 880, 16):
        draw.text((20, y), "Justificatif de domicile " * 4, fill=(20, 20, 30))
    return image.tobytes(), 640, 900


def _gradient_rows() -> tuple[bytes, int, int]:
    image = Image.radial_gradient("L").resize((800, 700)).convert("RGB")
    return image.tobytes(), 800, 700


def _noise_rows() -> tuple[bytes, int, int]:
    return random.Random(4).randbytes(900 * 700 * 3), 900, 700


@pytest.mark.parametrize("make", [_flat_rows, _gradient_rows, _noise_rows])
def test_encode_rows_is_lossless_whatever_it_chooses(make) -> None:  # type: ignore[no-untyped-def]
    raw, width, height = make()
    image = _pillow.flate_raster(
        raw, width=width, height=height, bits=8, channels=3, colour_space=DeviceColour("DeviceRGB")
    )
    by_qpdf, by_pypdf = _decoded_both(image)
    assert by_qpdf == raw
    assert by_pypdf == raw


def test_the_choice_follows_the_content() -> None:
    gradient, width, _ = _gradient_rows()
    noise, noise_width, _ = _noise_rows()
    smooth = _predictors.encode_rows(gradient, width * 3, 3)
    noisy = _predictors.encode_rows(noise, noise_width * 3, 3)
    assert smooth.predictor and smooth.plan.filter != Filter.NONE
    assert smooth.plan.level == _predictors.FLAT_LEVEL
    assert not noisy.predictor and noisy.plan == _predictors.Plan(
        Filter.NONE, _predictors.FAST_LEVEL
    )
    assert len(noisy.data) <= len(noise) * 1.01  # noise does not grow much either


def test_encoder_output_is_not_larger_than_pillows_on_a_screenshot() -> None:
    raw, width, height = _flat_rows()
    ours = _pillow.flate_raster(
        raw, width=width, height=height, bits=8, channels=3, colour_space=DeviceColour("DeviceRGB")
    )
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), raw).save(out, "PNG", compress_level=6)
    assert isinstance(ours.data, bytes)
    assert len(ours.data) <= 1.05 * len(out.getvalue())


@pytest.mark.parametrize("mode", ["1", "L", "RGB", "CMYK", "I;16", "P"])
def test_pillow_images_of_every_mode_round_trip(mode: str) -> None:
    rng = random.Random(7)
    size = (53, 41)
    if mode == "I;16":
        source = Image.frombytes("I;16", size, rng.randbytes(size[0] * size[1] * 2))
    elif mode == "P":
        source = Image.frombytes(
            "P", size, bytes(rng.randrange(5) for _ in range(size[0] * size[1]))
        )
    else:
        bands = {"1": 1, "L": 1, "RGB": 3, "CMYK": 4}[mode]
        source = Image.frombytes(
            "L" if bands == 1 else mode, size, rng.randbytes(size[0] * size[1] * bands)
        )
        source = source.convert(mode)
    from msp_docs._model import IndexedColour

    space = IndexedColour(DeviceColour("DeviceRGB"), 4, bytes(15)) if mode == "P" else None
    image = _pillow.encode(source, space)
    data = image.data
    assert isinstance(data, bytes)
    inflated = zlib.decompress(data)
    if mode == "P":
        assert image.bits_per_component == 4  # five indices: packed into 4 bits
        got = Image.frombytes("P", size, _unfiltered(image, inflated), "raw", "P;4").tobytes()
        assert got == source.tobytes()
    else:
        expected = source.tobytes("raw", "I;16B") if mode == "I;16" else source.tobytes()
        assert _unfiltered(image, inflated) == expected


def _unfiltered(image: RasterImage, inflated: bytes) -> bytes:
    """Undo PNG predictors with qpdf (a second parser) when the encoder used them."""
    if not image.decode_parms:
        return inflated
    pdf = pikepdf.new()
    stream = pdf.make_stream(
        zlib.compress(inflated),
        Filter=pikepdf.Name.FlateDecode,
        DecodeParms=pikepdf.Dictionary({"/" + k: v for k, v in image.decode_parms.items()}),
    )
    return stream.read_bytes()


def test_reencoded_png_paths_decode_identically_with_pypdf() -> None:
    """End to end: an RGBA PNG's colour and soft mask, read by pypdf, are the input's pixels."""
    rng = random.Random(9)
    pixels = Image.frombytes("RGBA", (300, 200), rng.randbytes(300 * 200 * 4))
    flat = Image.new("RGBA", (300, 200), (240, 240, 250, 255))
    ImageDraw.Draw(flat).rectangle((0, 0, 299, 30), fill=(0, 0, 0, 0))
    for source in (pixels, flat):
        buffer = io.BytesIO()
        source.save(buffer, "PNG")
        pdf = to_pdf(buffer.getvalue())
        xobject = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]["/Im0"].get_object()
        colour = xobject.get_data()
        alpha = xobject["/SMask"].get_object().get_data()
        assert colour == source.convert("RGB").tobytes()
        assert alpha == source.getchannel("A").tobytes()
        assert page_images(pdf)[0].read_bytes() == colour  # qpdf agrees


@pytest.mark.parametrize(("colour", "channels"), [(2, 3), (0, 1), (6, 4)])
def test_sixteen_bit_interlaced_png_decodes_identically_with_pypdf(
    colour: int, channels: int
) -> None:
    """16-bit samples, interlaced (so re-encoded): pypdf reads back every sample, all 16 bits."""
    rng = random.Random(11 + colour)
    width, height = 61, 17
    row = width * channels * 2
    rows = [rng.randbytes(row) for _ in range(height)]
    pdf = to_pdf(make_png(width, height, 16, colour, rows, interlace=True))
    xobject = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]["/Im0"].get_object()
    assert xobject["/BitsPerComponent"] == 16
    colour_channels = 3 if channels >= 3 else 1
    expected = b"".join(
        r[x * channels * 2 : x * channels * 2 + colour_channels * 2]
        for r in rows
        for x in range(width)
    )
    assert xobject.get_data() == expected
    if channels == 4:
        alpha = b"".join(r[x * 8 + 6 : x * 8 + 8] for r in rows for x in range(width))
        assert xobject["/SMask"].get_object().get_data() == alpha


def test_zlib_fallback_when_libdeflate_is_missing() -> None:
    """Without the ``deflate`` package the encoder still works, with zlib, and says so."""
    code = (
        "import sys; sys.modules['deflate'] = None\n"
        "from msp_docs._backends import _deflate, _predictors\n"
        "import zlib, random\n"
        "raw = random.Random(1).randbytes(300 * 90)\n"
        "out = _predictors.encode_rows(raw, 300, 3)\n"
        "assert zlib.decompress(out.data) == raw or out.predictor\n"
        "assert zlib.decompress(_deflate.compress(b'ab', 12)) == b'ab'\n"
        "print(_deflate.BACKEND)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "zlib"
    assert _deflate.BACKEND == "libdeflate"


@pytest.mark.parametrize("colours", [2, 4, 16, 200])
def test_gif_frames_decode_identically_with_pypdf(colours: int) -> None:
    """GIF (LZW) re-encoded as indexed Flate, packed to the fewest bits: pypdf reads the indices."""
    rng = random.Random(colours)
    size = (211, 97)
    frame = Image.frombytes(
        "P", size, bytes(rng.randrange(colours) for _ in range(size[0] * size[1]))
    )
    frame.putpalette([rng.randrange(256) for _ in range(3 * colours)])
    buffer = io.BytesIO()
    frame.save(buffer, "GIF")
    pdf = to_pdf(buffer.getvalue())
    xobject = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]["/Im0"].get_object()
    bits = int(xobject["/BitsPerComponent"])
    assert bits == next(b for b in (1, 2, 4, 8) if colours <= 1 << b)
    rawmode = "P" if bits == 8 else f"P;{bits}"
    decoded = Image.frombytes("P", size, xobject.get_data(), "raw", rawmode)
    assert decoded.tobytes() == Image.open(io.BytesIO(buffer.getvalue())).tobytes()


def test_interlaced_palette_png_decodes_identically_with_pypdf() -> None:
    rng = random.Random(5)
    width, height = 45, 31
    rows = [bytes(rng.randrange(16) for _ in range(width)) for _ in range(height)]
    palette = bytes(rng.randrange(256) for _ in range(48))
    from ._images_support import png_chunk

    png = make_png(width, height, 8, 3, rows, extra=(png_chunk(b"PLTE", palette),), interlace=True)
    pdf = to_pdf(png)
    xobject = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]["/Im0"].get_object()
    bits = int(xobject["/BitsPerComponent"])
    rawmode = "P" if bits == 8 else f"P;{bits}"
    decoded = Image.frombytes("P", (width, height), xobject.get_data(), "raw", rawmode)
    assert decoded.tobytes() == b"".join(rows)
