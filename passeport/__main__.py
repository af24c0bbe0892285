"""Run the ``passeport`` command as ``python -m passeport``."""

from passeport.cli import main

main()
