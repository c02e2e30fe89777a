"""Every public procedures call answers bad input with a typed PortalError: lone surrogates,
control characters, megabyte strings, wrong types, unknown ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from msp_portal import Portal
from msp_portal.errors import PortalError
from tests.portal.procedures.conftest import PARTNER_KEY
from tests.portal.procedures.test_flow import BIRTH

HOSTILE: list[Any] = ["\ud800", "a\x00b", "x" * 1_000_000, 12, None, ["x"], {"a": 1}, b"bytes", ""]


@pytest.mark.parametrize("bad", HOSTILE, ids=lambda v: type(v).__name__ + str(len(str(v)))[:3])
def test_bad_arguments_get_typed_errors(portal: Portal, session: str, bad: Any) -> None:
    dossier = portal.start_procedure(session, BIRTH)
    d = dossier.dossier_id
    calls: list[Callable[[], object]] = [
        lambda: portal.start_procedure(bad, BIRTH),
        lambda: portal.start_procedure(session, bad),
        lambda: portal.update_answers(bad, d, {}),
        lambda: portal.update_answers(session, bad, {}),
        lambda: portal.update_answers(session, d, bad),
        lambda: portal.update_answers(session, d, {"fields": {"birth_commune": bad}}),
        lambda: portal.update_answers(session, d, {"fields": bad}),
        lambda: portal.update_answers(session, d, {"organisations": {"etat-civil": bad}}),
        lambda: portal.check_procedure(session, bad),
        lambda: portal.attach_document(session, d, bad, "doc"),
        lambda: portal.attach_document(session, d, "proof", bad),
        lambda: portal.detach_document(session, d, bad, bad),
        lambda: portal.resume_procedure(session, bad),
        lambda: portal.resume_procedure(session, d, file_number=bad, password=bad),
        lambda: portal.abandon_procedure(session, bad),
        lambda: portal.view_dossier(bad, d),
        lambda: portal.transmit_procedure(session, bad),
        lambda: portal.my_tracking(bad),
        lambda: list(portal.dossier_pdf(session, bad)),
        lambda: portal.report_status(bad, PARTNER_KEY, "A-1-2222-2222-222", "received"),
        lambda: portal.report_status("caf", bad, "A-1-2222-2222-222", "received"),
        lambda: portal.report_status("caf", PARTNER_KEY, bad, "received"),
        lambda: portal.report_status("caf", PARTNER_KEY, "A-1-2222-2222-222", bad),
        lambda: portal.report_status("caf", PARTNER_KEY, "A-1-2222-2222-222", "received", bad),
    ]
    for i, call in enumerate(calls):
        try:
            call()
        except PortalError as error:
            assert error.code and error.message("fr"), i
        except Exception as exc:
            pytest.fail(f"call {i} raised {type(exc).__name__}: {exc!r}"[:300])
