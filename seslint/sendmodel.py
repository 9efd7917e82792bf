"""The send model: from one send description, every IAM request SES makes for it.

Pure data, no evaluation: can-send, audit, generate --check and prove all start here.
`plan(Send(...))` gives a `Plan` whose requests are either always made (`group` None: the
configuration set, the template, a tracking override, a return-path identity) or belong to
one alternative of a group ("sender", or "recipient <address>" in the sandbox): SES makes the
requests of exactly one alternative per group, the one whose identity is verified.

Sources (rules/quirks.json holds the full entries):
- operation -> actions and resource types: the operation-mapping quirks of the matrix;
- the sender's identity: the address identity when that address is verified on its own,
  otherwise the domain, and a verified parent domain covers its subdomains ("Creating and
  verifying identities in Amazon SES"; quirk identity-arn-address-or-domain);
- ses:ApiVersion: "2" for v2 and SMTP ("Identity and access management in Amazon SES": the
  SMTP interface uses version 2 of ses:SendRawEmail); for v1 no source gives the value: the
  key is left absent and "1" is tried as well (quirk ck-api-version);
- sandbox: each recipient's identity is checked too (quirk identity-arn-sandbox-recipients);
- ses:TenantName / ses:MultiRegionEndpointId on actions the reference does not list them for:
  tried both absent and present (quirk dd-tenant-endpoint-keys-raw);
- which request a disputed operation mapping makes (v2 SendEmail with a template: ses:SendEmail or
  ses:SendTemplatedEmail; a custom verification email: the identity or not): each reading is a
  world of its own (`Plan.readings`, `PlannedRequest.reading`), as the operation-mapping quirk says;
- addresses are 7-bit ASCII: SES "does not support the SMTPUTF8 extension ... the email address string
  must be 7-bit ASCII", a Unicode domain goes in Punycode (SES API Reference, Destination);
- besides sends the caller composes, two operations mail someone: SendBounce (a bounce, from the
  bounce sender, to the sender of a message the account received: it has no recipient key) and
  SendCustomVerificationEmail (the account's verification template, to the address being verified);
- aws:RequestedRegion, aws:SecureTransport (true), and aws:CurrentTime/aws:EpochTime when the send
  fixes its time: keys every request carries (quirk ck-always-present-keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache

from seslint.core.arn import ACCOUNT, partition_of
from seslint.errors import SeslintError, UnsupportedError
from seslint.matrix import SENDING_KEYS

APIS = ("v1", "v2", "smtp")
CONTENTS = ("simple", "raw", "template", "bulk", "bounce", "verification")
TRACKING = ("open", "click")
SIMULATOR_DOMAIN = "simulator.amazonses.com"
_OPERATIONS = {
    ("v2", "simple"): "sesv2:SendEmail:simple", ("v2", "raw"): "sesv2:SendEmail:raw",
    ("v2", "template"): "sesv2:SendEmail:template", ("v2", "bulk"): "sesv2:SendBulkEmail",
    ("v1", "simple"): "ses:SendEmail", ("v1", "raw"): "ses:SendRawEmail",
    ("v1", "template"): "ses:SendTemplatedEmail", ("v1", "bulk"): "ses:SendBulkTemplatedEmail",
    ("smtp", "raw"): "smtp:SendRawEmail",
    ("v1", "bounce"): "ses:SendBounce",
    ("v2", "verification"): "sesv2:SendCustomVerificationEmail",
    ("v1", "verification"): "ses:SendCustomVerificationEmail",
}
#: Every (api, content) a send can have, v2 first.
SEND_KINDS = tuple(_OPERATIONS)
#: ses:ApiVersion per interface: "2" for v2 and SMTP ("Identity and access management in Amazon
#: SES"); none for v1, whose value no source gives.
API_VERSION = {"v2": "2", "smtp": "2"}
#: Keys whose value the send sets; a key the action does not carry is absent.
_SEND_KEYS = (*SENDING_KEYS, "ses:ApiVersion", "ses:TenantName", "ses:MultiRegionEndpointId")
#: Keys the reference gives on some send actions only (quirk dd-tenant-endpoint-keys-raw).
_MAYBE_KEYS = ("ses:TenantName", "ses:MultiRegionEndpointId")
_IDENTITY_ARN = re.compile(r"arn:(?P<partition>[\w-]+):ses:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
                           r"identity/(?P<name>[^/]+)")
_DOMAIN = re.compile(r"(?=.{1,253}$)(\w(?:[\w-]{0,61}\w)?\.)*\w(?:[\w-]{0,61}\w)?")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


class AddressError(SeslintError):
    """A command-line value that is not what the flag takes: a usage error."""

    exit_code = 2


@dataclass(frozen=True)
class Send:
    """One send, as the caller makes it. `account` is the caller's (sender's) account."""

    sender: str
    account: str
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    api: str = "v2"
    content: str = "simple"
    configuration_set: str | None = None
    template: str | None = None
    region: str = "us-east-1"
    identity: str | None = None          # the verified identity, NAME or ARN; None: every candidate
    sandbox: bool = False
    source_arn: str | None = None        # delegated sending: the owner's identity
    return_path_arn: str | None = None
    feedback_address: str | None = None
    tenant: str | None = None
    tracking: tuple[tuple[str, str], ...] = ()   # (("open", "DISABLED"), ...)
    endpoint_id: str | None = None
    at: datetime | None = None           # when the send is made (aws:CurrentTime); None: not fixed


@dataclass(frozen=True)
class Alternative:
    """One identity SES may check for a group, and when it does."""

    group: str
    identity: str
    arn: str
    condition: str

    def to_json(self) -> dict:
        return {"group": self.group, "identity": self.identity, "arn": self.arn, "condition": self.condition}


@dataclass(frozen=True)
class PlannedRequest:
    """One IAM request: made always (`alternative` None) or only when its alternative applies.
    `uncertain` holds keys whose presence the sources disagree on: absent in `context`, and
    present with this value in the other reading. `reading`: the reading of a disputed operation
    mapping in which the request is made (None: in every reading)."""

    action: str
    resource: str
    role: str
    context: dict
    alternative: Alternative | None = None
    uncertain: dict = field(default_factory=dict)
    reading: str | None = None

    def scenario_request(self) -> dict:
        """The request in the scenario-file form (DESIGN.md §3), `context` as the primary reading."""
        return {"action": self.action, "resource": self.resource, "context": dict(self.context)}


@dataclass(frozen=True)
class Plan:
    """The requests of one send. `readings`: the readings of a disputed operation mapping (quirk
    `disputed`), each a world in which only the requests of that reading (and those of none) are made."""

    operation: str
    requests: tuple[PlannedRequest, ...]
    groups: tuple[tuple[str, tuple[Alternative, ...]], ...]
    notes: tuple[str, ...]
    sender: str
    recipients: tuple[str, ...]
    readings: tuple[str, ...] = ()
    disputed: str | None = None

    def made_in(self, reading: str | None) -> tuple[PlannedRequest, ...]:
        """The requests SES makes in one reading (None: every request, the union of the readings)."""
        return tuple(r for r in self.requests if reading is None or r.reading in (None, reading))


def kind_quirks(api: str, content: str) -> tuple[str, ...]:
    """The quirks a send of this kind rests on: its operation's mapping to IAM actions and the extra
    authorizations that explain it (rules/quirks.json)."""
    from seslint.matrix import load_matrix

    return tuple(sorted({q for v in load_matrix().operation(_OPERATIONS[(api, content)]) for q in v["quirks"]}))


def api_of(spec: str) -> str:
    """The interface of an operation spec ("sesv2:SendEmail:raw" -> "v2")."""
    return {"ses": "v1", "sesv2": "v2", "smtp": "smtp"}.get(spec.split(":", 1)[0], "")


def split_addresses(value: str) -> list[str]:
    """An address list split on commas and semicolons outside quotes, comments and <...>."""
    parts: list[str] = []
    cur: list[str] = []
    quoted, depth, angle, escaped = False, 0, False, False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"' and not depth:
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")" and depth:
            depth -= 1
        elif not quoted and not depth and ch in "<>":
            angle = ch == "<"
        elif ch in ",;" and not (quoted or depth or angle):
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_address(text: str, flag: str) -> tuple[str, str]:
    """(display name, address) of one RFC 5322 mailbox; anything else is a usage error."""
    from email.utils import parseaddr  # here: most importers of this module never need it

    name, addr = parseaddr(text)
    local, _, domain = addr.rpartition("@")
    bare = text.strip().strip("<>").strip()
    unquoted = _QUOTED.sub("", text)
    if ":" in unquoted.split("<")[0] and "@" not in unquoted.split(":")[0]:
        raise AddressError(f"--{flag}: '{text}' is a group; list its addresses instead")
    if (not local or not _DOMAIN.fullmatch(domain) or any(c.isspace() or c in '<>,;"' for c in local)
            or ("<" not in text and "(" not in text and bare != addr)):
        raise AddressError(f"--{flag}: '{text}' is not an email address",
                           help="give 'user@example.com' or 'Name <user@example.com>'")
    if not addr.isascii():
        raise AddressError(f"--{flag}: '{addr}' is not 7-bit ASCII, which SES requires of addresses",
                           help="write a Unicode domain in Punycode (xn--...); display names may be Unicode")
    return name, addr


def mailbox(display: str, address: str) -> str:
    """`display <address>` as `parse_address` reads it back: the display name quoted where it needs it."""
    if not display:
        return address
    if any(c in display for c in '()<>[]:;@\\,."') or display != display.strip():
        display = '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{display} <{address}>"


def parse_addresses(values, flag: str) -> list[tuple[str, str]]:
    """Every mailbox of every --FLAG value (each value an address list)."""
    return [parse_address(part, flag) for value in values for part in split_addresses(value)]


def identity_candidates(address: str) -> list[str]:
    """Identities that may verify a sender, most specific first: the address, its domain and
    each parent domain (two labels at least)."""
    domain = address.rpartition("@")[2].lower()
    labels = domain.split(".")
    return [address] + [".".join(labels[i:]) for i in range(len(labels) - 1)] if len(labels) > 1 \
        else [address, domain]


def _condition(name: str) -> str:
    return f"{name} is verified on its own" if "@" in name else f"{name} is the verified identity"


def _identity(value: str, where: str, *, prefix: str, covers: str | None) -> tuple[str, str]:
    """(name, arn) of an identity NAME or ARN; it must be able to send as `covers`."""
    m = _IDENTITY_ARN.fullmatch(value)
    name = m["name"].lower() if m else value.lower()
    arn = value if m else f"{prefix}:identity/{name}"
    if not m and (value.startswith("arn:") or "/" in value):
        raise AddressError(f"{where}: '{value}' is not an SES identity name or arn",
                           help="e.g. example.com or arn:aws:ses:us-east-1:111122223333:identity/example.com")
    if covers is not None and name not in identity_candidates(covers):
        raise AddressError(f"{where}: identity '{name}' cannot send as {covers}",
                           help=f"SES checks one of: {', '.join(identity_candidates(covers))}")
    return name, arn


def plan(send: Send) -> Plan:
    """Every IAM request SES makes for `send`, grouped by the identity alternatives."""
    if send.api not in APIS:
        raise UnsupportedError(f"unknown api '{send.api}'", help="use v1, v2 or smtp")
    if send.content not in CONTENTS:
        raise UnsupportedError(f"unknown content '{send.content}'", help="use simple, raw, template or bulk")
    content = "raw" if send.api == "smtp" and send.content == "simple" else send.content  # SMTP sends MIME
    spec = _OPERATIONS.get((send.api, content))
    if spec is None:
        raise AddressError(f"the {send.api} interface has no {content} send", help="SMTP sends raw content only")
    if content in ("template", "bulk", "verification") and not send.template:
        raise AddressError(f"a {content} send needs --template NAME")
    if not ACCOUNT.fullmatch(send.account or ""):
        raise AddressError(f"account '{send.account}' is not a 12-digit account id")
    _check_options(send, content)
    senders = parse_addresses([send.sender], "from")
    if len(senders) != 1:
        raise AddressError(f"--from: give one From address, not {len(senders)}")
    display, from_addr = senders[0]
    recipients = [a for flag, vs in (("to", send.to), ("cc", send.cc), ("bcc", send.bcc))
                  for _, a in parse_addresses(vs, flag)]
    if not recipients:
        raise AddressError("a send needs at least one recipient (--to, --cc or --bcc)")
    feedback = parse_address(send.feedback_address, "feedback-address")[1] if send.feedback_address else from_addr
    operation, steps, readings, disputed = _steps(spec, content)
    prefix = f"arn:{partition_of(send.region)}:ses:{send.region}:{send.account}"
    notes: list[str] = []

    values, maybe = _values(send, display, from_addr, feedback, recipients, notes)

    always = request_keys(send.region, send.at)

    def contexts(keys):
        context = {**{k: v for k, v in values.items() if k in keys}, **always}
        uncertain = {k: v for k, v in maybe.items() if k in keys}
        uncertain.update({k: values[k] for k in _MAYBE_KEYS if k in values and k not in keys})
        return context, uncertain

    requests: list[PlannedRequest] = []
    groups = []

    def group(name, alternatives, role):
        groups.append((name, tuple(alternatives)))
        for alt in alternatives:
            for action, _, keys, reading in (s for s in steps if "identity" in s[1]):
                context, uncertain = contexts(keys)
                kind = role or ("address identity" if "@" in alt.identity else "domain identity")
                requests.append(PlannedRequest(action, alt.arn, kind, context, alt, uncertain, reading))

    group("sender", _sender_alternatives(send, prefix, from_addr), None)
    if send.return_path_arn:
        name, arn = _identity(send.return_path_arn, "--return-path-arn", prefix=prefix, covers=None)
        if not _IDENTITY_ARN.fullmatch(send.return_path_arn):
            raise AddressError(f"--return-path-arn: '{send.return_path_arn}' is not an SES identity arn")
        if name not in identity_candidates(feedback):
            raise AddressError(f"--return-path-arn: identity '{name}' cannot authorize the return path {feedback}",
                               help="give --feedback-address with an address of that identity")
        for action, _, keys, reading in (s for s in steps if "identity" in s[1]):
            context, uncertain = contexts(keys)
            requests.append(PlannedRequest(action, arn, "return-path identity", context, None, uncertain, reading))
    for rtype, resource, role in (("configuration-set", send.configuration_set, "configuration set"),
                                  ("template", send.template, "template"),
                                  ("custom-verification-email-template", send.template, "verification template")):
        if resource:
            for action, resource_types, keys, reading in steps:
                if rtype in resource_types:
                    context, uncertain = contexts(keys)
                    requests.append(PlannedRequest(action, f"{prefix}:{rtype}/{resource}", role, context, None,
                                                   uncertain, reading))
    if send.tracking:
        context = {f"ses:{kind.capitalize()}TrackingEnabled": value for kind, value in send.tracking}
        requests.append(PlannedRequest("ses:ApplyTrackingConfigurationOverrides", "*", "tracking override",
                                       {**dict(sorted(context.items())), **always}))
    if send.sandbox:
        for rcpt in dict.fromkeys(recipients):
            if rcpt.endswith("@" + SIMULATOR_DOMAIN):
                continue  # the mailbox simulator needs no verification in the sandbox
            group(f"recipient {rcpt}", [Alternative(f"recipient {rcpt}", n, f"{prefix}:identity/{n}", _condition(n))
                                        for n in identity_candidates(rcpt)], "recipient identity")
        notes.append("sandbox: each recipient's identity is checked too (quirk identity-arn-sandbox-recipients)")
    if readings:
        notes.append(f"which requests SES makes for this operation is disputed (quirk {disputed}): each of "
                     f"{', '.join(readings)} is evaluated")
    return Plan(operation, tuple(requests), tuple(groups), tuple(notes), from_addr, tuple(recipients), readings,
                disputed)


def request_keys(region: str, at: datetime | None) -> dict[str, str]:
    """The global keys every request of a send carries (quirk ck-always-present-keys): the region of the
    endpoint, HTTPS, and the time when `at` fixes it (aws:CurrentTime to the second, as ISO 8601 UTC)."""
    keys = {"aws:RequestedRegion": region, "aws:SecureTransport": "true"}
    if at is not None:
        instant = at.astimezone(timezone.utc).replace(microsecond=0)
        keys["aws:CurrentTime"] = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
        keys["aws:EpochTime"] = str(int(instant.timestamp()))
    return keys


def context_values(api: str, from_addr: str, *, display: str = "", recipients=None, feedback: str | None = None,
                   tenant: str | None = None, endpoint_id: str | None = None) -> dict:
    """The context keys a send sets (each request keeps those its action carries); `recipients`
    None leaves ses:Recipients absent. ses:ApiVersion only where a source gives it (API_VERSION)."""
    values: dict[str, str | list[str]] = {"ses:FromAddress": from_addr, "ses:FromDisplayName": display,
                                          "ses:FeedbackAddress": feedback or from_addr}
    if recipients is not None:
        values["ses:Recipients"] = list(recipients)
    if api in API_VERSION:
        values["ses:ApiVersion"] = API_VERSION[api]
    values.update({k: v for k, v in zip(_MAYBE_KEYS, (tenant, endpoint_id), strict=True) if v})
    return values


def _values(send: Send, display: str, from_addr: str, feedback: str, recipients: list[str], notes: list[str]):
    """The context values of the send, and the keys whose presence no source settles (with their value)."""
    values = context_values(send.api, from_addr, display=display, recipients=recipients, feedback=feedback,
                            tenant=send.tenant, endpoint_id=send.endpoint_id)
    maybe = {}
    if send.api not in API_VERSION:
        maybe["ses:ApiVersion"] = "1"
        notes.append("ses:ApiVersion is left absent for v1 sends: no source gives its value; the answer "
                     "is also checked with \"1\" (quirk ck-api-version)")
    return values, maybe


def _sender_alternatives(send: Send, prefix: str, from_addr: str) -> list[Alternative]:
    """The identities SES may check for the sender: the pinned or delegated one, else every candidate."""
    if send.source_arn and send.identity and send.identity not in (send.source_arn, send.source_arn.split("/", 1)[1]):
        raise AddressError("--identity and --source-arn name different identities", help="give one of them")
    if send.source_arn and not _IDENTITY_ARN.fullmatch(send.source_arn):
        raise AddressError(f"--source-arn: '{send.source_arn}' is not an SES identity arn")
    pinned = send.source_arn or send.identity
    if pinned:
        where = "--source-arn" if send.source_arn else "--identity"
        name, arn = _identity(pinned, where, prefix=prefix, covers=from_addr)
        return [Alternative("sender", name, arn, f"{name} is the identity SES checks")]
    return [Alternative("sender", n, f"{prefix}:identity/{n}", _condition(n)) for n in identity_candidates(from_addr)]


def _check_options(send: Send, content: str) -> None:
    if send.tracking:
        if send.api != "v2":
            raise AddressError("--tracking-override: only the v2 API (SendEmail, SendBulkEmail) takes tracking overrides")
        for kind, value in send.tracking:
            if kind not in TRACKING or value not in ("ENABLED", "DISABLED"):
                raise AddressError(f"--tracking-override: '{kind}={value}' is not open|click=ENABLED|DISABLED")
    if send.endpoint_id and send.api != "v2":
        raise AddressError("--endpoint-id: only the v2 API takes a multi-region endpoint id")
    if send.tenant and send.api == "v1" and content != "raw":
        raise AddressError("--tenant: the v1 API takes a tenant only in a raw message's X-SES-TENANT header")


@cache
def _steps(spec: str, content: str) -> tuple[str, tuple, tuple[str, ...], str | None]:
    """From the matrix, once per process: (operation label, ((action, resource types, keys the action
    carries, reading or None), ...), the readings of a disputed mapping, the quirk that disputes it)."""
    from seslint.matrix import load_matrix

    matrix = load_matrix()
    variants = matrix.operation(spec)
    steps = []
    readings: tuple[str, ...] = ()
    disputed = None
    for variant in variants:
        if variant.get("readings"):
            readings, disputed = tuple(variant["readings"]), variant["disputed"]
        for auth in variant["authorizes"]:
            action = matrix.require_action(auth["action"])
            keys = frozenset(k for k in _SEND_KEYS if matrix.carries(action, k))
            steps.append((action.full_name, tuple(auth["resources"]), keys, auth.get("reading")))
    label = variants[0]["operation"] + (f" ({content})" if variants[0]["variant"] else "")
    return label, tuple(steps), readings, disputed


#: The example send `key_values` describes: a display name, and one recipient each in To, Cc and Bcc.
KEY_EXAMPLE = {"sender": "Shop <noreply@example.com>", "to": ("a@example.net",), "cc": ("b@example.org",),
               "bcc": ("c@example.com",)}


def key_values(key: str) -> list[dict] | None:
    """What condition `key` holds on the send request of an example send (`KEY_EXAMPLE`, with a tenant and,
    on v2, a multi-region endpoint) through each API: {"api", "operation", "value"} with the value, or
    "absent", or {"uncertain": value} where the sources disagree whether the request carries it. None for
    a key no send sets (a global key such as aws:SourceIp comes from the request, not from the send)."""
    out = []
    for api in APIS:
        options = {"tenant": "acme"} if api != "v1" else {}
        if api == "v2":
            options["endpoint_id"] = "abcd1234.xyz"
        the_plan = plan(Send(account="111122223333", api=api, **KEY_EXAMPLE, **options))  # type: ignore[arg-type]
        request = the_plan.requests[0]
        context = {k.lower(): v for k, v in request.context.items()}
        uncertain = {k.lower(): v for k, v in request.uncertain.items()}
        value: object = context.get(key.lower(), "absent")
        if key.lower() in uncertain:
            value = {"uncertain": uncertain[key.lower()]}
        out.append({"api": api, "operation": the_plan.operation, "action": request.action, "value": value})
    return out if any(v["value"] != "absent" for v in out) else None
