"""Backends: the only modules that import Pillow, pikepdf or libmagic (imported lazily)."""
