"""The command line, one module per kind of command.

* :mod:`~grondstof.commands.generated` — every analysis of :mod:`grondstof.analyses`, generated from its
  parameter model (``supply``, ``imports``, ``scenario cutoff`` …);
* :mod:`~grondstof.commands.present` — presentation-only options of some analyses (``watch --atom``);
* :mod:`~grondstof.commands.store` — ``build`` and ``data``;
* :mod:`~grondstof.commands.report` — ``report material|country|scenario``;
* :mod:`~grondstof.commands.serve` — ``serve``;
* :mod:`~grondstof.commands.synth` — ``synth`` (synthetic trade data for scale tests);
* :mod:`~grondstof.commands.warm` — ``warm`` (the warm worker that runs analysis commands);
* :mod:`~grondstof.commands.output` — consoles, errors, output formats and common options.

A module with commands that are not analyses defines ``register(app)``; :mod:`grondstof.cli` calls it. Keep
module-level imports light: import library code inside the command function, so every command starts fast.
"""
