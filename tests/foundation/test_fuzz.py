"""Random bytes, JSON and YAML fed to `lint` and `simulate --scenarios`: never a crash.

A crash would surface as exit 4 (the CLI's internal-error line) or an exception escaping the CLI.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.conftest import invoke

KEYS = ["Version", "Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
        "NotPrincipal", "Condition", "Sid", "StringLike", "ForAllValues:StringLike", "ses:Recipients",
        "ses:FromAddress", "Resources", "Type", "AWS::IAM::Policy", "Properties", "PolicyDocument", "request",
        "action", "resource", "context", "identity_policies", "principal", "arn", "scps", "level", "policies"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                    st.sampled_from(["Allow", "Deny", "*", "ses:Send*", "ses:SendEmail", "2012-10-17",
                                     "arn:aws:ses:us-east-1:111122223333:identity/example.com", "${aws:username}",
                                     "\ud800", "a@example.com"]),
                    st.text(max_size=20))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)),
                                                  inner, max_size=5)), max_leaves=30)
YAML_SNIPPETS = st.lists(st.sampled_from([
    "a: &a [*a]\n", "<<: *x\n", "x: &x {b: 1}\ny:\n  <<: *x\n", "k: !Ref Foo\n", "k: !If [c, a, b]\n",
    "k: !!python/name:os.system\n", "k: !Unknown x\n", "- - -\n", "Statement:\n  - Effect: Allow\n",
    "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: {Statement: []}\n",
    "? [a, b]\n: c\n", "k: 2001-12-14t21:59:43.10-05:00\n", "k: !!binary aGVsbG8=\n", "\t", "'", "{", "]",
    "%YAML 1.1\n---\n", "k: |\n  text\n", "k: &a\n  - *a\n"]), max_size=6).map("".join)


def _invoke(args, tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    result = invoke(*args, str(path))  # an exception other than SystemExit escapes: the test fails
    assert result.code in (0, 1, 2, 3), result.output


FUZZ = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@FUZZ
@given(content=st.binary(max_size=300))
def test_random_bytes(tmp_path, content):
    _invoke(["lint"], tmp_path, "f.json", content)
    _invoke(["lint"], tmp_path, "f.yaml", content)
    _invoke(["simulate", "--scenarios"], tmp_path, "s.jsonl", content)


@FUZZ
@given(value=JSON_VALUES)
def test_random_json(tmp_path, value):
    text = json.dumps(value).encode("utf-8", "surrogatepass")
    _invoke(["lint"], tmp_path, "f.json", text)
    _invoke(["simulate", "--scenarios"], tmp_path, "s.jsonl", text + b"\n" + text)


@FUZZ
@given(policy=st.fixed_dictionaries({"Version": st.sampled_from(["2012-10-17", "2008-10-17", 1]),
                                     "Statement": st.lists(st.dictionaries(st.sampled_from(KEYS), JSON_VALUES,
                                                                           max_size=6), max_size=3)}),
       request=st.dictionaries(st.sampled_from(["action", "resource", "context"]), JSON_VALUES))
def test_policy_shaped_json(tmp_path, policy, request):
    _invoke(["lint", "--format", "sarif"], tmp_path, "p.json", json.dumps(policy).encode("utf-8", "surrogatepass"))
    scenario = {"identity_policies": [policy], "request": request}
    _invoke(["simulate", "--scenarios"], tmp_path, "s.jsonl", json.dumps(scenario).encode("utf-8", "surrogatepass"))


@FUZZ
@given(text=YAML_SNIPPETS)
def test_random_yaml(tmp_path, text):
    _invoke(["lint"], tmp_path, "t.yaml", text.encode())
    _invoke(["lint", "--skip-unrecognized"], tmp_path, "t.yml", text.encode())
