"""Entry point for `python3 -m agent` and for the served zip (its root __main__.py runs this module)."""
import sys

from agent.main import main

if __name__ == "__main__":
    sys.exit(main())
