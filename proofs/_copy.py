"""A deep copy of JSON values, several times faster than ``copy.deepcopy`` (issue 17).

Signing copies the document it is given, and selective disclosure copies
literals; ``copy.deepcopy`` made up about a sixth of a JCS signature.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["copy_json"]

_DEPTH = 200
"""Below this depth the rest is left to ``copy.deepcopy`` (which also follows cycles)."""


def copy_json(value: Any, depth: int = 0) -> Any:
    """Return a deep copy of ``value``, equal to what ``copy.deepcopy`` returns.

    Exact ``dict`` (with string keys) and ``list`` values are copied here;
    strings, numbers, booleans and None are immutable and kept; anything
    else, and whatever lies deeper than :data:`_DEPTH`, is copied by
    ``copy.deepcopy``. Unlike it, an object reached twice is copied twice
    (a parsed JSON document never shares one).
    """
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if depth < _DEPTH:
        if kind is dict:
            if all(type(key) is str for key in value):
                return {key: copy_json(item, depth + 1) for key, item in value.items()}
        elif kind is list:
            return [copy_json(item, depth + 1) for item in value]
    return copy.deepcopy(value)
