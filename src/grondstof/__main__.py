"""``python -m grondstof`` runs the command line (through the warm worker when one runs: see launch)."""

from grondstof.launch import main

main()
