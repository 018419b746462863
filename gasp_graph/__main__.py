"""``python -m gasp_graph``: the same as the ``gasp-graph`` command."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
