"""Generate the sample files bundled in samples/ (run by hand; the outputs are committed).

The samples show what the pipeline does with an ordinary citizen's upload:

1-id-card-photo.jpg      phone photo stored sideways with EXIF orientation 6 and GPS coordinates
2-scan-grey.png          an A4 letter scanned in 8-bit grey at 150 dpi
3-screenshot-rgba.png    a screenshot with transparent rounded corners (RGBA)
4-letter.pdf             a 2-page PDF with a bookmark, a form field and a JavaScript alert

Usage: .venv/bin/python scripts/make_samples.py [--out samples]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw


def _text_lines(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    rng: random.Random,
    fill: int | tuple[int, int, int],
    line_height: int,
) -> None:
    """Draw grey bars that look like lines of text from a distance."""
    left, top, right, bottom = box
    y = top
    while y + line_height <= bottom:
        x = left
        end = right - rng.randint(0, (right - left) // 3)
        while x < end:
            word = rng.randint(line_height, line_height * 5)
            draw.rectangle((x, y, min(x + word, end), y + line_height // 2), fill=fill)
            x += word + line_height // 2
        y += line_height


def id_card_photo(path: Path) -> None:
    rng = random.Random(1)
    upright = Image.new("RGB", (1200, 1600), (205, 200, 190))  # the table the card lies on
    draw = ImageDraw.Draw(upright)
    draw.rounded_rectangle(
        (150, 450, 1050, 1050), radius=40, fill=(228, 236, 246), outline=(40, 60, 120), width=6
    )
    draw.rectangle((200, 520, 450, 840), fill=(150, 160, 175))  # portrait
    draw.ellipse((265, 560, 385, 680), fill=(230, 205, 180))
    draw.rectangle((150, 450, 1050, 500), fill=(0, 35, 149))  # blue band
    _text_lines(draw, (500, 540, 1000, 860), rng, (40, 40, 60), 28)
    _text_lines(draw, (200, 900, 1000, 1010), rng, (40, 40, 60), 24)
    # A phone held in portrait stores the picture sideways and says so in EXIF (orientation 6:
    # rotate 90 degrees clockwise to display). Store it that way, as a phone would.
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "SamplePhone"  # Make
    gps = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # Paris
    exif[0x8825] = gps
    stored.save(path, "JPEG", quality=85, exif=exif, dpi=(72, 72), optimize=True)


def scan_grey(path: Path) -> None:
    rng = random.Random(2)
    page = Image.new("L", (1240, 1754), 246)
    draw = ImageDraw.Draw(page)
    draw.rectangle((110, 110, 520, 250), fill=200)  # letterhead
    _text_lines(draw, (780, 300, 1130, 420), rng, 70, 26)  # address block
    _text_lines(draw, (110, 560, 1130, 1500), rng, 60, 30)
    _text_lines(draw, (760, 1560, 1130, 1640), rng, 60, 30)  # signature
    page.save(path, "PNG", dpi=(150, 150), optimize=True)


def screenshot_rgba(path: Path) -> None:
    rng = random.Random(3)
    shot = Image.new("RGBA", (800, 500), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shot)
    draw.rounded_rectangle((0, 0, 799, 499), radius=28, fill=(250, 250, 252, 255))
    draw.rectangle((0, 28, 799, 80), fill=(0, 35, 149, 255))
    draw.rounded_rectangle((0, 0, 799, 60), radius=28, fill=(0, 35, 149, 255))
    _text_lines(draw, (40, 120, 760, 460), rng, (60, 60, 70, 255), 28)
    draw.rounded_rectangle((560, 400, 760, 460), radius=12, fill=(225, 0, 15, 255))
    shot.save(path, "PNG", optimize=True)


def letter_pdf(path: Path) -> None:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
        )
    )
    texts = [
        [
            "Attestation de domicile",
            "Je soussigne, Jean Exemple, atteste que ...",
            "Fait a Paris, le 2 novembre 2026.",
        ],
        ["Annexe", "Liste des pieces jointes :", "- justificatif de domicile"],
    ]
    for lines in texts:
        ops = ["BT", "/F1 20 Tf", "72 760 Td", f"({lines[0]}) Tj", "/F1 12 Tf"]
        for line in lines[1:]:
            ops += ["0 -28 Td", f"({line}) Tj"]
        ops.append("ET")
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream("\n".join(ops).encode("latin-1")),
        )
        pdf.pages.append(pikepdf.Page(page))
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("signature_place"),
            V=pikepdf.String("Paris"),
            Rect=[72, 600, 272, 624],
            P=pdf.pages[0].obj,
            F=4,
            DA=pikepdf.String("/Helv 12 Tf 0 g"),
        )
    )
    pdf.pages[0].obj["/Annots"] = pikepdf.Array([field])
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=[field],
        NeedAppearances=True,
        DR=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=font)),
        DA=pikepdf.String("/Helv 12 Tf 0 g"),
    )
    # Active content a citizen's PDF may carry without knowing: msp-docs removes it.
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript,
        JS=pikepdf.String("app.alert('hello from the sample');"),
    )
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Attestation", 0))
        outline.root.append(pikepdf.OutlineItem("Annexe", 1))
    pdf.docinfo["/Author"] = "Jean Exemple"
    pdf.docinfo["/Title"] = "Attestation"
    pdf.save(path, deterministic_id=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "samples")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    id_card_photo(out / "1-id-card-photo.jpg")
    scan_grey(out / "2-scan-grey.png")
    screenshot_rgba(out / "3-screenshot-rgba.png")
    letter_pdf(out / "4-letter.pdf")
    for path in sorted(out.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
