"""Shipped sample project and the NVivo-like fixture writer that builds it."""
