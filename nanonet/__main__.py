"""``python -m nanonet …`` — see nanonet/cli.py."""
import sys

from .cli import main

sys.exit(main())
