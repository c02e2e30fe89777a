"""Read procedure type definitions from TOML: the shipped ones, or a directory an operator gives."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from msp_portal.domain.hooks import HookRegistry, default_hooks
from msp_portal.domain.procedure_types import Catalogue, load_catalogue, load_organisations
from msp_portal.errors import DefinitionInvalid

__all__ = ["catalogue_from_directory", "shipped_catalogue"]

_MAX_DEFINITION_BYTES = 1024 * 1024


def _parse(source: str, raw: bytes) -> Mapping[str, Any]:
    if len(raw) > _MAX_DEFINITION_BYTES:
        raise DefinitionInvalid(source=source, path="(file)", reason="larger than 1 MiB")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DefinitionInvalid(source=source, path="(file)", reason=str(exc)) from exc


@cache
def shipped_catalogue() -> Catalogue:
    """The procedure types shipped in ``msp_portal/definitions`` with the default hooks."""
    root = resources.files("msp_portal.definitions")
    organisations = load_organisations(
        _parse("organisations.toml", root.joinpath("organisations.toml").read_bytes()),
        source="organisations.toml",
    )
    definitions = [
        (f"procedures/{item.name}", _parse(item.name, item.read_bytes()))
        for item in sorted(root.joinpath("procedures").iterdir(), key=lambda i: i.name)
        if item.name.endswith(".toml")
    ]
    return load_catalogue(organisations, definitions, hooks=default_hooks())


def catalogue_from_directory(directory: Path, *, hooks: HookRegistry | None = None) -> Catalogue:
    """Definitions from ``directory``: ``organisations.toml`` and ``procedures/*.toml``."""
    organisations = load_organisations(
        _parse("organisations.toml", (directory / "organisations.toml").read_bytes()),
        source=str(directory / "organisations.toml"),
    )
    definitions = [
        (str(path), _parse(str(path), path.read_bytes()))
        for path in sorted((directory / "procedures").glob("*.toml"))
    ]
    return load_catalogue(organisations, definitions, hooks=hooks or default_hooks())
