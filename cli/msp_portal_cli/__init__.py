"""The ``msp-portal`` command line: operator commands of the portal (database, jobs, exports)."""
