"""Blob stores: document bytes, content-addressed by SHA-256 (a local directory, S3)."""
