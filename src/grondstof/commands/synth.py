"""``grondstof synth``: synthetic BACI trade at 10× or 100× the shared subset, for scale tests."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grondstof.commands.output import DataOpt, console, handle_errors


def register(app: typer.Typer) -> None:
    """Add ``grondstof synth`` to the application."""
    app.command()(synth)


@handle_errors
def synth(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write (becomes a complete data directory).")
    ],
    scale: Annotated[float, typer.Option(help="Multiple of the shared subset's 1,264,888 BACI rows.")] = 10,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 42,
    layout: Annotated[
        str, typer.Option(help="official (CEPII yearly files) or extract (geopolrisk layout).")
    ] = ("official"),
    link_shared: Annotated[
        bool, typer.Option("--link-shared/--no-link-shared", help="Symlink the other datasets beside them.")
    ] = True,
    data: DataOpt = None,
) -> None:
    """Write seeded synthetic trade data (realistic partners, heavy-tailed values, missing tonnes)."""
    from grondstof.synth import generate

    report = generate(out, scale=scale, seed=seed, layout=layout, data_dir=data, link_shared=link_shared)
    console.print(
        f"{report.rows:,} synthetic rows in {len(report.files)} file(s) ({report.layout} layout, seed "
        f"{report.seed}) and {len(report.linked)} linked files in {report.out_dir} ({report.seconds:.1f} s); "
        f"build with: grondstof build --data {report.out_dir}"
    )
