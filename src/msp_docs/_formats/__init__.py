"""Pure parsers of image file structures (JPEG markers, PNG chunks, GIF blocks): no Pillow here."""
