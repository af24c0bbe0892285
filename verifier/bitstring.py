"""Bitstring Status List bitstrings: decoding (multibase base64url, GZIP) and a cache.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding .
Bit 0 is the left-most bit of the first byte. Decompression stops at
``MAX_DECODED_BYTES`` so that a GZIP bomb is refused. The cache keeps two
things per environment: decoded lists by list URL and SHA-256 of
``encodedList`` (checking many credentials against one large list decompresses
it once), and lists already fetched and verified, reused while they are fresh
(the list credential's ``ttl``, five minutes by default, never past its
``validUntil``), so that a batch of credentials costs one list verification.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import zlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from passeport.errors import InputError

__all__ = [
    "MAX_DECODED_BYTES",
    "Bitstring",
    "StatusListCache",
    "VerifiedList",
    "decode_status_list",
]

MAX_DECODED_BYTES = 16 * 1024 * 1024  # refuse gzip bombs


@dataclass(frozen=True, slots=True)
class Bitstring:
    """A decoded status list: bit 0 is the left-most (most significant) bit of byte 0."""

    data: bytes

    @property
    def length(self) -> int:
        """The number of bits."""
        return len(self.data) * 8

    def bit(self, index: int) -> bool:
        """Return the bit at ``index``.

        Raises:
            IndexError: ``index`` is negative or past the end.
        """
        if not 0 <= index < self.length:
            raise IndexError(f"bit {index} is outside a list of {self.length} bits")
        return bool(self.data[index >> 3] & (0x80 >> (index & 7)))

    def value(self, index: int, size: int = 1) -> int:
        """Return entry ``index`` of ``size`` bits, read big-endian (spec 'statusSize').

        Raises:
            IndexError: the entry does not fit in the list.
        """
        if size < 1:
            raise ValueError("size must be at least 1")
        start = index * size
        if index < 0 or start + size > self.length:
            raise IndexError(
                f"entry {index} of {size} bits is outside a list of {self.length} bits"
            )
        result = 0
        for position in range(start, start + size):
            result = (result << 1) | (
                1 if self.data[position >> 3] & (0x80 >> (position & 7)) else 0
            )
        return result


def decode_status_list(encoded_list: str, *, max_bytes: int = MAX_DECODED_BYTES) -> Bitstring:
    """Decode an ``encodedList``: multibase base64url (no padding), then GZIP.

    Raises:
        InputError: not a 'u'-prefixed base64url string, not GZIP, or larger than
            ``max_bytes`` once decompressed.
    """
    # BITSTRING-STATUS-LIST 3.4 (expand): multibase-decode, then GZIP-decompress.
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise InputError('encodedList must be a multibase base64url string starting with "u"')
    text = encoded_list[1:]
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InputError("encodedList is not valid base64url") from None
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP framing only
    try:
        data = decompressor.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"encodedList is not GZIP data ({exc})") from None
    if len(data) > max_bytes or decompressor.unconsumed_tail:
        raise InputError(f"encodedList decompresses to more than {max_bytes} bytes (refused)")
    if not decompressor.eof:
        raise InputError("encodedList is truncated GZIP data")
    return Bitstring(data)


@dataclass(frozen=True, slots=True)
class VerifiedList:
    """A status list credential that was fetched and verified, with its decoded bitstring.

    It may be reused for instants in ``[verified_at, fresh_until)`` only.
    ``published`` and ``valid_until`` are the list's own ``validFrom`` and
    ``validUntil`` as written (None when it states none), so that a verdict
    can say how fresh its status information is.
    """

    url: str
    issuer: str | None
    purposes: tuple[str, ...]
    bitstring: Bitstring
    verified_at: datetime
    fresh_until: datetime
    published: str | None = None
    valid_until: str | None = None

    def fresh_at(self, now: datetime) -> bool:
        """Tell whether this verification still holds at ``now``."""
        return self.verified_at <= now < self.fresh_until


class StatusListCache:
    """Thread-safe LRUs of decoded lists and of verified, still-fresh list credentials.

    Decoded lists are keyed by (list URL, SHA-256 of ``encodedList``);
    verified lists by a key the status checks choose (URL and accepted suites).
    ``decodes`` and ``verifications`` count the real work done, so that callers
    (and tests) can see that a list is decoded and verified once however many
    credentials point at it.
    """

    def __init__(self, *, max_entries: int = 32) -> None:
        """Create an empty cache holding at most ``max_entries`` lists of each kind."""
        self._max_entries = max_entries
        self._lists: OrderedDict[tuple[str, bytes], Bitstring] = OrderedDict()
        self._verified: OrderedDict[Hashable, VerifiedList] = OrderedDict()
        self._lock = threading.Lock()
        self.decodes = 0
        self.verifications = 0

    def fresh(self, key: Hashable, now: datetime) -> VerifiedList | None:
        """Return the verified list stored under ``key`` if it is still fresh at ``now``."""
        with self._lock:
            found = self._verified.get(key)
            if found is None or not found.fresh_at(now):
                return None
            self._verified.move_to_end(key)
            return found

    def keep(self, key: Hashable, verified: VerifiedList) -> None:
        """Store a list that was just fetched and verified."""
        with self._lock:
            self.verifications += 1
            self._verified[key] = verified
            self._verified.move_to_end(key)
            while len(self._verified) > self._max_entries:
                self._verified.popitem(last=False)

    def decode(self, url: str, encoded_list: str) -> Bitstring:
        """Return the decoded list, decoding it only when not cached yet.

        Raises:
            InputError: as :func:`decode_status_list`.
        """
        key = (url, hashlib.sha256(encoded_list.encode("utf-8")).digest())
        with self._lock:
            found = self._lists.get(key)
            if found is not None:
                self._lists.move_to_end(key)
                return found
        bitstring = decode_status_list(encoded_list)
        with self._lock:
            self.decodes += 1
            self._lists[key] = bitstring
            self._lists.move_to_end(key)
            while len(self._lists) > self._max_entries:
                self._lists.popitem(last=False)
        return bitstring

    def clear(self) -> None:
        """Forget every decoded and verified list."""
        with self._lock:
            self._lists.clear()
            self._verified.clear()
