"""Fonts embedded in the PDFs msp_portal writes (DejaVu Sans; see LICENSE.txt)."""
