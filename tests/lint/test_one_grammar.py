"""One grammar (issue 20): `seslint lint` reports no grammar error exactly when the evaluator accepts the policy.

The evaluator's acceptance is its strict parse (`seslint.policy.parse_policy`) and its own checks for the
policy's kind (`CompiledPolicy`: what an identity or a resource policy may hold, and each condition's
operator and values). Both read one grammar, so they cannot drift; this property pins it on generated
policies, most of them mutants of a valid one: wrong types, unknown elements, case variants of element,
principal-type and operator names, empty lists and strings, repeated Sids, Action with NotAction, ...

The grammar errors are the findings, at severity error, of these rules: each reports something IAM
refuses, found by the parser (`Problem.code` is the rule's name) or by the operator table both read.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from seslint.errors import InputError
from seslint.evaluate.matching import CompiledPolicy
from seslint.policy import parse_policy, read_policy

GRAMMAR = {
    "SES003": "invalid-element-type",
    "SES004": "unknown-element (policy and statement elements, principal types: all case-sensitive)",
    "SES005": "missing-element (Statement, Effect, Action/NotAction; Resource/NotResource)",
    "SES006": "invalid-effect",
    "SES007": "conflicting-elements (Action/NotAction, Resource/NotResource, Principal/NotPrincipal)",
    "SES009": "invalid-version",
    "SES011": "invalid-sid (identity policies: letters and digits only)",
    "SES012": "duplicate-sid",
    "SES013": "empty-value (an empty Statement list is a warning: the scenario format uses it, so simulate takes it)",
    "SES014": "unknown-condition-operator (the operator table)",
    "SES015": "invalid-condition-value (the operator table's value parsers)",
    "SES016": "null-if-exists",
    "SES018": "principal-in-identity-policy",
    "SES019": "missing-principal (resource policies)",
    "SES064": "resource-not-arn",
    "SES065": "invalid-principal",
    "SES066": "malformed-action",
}
# Not grammar: SES002 (a repeated member name: the JSON reader refuses it before any policy is parsed,
# in lint and simulate alike; a dict cannot hold one), SES008 and SES010 (a missing Version changes what
# variables mean, IAM takes it), SES017 (an ARN IAM takes that names no SES resource), SES020 (the size
# quota depends on where the policy is attached).

ARN = "arn:aws:ses:us-east-1:111122223333:identity/example.com"


def _pick(*values):
    return st.sampled_from(values)


SIDS = _pick("Send", "Send", "Deny2", "send-mail", "", "Über", 7)
EFFECTS = _pick("Allow", "Allow", "Deny", "allow", "DENY", "Permit", 1, None)
ACTIONS = st.one_of(
    _pick("ses:SendEmail", "ses:*", "*", "", "SendEmail", "*:Send*", "ses:${aws:username}", 5, None,
          {"ses": "SendEmail"}),
    st.lists(_pick("ses:SendEmail", "ses:SendRawEmail", "ses:Get*", "SES:send?mail", "", "ses", "s?s:Get*", 3),
             max_size=3))
RESOURCES = st.one_of(
    _pick(ARN, "*", "arn:aws:ses:*", "arn:aws:ses:us-east-1:111122223333:identity/${aws:username}",
          "example.com", "", "arn:aws:ses", 4, {"arn": ARN}),
    st.lists(_pick(ARN, "*", "noreply@example.com", "", None), max_size=3))
PRINCIPAL_IDS = _pick("arn:aws:iam::444455556666:root", "444455556666", "*", "arn:aws:iam::*:root",
                      "arn:aws:iam::444455556666:role/mail*", "mailer", "arn:aws:sts::444455556666:assumed-role/r/s", "", 9)
PRINCIPALS = st.one_of(
    _pick("*", "arn:aws:iam::444455556666:root", {}, [], None),
    st.dictionaries(_pick("AWS", "Aws", "aws", "Service", "service", "Federated", "CanonicalUser", "Account"),
                    st.one_of(PRINCIPAL_IDS, st.lists(PRINCIPAL_IDS, max_size=2)), max_size=2))
CONDITION_BLOCKS = [
    ("StringEquals", {"ses:FromAddress": "noreply@example.com"}),
    ("ForAllValues:StringLike", {"ses:Recipients": ["*@example.com"]}),
    ("ForAnyValue:StringNotLike", {"ses:Recipients": ["*@example.com"]}),
    ("StringLike", {"ses:FromAddress": "${aws:username}@example.com"}),
    ("Bool", {"aws:SecureTransport": "true"}),
    ("Bool", {"aws:SecureTransport": "yes"}),
    ("IpAddress", {"aws:SourceIp": "10.0.0.0/8"}),
    ("IpAddress", {"aws:SourceIp": "10.0.0.300"}),
    ("DateLessThan", {"aws:CurrentTime": "2030-01-01T00:00:00Z"}),
    ("DateLessThan", {"aws:CurrentTime": "soon"}),
    ("NumericLessThan", {"ses:Count": 10}),
    ("ArnLike", {"aws:SourceArn": "arn:aws:s3:::bucket"}),
    ("ArnEquals", {"aws:SourceArn": "not-an-arn"}),
    ("Null", {"ses:FromAddress": "false"}),
    ("NullIfExists", {"ses:FromAddress": "false"}),
    ("ForAllValues:Null", {"ses:Recipients": "false"}),
    ("stringequals", {"ses:FromAddress": "a@example.com"}),
    ("StringEqualz", {"ses:FromAddress": "a@example.com"}),
    ("ForSomeValues:StringEquals", {"ses:Recipients": "a@example.com"}),
    ("StringEquals", {}),
    ("StringEquals", {"ses:FromAddress": []}),
    ("StringEquals", {"ses:FromAddress": None}),
    ("StringEquals", {"ses:FromAddress": [["a@example.com"]]}),
    ("StringEquals", "ses:FromAddress"),
]
CONDITIONS = st.one_of(_pick("StringEquals", [], None, {}),
                       st.lists(st.sampled_from(CONDITION_BLOCKS), max_size=3).map(dict))
ELEMENTS = {"Sid": SIDS, "Effect": EFFECTS, "Action": ACTIONS, "NotAction": ACTIONS, "Resource": RESOURCES,
            "NotResource": RESOURCES, "Principal": PRINCIPALS, "NotPrincipal": PRINCIPALS, "Condition": CONDITIONS,
            "Actions": ACTIONS, "action": ACTIONS, "effect": EFFECTS, "Resources": RESOURCES}
MUTATED = sorted(ELEMENTS) + ["Sid", "Action", "Resource", "Principal", "Principal", "Condition", "Condition"]


@st.composite
def statements(draw, kind: str):
    """A valid statement of the kind, then some of its elements dropped, replaced or added."""
    st_ = {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": ARN}
    if kind == "resource":
        st_["Principal"] = {"AWS": "arn:aws:iam::444455556666:root"}
    count = draw(_pick(0, 0, 1, 1, 1, 2))   # most mutants differ from a valid statement in one element
    for name in draw(st.lists(st.sampled_from(MUTATED), min_size=count, max_size=count, unique=True)):
        if draw(st.booleans()) and name in st_:
            del st_[name]
        else:
            st_[name] = draw(ELEMENTS[name])
    return st_


@st.composite
def policies(draw):
    kind = draw(_pick("identity", "resource"))
    body = draw(st.lists(statements(kind), min_size=1, max_size=3))
    policy: dict = {"Version": "2012-10-17",
                    "Statement": body if len(body) > 1 or draw(st.booleans()) else body[0]}
    mutation = draw(_pick(*[None] * 12, "Version", "Id", "Statement", "Statements", "statement", "drop"))
    if mutation == "Version":
        policy["Version"] = draw(_pick("2008-10-17", "2012-10-18", 2012, None))
    elif mutation == "Id":
        policy["Id"] = draw(_pick("ExamplePolicy", 5))
    elif mutation == "Statement":
        policy["Statement"] = draw(_pick([], "Allow", None, ["not a statement"], [body[0], 5]))
    elif mutation in ("Statements", "statement"):
        policy[mutation] = body
    elif mutation == "drop":
        del policy[draw(_pick("Version", "Statement"))]
    return kind, policy


def evaluator_accepts(policy, kind: str) -> InputError | None:
    """None when the evaluator accepts the policy as a policy of this kind, else its refusal."""
    try:
        CompiledPolicy(parse_policy(policy, "p.json"), kind)
    except InputError as exc:
        return exc
    return None


@pytest.fixture(scope="module")
def no_config(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("config") / "empty.toml"
    path.write_text("")
    return str(path)


def grammar_errors(cli, policy, kind: str, config: str) -> list[dict]:
    run = cli("lint", "-", "--format", "json", "--fail-on", "never", "--policy-type", kind, "--config", config,
              "--select", ",".join(sorted(GRAMMAR) + ["SES000"]), input=json.dumps(policy))
    assert (run.code, run.err) == (0, "")
    findings = json.loads(run.out)["findings"]
    assert not [f for f in findings if f["rule"] == "SES000"], "a lint check crashed"
    return [f for f in findings if f["rule"] in GRAMMAR and f["severity"] == "error"]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], max_examples=300,
          deadline=None)
@given(policies())
def test_lint_reports_a_grammar_error_exactly_when_the_evaluator_refuses(cli, no_config, case):
    kind, policy = case
    refusal = evaluator_accepts(policy, kind)
    errors = grammar_errors(cli, policy, kind, no_config)
    assert (refusal is None) == (not errors), (
        f"evaluator: {refusal or 'accepts'}; lint: {[(f['rule'], f['pointer'], f['message']) for f in errors]}")
    if refusal is not None:
        # the refusal lies where lint reports an error (a condition's refusal may name its key, lint its operator)
        at = refusal.pointer or ""
        assert any(at == f["pointer"] or at.startswith(f["pointer"] + "/") for f in errors), at


@given(policies())
def test_strict_raises_the_first_problem_the_tolerant_reading_finds(case):
    _, policy = case
    problems: list = []
    read_policy(policy, "p.json", problems=problems)
    try:
        parse_policy(policy, "p.json")
    except InputError as exc:
        first = problems[0]
        assert (exc.message, exc.pointer or "", exc.help) == (first.message, first.pointer, first.help)
    else:
        assert problems == []


def test_the_grammar_rules_are_catalog_rules_of_severity_error():
    from seslint.lint.catalog import load_catalog

    rules = load_catalog().rules
    assert {i: rules[i].severity for i in GRAMMAR} == dict.fromkeys(GRAMMAR, "error")
    assert all(GRAMMAR[i].startswith(rules[i].name) for i in GRAMMAR)


def test_every_problem_code_names_a_grammar_rule():
    """The parser's problem codes are the names of the rules that report them, all of them grammar rules."""
    from seslint.lint.catalog import load_catalog
    from seslint.policy import CODES

    names = {rule.name: i for i, rule in load_catalog().rules.items()}
    assert {code: names.get(code) in GRAMMAR for code in CODES} == dict.fromkeys(CODES, True)


