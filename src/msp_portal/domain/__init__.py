"""Pure account rules: values in, decisions out; no I/O and no clock (``now`` is passed in)."""
