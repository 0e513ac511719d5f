"""The `intermezzo` command. Each area owns its commands module; heavy imports happen inside commands.

The error contract (docs/errors.md): a user error is one line on stderr and exit code 2; Ctrl-C is one line
saying how to resume and exit code 130; nothing half-written is left behind (files are written atomically).
"""

from __future__ import annotations

import os
import shlex
import sys

import typer

from intermezzo.errors import UserError

app = typer.Typer(
    name="intermezzo",
    help="Intermediate-task training for zero-shot cross-lingual transfer, scored like XTREME-R, under noise.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Hugging Face libraries draw their own progress bars and print load reports and advisory warnings; our commands
# show their own progress and write phase details to log files, so theirs are off unless the user turns them on.
QUIET_HUB = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "DATASETS_VERBOSITY": "error",
    "HF_HUB_VERBOSITY": "error",
}


@app.callback()
def _root() -> None:
    """Intermediate-task training for zero-shot cross-lingual transfer, scored like XTREME-R, under noise."""


def _register() -> None:
    from intermezzo.data import commands as data
    from intermezzo.demo import commands as demo
    from intermezzo.experiments import commands as experiments
    from intermezzo.metrics import commands as metrics
    from intermezzo.modeling import commands as modeling
    from intermezzo.noise import commands as noise
    from intermezzo.report import commands as report
    from intermezzo.tasks import commands as tasks

    for module in (demo, experiments, data, modeling, metrics, noise, report, tasks):
        module.register(app)


_register()


def quiet_hub() -> None:
    """Silence Hugging Face progress bars, load reports and warnings (environment defaults the user can override)."""
    for key, value in QUIET_HUB.items():
        os.environ.setdefault(key, value)


def _interrupted() -> None:
    command = shlex.join(["intermezzo", *sys.argv[1:]])
    print(f"intermezzo: interrupted; finished work is kept: run `{command}` again to resume", file=sys.stderr)
    sys.exit(130)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2; Ctrl-C exits 130."""
    # One thread unless the user says otherwise: two threads stall on small shared machines.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    quiet_hub()
    args = sys.argv[1:]
    try:
        # Bare `intermezzo` asks for the help: print it and succeed (click would call it a usage error).
        code = app(["--help"] if not args else args, standalone_mode=False)
    except UserError as e:
        print(f"intermezzo: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit:
        raise
    except Exception as e:
        # Usage errors of typer's bundled click arrive here in non-standalone mode; duck-typed on purpose.
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            print(f"intermezzo: error: {e.format_message()} (see --help)", file=sys.stderr)
            sys.exit(2)
        if type(e).__name__ == "Abort":
            _interrupted()
        raise
    # typer turns Ctrl-C inside a command into exit code 130, returned (not raised) in non-standalone mode.
    if code == 130:
        _interrupted()
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
