"""On-demand prices: USD per hour of a Linux instance type in a region, from AWS's Price List API
(pricing:GetProducts, served from us-east-1 for every region), cached in this process and in the Kv
table for a week (prices change seldom; a launch must not wait on the Price List API each time).

The embedded stack has no Price List API (moto does not implement GetProducts): it reads a seeded list
of real public prices instead (PRICE_LIST_FILE, local/prices.json). A type the list does not price has
no price (None), never a guess.
"""
import json
from functools import lru_cache

from functions.aws import clients
from functions.aws.errors import aws_call
from functions.settings import settings
from functions.store import kv

CACHE_SECONDS = 7 * 24 * 3600
_FILTERS = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
_memory: dict = {}  # (clients.generation(), region, type) -> price or None


def on_demand(region: str, instance_type: str) -> float | None:
    if settings().price_list_file:
        return _seeded(settings().price_list_file).get(region, {}).get(instance_type)
    key = (clients.generation(), region, instance_type)
    if key not in _memory:
        _memory[key] = _cached(region, instance_type)
    return _memory[key]


def _cached(region: str, instance_type: str) -> float | None:
    key = f"price#{region}#{instance_type}"
    cached = kv.get(key)
    if cached is not None:
        return cached["usd_per_hour"]
    price = lookup(region, instance_type)
    kv.put(key, {"usd_per_hour": price}, ttl_seconds=CACHE_SECONDS)
    return price


def lookup(region: str, instance_type: str) -> float | None:
    """The Price List API's answer, parsed: the OnDemand USD price per hour, or None if it has none."""
    filters = {"instanceType": instance_type, "regionCode": region, **_FILTERS}
    with aws_call("pricing:GetProducts", "us-east-1"):
        answer = clients.pricing().get_products(
            ServiceCode="AmazonEC2", MaxResults=10,
            Filters=[{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()])
    prices = (_usd_per_hour(json.loads(product)) for product in answer.get("PriceList", []))
    return next((price for price in prices if price is not None), None)


def _usd_per_hour(product: dict) -> float | None:
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None and dimension.get("unit") == "Hrs" and float(usd) > 0:
                return float(usd)
    return None


@lru_cache(maxsize=4)
def _seeded(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)["prices"]
