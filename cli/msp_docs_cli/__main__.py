"""``python -m msp_docs_cli``: the same command line as ``msp-docs``."""

from msp_docs_cli.app import main

if __name__ == "__main__":
    main()
