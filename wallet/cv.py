"""The holder's CV: one self-contained HTML page a recruiter can read and verify.

The page lists each presented credential for a human reader (type, title,
issuer, dates, the disclosed fields) and carries the signed presentation
verbatim as JSON in ``<script type="application/vp+json"
id="passeport-presentation">``. ``passeport verify CV.html`` checks that
embedded presentation only: the visible text is a rendering of it, not
signed, and a verdict never concerns it.

Everything shown comes from the presentation itself, so an undisclosed claim
cannot appear. Every value is HTML-escaped; inside the script element ``</``
is written ``<\\/`` and ``<!--`` as ``\\u003c!--`` (both still decode to the
same JSON), so no credential text can close the element or inject markup.
The page has inline CSS only: no JavaScript, no external resource.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping, Sequence
from html import escape
from typing import Any, Final
from urllib.parse import unquote

from passeport._io import parse_json
from passeport.errors import InputError
from passeport.proofs.mechanism import mechanism_named
from passeport.wallet.present import PresentedCredential

__all__ = ["render_cv", "script_json"]

PRESENTATION_SCRIPT_ID: Final = "passeport-presentation"
PRESENTATION_MEDIA_TYPE: Final = "application/vp+json"
_SKIPPED_TYPES: Final = frozenset({"VerifiableCredential", "EnvelopedVerifiableCredential"})
_HIDDEN_JWT_CLAIMS: Final = frozenset({"_sd", "_sd_alg", "cnf", "vct", "iss", "iat", "nbf", "exp"})
_DISCLOSURE: Final = {
    "derived": "divulgation sélective / selective disclosure",
    "whole": "document complet / whole document",
}


def _disclosure_label(disclosure: str) -> str:
    """Say how a credential was presented; a mechanism's own disclosure (SD-JWT) by its label."""
    if disclosure in _DISCLOSURE:
        return _DISCLOSURE[disclosure]
    try:
        label = mechanism_named(disclosure).label
    except ValueError:
        return ""
    return f"divulgation sélective ({label}) / selective disclosure ({label})"


