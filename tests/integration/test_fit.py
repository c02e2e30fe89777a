"""``fit``: the output meets the size asked for, or a typed error says what is reachable.

Outputs are read back with pikepdf (qpdf) and pypdf, not with our own code.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfReader

import msp_docs
from msp_docs import CannotFit, InputTooLarge, Limits, Options
from msp_docs.limits import MiB


def _photo(seed: int, size: tuple[int, int] = (3000, 2000), quality: int = 95) -> bytes:
    """A phone-like photo: shapes, blur, sensor noise; large at a high quality."""
    rng = random.Random(seed)
    scene = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(scene)
    for _ in range(30):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(50, 600)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    scene = scene.filter(ImageFilter.GaussianBlur(3))
    random.seed(seed)
    scene = Image.blend(scene, Image.effect_noise(size, 60).convert("RGB"), 0.3)
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=quality)
    return out.getvalue()


@pytest.fixture(scope="module")
def photos() -> list[bytes]:
    return [_photo(seed) for seed in range(4)]


def _merge(inputs: list[bytes], **options: object) -> tuple[bytes, msp_docs.Report]:
    out = io.BytesIO()
    report = msp_docs.merge(inputs, out, options=Options(**options))  # type: ignore[arg-type]
    return out.getvalue(), report


_OPEN: list[pikepdf.Pdf] = []  # the streams need their document alive


def _images(pdf: bytes) -> list[pikepdf.Stream]:
    document = pikepdf.open(io.BytesIO(pdf))
    _OPEN.append(document)
    return [
        xobject
        for page in document.pages
        for _name, xobject in page.Resources.get("/XObject", pikepdf.Dictionary()).items()
    ]


def test_four_photos_over_the_input_limit_fit_the_target(photos: list[bytes]) -> None:
    assert sum(map(len, photos)) > 10 * MiB  # refused without fit, accepted with it
    with pytest.raises(InputTooLarge):
        msp_docs.merge(photos, io.BytesIO())
    target = 2 * MiB
    data, report = _merge(photos, fit=target)
    assert len(data) <= target
    assert report.output is not None and report.output.bytes == len(data)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 4
    for entry, xobject in zip(report.inputs, _images(data), strict=True):
        assert xobject.Filter == pikepdf.Name.DCTDecode
        # Never below the floor: 150 dpi over the A4 side the image is fitted to.
        assert int(xobject.Width) >= 150 * 297 / 25.4 - 1
        notes = [n for n in entry.actions if n.code == "fit-reduced"]
        assert len(notes) == 1 and notes[0].facts["to_bytes"] < notes[0].facts["from_bytes"]
        assert "passthrough" not in [n.code for n in entry.actions]
        # The reduced image still decodes (a second decoder: Pillow on the stream qpdf gives).
        assert Image.open(io.BytesIO(xobject.read_raw_bytes())).size == (
            int(xobject.Width),
            int(xobject.Height),
        )


def test_the_highest_quality_that_fits_is_chosen(photos: list[bytes]) -> None:
    """A larger target gives a larger, better output: the quality is searched, not fixed."""
    small, _ = _merge(photos, fit=1 * MiB)
    large, report = _merge(photos, fit=4 * MiB)
    assert len(small) <= 1 * MiB < len(large) <= 4 * MiB
    qualities = [
        n.facts["quality"] for e in report.inputs for n in e.actions if n.code == "fit-reduced"
    ]
    assert max(qualities) >= 85


def test_what_fits_stays_untouched(photos: list[bytes]) -> None:
    plain, _ = _merge(photos[:2])
    fitted, report = _merge(photos[:2], fit=len(plain))
    assert fitted == plain  # byte for byte: JPEGs passed through, nothing re-encoded
    assert not [n for e in report.inputs for n in e.actions if n.code == "fit-reduced"]


def test_a_small_lossless_image_stays_lossless_while_a_photo_gives_way(photos: list[bytes]) -> None:
    shot = Image.new("RGBA", (400, 300), (240, 240, 250, 255))
    ImageDraw.Draw(shot).text((10, 10), "Capture d'écran", fill=(0, 0, 0, 255))
    buffer = io.BytesIO()
    shot.save(buffer, "PNG")
    data, _ = _merge([photos[0], buffer.getvalue()], fit=1 * MiB)
    assert len(data) <= 1 * MiB
    first, second = _images(data)
    assert first.Filter == pikepdf.Name.DCTDecode
    assert second.Filter == pikepdf.Name.FlateDecode  # untouched, still lossless
    assert second.read_bytes() == shot.convert("RGB").tobytes()


def test_cannot_fit_says_the_smallest_reachable_size_and_writes_nothing(
    photos: list[bytes], tmp_path: Path
) -> None:
    target = tmp_path / "out.pdf"
    with pytest.raises(CannotFit) as caught:
        msp_docs.merge(photos, target, options=Options(fit=50_000))
    error = caught.value
    assert error.code == "cannot-fit" and error.exit_code == 3
    assert error.facts["target"] == 50_000
    assert error.facts["smallest"] > 50_000
    assert error.facts["min_dpi"] == 150
    assert not target.exists()
    assert "150 ppp" in error.message("fr")
    # And the smallest size it names is indeed reachable.
    data, _ = _merge(photos, fit=error.facts["smallest"])
    assert len(data) <= error.facts["smallest"]


def test_a_lower_floor_reaches_smaller_sizes(photos: list[bytes]) -> None:
    with pytest.raises(CannotFit) as at_150:
        _merge(photos, fit=10_000)
    with pytest.raises(CannotFit) as at_72:
        _merge(photos, fit=10_000, min_dpi=72)
    assert at_72.value.facts["smallest"] < at_150.value.facts["smallest"]


def _pdf_with_form_text_bookmark_and_scan() -> bytes:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    pdf.add_blank_page(page_size=(595, 842))
    text_page = pdf.pages[0]
    text_page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    content = b"BT /F1 12 Tf 72 760 Td (Attestation de domicile) Tj ET"
    text_page.obj.Contents = pdf.make_stream(content)
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx,
            T=pikepdf.String("nom"), V=pikepdf.String("Dupont"), Rect=[72, 700, 300, 720],
            P=text_page.obj,
        )
    )  # fmt: skip
    text_page.obj.Annots = pikepdf.Array([field])
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    scan = Image.open(io.BytesIO(_photo(9, (1654, 2339), 97)))
    buffer = io.BytesIO()
    scan.save(buffer, "JPEG", quality=97)
    image = pdf.make_stream(
        buffer.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=1654,
        Height=2339, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )  # fmt: skip
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[1].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[1].obj.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Scan", 1))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_pdf_images_are_recompressed_text_forms_and_bookmarks_kept() -> None:
    source = _pdf_with_form_text_bookmark_and_scan()
    plain, _ = _merge([source])
    target = len(plain) // 3
    data, report = _merge([source], fit=target)
    assert len(data) <= target
    reader = PdfReader(io.BytesIO(data))
    assert "Attestation de domicile" in reader.pages[0].extract_text()
    fields = reader.get_fields() or {}
    assert fields["nom"]["/V"] == "Dupont"
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Scan" in str(reader.outline)  # the input's own bookmark, nested under its entry
    assert titles
    (image,) = [x for x in _images(data) if x.get("/Subtype") == pikepdf.Name.Image]
    assert image.Filter == pikepdf.Name.DCTDecode
    # Stored at 200 dpi on A4: within 1.5 times the floor it keeps its pixels, only re-encoded.
    assert int(image.Width) == 1654
    with pikepdf.open(io.BytesIO(source)) as pdf:
        original = len(pdf.pages[1].Resources.XObject.Im0.read_raw_bytes())
    assert len(image.read_raw_bytes()) < original / 2
    (note,) = [n for n in report.inputs[0].actions if n.code == "fit-reduced"]
    assert note.facts["dpi"] == 200 and note.facts["to_width"] == 1654
    assert [n.code for n in report.inputs[0].actions].count("fit-reduced") == 1


def test_fit_and_min_dpi_on_the_command_line(photos: list[bytes], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from msp_docs_cli.app import app

    files = []
    for index, photo in enumerate(photos[:2]):
        path = tmp_path / f"photo{index}.jpg"
        path.write_bytes(photo)
        files.append(str(path))
    runner = CliRunner()
    out = tmp_path / "out.pdf"
    done = runner.invoke(app, ["merge", *files, "-o", str(out), "--fit", "800KiB", "--json"])
    assert done.exit_code == 0, done.output
    assert out.stat().st_size <= 800 * 1024
    refused = runner.invoke(
        app, ["merge", *files, "-o", str(tmp_path / "x.pdf"), "--fit", "20KiB", "--min-dpi", "100"]
    )
    assert refused.exit_code == 3
    assert not (tmp_path / "x.pdf").exists()


def test_fit_without_isolation_gives_the_same_output(photos: list[bytes]) -> None:
    isolated, _ = _merge(photos[:2], fit=700_000)
    here, _ = _merge(photos[:2], fit=700_000, isolate=False)
    assert isolated == here


def test_fit_target_is_capped_by_the_output_limit(photos: list[bytes]) -> None:
    out = io.BytesIO()
    msp_docs.merge(
        photos[:2], out, limits=Limits(max_output_bytes=600_000), options=Options(fit=5 * MiB)
    )
    assert len(out.getvalue()) <= 600_000


@pytest.mark.parametrize(
    "size", [(3000, 2000), (120, 90)], ids=["reducible", "too-small-to-reduce"]
)
def test_a_damaged_jpeg_is_refused_when_fit_decodes_it_in_place_of_the_proof(
    photos: list[bytes], size: tuple[int, int]
) -> None:
    """With fit likely, the child's fit decode replaces the small-scale proof: same verdict."""
    damaged = _photo(7, size, 95)
    damaged = damaged[: len(damaged) * 2 // 3]
    for isolate in (True, False):
        with pytest.raises(msp_docs.MspDocsError) as caught:
            _merge([photos[0], damaged], fit=200_000, isolate=isolate)
        assert caught.value.code == "truncated"
        assert caught.value.input_index == 1


def test_inputs_over_the_target_whose_output_fits_stay_untouched(photos: list[bytes]) -> None:
    """Large inputs (here, junk after the JPEG's end) need not mean a large output."""
    padded = photos[0] + bytes(5 * MiB)  # trailing data, removed by validation
    plain, _ = _merge([padded])
    assert len(padded) > len(plain) + 4 * MiB
    fitted, report = _merge([padded], fit=len(plain))
    assert fitted == plain
    assert "fit-reduced" not in [n.code for n in report.inputs[0].actions]


def test_merge_notes_are_reported_once_under_fit() -> None:
    """Same-named form fields in two PDFs are renamed; the note survives fit's merges, once."""
    source = _pdf_with_form_text_bookmark_and_scan()
    plain, plain_report = _merge([source, source])
    fitted, report = _merge([source, source], fit=len(plain) // 3)
    assert len(fitted) <= len(plain) // 3
    codes = [n.code for n in report.inputs[1].actions]
    assert codes.count("form-fields-renamed") == 1
    assert [n.code for n in plain_report.inputs[1].actions].count("form-fields-renamed") == 1
