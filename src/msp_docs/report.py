"""Report: what happened to every input and to the output, JSON-serialisable.

Schema (``Report.to_dict()``), version ``msp-docs/report/1``::

    {
      "schema": "msp-docs/report/1",
      "tool": {"name": "msp-docs", "version": "0.1.0"},
      "operation": "merge" | "convert" | "validate" | "inspect",
      "ok": true,                       # every input accepted and, if asked, the output written
      "lang": "en" | "fr",
      "inputs": [
        {
          "index": 0,
          "name": "scan.jpg",           # cleaned display name
          "kind": "jpeg" | "png" | "gif" | "pdf" | null,
          "described_as": "a JPEG image",
          "bytes": 123456,
          "pages": 1,                   # null when rejected before it was counted
          "width": 4032, "height": 3024,  # images only: pixels as displayed
          "dpi": [300.0, 300.0] | null, # images only
          "status": "accepted" | "rejected" | "not-read",
          "error": null | {"code", "exit_code", "input", "input_index", "facts", "detail",
                           "message"},
          "actions": [{"code": "metadata-removed", "message": "..."}, ...],
          "warnings": [{"code": "...", "message": "..."}, ...],
          "details": {...}              # format facts, filled by inspect
        }
      ],
      "output": null | {"bytes": 234567, "pages": 4, "target": "out.pdf" | "<stream>"},
      "error": null | {...}             # the error that ended the call, if any
    }
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from msp_docs._model import Kind, Note
from msp_docs._version import __version__

if TYPE_CHECKING:
    from msp_docs.errors import MspDocsError

__all__ = ["SCHEMA", "InputReport", "OutputReport", "Report"]

SCHEMA = "msp-docs/report/1"

Status = Literal["accepted", "rejected", "not-read"]


@dataclass(slots=True, kw_only=True)
class InputReport:
    """The outcome for one input."""

    index: int
    name: str
    kind: Kind | None = None
    described_as: str | None = None
    bytes: int = 0
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    dpi: tuple[float, float] | None = None
    status: Status = "not-read"
    error: MspDocsError | None = None
    actions: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        """True when the input would be (or was) merged."""
        return self.status == "accepted"

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """Return the JSON-serialisable form (see the module docstring)."""
        return {
            "index": self.index,
            "name": self.name,
            "kind": self.kind.value if self.kind else None,
            "described_as": self.described_as,
            "bytes": self.bytes,
            "pages": self.pages,
            "width": self.width,
            "height": self.height,
            "dpi": list(self.dpi) if self.dpi else None,
            "status": self.status,
            "error": self.error.to_dict(lang) if self.error else None,
            "actions": [{"code": n.code, "message": n.message(lang)} for n in self.actions],
            "warnings": [{"code": n.code, "message": n.message(lang)} for n in self.warnings],
            "details": self.details,
        }


@dataclass(slots=True, kw_only=True)
class OutputReport:
    """The written (or, for validate, the would-be) output."""

    bytes: int
    pages: int
    target: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form."""
        return {"bytes": self.bytes, "pages": self.pages, "target": self.target}


@dataclass(slots=True, kw_only=True)
class Report:
    """The outcome of one call: every input, the output, and the error that ended it if any."""

    operation: str
    lang: str = "en"
    inputs: list[InputReport] = field(default_factory=list)
    output: OutputReport | None = None
    error: MspDocsError | None = None

    @property
    def ok(self) -> bool:
        """True when every input was accepted and no error ended the call."""
        return self.error is None and all(i.accepted for i in self.inputs)

    @property
    def rejected(self) -> list[InputReport]:
        """The inputs that were refused."""
        return [i for i in self.inputs if i.status == "rejected"]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form (see the module docstring)."""
        return {
            "schema": SCHEMA,
            "tool": {"name": "msp-docs", "version": __version__},
            "operation": self.operation,
            "ok": self.ok,
            "lang": self.lang,
            "inputs": [i.to_dict(self.lang) for i in self.inputs],
            "output": self.output.to_dict() if self.output else None,
            "error": self.error.to_dict(self.lang) if self.error else None,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Serialise to JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
