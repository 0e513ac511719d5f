"""The `intermezzo` command. Each area owns its commands module; heavy imports happen inside commands."""

from __future__ import annotations

import os
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
    from intermezzo.phases import commands as phases
    from intermezzo.report import commands as report
    from intermezzo.tasks import commands as tasks

    for module in (demo, experiments, data, modeling, phases, metrics, noise, report, tasks):
        module.register(app)


_register()


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2."""
    # One thread unless the user says otherwise: two threads stall on small shared machines.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        app(standalone_mode=False)
    except UserError as e:
        print(f"intermezzo: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("intermezzo: interrupted; rerun the same command to resume", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as e:
        # Usage errors of typer's bundled click arrive here in non-standalone mode; duck-typed on purpose.
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            print(f"intermezzo: error: {e.format_message()} (see --help)", file=sys.stderr)
            sys.exit(2)
        if type(e).__name__ == "Abort":
            sys.exit(130)
        raise


if __name__ == "__main__":
    main()
