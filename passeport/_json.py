"""JSON type aliases shared by every package."""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["JsonArray", "JsonObject", "JsonPointer", "JsonScalar", "JsonValue"]

JsonScalar: TypeAlias = str | int | float | bool | None
JsonValue: TypeAlias = "JsonScalar | JsonArray | JsonObject"
JsonArray: TypeAlias = list[JsonValue]
JsonObject: TypeAlias = dict[str, JsonValue]
JsonPointer: TypeAlias = str
