"""Tables as the schema declares them; the API's URL where it is handed out; the sweeper schedule."""
from functions.store.schema import ALL_TABLES


def _table(synth, spec) -> dict:
    logical_id = synth.env("Api")[spec.env_var]["Ref"]  # the user API uses every table
    return synth.resources[logical_id]


def test_one_table_per_schema_table(synth):
    assert len(synth.of_type("AWS::DynamoDB::Table")) == len(ALL_TABLES)


def test_tables_follow_the_schema(synth):
    for spec in ALL_TABLES:
        table = _table(synth, spec)
        props = table["Properties"]
        keys = [{"AttributeName": spec.partition_key, "KeyType": "HASH"}]
        if spec.sort_key:
            keys.append({"AttributeName": spec.sort_key, "KeyType": "RANGE"})
        assert props["KeySchema"] == keys, spec.logical_id
        types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
        assert types.get(spec.sort_key, spec.sort_key_type) == spec.sort_key_type
        indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]]
                   for i in props.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i.name: [i.partition_key, i.sort_key] for i in spec.indexes}, spec.logical_id
        ttl = props.get("TimeToLiveSpecification")
        assert ttl == ({"AttributeName": spec.ttl_attribute, "Enabled": True} if spec.ttl_attribute else None)


def test_tables_are_on_demand_with_pitr_and_history_retained(synth):
    for spec in ALL_TABLES:
        table = _table(synth, spec)
        assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        if spec.logical_id in ("Runs", "Instances"):
            assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain", spec.logical_id


def test_api_url_output_and_provision_api_url_are_the_apis_own_endpoint(synth):
    (api,) = synth.of_type("AWS::ApiGatewayV2::Api")
    expected = {"Fn::GetAtt": [api, "ApiEndpoint"]}
    assert synth.template["Outputs"]["ApiUrl"]["Value"] == expected
    assert synth.env("Provision")["API_URL"] == expected
    # the functions that write user-data: Provision for a run's instance, the pool keeper for a pool's
    assert {key for key in synth.functions if "API_URL" in synth.env(key)} == {"Provision", "PoolKeeper"}
    assert synth.env("PoolKeeper")["API_URL"] == expected


def schedules(synth) -> dict[str, str]:
    """function key -> the schedule expression of the rule that targets it."""
    found = {}
    for rule in synth.of_type("AWS::Events::Rule").values():
        assert rule["Properties"]["State"] == "ENABLED"
        (target,) = rule["Properties"]["Targets"]
        (key,) = [k for k, (lid, _) in synth.functions.items() if target["Arn"] == {"Fn::GetAtt": [lid, "Arn"]}]
        found[key] = rule["Properties"]["ScheduleExpression"]
    return found


def test_the_sweeper_runs_every_five_minutes_and_the_pool_keeper_every_minute(synth):
    assert schedules(synth) == {"Sweeper": "rate(5 minutes)", "PoolKeeper": "rate(1 minute)"}
