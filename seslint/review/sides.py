"""One side of a change: the policies of a file, read by the linter's reader, as `Subject`s that
pair with the other side's by where they live."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from seslint.lint import inputs
from seslint.lint.model import IDENTITY, RESOURCE, PolicyUnit
from seslint.policy import PolicyDoc


@dataclass
class Subject:
    """One policy, or one principal's policies, where it lives in one file at one revision."""

    file: str
    key: tuple                      # pairs it with the other side's subject (the file apart)
    location: str                   # where it lives: logical id, Terraform address, principal ARN, "/"
    name: str
    kind: str                       # identity (also boundaries, SCPs) or resource (SES sending authorization)
    docs: list[PolicyDoc] = field(default_factory=list)   # pointers are absolute in the file
    boundary: PolicyDoc | None = None
    principal: str | None = None    # the principal of authorization details
    error: str | None = None        # a policy of it cannot be read
    places: list[tuple[str, Callable[[str], tuple[int, int]]]] = field(default_factory=list)

    def place(self, pointer: str) -> tuple[int, int]:
        """Line and column in the file of an absolute pointer into one of the subject's documents."""
        best = None
        for base, where in self.places:
            if (pointer == base or pointer.startswith(base + "/") or base == "") and (
                    best is None or len(base) > len(best[0])):
                best = (base, where)
        return best[1](pointer) if best else (1, 1)

    @property
    def line(self) -> int:
        """The line where the subject's (first) policy starts."""
        return self.place(self.docs[0].pointer)[0] if self.docs else 1

    def signature(self):
        """Equal for two subjects that allow and deny exactly the same requests by construction:
        statements cut into one (action, resource) each, Sids and order ignored."""
        return (self.kind, self.principal, self.error, _signature([d.value for d in self.docs]),
                _signature([self.boundary.value]) if self.boundary else None)


def read(loaded: inputs.Loaded, file: str) -> list[Subject]:
    """The subjects of one file (`inputs.parse` or `inputs.load`), in file order."""
    if inputs.is_auth_details(loaded.value):
        return _principals(loaded, file)
    out: dict[tuple, Subject] = {}
    for unit in loaded.units:
        if unit.unreadable or not isinstance(unit.value, dict):
            continue
        key = (unit.name or unit.pointer, unit.note if unit.note != unit.name else None)
        subject = out.get(key)
        if subject is None:
            location = unit.name or unit.pointer or "/"
            if key[1]:
                location += f" [{key[1]}]"
            subject = out[key] = Subject(file, key, location, unit.name or file.rsplit("/", 1)[-1], _kind(unit))
        subject.docs.append(PolicyDoc(unit.value, file, unit.pointer))
        subject.places.append((unit.pointer, _placer(unit)))
        if _kind(unit) == RESOURCE:
            subject.kind = RESOURCE
    return list(out.values())


def _kind(unit: PolicyUnit) -> str:
    if unit.policy_type is not None:
        return RESOURCE if unit.policy_type == RESOURCE else IDENTITY
    statements = unit.value.get("Statement") if isinstance(unit.value, dict) else None
    items = statements if isinstance(statements, list) else [statements]
    named = any(isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s) for s in items)
    return RESOURCE if named else IDENTITY


def _placer(unit: PolicyUnit) -> Callable[[str], tuple[int, int]]:
    def place(pointer: str) -> tuple[int, int]:
        return unit.position(unit.remap(pointer) if unit.remap else pointer)
    return place


def _principals(loaded: inputs.Loaded, file: str) -> list[Subject]:
    """Each user and role of authorization details with its effective policies (the evaluator's reading)."""
    from seslint.errors import InputError
    from seslint.evaluate.authdetails import load_auth_details

    try:
        details = load_auth_details(loaded.value, file)
        principals = list(details.principals())
    except InputError as exc:
        return [Subject(file, ("principals",), "/", file, IDENTITY, error=str(exc))]
    units = {u.pointer: u for u in loaded.units}
    out = []
    for p in principals:
        subject = Subject(file, ("principal", p.arn), p.arn, p.name, IDENTITY, list(p.identity_policies),
                          p.permission_boundary, p.arn, str(p.error) if p.error else None)
        for doc in [*p.identity_policies, *([p.permission_boundary] if p.permission_boundary else [])]:
            unit = units.get(doc.pointer)
            if unit is not None:
                subject.places.append((doc.pointer, _placer(unit)))
        out.append(subject)
    return out


# -- equivalence by construction --------------------------------------------------------------

def _signature(values: list):
    """A canonical form of policy documents: the set of their statements cut into one action and one
    resource each (a statement allows or denies what its pieces do; Sid and order change nothing), each
    with its Version (which decides whether policy variables are read). A document of another shape
    stands as its JSON text."""
    atoms: set = set()
    for value in values:
        if not isinstance(value, dict):
            atoms.add(("document", _text(value)))
            continue
        version = value.get("Version")
        raw = value.get("Statement")
        for st in raw if isinstance(raw, list) else [raw]:
            atoms.update(_atoms(st, version))
    return frozenset(atoms)


def _atoms(st, version) -> list:
    if not isinstance(st, dict) or set(st) - _KNOWN:
        return [("statement", version, _text(st))]
    common = (version, st.get("Effect"), _text(st.get("Principal")), _text(st.get("NotPrincipal")),
              _conditions(st.get("Condition")))
    actions = _split(st, "Action", "NotAction", str.lower)
    resources = _split(st, "Resource", "NotResource", None)
    return [(*common, a, r) for a in actions for r in resources]


_KNOWN = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal",
          "Condition"}


def _split(st: dict, key: str, negated: str, fold) -> list:
    if key in st:
        values = st[key] if isinstance(st[key], list) else [st[key]]
        return [(key, fold(v) if fold and isinstance(v, str) else _text(v)) for v in values] or [(key, None)]
    if negated in st:
        values = st[negated] if isinstance(st[negated], list) else [st[negated]]
        return [(negated, tuple(sorted({fold(v) if fold and isinstance(v, str) else _text(v) for v in values})))]
    return [(None, None)]


def _conditions(value):
    if not isinstance(value, dict):
        return _text(value)
    out = []
    for operator, keys in value.items():
        if not isinstance(keys, dict):
            return _text(value)
        for key, values in keys.items():
            items = values if isinstance(values, list) else [values]
            out.append((operator, key.lower(), tuple(sorted({_text(v) for v in items}))))
    return tuple(sorted(out))


def _text(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)
