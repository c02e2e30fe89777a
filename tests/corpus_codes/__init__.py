"""Decisions on the shared corpus: for each file, the outcome msp_docs must give."""
