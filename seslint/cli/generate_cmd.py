"""`seslint generate`: least-privilege SES policies from recipes or from API operations.

Each recipe in rules/recipes/ becomes a subcommand whose options are the recipe's parameters,
so `seslint generate RECIPE --help` documents them.
"""

from __future__ import annotations

import click

from seslint.cli.common import warn_unknown_regions
from seslint.generate import FORMATS

FORMAT_HELP = ("Output format: the policy JSON document, the same as YAML, a Terraform resource "
               "(jsonencode) or a CloudFormation template.")


def _format_option():
    return click.Option(["--format", "fmt"], type=click.Choice(FORMATS), default="json", show_default=True,
                        help=FORMAT_HELP)


def _check_option():
    return click.Option(["--check"], is_flag=True,
                        help="Also run the recipe's must-allow and must-deny requests through the evaluator "
                             "(a report on stderr; exit 1 if one fails).")


def _emit(policy: dict, fmt: str, *, name: str, summary: str, policy_type: str = "identity",
          identity: str | None = None) -> None:
    from seslint.core.size import QUOTAS, policy_size
    from seslint.generate import render

    click.echo(render(policy, fmt, name=name, summary=summary, policy_type=policy_type, identity=identity))
    size, quota = policy_size(policy), QUOTAS["managed"][0]
    if size > quota:
        click.echo(f"seslint: warning: the policy is {size} characters without whitespace, over the {quota} "
                   "that a managed policy allows: split the operations over several policies", err=True)


def _recipe_command(name: str) -> click.Command:
    """A click command built from the recipe's data: one option per parameter."""
    from seslint.generate import load_recipe

    recipe = load_recipe(name)
    params: list[click.Parameter] = []
    for p in recipe.parameters:
        extra = []
        if p.repeatable:
            extra.append("repeatable; commas also separate values")
        help_text = p.help + (f" [{'; '.join(extra)}]" if extra else "")
        if p.type == "flag":
            params.append(click.Option([p.option], is_flag=True, help=help_text))
        else:
            metavar = p.type.upper().replace("-", "_") if not p.choices else "|".join(p.choices)
            params.append(click.Option([p.option, p.name.replace("-", "_")], multiple=p.repeatable, metavar=metavar,
                                       required=p.required, help=help_text))
    params += [_format_option(), _check_option()]

    def run(fmt, check, **values):
        from seslint.generate import generate, identity_arn, prove

        ctx = click.get_current_context()
        by_name = {p.name: values.get(p.name.replace("-", "_")) for p in recipe.parameters}
        policy = generate(name, by_name)
        region = by_name.get("region")
        warn_unknown_regions(*(region if isinstance(region, (list, tuple)) else [region]))
        identity = identity_arn(name, by_name)
        _emit(policy, fmt, name=name, summary=recipe.summary, policy_type=recipe.policy_type, identity=identity)
        if check:
            results = prove(name, by_name, policy)
            failed = [r for r in results if not r.ok]
            for r in results:
                head = f"expected {r.case.expect}: {r.case.name} [{r.attach}]"
                click.echo(f"seslint: proof holds: {head}{_rests_on(r.case.quirks)}" if r.ok else
                           f"seslint: proof failed: {head}: {r.detail}", err=True)
            click.echo(f"seslint: {len(results) - len(failed)}/{len(results)} proofs hold", err=True)
            exact = _exact(name, by_name, policy)
            for p in exact:
                click.echo(f"seslint: {p.verdict}: {p.name}" + (_rests_on(p.quirks) if p.ok else f" ({p.reason})"),
                           err=True)
            if failed or not all(p.ok for p in exact):
                ctx.exit(1)

    epilog = "Parameters left out keep their default (shown in the option help); " \
             "`--check` proves the result with the evaluator and over every possible send (seslint prove)."
    return click.Command(name, params=params, callback=run, help=f"{recipe.summary}\n\n{recipe.description}",
                         short_help=recipe.summary, epilog=epilog)


class RecipeGroup(click.Group):
    """Recipes as subcommands, loaded from rules/recipes/; `--for OP OP ...` takes several values."""

    def list_commands(self, ctx):
        from seslint.generate import recipe_names

        return list(recipe_names())

    def get_command(self, ctx, name):
        from seslint.generate import recipe_names

        return _recipe_command(name) if name in recipe_names() else None

    def resolve_command(self, ctx, args):
        from seslint.generate import load_recipe

        if args and not args[0].startswith("-") and self.get_command(ctx, args[0]) is None:
            load_recipe(args[0])  # raises UnknownNameError with a did-you-mean (exit 3)
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx, args):
        # `--for a b c` -> `--for a --for b --for c`, as the issue spells it; `--from-code` likewise.
        out, repeated = [], None
        for arg in args:
            if arg in ("--for", "--from-code"):
                repeated = arg
                continue
            if repeated and not arg.startswith("-"):
                out += [repeated, arg]
                continue
            repeated = None
            out.append(arg)
        return super().parse_args(ctx, out)


@click.group(cls=RecipeGroup, invoke_without_command=True,
             epilog="Examples: seslint generate ci-simulator-only; "
                    "seslint generate restricted-sender --from noreply@example.com --recipient-domain example.com; "
                    "seslint generate --for sesv2:SendEmail:raw ses:VerifyEmailIdentity")
