"""Records (functions/core/records.py) to DynamoDB items and back, by their dataclass fields.

An item holds a record's fields (None ones left out; tuples as lists; nested records as maps;
floats as Decimal, which boto3 requires) and may hold more, for keys and indexes (`created_at`) or
expiry (`expires_at`): decoding ignores what the record does not name. boto3 reads every number as
Decimal; a field typed int or float gets one back.
"""
import dataclasses
import types
import typing
from decimal import Decimal
from functools import lru_cache


def encode(record) -> dict:
    return {f.name: encode_value(getattr(record, f.name)) for f in dataclasses.fields(record)
            if getattr(record, f.name) is not None}


def encode_value(value):
    if dataclasses.is_dataclass(value):
        return encode(value)
    if isinstance(value, (tuple, list)):
        return [encode_value(v) for v in value]
    if isinstance(value, dict):
        return {k: encode_value(v) for k, v in value.items()}
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def decode(cls, item: dict):
    """The record from its item; a field left out (a None when encoded) is None unless it has a default."""
    decoders, optional = _plan(cls)
    found = {name: (None if item[name] is None else decoders[name](item[name])) for name in decoders if name in item}
    return cls(**{**{name: None for name in optional if name not in found}, **found})


def check_fields(cls, names) -> None:
    """An update naming a field the record does not have is a bug: say so before writing anything."""
    unknown = sorted(set(names) - set(_plan(cls)[0]))
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {unknown[0]!r}")


@lru_cache(maxsize=None)
def _plan(cls) -> tuple[dict, frozenset]:
    """Per field, the function that turns its stored value back (worked out once per record type: a page
    of runs decodes thousands of fields), and the optional fields without a default."""
    hints = typing.get_type_hints(cls)
    decoders = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}
    optional = frozenset(f.name for f in dataclasses.fields(cls)
                         if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                         and type(None) in typing.get_args(hints[f.name]))
    return decoders, optional


def _decoder(hint):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):  # X | None
        inner = _decoder(next(a for a in args if a is not type(None)))
        return lambda value: None if value is None else inner(value)
    if dataclasses.is_dataclass(hint):
        return lambda value: decode(hint, value)
    if origin is tuple:
        element = _decoder(args[0])
        return lambda value: tuple(element(v) for v in value)
    if hint in (int, float):
        return hint
    if hint in (str, bool):
        return lambda value: value
    return plain


def plain(value):
    """boto3's Decimals as int or float, all the way down (maps and lists of a record's `data`)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