REPEATED_SID = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Send", "Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"},
    {"Sid": "Send", "Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}]}
AWS_MISCASED = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Aws": "arn:aws:iam::444455556666:root"}, "Action": "ses:SendEmail",
     "Resource": ARN}]}


@pytest.mark.parametrize("policy, flag, pointer, rule, message", [
    (REPEATED_SID, "--policy", "/Statement/1/Sid", "SES012", "Sid 'Send' is also the Sid of /Statement/0"),
    (AWS_MISCASED, "--resource-policy", "/Statement/0/Principal/Aws", "SES004", "unknown principal type 'Aws'"),
])
def test_simulate_refuses_what_lint_reports(policy, flag, pointer, rule, message, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(policy, indent=2))
    run = cli("simulate", flag, "p.json", "--principal", "arn:aws:iam::111122223333:user/alice",
              "--action", "ses:SendEmail", "--resource", ARN)
    assert run.code == 3
    error, *rest = run.err.strip().splitlines()   # one line, then the help (if any) on its own
    assert "p.json" in error and pointer in error and message in error, run.err
    assert all(line.startswith("  help: ") for line in rest)
    found = cli("lint", "p.json", "--format", "json", "--fail-on", "never")
    assert [(f["rule"], f["pointer"]) for f in json.loads(found.out)["findings"] if f["rule"] == rule] == [
        (rule, pointer)]
