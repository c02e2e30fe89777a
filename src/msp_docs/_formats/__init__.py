"""Pure parsers of image file structures, and pure PDF form drawing: no Pillow or pikepdf here."""
