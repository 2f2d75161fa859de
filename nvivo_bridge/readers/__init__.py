"""Readers: one module per input format, each with ``read(path, diag, options) -> Project``.

They are imported lazily through :mod:`nvivo_bridge.formats`.
"""
