"""Per-file decisions for ../shared/corpus: "accept" or the exact error code, by kind."""
