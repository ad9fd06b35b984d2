"""JSON-safe dictionaries to and from the EDM model's frozen dataclasses.

The portal stores what it will send (an :class:`~oots_client.edm.model.EvidenceRequest`) in its database
and builds the message later, in a worker; this round trip must be exact. Dates and datetimes become ISO
strings, tuples become lists, and a member of a union of dataclasses (the request's ``subject``) carries
its class name under ``"__type__"``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union

from oots_client.edm import model

T = TypeVar("T")
JSON = dict[str, Any] | list[Any] | str | int | float | bool | None

_CLASSES: dict[str, type[Any]] = {
    name: cls for name, cls in vars(model).items() if isinstance(cls, type) and dataclasses.is_dataclass(cls)
}


def to_json(value: Any) -> JSON:
    """A dataclass (or any value inside one) as JSON-safe data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data: dict[str, Any] = {"__type__": type(value).__name__}
        for item in dataclasses.fields(value):
            data[item.name] = to_json(getattr(value, item.name))
        return data
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, Enum):
        return value.value  # type: ignore[no-any-return]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot serialise {type(value).__name__}")


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if isinstance(value, dict) and "__type__" in value:
            return from_json(_CLASSES[value["__type__"]], value)
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        (item_hint, *_) = typing.get_args(hint)
        return tuple(_convert(item_hint, item) for item in value)
    if origin is typing.Literal:
        return value
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return from_json(hint, value)
        if issubclass(hint, Enum):
            return hint(value)
        if hint is dt.datetime:
            return dt.datetime.fromisoformat(value)
        if hint is dt.date:
            return dt.date.fromisoformat(value)
    return value


def from_json[T](cls: type[T], data: dict[str, Any]) -> T:
    """The dataclass ``cls`` rebuilt from :func:`to_json`'s output."""
    hints = _hints(cls)  # type: ignore[arg-type]
    kwargs = {
        item.name: _convert(hints[item.name], data[item.name])
        for item in dataclasses.fields(cls)  # type: ignore[arg-type]
        if item.name in data and item.init
    }
    return cls(**kwargs)
