"""Exact answers over every possible send, with an SMT solver (z3); imported only by the commands
that prove (`prove`, `diff`, `audit`, `generate --check`, lint rule SES060).

    build_inputs(identity_policies, *, account, region, principal_arn, permission_boundary,
                 session_policies, scps, resource_policies) -> Inputs
    prove(inputs, *, recipients_within=(), senders_within=(), no_send=False) -> Outcome
        Outcome.verdict is "proven", "counterexample" or "unknown"; Outcome.witness a Witness.
    diff(old_inputs, new_inputs) -> {"gained": [Change], "lost": [Change], "unknown": [Change]}
    Session(inputs): one principal's sends encoded once, asked several questions (`audit`).

Modules: strings (IAM patterns as z3 regexes), conditions (operators and keys), decision (the
decision table), sends (the symbolic send from the send model), solve (the lazy loop between the
Boolean structure and string memberships), regex (those memberships decided by derivatives),
witness, api.
"""
