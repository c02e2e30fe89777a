"""The ``msp-docs`` command line (typer), installed as the ``msp-docs`` console script."""
