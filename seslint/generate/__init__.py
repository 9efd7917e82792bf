"""Least-privilege SES policies: from recipes (rules/recipes/*.json) and from API operations.

A recipe is data: typed parameters, a statements template and the requests the generated
policy must allow and must deny. Templates hold `{{expr}}` placeholders, where `expr` is
`source|filter|filter or source|filter or 'literal'` (the first alternative that yields a
value wins). A source is a parameter name, a quoted literal or `quirk.<id>.<field>`; filters:

    identities   an address and its domain; a domain and `*@domain` (on a send IAM checks
                 the address identity when it is verified, else the domain's)
    domain       the domain of an address
    pattern      an address as is, a domain as `*@domain` (for StringLike)
    address      a concrete address: a domain becomes `user@domain` (for proofs)
    first        the first value only
    concrete     a name pattern made concrete (`orders-*` -> `orders-sample`, for proofs)
    arn:TYPE     the ARN of resource TYPE (format from the matrix), from the `region`,
                 `account` and `partition` parameters

A string expands to one value per combination of its placeholders' values (none when an
optional parameter is unset, and then its key, or its condition operator, is dropped).
`"$when": "param"` / `"$unless": "param"` (or a list: any of them) keep a statement or a
proof only when the user did / did not give that parameter.

After expansion, the matrix checks and shapes each statement: unknown actions and condition
keys that an action never carries are recipe errors; actions without resource-level
permissions (including the documented-but-dead ARNs) move to a sibling statement on `"*"`;
each action keeps only the ARNs of resource types it has.

A statement names actions of other services only when it declares them, `"$services":
["iam"]`: those get a syntactic check (`service:Action`, wildcards only with `"$wildcards":
true`, condition keys only global `aws:` ones) and keep the statement's resources as given.
"""

from seslint.generate.formats import render
from seslint.generate.proofs import ProofCase, ProofResult, proof_cases, prove, scenario
from seslint.generate.recipes import (
                                      FORMATS,
                                      POLICY_TYPES,
                                      Parameter,
                                      Recipe,
                                      load_recipe,
                                      recipe_names,
                                      recipes,
                                      resolve_parameters,
                                      validate_parameter,
                                      validate_value,
)
from seslint.generate.shape import build_policy, for_operations, generate, identity_arn, policy_for, shape_statement
from seslint.generate.template import DROP, expand, expand_string, policy_env, proof_env

__all__ = ["DROP", "FORMATS", "POLICY_TYPES", "Parameter", "ProofCase", "ProofResult", "Recipe", "build_policy",
           "expand", "expand_string", "for_operations", "generate", "identity_arn", "load_recipe", "policy_env",
           "policy_for", "proof_cases", "proof_env", "prove", "recipe_names", "recipes", "render",
           "resolve_parameters", "scenario", "shape_statement", "validate_parameter", "validate_value"]
