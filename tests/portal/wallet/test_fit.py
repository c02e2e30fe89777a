"""The wallet makes phone photos fit (issue 11): four of them exceed 10 MiB, the document fits."""

from __future__ import annotations

import dataclasses
import io
import random

import pytest
from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfReader

from msp_docs import Limits
from msp_docs.limits import MiB
from msp_portal import Portal, PortalSettings, SqlStore, Upload, UploadLimitExceeded
from msp_portal.settings import WalletSettings
from msp_portal.testing import FakeClock
from tests.portal.helpers import CountingHasher
from tests.portal.wallet.conftest import make_portal, sign_up


def _phone_photo(seed: int) -> bytes:
    """A 12 MP photo with blur and sensor noise: about 3-4 MB at JPEG quality 95."""
    rng = random.Random(seed)
    size = (4000, 3000)
    scene = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(scene)
    for _ in range(30):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(80, 800)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    scene = scene.filter(ImageFilter.GaussianBlur(3))
    random.seed(seed)
    scene = Image.blend(scene, Image.effect_noise(size, 60).convert("RGB"), 0.3)
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.fixture(scope="module")
def photos() -> list[bytes]:
    made = [_phone_photo(seed) for seed in range(4)]
    assert sum(map(len, made)) > 10 * MiB  # the case the FAQ's site refuses
    return made


def _portal(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, blob_dir: object, *, fit: bool
) -> Portal:
    from msp_portal import LocalBlobStore

    settings = PortalSettings(wallet=dataclasses.replace(WalletSettings(), fit=fit))
    return make_portal(store, clock, hasher, LocalBlobStore(blob_dir), settings)  # type: ignore[arg-type]


def test_four_phone_photos_over_10_mib_become_a_document_that_fits(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, blob_dir: object, photos: list[bytes]
) -> None:
    portal = _portal(store, clock, hasher, blob_dir, fit=True)
    token = sign_up(portal)
    uploads = [Upload(photo, f"photo-{n}.jpg") for n, photo in enumerate(photos, start=1)]
    document = portal.add_document(token, uploads, title="Photos du logement", category="other")
    assert document.size <= Limits().max_output_bytes
    pdf = b"".join(portal.download_document(token, document.id).chunks)
    assert len(pdf) == document.size
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 4
    reduced = [
        note
        for source in document.summary.sources
        for note in source.actions
        if note.code == "fit-reduced"
    ]
    assert reduced, "the report must say what was reduced"
    assert all(note.message_fr and note.message_en for note in reduced)


def test_without_fit_the_same_photos_are_refused_and_nothing_is_stored(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, blob_dir: object, photos: list[bytes]
) -> None:
    portal = _portal(store, clock, hasher, blob_dir, fit=False)
    token = sign_up(portal)
    uploads = [Upload(photo, f"photo-{n}.jpg") for n, photo in enumerate(photos, start=1)]
    with pytest.raises(UploadLimitExceeded) as info:
        portal.add_document(token, uploads, title="Photos", category="other")
    assert info.value.facts["docs_code"] == "input-too-large"
    assert portal.documents(token) == []


def test_a_document_that_fits_already_is_stored_untouched(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, blob_dir: object, photos: list[bytes]
) -> None:
    portal = _portal(store, clock, hasher, blob_dir, fit=True)
    token = sign_up(portal)
    document = portal.add_document(
        token, [Upload(photos[0], "photo.jpg")], title="Photo", category="other"
    )
    codes = {note.code for source in document.summary.sources for note in source.actions}
    assert "fit-reduced" not in codes
    assert "passthrough" in codes


def test_the_upload_cap_follows_the_fit_setting() -> None:
    """What a web layer caps an upload at (``WalletSettings.max_upload_bytes``): 80 MiB with
    fit (the input cap of msp_docs' fit), 10 MiB without (rule D2), or the limits given."""
    assert WalletSettings().max_upload_bytes == 80 * MiB == Limits().max_fit_input_bytes
    assert WalletSettings(fit=False).max_upload_bytes == 10 * MiB == Limits().max_total_bytes
    small = Limits(max_files=3, max_total_bytes=1 * MiB, max_fit_input_bytes=5 * MiB)
    assert WalletSettings(limits=small).max_upload_bytes == 5 * MiB
    assert WalletSettings(limits=small, fit=False).max_upload_bytes == 1 * MiB
    assert WalletSettings(limits=small).max_upload_files == 3
    assert WalletSettings().max_upload_files == 4
    assert WalletSettings().max_document_bytes == 10 * MiB == Limits().max_output_bytes


def test_uploads_over_the_cap_are_refused_by_the_wallet_itself(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, blob_dir: object, photos: list[bytes]
) -> None:
    """The cap is the wallet's own: one byte more than ``max_upload_bytes`` is refused."""
    from msp_portal import LocalBlobStore

    cap = len(photos[0]) - 1
    limits = Limits(max_fit_input_bytes=cap)
    settings = PortalSettings(wallet=WalletSettings(limits=limits))
    assert settings.wallet.max_upload_bytes == cap
    portal = make_portal(store, clock, hasher, LocalBlobStore(blob_dir), settings)  # type: ignore[arg-type]
    token = sign_up(portal)
    with pytest.raises(UploadLimitExceeded) as info:
        portal.add_document(token, [Upload(photos[0], "photo.jpg")], title="P", category="other")
    assert info.value.facts["docs_code"] == "input-too-large"
