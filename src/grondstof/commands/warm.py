"""``grondstof warm``: show or stop the warm worker that runs analysis commands (:mod:`grondstof.launch`)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from grondstof.commands.output import JsonOpt, console, handle_errors


def register(app: typer.Typer) -> None:
    """Add ``grondstof warm`` to the application."""
    app.command()(warm)


@handle_errors
def warm(
    stop: Annotated[
        bool, typer.Option("--stop", help="Stop the worker (the next command starts another).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The warm worker of this user, code and GRONDSTOF_* settings: whether it runs, since when, how many
    commands it ran, the build it holds. GRONDSTOF_WARM=0 turns workers off. A worker busy with a command
    answers after it (``--stop`` too)."""
    from grondstof.warm.protocol import request, warm_enabled, worker_socket

    path = worker_socket()
    answer = None if path is None else request(path, {"op": "stop" if stop else "status"})
    state = {
        "enabled": warm_enabled(),
        "socket": str(path) if path is not None else None,
        "running": answer is not None,
        **(answer or {}),
    }
    if as_json:
        sys.stdout.write(json.dumps(state, indent=2) + "\n")
    elif path is None:
        console.print("No private directory for a warm worker; commands run cold.")
    elif answer is None:
        console.print(f"No warm worker runs for this code and these settings ({path}).")
    elif answer.get("busy"):
        console.print(
            f"A warm worker runs at {path} and is busy with a command (commands meanwhile run cold)."
        )
    elif stop:
        console.print(f"Warm worker {answer['pid']} stopped.")
    else:
        builds = ", ".join(answer["builds"]) or "no build yet"
        console.print(
            f"Warm worker {answer['pid']} since {answer['started']}: {answer['commands']} command(s), "
            f"{answer.get('sql_templates', 0)} compiled query shape(s), stops after "
            f"{answer['idle_minutes']:g} idle minutes; serving {builds}."
        )
