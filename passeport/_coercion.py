"""Command-line values converted by typer's own rules, without building pydantic validators.

Typer (0.29 here) converts each parameter's value with a pydantic
``TypeAdapter`` that it builds when the command runs, even for an option left
unset: importing pydantic and building a dozen adapters was 100 ms of the
0.4 s of a cold ``passeport verify`` (issue 17). :func:`quicken` gives each parameter a
runtime converter that returns an unset value as typer does, converts the
common kinds (text, paths, whole numbers, choices, lists of them, ``parser=``)
with the very functions typer's adapters call, and otherwise (another kind, or
a value refused) hands the value to typer's own adapter, built then: an error
is typer's, word for word. With a typer that works otherwise, nothing is changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Final, get_args, get_origin

__all__ = ["quicken"]

Convert = Callable[[Any, Any, Any], Any]
"""A converter: (value, parameter, context) -> value; raises when typer's adapter must say."""

_DIGITS: Final = re.compile(r"[0-9]+")

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path
    from typer._typing import is_literal_type, is_number_type, literal_values
except ImportError:  # a typer without pydantic adapters: nothing to spare
    _AVAILABLE = False
else:
    _AVAILABLE = True


class _Slow(Exception):
    """The value is not one this module converts: typer's adapter will."""


def _text(value: Any, param: Any, ctx: Any) -> Any:
    if type(value) is not str:  # bytes or another type: typer's _parse_cli_str decides
        raise _Slow
    return value


def _whole(low: Any, high: Any) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is int:
            number = value
        elif type(value) is str and _DIGITS.fullmatch(value):
            number = int(value)
        else:  # signs, spaces, underscores, "3.0": pydantic's lax rules
            raise _Slow
        if (low is not None and number < low) or (high is not None and number > high):
            raise _Slow  # pydantic words the refusal
        return number

    return convert


def _path(info: Any, path_type: Any) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is str and path_type is Path:
            value = Path(value)  # what pydantic's TypeAdapter(Path) returns for a str
        elif not isinstance(value, path_type):
            raise _Slow
        return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)

    return convert


def _choice(choices: list[Any], case_sensitive: bool) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)

    return convert


def _leaf(annotation: Any, info: Any) -> Convert | None:
    """Return the converter of one value, in the order of typer's ``build_leaf_adapter``."""
    if info.parser is not None:
        parser = info.parser
        return lambda value, param, ctx: parser(value)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(list(annotation), info.case_sensitive)
    if is_literal_type(annotation):
        return _choice(list(literal_values(annotation)), info.case_sensitive)
    if is_number_type(annotation):
        return _whole(info.min, info.max) if annotation is int and not info.clamp else None
    if annotation is bool:
        return None  # a flag's bool is never converted; a text one is typer's
    if annotation is str:
        return _text
    if routes_to_path(annotation, info):
        path_type = info.path_type
        if path_type is None and isinstance(annotation, type) and issubclass(annotation, Path):
            path_type = annotation
        return _path(info, path_type) if path_type is Path else None
    return None


def _converter(annotation: Any, info: Any) -> Convert | None:
    """Return the converter of a parameter, as typer's ``build_adapter`` builds its adapter."""
    if get_origin(annotation) is list:
        (item_type,) = get_args(annotation)
        item = _leaf(item_type, info) if get_origin(item_type) is None else None
        if item is None:
            return None

        def items(value: Any, param: Any, ctx: Any) -> Any:
            values = value if isinstance(value, list | tuple) else [value]
            return [item(one, param, ctx) for one in values]

        return items
    if get_origin(annotation) is not None:
        return None
    return _leaf(annotation, info)


if _AVAILABLE:

    @dataclass(frozen=True)
    class _Quick(RuntimeParam):
        """Typer's runtime conversion of one parameter, its adapter built only when needed."""

        descriptor: Any
        convert: Convert | None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            # RuntimeParam.coerce returned an unset value already, as typer's would.
            if self.convert is not None:
                try:
                    return self.convert(value, param, ctx)
                except Exception:  # typer's adapter says what is wrong, in its words
                    pass
            real = build_runtime_param(self.descriptor)
            param._runtime_param = real
            return real._coerce_value(value, param=param, ctx=ctx)


def _quick(param: Any) -> Any | None:
    """Return the runtime conversion to give ``param``, or None to leave it to typer."""
    descriptor = getattr(param, "type_descriptor", None)
    if (
        not _AVAILABLE
        or descriptor is None
        or getattr(param, "_runtime_param", False) is not None  # not typer's, or set already
        or descriptor.file_annotation is not None  # typer opens files without pydantic
    ):
        return None
    info, annotation = descriptor.parameter_info, descriptor.annotation
    return _Quick(
        parameter_info=info,
        annotation=annotation,
        descriptor=descriptor,
        convert=_converter(annotation, info),
    )


def _install(param: Any) -> None:
    quick = _quick(param)
    if quick is not None:
        param._runtime_param = quick


def quicken(command: Any) -> None:
    """Give every parameter of ``command`` and of its subcommands typer's conversion, quicker.

    Their ``--help`` options too, which Click makes when a command first parses.
    """
    for param in getattr(command, "params", ()):
        _install(param)
    if _AVAILABLE and "get_help_option" not in vars(command):
        made = command.get_help_option

        def get_help_option(ctx: Any) -> Any:
            option = made(ctx)
            if option is not None:
                _install(option)
            return option

        command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        quicken(sub)
