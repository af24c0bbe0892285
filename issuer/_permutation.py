"""A keyed permutation of status list indexes: where each credential's bit lands.

A list's counter hands out positions 0, 1, 2...; this permutation turns a
position into the index written in the credential, so that indexes look
random (BITSTRING-STATUS-LIST 6.1, herd privacy) and an outsider cannot tell
the order of issuance from them, while distinct positions never share an
index. It is a small Feistel network (keyed BLAKE2b rounds) over the smallest
even power of two holding the list, with cycle walking back into
``[0, size)``; its key comes from the profile's secret, the list and the
purpose.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["KeyedPermutation", "permutation_for"]

_ROUNDS: Final = 6


@dataclass(frozen=True, slots=True)
class KeyedPermutation:
    """A keyed bijection of ``[0, size)``: a Feistel network with cycle walking.

    >>> p = KeyedPermutation(bytes(32), 10)
    >>> sorted(p.index(i) for i in range(10)) == list(range(10))
    True
    """

    key: bytes = field(repr=False)
    size: int
    _half: int = field(init=False, repr=False)
    _keyed: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("a permutation needs a domain of at least one element")
        if not 16 <= len(self.key) <= 64:
            raise ValueError("the permutation key must be 16 to 64 bytes")
        bits = max(2, (self.size - 1).bit_length())
        object.__setattr__(self, "_half", (bits + 1) // 2)
        object.__setattr__(self, "_keyed", hashlib.blake2b(key=self.key, digest_size=8))

    def _round(self, number: int, value: int) -> int:
        keyed = self._keyed.copy()  # the key block is hashed once, not per round
        keyed.update(number.to_bytes(1, "big") + value.to_bytes(8, "big"))
        return int.from_bytes(keyed.digest(), "big") & ((1 << self._half) - 1)

    def _encrypt(self, value: int) -> int:
        mask = (1 << self._half) - 1
        left, right = value >> self._half, value & mask
        for number in range(_ROUNDS):
            left, right = right, left ^ self._round(number, right)
        return (left << self._half) | right

    def index(self, position: int) -> int:
        """Return the image of ``position``; distinct positions give distinct indexes."""
        if not 0 <= position < self.size:
            raise ValueError(f"position {position} is outside [0, {self.size})")
        value = self._encrypt(position)
        # Cycle walking: the network permutes [0, 4^half); walk until back inside the list.
        while value >= self.size:
            value = self._encrypt(value)
        return value


def permutation_for(secret: bytes, list_id: int, purpose: str, size: int) -> KeyedPermutation:
    """Return the permutation of list ``list_id`` for ``purpose``, keyed from ``secret``."""
    label = f"passeport status list {list_id} {purpose}".encode()
    return KeyedPermutation(hmac.new(secret, label, hashlib.sha256).digest(), size)
