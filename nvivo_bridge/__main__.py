"""``python -m nvivo_bridge``: the command-line interface."""
from .cli import main

main()
