"""Every word a person reads exists in French and English: the catalog, the age line."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest

from passeport.i18n import catalog
from passeport.proofs.dates import PresentationAge, presentation_age
from passeport.verifier.result import Check, Outcome

NOW = datetime(2026, 12, 6, 11, 33, 20, tzinfo=UTC)


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _spoken() -> tuple[str, ...]:
    from passeport.demo import DEMO_MESSAGES
    from passeport.issuer.cli import ISSUER_MESSAGES
    from passeport.verifier.cli import RENDER_MESSAGES
    from passeport.verifier.labels import LABEL_MESSAGES
    from passeport.wallet.cli import WALLET_MESSAGES

    return (
        *RENDER_MESSAGES,
        *LABEL_MESSAGES,
        *WALLET_MESSAGES,
        *ISSUER_MESSAGES,
        *DEMO_MESSAGES,
    )


def test_every_message_of_the_commands_has_its_french_with_the_same_placeholders() -> None:
    french = catalog("fr")
    assert [m for m in _spoken() if m not in french] == []
    for message in _spoken():
        assert _fields(message) == _fields(french[message]), message


@pytest.mark.parametrize(
    ("made", "max_age", "expires", "challenged"),
    [
        (NOW, None, None, False),
        (NOW - timedelta(seconds=59), None, None, True),
        (NOW - timedelta(minutes=1), None, NOW + timedelta(days=1), True),
        (NOW - timedelta(hours=2, minutes=5), None, None, False),
        (NOW - timedelta(days=3), timedelta(days=30), NOW + timedelta(minutes=5), False),
        (NOW - timedelta(days=40), timedelta(days=30), None, False),
        (NOW - timedelta(hours=2), timedelta(minutes=90), None, True),
        (None, None, None, False),
        (None, None, None, True),
        (None, timedelta(hours=12), None, False),
    ],
)
def test_the_age_message_is_read_back_into_its_parts(
    made: datetime | None, max_age: timedelta | None, expires: datetime | None, challenged: bool
) -> None:
    found = presentation_age(
        made,
        now=NOW,
        max_age=max_age,
        skew=timedelta(minutes=5),
        expires=expires,
        challenged=challenged,
    )
    assert found is not None
    outcome, message = found
    age = PresentationAge.read(message)
    assert age is not None and age.message == message and age.outcome is outcome
    assert (age.dated is None) is (made is None)
    if made is None and max_age is None:
        assert age.challenged is challenged


@pytest.mark.parametrize(
    "message",
    [
        "presented 3 days ago (2026-01-12 12:00 UTC); and a forged extra line",
        "presented 3 fortnights ago (2026-01-12 12:00 UTC)",
        "the proof signature does not hold",
        "presented 1 days ago (2026-01-12 12:00 UTC)",
    ],
)
def test_a_message_that_is_not_exactly_an_age_is_not_read_as_one(message: str) -> None:
    assert PresentationAge.read(message) is None


def _said(message: str, lang: str) -> str:
    from passeport.verifier.cli import _said as said

    return said(Check("presentation.age", Outcome.PASSED, message), lang)


def test_the_age_line_speaks_the_readers_language() -> None:
    found = presentation_age(
        NOW - timedelta(days=3),
        now=NOW,
        max_age=None,
        skew=timedelta(minutes=5),
        expires=NOW + timedelta(days=1),
        challenged=False,
    )
    assert found is not None
    assert _said(found[1], "fr") == (
        "présenté il y a 3 jours (3 décembre 2026 à 11:33 UTC), valable jusqu'au "
        "7 décembre 2026 à 11:33 UTC ; aucun défi (challenge) n'a été vérifié : ce pourrait "
        "être une copie présentée à nouveau (rejeu)"
    )
    assert _said(found[1], "en") == (
        "presented 3 days ago (December 3, 2026 at 11:33 UTC), valid until "
        "December 7, 2026 at 11:33 UTC; no challenge was checked, so this could be a copy "
        "presented again (replay)"
    )
    just_now = presentation_age(NOW, now=NOW, max_age=None, skew=timedelta(0), challenged=True)
    assert just_now is not None
    assert _said(just_now[1], "fr") == "présenté à l'instant (6 décembre 2026 à 11:33 UTC)"


def test_a_too_old_or_undated_presentation_is_refused_in_french() -> None:
    old = presentation_age(
        NOW - timedelta(days=40),
        now=NOW,
        max_age=timedelta(days=30),
        skew=timedelta(minutes=5),
        challenged=True,
    )
    undated = presentation_age(
        None, now=NOW, max_age=timedelta(days=1), skew=timedelta(0), challenged=True
    )
    assert old is not None and undated is not None
    assert _said(old[1], "fr") == (
        "présenté il y a 40 jours (27 octobre 2026 à 11:33 UTC) : plus ancien que la durée "
        "acceptée par ce vérificateur (30 jours)"
    )
    assert "rien ne montre" in _said(undated[1], "fr") and "(1 jour)" in _said(undated[1], "fr")


def test_any_other_check_keeps_its_sentence() -> None:
    from passeport.verifier.cli import _said as said

    check = Check("presentation.age", Outcome.FAILED, "presented by a stranger; trust me")
    assert said(check, "fr") == check.message
    other = Check("proof.signature", Outcome.FAILED, "presented 3 days ago (2026-01-12 12:00 UTC)")
    assert said(other, "fr") == other.message


def test_every_wallet_flag_and_credential_state_has_its_words() -> None:
    from passeport.issuer.cli import _STATES
    from passeport.issuer.registry import CredentialState
    from passeport.wallet import Flag
    from passeport.wallet.cli import _FLAG_WORDS

    assert sorted(_FLAG_WORDS) == sorted(str(flag) for flag in Flag)
    assert sorted(_STATES) == sorted(str(state) for state in CredentialState)
