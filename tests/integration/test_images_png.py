"""PNG to PDF: lossless pixels (8 and 16 bit, alpha, palette+tRNS), passthrough, metadata."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pikepdf
import pytest
from PIL import Image

from msp_docs import Options, TooManyFrames, convert, inspect
from msp_docs._backends.png import normalise_png
from msp_docs._formats import png as png_format
from msp_docs.limits import Limits
from tests.conftest import corpus_path
from tests.integration._images_support import (
    make_png,
    page_images,
    pdf_rgba,
    pdf_samples,
    png_chunk,
    png_samples,
    same_visible_pixels,
    to_pdf,
)

RNG = random.Random(7)


def _random_bytes(count: int) -> bytes:
    return bytes(RNG.randrange(256) for _ in range(count))


def _image(data: bytes, **options: object) -> pikepdf.Stream:
    (image,) = page_images(to_pdf(data, **options))
    return image


# --- 8-bit and lower: the PDF image equals Pillow's decode of the input --------------------------
CORPUS_8BIT = [
    "png-1x1-interlaced.png",
    "png-2400x2000-itxt.png",
    "png-apng-41frames.png",
    "png-chunk-before-ihdr.png",
    "png-chunks-after-idat.png",
    "png-exif-chunk.png",
    "png-gamma-0.35.png",
    "png-gray-1bit.png",
    "png-icc-rgba.png",
    "png-interlaced-palette-4bit.png",
    "png-interlaced-rgba.png",
    "png-named-dot-jpg.jpg",
    "png-odd-size-39x39.png",
    "png-palette-1bit.png",
    "png-palette-8bit.png",
    "png-palette-trns.png",
    "png-phys-8x32.png",
    "png-rgb-8bit.png",
    "png-rgba-8bit.png",
    "png-smallest-1x1.png",
]


@pytest.mark.corpus
@pytest.mark.parametrize("name", CORPUS_8BIT)
def test_corpus_pixels_are_kept(name: str) -> None:
    data = corpus_path(name).read_bytes()
    expected = Image.open(io.BytesIO(data))
    expected.load()
    got = pdf_rgba(_image(data))
    assert same_visible_pixels(got, expected.convert("RGBA"))


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["png-rgba-8bit.png", "png-palette-trns.png", "png-icc-rgba.png"])
def test_corpus_flattened_onto_white(name: str) -> None:
    data = corpus_path(name).read_bytes()
    source = Image.open(io.BytesIO(data)).convert("RGBA")
    white = Image.new("RGBA", source.size, (255, 255, 255, 255))
    expected = Image.alpha_composite(white, source).convert("RGB")
    image = _image(data, flatten=True)
    assert "/SMask" not in image and "/Mask" not in image
    got = pdf_rgba(image).convert("RGB")
    # Pillow's compositing and ours round the same products; allow one level of rounding.
    assert (
        max(
            max(abs(a - b) for a, b in zip(p, q, strict=True))
            for p, q in zip(got.get_flattened_data(), expected.get_flattened_data(), strict=True)
        )
        <= 1
    )


@pytest.mark.corpus
def test_corpus_16bit_grey_and_rgb_pass_through_at_16_bits() -> None:
    for name in ("png-gray-16bit.png", "png-rgb-16bit.png", "png-idat-1byte-chunks.png"):
        data = corpus_path(name).read_bytes()
        image = _image(data)
        assert int(image.BitsPerComponent) == 16
        assert image.Filter == pikepdf.Name.FlateDecode
        assert pdf_samples(image) == png_samples(data)[1], name


@pytest.mark.corpus
def test_corpus_16bit_rgba_is_lossless() -> None:
    data = corpus_path("png-rgba-16bit.png").read_bytes()
    image = _image(data)
    _header, rows = png_samples(data)
    colour = [[v for i, v in enumerate(row) if i % 4 != 3] for row in rows]
    alpha = [[v for i, v in enumerate(row) if i % 4 == 3] for row in rows]
    assert int(image.BitsPerComponent) == 16
    assert pdf_samples(image) == colour
    assert int(image.SMask.BitsPerComponent) == 16
    assert pdf_samples(image.SMask) == alpha


# --- fixtures built with code -------------------------------------------------------------------
@pytest.mark.parametrize("interlace", [False, True])
@pytest.mark.parametrize(("colour", "channels"), [(0, 1), (2, 3), (4, 2), (6, 4)])
def test_16bit_samples_survive_exactly(colour: int, channels: int, interlace: bool) -> None:
    width, height = 13, 11
    rows = [_random_bytes(2 * channels * width) for _ in range(height)]
    data = make_png(width, height, 16, colour, rows, interlace=interlace, filter_type=2)
    samples = [list(struct.unpack(f">{channels * width}H", row)) for row in rows]
    image = _image(data)
    if colour in (4, 6):
        colour_part = [
            [v for i, v in enumerate(r) if i % channels != channels - 1] for r in samples
        ]
        alpha_part = [[v for i, v in enumerate(r) if i % channels == channels - 1] for r in samples]
        assert pdf_samples(image) == colour_part
        assert int(image.SMask.BitsPerComponent) == 16
        assert pdf_samples(image.SMask) == alpha_part
    else:
        assert pdf_samples(image) == samples
    assert int(image.BitsPerComponent) == 16


@pytest.mark.parametrize("interlace", [False, True])
def test_8bit_rgba_keeps_its_alpha_as_a_soft_mask(interlace: bool) -> None:
    width, height = 17, 9
    rows = [_random_bytes(4 * width) for _ in range(height)]
    data = make_png(width, height, 8, 6, rows, interlace=interlace)
    image = _image(data)
    expected = Image.frombytes("RGBA", (width, height), b"".join(rows))
    got = pdf_rgba(image)
    assert got.tobytes() == expected.tobytes()


def test_opaque_alpha_channel_is_dropped() -> None:
    rows = [bytes((10, 20, 30, 255)) * 4 for _ in range(3)]
    image = _image(make_png(4, 3, 8, 6, rows))
    assert "/SMask" not in image


def test_16bit_rgba_flatten_is_exact_for_opaque_and_transparent_pixels() -> None:
    pixels = [(1000, 2000, 65535, 65535), (5, 6, 7, 0), (40000, 0, 123, 32768)]
    row = b"".join(struct.pack(">4H", *p) for p in pixels)
    image = _image(make_png(3, 1, 16, 6, [row]), flatten=True)
    assert "/SMask" not in image
    (samples,) = pdf_samples(image)
    assert samples[0:3] == [1000, 2000, 65535]  # opaque: unchanged
    assert samples[3:6] == [65535, 65535, 65535]  # transparent: white
    half = [(v * 32768 + 65535 * (65535 - 32768)) / 65535 for v in (40000, 0, 123)]
    assert all(abs(a - b) <= 1 for a, b in zip(samples[6:9], half, strict=True))


def test_plain_images_pass_through_their_image_data() -> None:
    rows = [_random_bytes(3 * 20) for _ in range(10)]
    data = make_png(20, 10, 8, 2, rows, filter_type=1)
    parsed = png_format.parse(data)
    image = _image(data)
    assert image.read_raw_bytes() == parsed.image_data(data)
    assert dict(image.DecodeParms) == {
        "/Predictor": 15,
        "/Colors": 3,
        "/BitsPerComponent": 8,
        "/Columns": 20,
    }


@pytest.mark.parametrize("depth", [1, 2, 4, 8])
def test_grey_low_depths(depth: int) -> None:
    width, height = 23, 5
    per_row = (width * depth + 7) // 8
    rows = [_random_bytes(per_row) for _ in range(height)]
    data = make_png(width, height, depth, 0, rows)
    image = _image(data)
    assert int(image.BitsPerComponent) == depth
    assert pdf_samples(image) == png_samples(data)[1]


def _palette(entries: int) -> bytes:
    return bytes(RNG.randrange(256) for _ in range(3 * entries))


def test_palette_with_one_transparent_index_uses_a_colour_key() -> None:
    palette = _palette(4)
    rows = [bytes(RNG.randrange(4) for _ in range(9)) for _ in range(6)]
    trns = png_chunk(b"tRNS", bytes((255, 0)))  # index 1 transparent, the others opaque
    data = make_png(9, 6, 8, 3, rows, extra=(png_chunk(b"PLTE", palette), trns))
    image = _image(data)
    assert [int(v) for v in image.Mask] == [1, 1]
    assert "/SMask" not in image
    assert same_visible_pixels(pdf_rgba(image), Image.open(io.BytesIO(data)).convert("RGBA"))


@pytest.mark.parametrize("alphas", [bytes((0, 255, 0)), bytes((255, 128, 0, 30))])
def test_palette_with_partial_or_scattered_alpha_uses_a_soft_mask(alphas: bytes) -> None:
    palette = _palette(4)
    rows = [bytes(RNG.randrange(4) for _ in range(9)) for _ in range(6)]
    extra = (png_chunk(b"PLTE", palette), png_chunk(b"tRNS", alphas))
    data = make_png(9, 6, 8, 3, rows, extra=extra)
    image = _image(data)
    assert "/SMask" in image and "/Mask" not in image
    got = pdf_rgba(image)
    expected = Image.open(io.BytesIO(data)).convert("RGBA")
    assert [p[3] for p in got.get_flattened_data()] == [p[3] for p in expected.get_flattened_data()]
    assert same_visible_pixels(got, expected)


def test_palette_transparency_flattened_in_the_palette_only() -> None:
    palette = bytes((10, 20, 30, 200, 100, 0))
    rows = [bytes((0, 1, 1, 0))]
    extra = (png_chunk(b"PLTE", palette), png_chunk(b"tRNS", bytes((0, 128))))
    data = make_png(4, 1, 8, 3, rows, extra=extra)
    image = _image(data, flatten=True)
    assert "/SMask" not in image and "/Mask" not in image
    pixels = list(pdf_rgba(image).convert("RGB").get_flattened_data())
    assert pixels[0] == (255, 255, 255)
    assert pixels[1] == tuple((c * 128 + 255 * 127 + 127) // 255 for c in (200, 100, 0))
    # The image data itself is still the input's, only the palette changed.
    assert image.read_raw_bytes() == png_format.parse(data).image_data(data)


def test_out_of_range_palette_index_shows_black() -> None:
    rows = [bytes((0, 1, 3))]  # index 3 with a 2-entry palette
    data = make_png(
        3, 1, 2, 3, [bytes((0b00011100,))], extra=(png_chunk(b"PLTE", bytes(range(6))),)
    )
    del rows
    got = list(pdf_rgba(_image(data)).convert("RGB").get_flattened_data())
    assert got == [(0, 1, 2), (3, 4, 5), (0, 0, 0)]


def test_grey_and_rgb_trns_become_colour_keys() -> None:
    rows = [bytes((0, 7, 9, 7))]
    grey = make_png(4, 1, 8, 0, rows, extra=(png_chunk(b"tRNS", struct.pack(">H", 7)),))
    image = _image(grey)
    assert [int(v) for v in image.Mask] == [7, 7]
    assert [p[3] for p in pdf_rgba(image).get_flattened_data()] == [255, 0, 255, 0]
    flat = _image(grey, flatten=True)
    assert "/Mask" not in flat
    assert list(pdf_rgba(flat).convert("L").get_flattened_data()) == [0, 255, 9, 255]
    rgb_rows = [bytes((1, 2, 3, 4, 5, 6))]
    rgb = make_png(2, 1, 8, 2, rgb_rows, extra=(png_chunk(b"tRNS", struct.pack(">3H", 4, 5, 6)),))
    assert [int(v) for v in _image(rgb).Mask] == [4, 4, 5, 5, 6, 6]


@pytest.mark.parametrize("depth", [1, 2, 4, 8, 16])
def test_grey_colour_key_flattened_at_every_depth(depth: int) -> None:
    width = 8
    top = (1 << depth) - 1
    values = [(x * top) // (width - 1) for x in range(width)]
    key = values[2]
    if depth == 16:
        row = struct.pack(f">{width}H", *values)
    else:
        packed = 0
        for value in values:
            packed = (packed << depth) | value
        row = packed.to_bytes((width * depth + 7) // 8, "big")
    trns = png_chunk(b"tRNS", struct.pack(">H", key))
    data = make_png(width, 1, depth, 0, [row], extra=(trns,))
    (samples,) = pdf_samples(_image(data, flatten=True))
    bits = int(_image(data, flatten=True).BitsPerComponent)
    white = (1 << bits) - 1
    scale = white // top if bits != depth else 1
    expected = [white if v == key else v * scale for v in values]
    assert samples == expected


def test_text_chunks_and_exif_do_not_reach_the_output() -> None:
    rows = [bytes(4) for _ in range(2)]
    secret = b"48.8566N 2.3522E"
    extra = (
        png_chunk(b"tEXt", b"GPS\x00" + secret),
        png_chunk(b"zTXt", b"GPS\x00\x00" + zlib.compress(secret)),
        png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + secret),
    )
    data = make_png(4, 2, 8, 0, rows, extra=extra)
    pdf = to_pdf(data)
    assert secret not in pdf
    report = inspect(data)
    assert any(n.code == "metadata-removed" for n in report.actions)


def test_exif_orientation_and_dpi() -> None:
    tiff = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 1)
    tiff += struct.pack(">HHI", 0x0112, 3, 1) + b"\x00\x06\x00\x00" + bytes(4)
    phys = png_chunk(b"pHYs", struct.pack(">IIB", 11811, 11811, 1))  # 300 dpi
    data = make_png(4, 2, 8, 0, [bytes(4)] * 2, extra=(png_chunk(b"eXIf", tiff), phys))
    report = inspect(data)
    assert (report.width, report.height) == (2, 4)
    assert report.dpi == pytest.approx((300.0, 300.0), abs=0.01)


def test_apng_uses_the_default_image() -> None:
    data = corpus_path("png-apng-41frames.png").read_bytes()
    report = inspect(data)
    assert [n.code for n in report.warnings] == ["animation-first-frame"]
    assert report.warnings[0].facts["frames"] == 41
    assert report.pages == 1


def test_apng_frame_count_over_the_limit_is_refused() -> None:
    actl = png_chunk(b"acTL", struct.pack(">II", 100_000, 0))
    data = make_png(2, 2, 8, 0, [bytes(2)] * 2, extra=(actl,))
    with pytest.raises(TooManyFrames) as caught:
        normalise_png(data, offset=0, limits=Limits(), options=Options())
    assert caught.value.facts["frames"] == 100_000


def test_icc_profile_becomes_iccbased() -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    iccp = png_chunk(b"iCCP", b"sRGB\x00\x00" + zlib.compress(profile))
    data = make_png(2, 2, 8, 2, [bytes(6)] * 2, extra=(iccp,))
    image = _image(data)
    space = image.ColorSpace
    assert space[0] == pikepdf.Name.ICCBased
    assert space[1].read_bytes() == profile
    assert int(space[1].N) == 3


def test_icc_profile_for_the_wrong_colour_space_is_ignored_with_a_warning() -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    iccp = png_chunk(b"iCCP", b"sRGB\x00\x00" + zlib.compress(profile))
    data = make_png(2, 2, 8, 0, [bytes(2)] * 2, extra=(iccp,))  # grey image, RGB profile
    report = inspect(data)
    assert [n.code for n in report.warnings] == ["icc-profile-ignored"]
    assert _image(data).ColorSpace == pikepdf.Name.DeviceGray


def test_trailing_data_after_iend_is_removed() -> None:
    data = make_png(2, 2, 8, 0, [bytes(2)] * 2) + b"PK\x03\x04 a zip"
    report = inspect(data)
    notes = [n for n in report.actions if n.code == "trailing-data-removed"]
    assert notes and notes[0].facts["bytes"] == len(b"PK\x03\x04 a zip")
    assert b"PK\x03\x04" not in to_pdf(data)


def test_convert_of_a_png_opens_in_pypdf() -> None:
    import pypdf

    out = io.BytesIO()
    convert(make_png(30, 20, 8, 2, [_random_bytes(90) for _ in range(20)]), out)
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 1
    (image,) = reader.pages[0].images
    assert image.image.size == (30, 20)
