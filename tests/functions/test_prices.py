"""On-demand prices: the Price List API's answer parsed, cached (process, then the Kv table), the
embedded stack's seeded list, and no price (None) for a type nobody prices. moto has no Price List API
(GetProducts answers 404 "Not yet implemented"), so its answers are given here, shaped as AWS's."""
import json
from pathlib import Path

import pytest

from functions.aws import clients, prices
from functions.core.errors import AwsError
from tests.functions.conftest import calls

SEEDED = Path(__file__).resolve().parents[2] / "local" / "prices.json"


def product(usd: str, unit: str = "Hrs") -> str:
    """One PriceList entry as GetProducts answers it: a JSON string, its OnDemand term keyed by SKU."""
    return json.dumps({"product": {"attributes": {"instanceType": "t3.micro", "regionCode": "eu-west-1"}},
                       "terms": {"OnDemand": {"SKU.JRTCKXETXF": {"priceDimensions": {"SKU.JRTCKXETXF.6YS6EN2CT7": {
                           "unit": unit, "pricePerUnit": {"USD": usd}, "description": "$0.0114 per On Demand Linux"}}}}}})


def answer(*price_list: str) -> list:
    """Every GetProducts call answers price_list; returns the filters of each call made."""
    asked = []

    def hook(params, **_):
        asked.append({f["Field"]: f["Value"] for f in json.loads(params["body"])["Filters"]})
        return type("Response", (), {"status_code": 200, "headers": {}})(), {"PriceList": list(price_list)}
    # as calls() registers (handlers of a more specific event name run first, and an answer ends them)
    clients.pricing().meta.events.register("before-call.pricing", hook)
    return asked


def test_the_on_demand_usd_price_per_hour_is_parsed_with_the_filters_asked(aws):
    asked = answer(product("0.0000000000", unit="Quantity"), product("0.0114000000"))
    assert prices.lookup("eu-west-1", "t3.micro") == 0.0114
    assert asked == [{"instanceType": "t3.micro", "regionCode": "eu-west-1", "operatingSystem": "Linux",
                      "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}]


def test_a_type_the_price_list_does_not_know_has_no_price(aws):
    answer()
    assert prices.on_demand("eu-west-1", "x9.mega") is None


def test_a_price_is_asked_once_then_served_from_memory_then_from_the_kv_table(aws):
    made = calls(clients.pricing())  # before the answer: the hook that answers ends the call's hooks
    answer(product("0.0114"))
    assert [prices.on_demand("eu-west-1", "t3.micro") for _ in range(3)] == [0.0114] * 3
    assert made == ["GetProducts"]
    clients.reset()  # a cold start: the process's cache is gone, the Kv table's is not
    made = calls(clients.pricing())  # unanswered: a call would reach moto, which has no GetProducts
    assert prices.on_demand("eu-west-1", "t3.micro") == 0.0114 and made == []


def test_moto_has_no_price_list_api_so_a_lookup_there_fails(aws):
    with pytest.raises(AwsError, match="pricing:GetProducts"):
        prices.lookup("us-east-1", "t3.micro")


def test_the_embedded_stack_reads_its_seeded_list_and_never_calls_aws(aws, monkeypatch):
    monkeypatch.setenv("PRICE_LIST_FILE", str(SEEDED))
    clients.reset()
    made = calls(clients.pricing())
    assert (prices.on_demand("us-east-1", "t3.micro"), prices.on_demand("eu-west-1", "m5.large")) == (0.0104, 0.107)
    assert (prices.on_demand("us-east-1", "x9.mega"), prices.on_demand("mars-east-1", "t3.micro")) == (None, None)
    assert made == []
