"""Resources: ARNs that IAM ignores, ARNs that do not fit the action, required ARNs that are missing."""

from __future__ import annotations

from functools import lru_cache

from seslint.core.arn import split as split_arn
from seslint.core.patterns import has_wildcard, matches
from seslint.lint.checks import rule
from seslint.lint.model import RESOURCE, Unresolved


def explicit(ctx, st):
    """(pointer, Action) for each Action entry that names one ses: action without a wildcard."""
    return [(p, found[0]) for p, pattern, found in ctx.ses_patterns(st)
            if not has_wildcard(pattern) and len(found) == 1]


def resource_list(st):
    """The statement's Resource strings, or None when unknown (absent, NotResource, unresolved)."""
    if not st.resources or any(isinstance(r, Unresolved) for r in st.resources):
        return None
    return list(st.resources)


@lru_cache(maxsize=256)
def type_token(arn_format: str) -> str:
    return split_arn(arn_format)[5].split("/", 1)[0]


def fits(arn: str, rtype) -> bool:
    """Whether the policy resource `arn` (maybe with wildcards) can name a resource of `rtype`."""
    return arn == "*" or _fits(arn, rtype.arn)


@lru_cache(maxsize=8192)
def _fits(arn: str, arn_format: str) -> bool:
    parts = split_arn(arn)
    if len(parts) != 6:
        # A `*` that ends the last segment given matches the rest, colons included (arn_glob)
        if len(parts) < 2 or not parts[-1].endswith("*"):
            return False
        return len(parts) > 3 and matches(parts[2], "ses", ignore_case=True) or \
            len(parts) == 3 and matches(parts[2], "ses:", ignore_case=True)
    service, token = parts[2], parts[5].split("/", 1)[0]
    if "${" not in service and not matches(service, "ses", ignore_case=True):
        return False
    return "${" in token or matches(token, type_token(arn_format), ignore_case=True)


def covered_types(resources, action) -> frozenset[str]:
    """Names of the action's resource types that some ARN in `resources` can name."""
    return _covered_types(tuple(resources), action.name.lower())


@lru_cache(maxsize=16384)
def _covered_types(resources: tuple[str, ...], action_name: str) -> frozenset[str]:
    from seslint.matrix import load_matrix

    action = load_matrix().actions[action_name]
    return frozenset(rt.name for rt in action.resource_types for arn in resources if fits(arn, rt))


def _scoped(ctx):
    """Statements that name ARNs (no `*`), with their resource list."""
    for st in ctx.statements:
        resources = resource_list(st)
        if resources is not None and "*" not in resources:
            yield st, resources


@rule("SES025")
def resource_arn_ignored(ctx):
    for st, _ in _scoped(ctx):
        for pointer, action in explicit(ctx, st):
            if not action.resource_level:
                why = ("the reference once listed resource types for it, but IAM no longer checks them"
                       if action.dead_resource_arn else "it has no resource-level permissions")
                effect = "this Allow never grants it" if st.allow else "this Deny never fires for it"
                yield pointer, (f"'{action.full_name}' needs \"Resource\": \"*\" ({why}): {effect}")


@rule("SES026")
def resource_type_mismatch(ctx):
    for st, resources in _scoped(ctx):
        for pointer, action in explicit(ctx, st):
            if action.resource_level and not covered_types(resources, action):
                kinds = ", ".join(rt.name for rt in action.resource_types)
                effect = "this Allow never grants it" if st.allow else "this Deny never fires for it"
                yield pointer, (f"no resource in this statement fits '{action.full_name}', which IAM checks "
                                f"against {kinds}: {effect}")


@rule("SES027")
def missing_required_resource(ctx):
    if ctx.policy_type == RESOURCE:
        return  # an SES identity policy names only its identity; the sender's own policy covers the rest
    first: dict[str, str] = {}
    covered: dict[str, set[str]] = {}
    for st in ctx.statements:
        if not st.allow:
            continue
        resources = resource_list(st)
        for name in ctx.covered(st):
            have = covered.setdefault(name, set())
            if resources is None or "*" in resources:
                have.add("*")  # everything, or cannot tell (NotResource, unresolved)
            else:
                have.update(covered_types(resources, ctx.matrix.actions[name]))
        if resources is not None:
            for pointer, action in explicit(ctx, st):
                first.setdefault(action.name.lower(), pointer)
    for name, pointer in first.items():
        action, have = ctx.matrix.actions[name], covered.get(name, set())
        if not action.resource_level or "*" in have or not have:
            continue  # no ARN fits at all: resource-type-mismatch says so
        for rt in action.resource_types:
            if rt.required and rt.name not in have:
                if rt.name == "identity":
                    # an SES identity has a resource policy of its own: in the same account, that policy
                    # alone can allow the identity's part of the request (IAM policy evaluation logic)
                    yield pointer, (f"'{action.full_name}' is also checked against an identity ARN, which no Allow "
                                    f"statement covers: requests are denied unless the identity's own policy "
                                    f"allows this principal; add '{rt.arn}' with your names"), "info"
                    continue
                yield pointer, (f"'{action.full_name}' is also checked against a {rt.name} ARN, which no Allow "
                                f"statement covers: every request is denied; add '{rt.arn}' with your names")


@rule("SES028")
def resource_could_be_scoped(ctx):
    for st in ctx.statements:
        if not st.allow or resource_list(st) != ["*"] or not st.actions:
            continue
        named = explicit(ctx, st)
        # an action whose resource types are all optional (the suppression list's tenant) also has
        # requests on no resource, which only "*" matches
        if named and len(named) == len(st.actions) and all(
                a.resource_level and any(rt.required for rt in a.resource_types) for _, a in named):
            types = sorted({rt.name for _, a in named for rt in a.resource_types if rt.required})
            yield st.items("Resource")[0][0], ("\"Resource\": \"*\" grants these actions on every "
                                       f"{' and '.join(types) or 'resource'} in the account: scope it to the ARNs "
                                       f"you use")
