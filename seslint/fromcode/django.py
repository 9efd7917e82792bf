"""Django settings: an SES email backend (django-ses, django-amazon-ses, django-anymail) or Django's
SMTP backend pointed at an SES SMTP endpoint makes every `send_mail` an SES send.

The call site of the backend is its `EMAIL_BACKEND` (or `EMAIL_HOST`) line; its From is
`DEFAULT_FROM_EMAIL`. Each Django mail call that passes a From of its own (`send_mail(subject,
body, from_email, ...)`, `EmailMessage(..., from_email=...)`) is a call site of that backend too.
What each backend sends is data: rules/code-calls.json, `libraries`.
"""

from __future__ import annotations

import ast

from seslint.fromcode import sites
from seslint.fromcode.model import CallSite, Value, runtime
from seslint.fromcode.values import Resolver, _called

_FROM_ARG = {"send_mail": 2, "EmailMessage": 2, "EmailMultiAlternatives": 2}
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _backends() -> dict[str, str]:
    libraries = sites.facts()["libraries"]
    return {b: name for name, lib in libraries.items() for b in lib.get("backends", ())}


def _literal_strings(node: ast.expr) -> list[str]:
    """Every string literal in an expression: `env("EMAIL_BACKEND", default="django_ses.SESBackend")`."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _truthy(project, name: str) -> bool:
    return any(isinstance(e, ast.Constant) and e.value is True
               for m in project.modules.values() if m.settings for e in m.constants.get(name, []))


def _dict_setting(project, name: str) -> dict:
    """A settings dict (`ANYMAIL = {...}`) as Params, merged over the settings modules."""
    out: dict = {}
    for mod in (m for m in project.modules.values() if m.settings):
        for expr in mod.constants.get(name, []):
            found = Resolver(mod.text, {}, mod.constants).params(expr)
            if found is not None:
                out.update(found)
    return out


def settings_sites(project) -> list[CallSite]:
    backends = _backends()
    found: list[tuple[str, int, str]] = []   # (path, line, library)
    from seslint.fromcode.python import module_statements

    for mod in sorted(project.modules.values(), key=lambda m: m.path):
        for node in module_statements(mod.tree):
            if not isinstance(node, ast.Assign) or not any(isinstance(t, ast.Name) for t in node.targets):
                continue
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
            if "EMAIL_BACKEND" in names:
                for text in _literal_strings(node.value):
                    if text in backends:
                        found.append((mod.path, node.lineno, backends[text]))
                        break
            if "EMAIL_HOST" in names and _smtp_backend(project):
                host = Resolver(mod.text, {}, mod.constants).value(node.value)
                texts = [host.text] if host.literal else _literal_strings(node.value)
                region = next((r for r in map(sites.smtp_region, [t for t in texts if t]) if r), None)
                if region:
                    found.append((mod.path, node.lineno, "django smtp:" + region))
    out: list[CallSite] = []
    for path, line, library in found:
        out += _backend_sites(project, path, line, library)
    if found:
        _, _, library = found[0]
        for mod in project.modules.values():
            out += _mail_calls(project, mod, library)
    return out


def _smtp_backend(project) -> bool:
    values = [t for m in project.modules.values() if m.settings for e in m.constants.get("EMAIL_BACKEND", [])
              for t in _literal_strings(e)]
    return not values or _SMTP_BACKEND in values


def _sender(project) -> Value:
    return project.setting("DEFAULT_FROM_EMAIL") or runtime("DEFAULT_FROM_EMAIL is not set (Django's default "
                                                            "webmaster@localhost)")


def _backend_sites(project, path: str, line: int, library: str, sender: Value | None = None) -> list[CallSite]:
    sender = sender or _sender(project)
    facts = sites.facts()["libraries"]
    if library.startswith("django smtp:"):
        return [sites.smtp_site(path, line, "django (SMTP)", sender=sender, region=Value(library.split(":", 1)[1]))]
    lib = facts[library]
    settings = lib["settings"]
    if library == "django-anymail":
        anymail = _dict_setting(project, "ANYMAIL")
        configuration_set = anymail.get(sites.norm(settings["configuration_set"])) or \
            project.setting("ANYMAIL_" + settings["configuration_set"])
        client_params = anymail.get(sites.norm(settings["client_params"]))
        region = client_params.get("regionname") if isinstance(client_params, dict) else None
        cs = configuration_set if isinstance(configuration_set, Value) else None
        params = sites.Params({"ConfigurationSetName": cs} if cs else {}, opaque="")
        params["fromemailaddress"] = sender
        out = [sites.build(path, line, library, "sesv2", lib["sends"].split(":")[1], params,
                           region=region if isinstance(region, Value) else None, contents=tuple(lib["contents"]))]
        templates = _template_ids(project)
        if templates:
            for template in templates:
                bulk = sites.Params({"FromEmailAddress": sender, "DefaultContent": sites.Params(
                    {"Template": sites.Params({"TemplateName": template})})})
                if cs:
                    bulk["configurationsetname"] = cs
                out.append(sites.build(path, line, library, "sesv2", lib["template_sends"].split(":")[1], bulk,
                                       region=region if isinstance(region, Value) else None))
        return [s for s in out if s is not None]
    op = lib["v2_sends"] if lib.get("v2_setting") and _truthy(project, lib["v2_setting"]) else lib["sends"]
    service, name = op.split(":")
    params = sites.Params({"Source" if service == "ses" else "FromEmailAddress": sender})
    for key, member in (("configuration_set", "ConfigurationSetName"),
                        ("source_arn", "SourceArn" if service == "ses" else "FromEmailAddressIdentityArn"),
                        ("from_arn", "FromArn")):
        value = project.setting(settings[key]) if key in settings else None
        if value is not None and (key != "from_arn" or service == "ses"):
            params[sites.norm(member)] = value
    region = project.setting(settings["region"]) if "region" in settings else None
    site = sites.build(path, line, library, service, name, params, region=region)
    return [site] if site is not None else []


def _template_ids(project) -> list[Value]:
    """The template_id values the code gives Anymail messages (`msg.template_id = "..."`, `template_id=...`)."""
    out = []
    for mod in project.modules.values():
        res = Resolver(mod.text, {}, mod.constants)
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "template_id"
                                                    for t in node.targets):
                out.append(res.value(node.value))
            elif isinstance(node, ast.keyword) and node.arg == "template_id":
                out.append(res.value(node.value))
    return sorted(set(out), key=lambda v: (v.text is None, v.text or v.expr))


def _mail_calls(project, mod, library: str) -> list[CallSite]:
    """Django mail calls that pass a From of their own."""
    out = []
    for node in ast.walk(mod.tree):
        if not isinstance(node, ast.Call) or _called(node) not in _FROM_ARG:
            continue
        index = _FROM_ARG[_called(node)]
        arg = node.args[index] if len(node.args) > index else next(
            (k.value for k in node.keywords if k.arg == "from_email"), None)
        if arg is None or (isinstance(arg, ast.Constant) and arg.value is None):
            continue
        res = Resolver(mod.text, {}, mod.constants, setting=project.setting)
        out += _backend_sites(project, mod.path, node.lineno, library, sender=res.value(arg))
    return out
