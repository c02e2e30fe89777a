"""Shipped data: procedure type definitions (``procedures/*.toml``) and the organisations."""
