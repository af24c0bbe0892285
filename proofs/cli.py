"""``passeport sign`` and ``passeport derive``: add a proof with a key file, disclose a part."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from passeport._io import dump_json, parse_json, read_json_file, read_text_file, write_atomic
from passeport.errors import InputError, PasseportError

if TYPE_CHECKING:
    from passeport.did.keyfile import KeyPair

__all__ = ["derive", "sign"]

# Data Integrity suites, signed by proofs.sign.sign_document; enveloping proofs
# (VC-JOSE-COSE vc+jwt/vp+jwt, SD-JWT VC), whose output is a token, not JSON.
DATA_INTEGRITY: Final = (
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "ecdsa-rdfc-2019",
    "ecdsa-jcs-2019",
    "ecdsa-sd-2023",
)
ENVELOPING: Final = ("vc-jwt", "sd-jwt")
SUITES: Final = (*DATA_INTEGRITY, *ENVELOPING)


def _write(text: str, output: Path | None, note: str) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)
        typer.echo(f"{note} -> {output}", err=True)


def sign(
    file: Annotated[Path, typer.Argument(help="The credential or presentation to sign (JSON).")],
    key: Annotated[Path, typer.Option("--key", help="Key file (Multikey JSON) of the signer.")],
    suite: Annotated[
        str, typer.Option(help=f"Cryptosuite: {', '.join(SUITES)}.")
    ] = "eddsa-rdfc-2022",
    mandatory: Annotated[
        list[str] | None,
        typer.Option(
            "--mandatory",
            help="JSON pointer the holder must always disclose (ecdsa-sd-2023, sd-jwt; "
            "repeatable). The type, issuer, validity dates, status and each subject's id "
            "and type are always disclosed anyway.",
        ),
    ] = None,
    challenge: Annotated[str | None, typer.Option(help="Challenge (presentations).")] = None,
    domain: Annotated[str | None, typer.Option(help="Domain (presentations).")] = None,
    holder: Annotated[
        str | None,
        typer.Option(
            help="sd-jwt: the holder's DID, whose key must sign each presentation "
            "(default: the subject's did:key or did:jwk)."
        ),
    ] = None,
    vct: Annotated[
        str | None,
        typer.Option(
            help="sd-jwt: the credential type URI (default: from its most specific type)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write; default stdout.")
    ] = None,
) -> None:
    """Sign a credential or presentation with your key, filling in the issuer or holder."""
    from passeport.did.keyfile import read_key_file
    from passeport.proofs.sign import sign_document

    if suite not in SUITES:
        raise typer.BadParameter(
            f'"{suite}" is not one of {", ".join(SUITES)}', param_hint="--suite"
        )
    if suite != "sd-jwt" and (holder is not None or vct is not None):
        raise InputError(f"--holder and --vct apply to sd-jwt, not to {suite}", where=str(file))
    if suite == "vc-jwt" and mandatory:
        raise InputError(
            "--mandatory applies to ecdsa-sd-2023 and sd-jwt; a vc+jwt is shown whole",
            where=str(file),
        )
    document = read_json_file(file)
    pair = read_key_file(key)
    if suite in ENVELOPING:
        token = _envelop(
            document, pair, suite, tuple(mandatory or ()), challenge, domain, holder, vct, str(file)
        )
        _write(token + "\n", output, f"signed with {suite} by {pair.verification_method}")
        return
    signed = sign_document(
        document,
        pair,
        suite=suite,
        challenge=challenge,
        domain=domain,
        where=str(file),
        mandatory=tuple(mandatory or ()),
    )
    _write(dump_json(signed), output, f"signed with {suite} by {pair.verification_method}")


def _envelop(
    document: Any,
    pair: KeyPair,
    suite: str,
    mandatory: tuple[str, ...],
    challenge: str | None,
    domain: str | None,
    holder: str | None,
    vct: str | None,
    where: str,
) -> str:
    from passeport.proofs.jose import sign_vc_jwt, sign_vp_jwt
    from passeport.proofs.sdjwt import default_disclosable, holder_jwk, issue_sd_jwt

    types = document.get("type") if isinstance(document, dict) else None
    is_presentation = "VerifiablePresentation" in (types if isinstance(types, list) else [types])
    if suite == "vc-jwt" and is_presentation:
        return sign_vp_jwt(document, pair, nonce=challenge, audience=domain, where=where)
    if challenge or domain:
        raise InputError("--challenge and --domain apply to presentations only", where=where)
    if suite == "vc-jwt":
        return sign_vc_jwt(document, pair, where=where)
    if is_presentation:
        raise InputError("sd-jwt secures credentials; the holder presents them", where=where)
    if holder is None:
        subject = document.get("credentialSubject") if isinstance(document, dict) else None
        subject_id = subject.get("id") if isinstance(subject, dict) else None
        if isinstance(subject_id, str) and subject_id.startswith(("did:key:", "did:jwk:")):
            holder = subject_id
    try:
        return issue_sd_jwt(
            document,
            pair,
            vct=vct,
            disclosable=default_disclosable(document, mandatory=mandatory),
            holder_jwk=holder_jwk(holder) if holder else None,
            where=where,
        )
    except PasseportError as exc:
        raise exc.located(where) from None


def derive(
    file: Annotated[
        Path,
        typer.Argument(help="A credential you hold: ecdsa-sd-2023 (JSON) or an SD-JWT (text)."),
    ],
    reveal: Annotated[
        list[str] | None,
        typer.Option(
            "--reveal",
            help="JSON pointer of what to disclose, e.g. /credentialSubject/name (repeatable).",
        ),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="SD-JWT: your key file, to bind what you show to a verifier."),
    ] = None,
    challenge: Annotated[
        str | None, typer.Option(help="SD-JWT: the verifier's challenge (KB-JWT nonce).")
    ] = None,
    domain: Annotated[
        str | None, typer.Option(help="SD-JWT: the verifier's domain (KB-JWT audience).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write; default stdout.")
    ] = None,
) -> None:
    """Keep only what you choose to show from a credential; it still verifies."""
    from passeport.proofs.ecdsa_sd import derive as derive_disclosure

    where = str(file)
    text = read_text_file(file)
    if not text.lstrip().startswith("{"):
        if key is None and (challenge is not None or domain is not None):
            raise InputError(
                "--challenge and --domain go into a Key Binding JWT: give --key (your key file)",
                where=where,
            )
        _present(text, tuple(reveal or ()), key, challenge, domain, output, where)
        return
    if key is not None or challenge is not None or domain is not None:
        raise InputError(
            "--key, --challenge and --domain bind an SD-JWT; to bind this disclosure, "
            "put it in a presentation and sign that (passeport sign VP.json --challenge C)",
            where=where,
        )
    document = parse_json(text, where=where)
    try:
        derived = derive_disclosure(document, tuple(reveal or ()))
    except PasseportError as exc:
        raise exc.located(where) from None
    shown = len(reveal or ())
    _write(dump_json(derived), output, f"derived a disclosure of {shown} pointer(s)")


def _present(
    token: str,
    reveal: tuple[str, ...],
    key: Path | None,
    challenge: str | None,
    domain: str | None,
    output: Path | None,
    where: str,
) -> None:
    from passeport.did.keyfile import read_key_file
    from passeport.proofs.sdjwt import present_sd_jwt

    holder = read_key_file(key) if key is not None else None
    try:
        shown = present_sd_jwt(
            token.strip(), reveal, holder_key=holder, nonce=challenge, audience=domain
        )
    except PasseportError as exc:
        raise exc.located(where) from None
    bound = " bound to the verifier" if holder is not None else ""
    _write(shown + "\n", output, f"presented {len(reveal)} pointer(s){bound}")