_CSS: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff;line-height:1.5}
h1{font-size:1.8rem;margin-bottom:.2rem}
h2{font-size:1.25rem;margin:0 0 .3rem}
article{border:1px solid #767676;border-radius:.4rem;padding:1rem 1.2rem;margin:1.2rem 0}
.kind{font-size:.9rem;color:#4a4a4a;margin:0}
dl{display:grid;grid-template-columns:minmax(10rem,max-content) 1fr;gap:.2rem 1rem;margin:.6rem 0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
aside{border-left:.3rem solid #005a9c;background:#f2f6fa;padding:.6rem 1rem;margin-top:2rem}
@media print{aside{break-inside:avoid}article{break-inside:avoid}}
"""


def script_json(document: Mapping[str, Any]) -> str:
    """Return ``document`` as JSON safe to place inside an HTML ``<script>`` element.

    ``</`` becomes ``<\\/`` and ``<!--`` becomes ``\\u003c!--``: both only occur
    inside JSON strings, where they decode back to the same characters.
    """
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return text.replace("<!--", "\\u003c!--").replace("</", "<\\/")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("@value"), str):
        return str(value["@value"])
    return json.dumps(value, ensure_ascii=False)


def _types(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type", [])
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str) and t not in _SKIPPED_TYPES]


def _b64url_json(text: str) -> Any:
    try:
        return parse_json(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), where=None)
    except (binascii.Error, ValueError, InputError):
        return None


def _enveloped(entry: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Any]]] | None:
    """Read (unverified, for display only) the claims and disclosures of an enveloped JWT."""
    url = entry.get("id")
    if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
        return None
    token = unquote(url.split(",", 1)[1]).strip()
    jws, *rest = token.split("~")
    parts = jws.split(".")
    claims = _b64url_json(parts[1]) if len(parts) == 3 else None
    if not isinstance(claims, dict):
        return None
    disclosed: list[tuple[str, Any]] = []
    for item in rest:
        decoded = _b64url_json(item) if item and "." not in item else None
        if isinstance(decoded, list) and len(decoded) == 3 and isinstance(decoded[1], str):
            disclosed.append((decoded[1], decoded[2]))
        elif isinstance(decoded, list) and len(decoded) == 2:
            disclosed.append(("[…]", decoded[1]))
    inner = claims.get("vc")
    return (inner if isinstance(inner, dict) else claims), disclosed


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield (label, scalar) for every leaf under ``value``; labels are dotted paths."""
    if isinstance(value, Mapping) and "@value" not in value:
        for key, item in value.items():
            if key in _HIDDEN_JWT_CLAIMS or key in {"@context", "type"}:
                continue
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _dl(rows: Sequence[tuple[str, Any]], *, code: bool = False) -> str:
    if not rows:
        return ""
    items = []
    for label, value in rows:
        shown = escape(_text(value))
        shown = f"<code>{shown}</code>" if code else shown
        items.append(f"<dt>{escape(label)}</dt><dd>{shown}</dd>")
    return "<dl>" + "".join(items) + "</dl>"


def _title_of(credential: Mapping[str, Any], fallback: str | None) -> str:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    for item in subjects:
        achievement = item.get("achievement") if isinstance(item, Mapping) else None
        if isinstance(achievement, Mapping) and achievement.get("name") is not None:
            return _text(achievement["name"])
    if credential.get("name") is not None:
        return _text(credential["name"])
    return fallback or "Attestation / Credential"


def _issuer_rows(credential: Mapping[str, Any]) -> list[tuple[str, Any]]:
    issuer = credential.get("issuer", credential.get("iss"))
    if isinstance(issuer, Mapping):
        rows = []
        if issuer.get("name") is not None:
            rows.append(("Émetteur / Issuer", issuer["name"]))
        if issuer.get("id") is not None:
            rows.append(("DID de l'émetteur / Issuer DID", issuer["id"]))
        return rows
    return [("DID de l'émetteur / Issuer DID", issuer)] if issuer is not None else []


def _date_rows(credential: Mapping[str, Any]) -> list[tuple[str, Any]]:
    names = (
        ("validFrom", "Valide depuis / Valid from"),
        ("issuanceDate", "Délivré le / Issued"),
        ("validUntil", "Valide jusqu'au / Valid until"),
        ("expirationDate", "Expire le / Expires"),
    )
    return [(label, credential[key]) for key, label in names if credential.get(key) is not None]


def _article(index: int, entry: Any, summary: PresentedCredential | None) -> str:
    fallback = summary.title if summary is not None else None
    disclosed: list[tuple[str, Any]] = []
    credential: Mapping[str, Any] = {}
    if isinstance(entry, Mapping) and "EnvelopedVerifiableCredential" in _types_all(entry):
        read = _enveloped(entry)
        if read is not None:
            credential, disclosed = read
    elif isinstance(entry, Mapping):
        credential = entry
    heading = f"cv-credential-{index}"
    kinds = ", ".join(_types(credential)) or "VerifiableCredential"
    title = _title_of(credential, fallback)
    parts = [
        f'<article aria-labelledby="{heading}">',
        f'<h2 id="{heading}">{escape(title)}</h2>',
        f'<p class="kind">{escape(kinds)}</p>',
    ]
    rows = _issuer_rows(credential) + _date_rows(credential)
    name = credential.get("name")
    if name is not None and _text(name) != title:
        rows.insert(0, ("Intitulé / Name", name))
    if summary is not None:
        rows.append(("Présentation / Presented as", _disclosure_label(summary.disclosure)))
        if summary.flags:  # the holder was told, and presented it anyway: the page says so
            rows.append(("Avertissement / Warning", ", ".join(map(str, summary.flags))))
    parts.append(_dl(rows))
    subject = credential.get("credentialSubject")
    fields = list(_leaves(subject, "")) if subject is not None else []
    for name, value in disclosed:  # SD-JWT disclosures, nested digests left out
        fields += list(_leaves(value, name))
    if not credential:
        fields = []
        parts.append("<p>Illisible ici / Not readable here; see the signed data.</p>")
    if fields:
        parts.append("<h3>Champs divulgués / Disclosed fields</h3>")
        parts.append(_dl(fields))
    parts.append("</article>")
    return "\n".join(parts)


def _types_all(document: Mapping[str, Any]) -> list[Any]:
    value = document.get("type", [])
    return list(value) if isinstance(value, list) else [value]


def render_cv(
    presentation: Mapping[str, Any],
    credentials: Sequence[PresentedCredential] = (),
    *,
    title: str | None = None,
) -> str:
    """Return the CV page for a signed presentation: readable HTML plus the embedded JSON.

    ``credentials`` (from :func:`wallet.present`, same order as the
    presentation's ``verifiableCredential``) only adds how each one was
    disclosed; ``title`` heads the page.
    """
    entries = presentation.get("verifiableCredential", [])
    items = entries if isinstance(entries, list) else [entries]
    heading = title or "Curriculum vitæ vérifiable / Verifiable CV"
    articles = [
        _article(i, entry, credentials[i] if i < len(credentials) else None)
        for i, entry in enumerate(items)
    ]
    proof = presentation.get("proof")
    proofs = proof if isinstance(proof, list) else [proof] if isinstance(proof, Mapping) else []
    meta: list[tuple[str, Any]] = []
    if presentation.get("holder") is not None:
        meta.append(("Titulaire / Holder", presentation["holder"]))
    for item in proofs:
        for key, label in (("created", "Signée le / Signed"), ("domain", "Pour / For")):
            if item.get(key) is not None:
                meta.append((label, item[key]))
    count = len(items)
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="passeport">
<title>{escape(heading)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{escape(heading)}</h1>
<p>{count} attestation(s) vérifiable(s) /
<span lang="en">{count} verifiable credential(s)</span></p>
{_dl(meta, code=True)}
</header>
<main>
{chr(10).join(articles)}
</main>
<aside aria-labelledby="cv-verify">
<h2 id="cv-verify">Vérifier ce CV / <span lang="en">Verify this CV</span></h2>
<p>Ce fichier contient la présentation signée par son titulaire. Pour la vérifier
hors ligne, avec le défi (<i>challenge</i>) et le domaine que vous avez donnés au
candidat&nbsp;:</p>
<p lang="en">This file holds the presentation its holder signed. To verify it offline,
with the challenge and domain you gave the candidate:</p>
<p><code>passeport verify CV.html --challenge … --domain …</code></p>
<p>Le verdict porte sur les données signées intégrées, pas sur le texte affiché.
<span lang="en">The verdict concerns the embedded signed data, not the text shown
above.</span></p>
</aside>
<script type="{PRESENTATION_MEDIA_TYPE}" id="{PRESENTATION_SCRIPT_ID}">
{script_json(presentation)}
</script>
</body>
</html>
"""
