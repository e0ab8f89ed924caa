"""CLI commands beyond the foundation, one module per feature area.

Every module here is imported by :mod:`grondstof.cli` at start-up and registers its commands on
``grondstof.cli.app`` with ``@app.command()``. Keep module-level imports light (typer, the helpers in
``grondstof.cli``): import library code inside the command function, so ``grondstof --help`` and every
other command stay fast. A module may define ``OUTPUTS = {"command": [("--option value", FIELDS), ...]}``
so ``tools/make_docs.py`` documents the fields of its results.
"""
