"""DynamoDB access, exactly: functions/store/access.py is what each Lambda's code calls (read from the
source by table_calls.py), and each role holds exactly that (from the synthesized template)."""
import ast

from infra_helpers import EXPECTED_HANDLERS, ROOT, as_list
from table_calls import TABLES_MODULE, actions_of, table_calls

from functions.store import access, schema


def _sources():
    for path in sorted((ROOT / "functions").rglob("*.py")):
        if "tests" not in path.parts:
            yield path.relative_to(ROOT), ast.parse(path.read_text())


def test_every_dynamodb_call_goes_through_the_store_layers_tables():
    # what the reading below relies on: no other way to a table than functions/store/tables.py
    makers = {"functions/aws/clients.py", "functions/store/tables.py"}  # clients.dynamodb() and its one caller
    for path, tree in _sources():
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        if str(path) not in makers:
            assert not {"dynamodb", "Table", "batch_write_item", "transact_write_items"} & names, path
        imports_tables = any(isinstance(n, ast.ImportFrom) and (n.module == TABLES_MODULE or (
            n.module == "functions.store" and "tables" in {a.name for a in n.names})) for n in ast.walk(tree))
        assert not imports_tables or path.parts[:2] == ("functions", "store"), path


def test_the_reading_sees_each_way_the_store_reaches_a_table():
    assert table_calls("functions.store.runs", "get") == {("Runs", "dynamodb:GetItem", None)}
    # a query's index from a **kwargs dict, and from the keyword next to a method handed to all_pages
    assert table_calls("functions.store.runs", "list_owned") == {("Runs", "dynamodb:Query", "by_owner")}
    assert table_calls("functions.store.runs", "unsettled") == {("Runs", "dynamodb:Query", "unsettled")}
    assert table_calls("functions.store.kv", "keys") == {("Kv", "dynamodb:Scan", None)}  # all_pages(...scan)
    # through a local name (`table = tables.instances()`), inside a lambda (condition_held)
    assert table_calls("functions.store.instances", "push_event") == {("Instances", "dynamodb:UpdateItem", None)}
    assert table_calls("functions.store.logs", "put_batch") == {("Logs", "dynamodb:PutItem", None)}


def test_the_access_map_is_what_each_functions_code_calls():
    assert set(access.TABLE_ACTIONS) | set(access.INDEX_QUERIES) <= set(EXPECTED_HANDLERS)
    for key, handler in EXPECTED_HANDLERS.items():
        actions, indexes = actions_of(handler)
        assert actions == {t: set(a) for t, a in access.TABLE_ACTIONS.get(key, {}).items()}, key
        assert indexes == {t: set(i) for t, i in access.INDEX_QUERIES.get(key, {}).items()}, key


def _granted(synth, key: str) -> tuple[dict, dict]:
    """({table: actions on its ARN}, {table: indexes queried}) from the function's role in the template."""
    storage = synth.stack.node.find_child("Storage")
    arn_of = {lid: synth.stack.resolve(table.table_arn) for lid, table in storage.tables.items()}
    on_table, on_index = {}, {}
    for statement in synth.statements(synth.role(key)):
        actions = as_list(statement["Action"])
        if not any(a.startswith("dynamodb:") for a in actions):
            continue
        assert all(a.startswith("dynamodb:") and "*" not in a for a in actions), (key, statement)
        for resource in as_list(statement["Resource"]):
            table = next((lid for lid, arn in arn_of.items() if resource == arn), None)
            if table:
                on_table.setdefault(table, set()).update(actions)
                continue
            base, index = resource["Fn::Join"][1]  # <table ARN>/index/<name>, nothing wider
            (table,) = [lid for lid, arn in arn_of.items() if base == arn]
            assert actions == ["dynamodb:Query"] and index.startswith("/index/") and "*" not in index, (key, index)
            on_index.setdefault(table, set()).add(index.removeprefix("/index/"))
    return on_table, on_index


def test_each_role_holds_exactly_the_actions_its_code_calls_and_the_table_names_for_them(synth):
    for key in synth.functions:
        on_table, on_index = _granted(synth, key)
        assert on_table == {t: set(a) for t, a in access.TABLE_ACTIONS.get(key, {}).items()}, key
        assert on_index == {t: set(i) for t, i in access.INDEX_QUERIES.get(key, {}).items()}, key
        env_tables = {t.logical_id for t in schema.ALL_TABLES if t.env_var in synth.env(key)}
        assert env_tables == set(on_table) | set(on_index), key


def test_whole_table_reads_and_deletes_only_where_the_code_makes_them(synth):
    # the grants grant_read_write_data gave everyone before: now only where the map (the code) says
    for action in ("dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"):
        holders = {key for key in synth.functions if any(action in a for a in _granted(synth, key)[0].values())}
        assert holders == {k for k, tables in access.TABLE_ACTIONS.items() if any(action in a for a in tables.values())}
    # whole-table reads only of the small tables: Kv (a few hundred items) and Pools (a few per owner, the
    # keeper's schedule looks at all); the others only by key or index
    scanned = {t for tables in access.TABLE_ACTIONS.values() for t, a in tables.items() if access.SCAN in a}
    assert scanned == {"Kv", "Pools"}
