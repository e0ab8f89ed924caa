"""``python -m grondstof`` runs the command line."""

from grondstof.cli import main

main()
