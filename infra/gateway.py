"""The HTTP API in front of both Lambdas: its routes, each route's throttle, its access log.

Built under the Api construct (same construct ids as before it moved here), so the API, and with it
the URL users and instances hold, is the same one.
"""
import json

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import settings
from infra.nag import acknowledge

ROOT = f"/{settings.API_ROOT}"
AGENT = f"{ROOT}/{settings.API_AGENT_PATH}"


def http_api(scope: Construct, user_fn: lambda_.Function, agent_fn: lambda_.Function) -> apigw.HttpApi:
    api = apigw.HttpApi(scope, "HttpApi", description="SkyREPL control plane", create_default_stage=False)
    stage = apigw.HttpStage(scope, "DefaultStage", http_api=api, stage_name="$default", auto_deploy=True,
                            # for a route without its own (there is none): the users' limit
                            throttle=apigw.ThrottleSettings(rate_limit=settings.API_USER_THROTTLE.rate,
                                                            burst_limit=settings.API_USER_THROTTLE.burst))
    # User routes: SigV4-signed by the CLI with the caller's own AWS credentials.
    user = api.add_routes(path=f"{ROOT}/{{proxy+}}", methods=[apigw.HttpMethod.ANY],
                          integration=integrations.HttpLambdaIntegration("User", user_fn),
                          authorizer=authorizers.HttpIamAuthorizer())
    throttles = {route: settings.API_USER_THROTTLE for route in user}
    # Agent routes: no gateway auth. The AgentApi Lambda checks the per-instance bearer token itself
    # (only its SHA-256 is stored) and lets it reach that instance's own run and nothing else. A more
    # specific route wins over a greedy one: boot calls over the agent's /{proxy+}, it over /v1/{proxy+}.
    agent = integrations.HttpLambdaIntegration("Agent", agent_fn)
    agent_routes = {route: settings.API_AGENT_THROTTLE for route in api.add_routes(
        path=f"{AGENT}/{{proxy+}}", methods=[apigw.HttpMethod.ANY], integration=agent)}
    for method, path in settings.API_AGENT_BOOT_ROUTES:
        agent_routes.update({route: settings.API_AGENT_BOOT_THROTTLE for route in api.add_routes(
            path=f"{AGENT}/{path}", methods=[apigw.HttpMethod(method)], integration=agent)})
    for route in agent_routes:
        acknowledge(route, "AwsSolutions-APIG4", (
            "an instance's agent has no AWS credentials: the AgentApi Lambda checks its bearer token on every "
            "call (a Lambda authorizer would be a second Lambda doing the same check); throttled per route"))
    _throttle_each_route(stage, {**throttles, **agent_routes})
    _log_access(scope, stage)
    return api


def _throttle_each_route(stage: apigw.HttpStage, throttles: dict) -> None:
    """RouteSettings by route key (the L2 stage has only the stage-wide default)."""
    stage.node.default_child.route_settings = {
        route.node.default_child.route_key: {"ThrottlingRateLimit": t.rate, "ThrottlingBurstLimit": t.burst}
        for route, t in throttles.items()}
    for route in throttles:  # a route setting names a route that must exist first (else the deploy fails)
        stage.node.add_dependency(route)


def _log_access(scope: Construct, stage: apigw.HttpStage) -> None:
    log_group = logs.LogGroup(scope, "AccessLogs", retention=settings.LOG_RETENTION,
                              removal_policy=RemovalPolicy.DESTROY)
    stage.node.default_child.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
        destination_arn=log_group.log_group_arn, format=json.dumps(settings.API_ACCESS_LOG_FORMAT))
