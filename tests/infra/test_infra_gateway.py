"""The HTTP API: its routes and their auth, a throttle of its own on each route, the access log."""
import json

from infra_helpers import refs_in

USER, AGENT = "ANY /v1/{proxy+}", "ANY /v1/agent/{proxy+}"
BOOT = ("POST /v1/agent/register", "GET /v1/agent/code")  # once per instance boot, with the user-data token
# route key -> (steady requests per second, burst): what the brief asks for, written out here
THROTTLES = {USER: (50, 100), AGENT: (200, 400), BOOT[0]: (10, 100), BOOT[1]: (10, 100)}


def _routes(synth) -> dict[str, dict]:
    """Route key ("ANY /v1/{proxy+}") -> the route, with its integration's properties under "Integration"."""
    integrations = synth.of_type("AWS::ApiGatewayV2::Integration")
    routes = {}
    for route in synth.of_type("AWS::ApiGatewayV2::Route").values():
        props = dict(route["Properties"])
        props["Integration"] = integrations[refs_in(props["Target"]).pop()]["Properties"]
        routes[props["RouteKey"]] = props
    return routes


def _stage(synth) -> tuple[str, dict]:
    ((stage_id, stage),) = synth.of_type("AWS::ApiGatewayV2::Stage").items()
    return stage_id, stage


def test_an_http_api_with_user_routes_on_iam_and_agent_routes_on_none(synth):
    assert len(synth.of_type("AWS::ApiGatewayV2::Api")) == 1 and not synth.of_type("AWS::ApiGateway::RestApi")
    routes = _routes(synth)
    assert set(routes) == {USER, AGENT, *BOOT}
    assert routes[USER]["AuthorizationType"] == "AWS_IAM"
    assert synth.functions["Api"][0] in refs_in(routes[USER]["Integration"]["IntegrationUri"])
    for key in (AGENT, *BOOT):  # the AgentApi Lambda checks the instance's token itself
        assert routes[key]["AuthorizationType"] == "NONE", key
        assert synth.functions["AgentApi"][0] in refs_in(routes[key]["Integration"]["IntegrationUri"]), key
    assert {r["Integration"]["IntegrationType"] for r in routes.values()} == {"AWS_PROXY"}
    assert {r["Integration"]["PayloadFormatVersion"] for r in routes.values()} == {"2.0"}  # local/gateway.py's


def test_the_default_stage_deploys_itself(synth):
    _, stage = _stage(synth)
    assert (stage["Properties"]["StageName"], stage["Properties"]["AutoDeploy"]) == ("$default", True)


def test_each_route_has_a_throttle_of_its_own(synth):
    _, stage = _stage(synth)
    settings = stage["Properties"]["RouteSettings"]
    assert set(settings) == set(_routes(synth))  # a new route without a throttle of its own fails here
    for key, (rate, burst) in THROTTLES.items():
        assert settings[key] == {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}, key
    # what a route without a setting would get: the users' limit
    assert stage["Properties"]["DefaultRouteSettings"] == {"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100}


def test_a_flood_on_the_boot_routes_or_the_user_routes_is_not_the_heartbeats_limit(synth):
    settings = _stage(synth)[1]["Properties"]["RouteSettings"]
    for key in (*BOOT, USER):
        assert settings[key]["ThrottlingRateLimit"] < settings[AGENT]["ThrottlingRateLimit"], key


def test_the_stage_is_made_after_the_routes_its_settings_name(synth):
    # CloudFormation refuses RouteSettings for a route key the API does not have yet
    stage_id, stage = _stage(synth)
    route_ids = set(synth.of_type("AWS::ApiGatewayV2::Route"))
    assert route_ids <= set(stage["DependsOn"]), route_ids - set(stage["DependsOn"])


def test_every_request_is_logged_as_json_without_headers_or_secrets(synth):
    _, stage = _stage(synth)
    logging = stage["Properties"]["AccessLogSettings"]
    (log_group,) = refs_in(logging["DestinationArn"])
    assert synth.resources[log_group]["Type"] == "AWS::Logs::LogGroup"
    assert synth.resources[log_group]["Properties"]["RetentionInDays"] == 30
    fields = json.loads(logging["Format"])  # one JSON object per request
    assert {"requestId", "ip", "caller", "routeKey", "status", "errorType"} <= set(fields)
    assert all(value.startswith("$context.") for value in fields.values())
    lowered = logging["Format"].lower()
    # no header (Authorization carries agents' bearer tokens), no query string, no key of any kind
    assert not [word for word in ("header", "authorization", "querystring", "accesskey", "token") if word in lowered]
