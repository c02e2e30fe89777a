"""Per-kind decisions for the shared corpus: file name -> "accept" or the exact error code."""
