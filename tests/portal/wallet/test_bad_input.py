"""Every public wallet call answers bad input with a typed PortalError, never a raw exception:
lone surrogates, control characters, megabyte strings, wrong types."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msp_portal import Portal, PortalError, Upload
from tests.fixtures import pdf_bytes

MEGABYTE = "é" * 1_000_000
PDF = pdf_bytes()

anything = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(categories=["Cc", "Cs", "Cf", "Zl"]), max_size=10),
    st.just(MEGABYTE),
    st.just("\ud800"),
    st.none(),
    st.integers(),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=2),
)
texts = st.one_of(st.text(max_size=200), st.just(MEGABYTE), st.just("titre\ud800"))
hostile_settings = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def answers(call: Any) -> None:
    with contextlib.suppress(PortalError):
        call()


@hostile_settings
@given(token=anything, document_id=anything, title=anything, category=anything)
def test_document_calls_refuse_anything(
    wallet_portal: Portal, token: str, document_id: Any, title: Any, category: Any
) -> None:
    for call in (
        lambda: wallet_portal.documents(document_id),
        lambda: wallet_portal.wallet_usage(document_id),
        lambda: wallet_portal.export_wallet(document_id),
        lambda: wallet_portal.document(token, document_id),
        lambda: wallet_portal.download_document(token, document_id),
        lambda: wallet_portal.rename_document(token, document_id, title),
        lambda: wallet_portal.recategorise_document(token, document_id, category),
        lambda: wallet_portal.delete_document(token, document_id),
    ):
        answers(call)


@hostile_settings
@given(document_id=anything, title=anything, category=anything)
def test_signed_in_document_calls_refuse_anything(
    wallet_portal: Portal, token: str, document_id: Any, title: Any, category: Any
) -> None:
    for call in (
        lambda: wallet_portal.document(token, document_id),
        lambda: wallet_portal.download_document(token, document_id),
        lambda: wallet_portal.rename_document(token, document_id, title),
        lambda: wallet_portal.recategorise_document(token, document_id, category),
        lambda: wallet_portal.delete_document(token, document_id),
    ):
        answers(call)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=st.one_of(texts, anything),
    category=st.one_of(st.sampled_from(["identity", "other"]), anything),
    names=st.lists(st.one_of(texts, anything), min_size=1, max_size=2),
)
def test_add_document_refuses_anything(
    wallet_portal: Portal, token: str, title: Any, category: Any, names: list[Any]
) -> None:
    uploads = [Upload(PDF, name) for name in names]
    answers(lambda: wallet_portal.add_document(token, uploads, title=title, category=category))


@pytest.mark.parametrize(
    "uploads",
    [
        [],
        None,
        "scan.pdf",
        b"%PDF-",
        [None],
        [b"%PDF-"],
        [Upload(12, "a.pdf")],  # type: ignore[arg-type]
        [Upload(object(), "a.pdf")],  # type: ignore[arg-type]
        [Upload(PDF, None)],  # type: ignore[arg-type]
        [Upload("/nonexistent/file.pdf", "file.pdf")],
        [Upload(PDF, "a.pdf")] * 1000,
    ],
)
def test_add_document_refuses_what_is_not_uploads(
    wallet_portal: Portal, token: str, uploads: Any
) -> None:
    with pytest.raises(PortalError) as caught:
        wallet_portal.add_document(token, uploads, title="Titre", category="other")
    assert caught.value.code in {
        "invalid-upload",
        "invalid-upload-name",
        "upload-unreadable",
        "upload-limit-exceeded",
    }
