"""Writers: one module per output format, each with ``write(project, path, diag, options) -> dict``.

They are imported lazily through :mod:`nvivo_bridge.formats`; a writer never imports another
format's module (formats meet only in the model).
"""
