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
    hints = _hints(cls)
    return cls(**{name: _decode(hints[name], item[name]) if name in item else None
                  for name in hints if name in item or name in _optional_without_default(cls)})


def check_fields(cls, names) -> None:
    """An update naming a field the record does not have is a bug: say so before writing anything."""
    unknown = sorted(set(names) - set(_hints(cls)))
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {unknown[0]!r}")


@lru_cache(maxsize=None)
def _optional_without_default(cls) -> frozenset:
    return frozenset(f.name for f in dataclasses.fields(cls)
                     if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                     and type(None) in typing.get_args(_hints(cls)[f.name]))


@lru_cache(maxsize=None)
def _hints(cls) -> dict:
    return {f.name: typing.get_type_hints(cls)[f.name] for f in dataclasses.fields(cls)}


def _decode(hint, value):
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):  # X | None
        return _decode(next(a for a in args if a is not type(None)), value)
    if dataclasses.is_dataclass(hint):
        return decode(hint, value)
    if origin is tuple:
        return tuple(_decode(args[0], v) for v in value)
    if hint in (int, float):
        return hint(value)
    return plain(value)


def plain(value):
    """boto3's Decimals as int or float, all the way down (maps and lists of a record's `data`)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