@click.option("--list", "list_", is_flag=True, help="List the recipes and exit.")
@click.option("--for", "operations", multiple=True, metavar="OPERATION...",
              help="The minimal policy for these API operations (service:Operation[:variant], "
                   "e.g. sesv2:SendEmail:raw ses:VerifyEmailIdentity); without a variant, all variants.")
@click.option("--from-code", "from_code", multiple=True, metavar="PATH...",
              help="The least-privilege policy for the SES calls in this application source (files or folders: "
                   "Python, JavaScript/TypeScript, Go, Java/Kotlin, PHP, Ruby; mail settings; SMTP).")
@click.option("--explain", is_flag=True,
              help="With --from-code: list each call site (file:line) with the requests it makes, on stderr.")
@click.option("--region", help="With --for or --from-code: the region in ARNs where the code does not fix it "
                               "(default: any).")
@click.option("--account", help="With --for or --from-code: the account in ARNs (default: any).")
@click.option("--identity", multiple=True, help="With --for: identity names (an address also yields its domain).")
@click.option("--configuration-set", "configuration_set", multiple=True, help="With --for: configuration-set names.")
@click.option("--template", multiple=True, help="With --for: template names.")
@click.option("--no-extras", is_flag=True,
              help="With --for: leave out extra authorizations that apply only sometimes (ses:TagResource for "
                   "tagged creates, ses:ApplyTrackingConfigurationOverrides for tracking overrides).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True, help=FORMAT_HELP)
@click.pass_context
def generate(ctx, list_, operations, from_code, explain, region, account, identity, configuration_set, template,
             no_extras, fmt):
    """Print a least-privilege SES policy from a RECIPE (see --list) or for API operations (--for).

    `seslint generate RECIPE --help` documents the recipe's parameters. Output is deterministic
    (sorted actions, stable Sids). Exit 0 on success, 2 on a usage error, 3 on a bad parameter
    or an unknown recipe or operation.
    """
    if ctx.invoked_subcommand is not None:
        if list_ or operations or from_code:
            raise click.UsageError("--list, --for and --from-code do not combine with a recipe")
        return
    if from_code:
        if list_ or operations:
            raise click.UsageError("--from-code does not combine with --list or --for")
        _from_code(ctx, from_code, region, account, explain, fmt)
        return
    if explain:
        raise click.UsageError("--explain goes with --from-code")
    if list_:
        if operations:
            raise click.UsageError("--list and --for do not combine")
        from seslint.generate import recipes

        width = max(len(r.name) for r in recipes())
        for r in recipes():
            required = " ".join(f"{p.option} {p.type.upper().replace('-', '_')}" for p in r.parameters if p.required)
            click.echo(f"{r.name:<{width}}  {r.summary}")
            if required:
                click.echo(f"{'':<{width}}  needs: {required}")
        return
    if not operations:
        raise click.UsageError("name a RECIPE, --list or --for OPERATION...")
    from seslint.generate import for_operations, validate_parameter

    names = {"identity": [validate_parameter("identity", v) for v in identity],
             "configuration-set": [validate_parameter("configuration-set", v) for v in configuration_set],
             "template": [validate_parameter("template", v) for v in template]}
    region = validate_parameter("region", region) if region else "*"
    warn_unknown_regions(region)
    policy = for_operations(operations, region=region,
                            account=validate_parameter("account", account) if account else "*",
                            names=names, extras=not no_extras)
    _emit(policy, fmt, name="seslint-operations", summary="Least privilege for: " + " ".join(operations))


def _rests_on(quirks) -> str:
    return f" (rests on quirks {', '.join(quirks)})" if quirks else ""


def _from_code(ctx, paths, region, account, explain: bool, fmt: str) -> None:
    """`generate --from-code`: the policy on stdout; widenings, the explanation and the proofs on stderr."""
    from seslint.fromcode.explain import lines
    from seslint.generate import validate_parameter
    from seslint.generate.fromcode import generate as from_code

    region = validate_parameter("region", region) if region else None
    account = validate_parameter("account", account) if account else None
    if region:
        warn_unknown_regions(region)
    result = from_code(list(paths), region=region, account=account)
    _emit(result.policy, fmt, name="seslint-from-code",
          summary=f"Least privilege for the SES calls of {' '.join(paths)}")
    if explain:
        for line in lines(result.planned, result.proofs, result.scan.skipped):
            click.echo(line, err=True)
    else:
        for w in result.widened:
            click.echo(f"seslint: note: {w}", err=True)
        for s in result.scan.skipped:
            click.echo(f"seslint: warning: {s}", err=True)
        for p in result.proofs:
            if not p.ok:
                click.echo(f"seslint: proof failed: {p.name}: {p.detail}", err=True)
    sends = sum(1 for p in result.planned if p.site.sends)
    click.echo(f"seslint: {len(result.planned)} call site(s), {sends} sending; "
               f"{sum(p.ok for p in result.proofs)}/{len(result.proofs)} proofs hold", err=True)
    if not result.proven:
        ctx.exit(1)


def _exact(name: str, values: dict, policy: dict) -> list:
    """The recipe's promises proven over every possible send (seslint.prove.recipes)."""
    from seslint.generate import load_recipe, proof_env, resolve_parameters
    from seslint.prove.recipes import check

    recipe = load_recipe(name)
    given = resolve_parameters(recipe, values)
    return check(recipe, given, proof_env(recipe, given), policy)
