"""YAML for small configuration files found beside untrusted input (NVivo UI words, CIPP mappings).

``yaml.safe_load`` builds no arbitrary objects, but it does follow aliases: nine nested lists of
nine aliases ("billion laughs" in YAML) load in microseconds and then take hours and gigabytes to
walk or print.  These files never need anchors, so :func:`safe_load` refuses aliases outright.
"""
from __future__ import annotations

from typing import Any

import yaml

__all__ = ["safe_load"]


class _NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader that raises at the first alias (``*name``)."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 - PyYAML hook
        """Compose one node, refusing aliases."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in this file",
                                              event.start_mark)
        return super().compose_node(parent, index)


def safe_load(text: str) -> Any:
    """Parse ``text`` like ``yaml.safe_load``, but without aliases (a ``yaml.YAMLError`` instead)."""
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
