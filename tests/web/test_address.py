"""The change of address's helper API (C1-C4): the move-date window from the injected clock,
La Poste's form with the changes line by line, contract numbers. The declaration itself is a
procedure: tests/web/test_change_of_address.py."""

from __future__ import annotations

import httpx
import pytest

from tests.web.helpers import api_session, create_account
from tests.web.test_api_accounts import assert_error

pytestmark = pytest.mark.anyio
# The tests' clock stands on 06/01/2025 (Paris): moves from 06/12/2024 to 06/04/2025.
TYPED = {
    "number": "12",
    "street": "Avenue du Général de Gaulle",
    "postcode": "75001",
    "locality": "paris",
}


async def test_move_date_window_and_checks(client: httpx.AsyncClient) -> None:
    await create_account(client)
    headers = await api_session(client)
    window = (await client.get("/api/v1/address/move-date-window", headers=headers)).json()
    assert window == {"earliest": "2024-12-06", "latest": "2025-04-06"}
    ok = await client.post(
        "/api/v1/address/move-date", json={"move_date": "06/04/2025"}, headers=headers
    )
    assert ok.json() == {"move_date": "2025-04-06"}
    late = await client.post(
        "/api/v1/address/move-date", json={"move_date": "07/04/2025"}, headers=headers
    )
    error = assert_error(late, 422, "move-date-out-of-window")
    assert error["facts"]["reason"] == "too-late"  # type: ignore[index]
    typed = await client.post(
        "/api/v1/address/move-date", json={"move_date": "6/4/2025"}, headers=headers
    )
    assert_error(typed, 422, "invalid-date")
    assert_error(await client.get("/api/v1/address/move-date-window"), 401, "session-invalid")


async def test_normalise_and_declare(client: httpx.AsyncClient) -> None:
    await create_account(client)
    headers = await api_session(client)
    found = (await client.post("/api/v1/address/normalise", json=TYPED, headers=headers)).json()
    assert found["lines"] == ["12 AVENUE DU GENERAL DE GAULLE", "75001 PARIS"]
    assert found["changed"] and {c["line"] for c in found["changes"]} == {4, 6}
    accepted = await client.post(
        "/api/v1/address/declare", json={**TYPED, "choice": "accept"}, headers=headers
    )
    assert accepted.json()["normalised"] is True
    refused = await client.post(
        "/api/v1/address/declare", json={**TYPED, "choice": "refuse"}, headers=headers
    )
    assert refused.json()["lines"] == ["12 Avenue du Général de Gaulle", "75001 paris"]
    assert refused.json()["normalised"] is False
    mismatch = {**TYPED, "locality": "Lyon"}
    warned = (await client.post("/api/v1/address/normalise", json=mismatch, headers=headers)).json()
    assert warned["warnings"][0]["code"] == "locality-mismatch"
    assert "risque de ne pas être prise en compte" in warned["warnings"][0]["message"]["fr"]
    bad = await client.post(
        "/api/v1/address/normalise", json={**TYPED, "postcode": "7500"}, headers=headers
    )
    assert assert_error(bad, 422, "invalid-address")["facts"]["field"] == "postcode"  # type: ignore[index]
    extra = await client.post(
        "/api/v1/address/normalise", json={**TYPED, "etage": "3"}, headers=headers
    )
    assert_error(extra, 422, "invalid-request")


async def test_contract_numbers(client: httpx.AsyncClient) -> None:
    await create_account(client)
    headers = await api_session(client)
    organisations = (await client.get("/api/v1/address/organisations", headers=headers)).json()
    assert {o["code"] for o in organisations} >= {"ameli", "caf", "impots"}
    good = await client.post(
        "/api/v1/address/contract-number",
        json={"organisation": "caf", "number": "1234567"},
        headers=headers,
    )
    assert good.json() == {"number": "1234567"}
    wrong = await client.post(
        "/api/v1/address/contract-number",
        json={"organisation": "ameli", "number": "1 85 05 78 006 084 00"},
        headers=headers,
    )
    assert_error(wrong, 422, "invalid-contract-number")
    unknown = await client.post(
        "/api/v1/address/contract-number",
        json={"organisation": "banque", "number": "1"},
        headers=headers,
    )
    assert_error(unknown, 422, "unknown-organisation")
