"""The DynamoDB calls each Lambda's code can make, read from the source (no import, no moto).

Two steps, both over the AST of functions/:
1. a call graph from the function's handler: every function or class it references, through the
   modules it imports (`from functions.store import runs` then `runs.get(...)`), plus every route a
   resolver of a module it imports dispatches to (Powertools' `@router.get(...)` decorators);
2. in the store layer, the boto3 Table methods each function it reaches calls on which table
   (`tables.runs().query(...)`), and the index of each query or scan (`IndexName="by_owner"`).

Every DynamoDB call goes through functions/store/tables.py (a test below holds that), so what this
finds is everything the function's role needs, and nothing it doesn't.
"""
import ast
from functools import cache
from pathlib import Path

from functions.store import schema

ROOT = Path(__file__).resolve().parents[2]
TABLES_MODULE = "functions.store.tables"
# boto3 Table resource methods -> the IAM action each one is authorized as
TABLE_METHODS = {"get_item": "dynamodb:GetItem", "put_item": "dynamodb:PutItem", "update_item": "dynamodb:UpdateItem",
                 "delete_item": "dynamodb:DeleteItem", "query": "dynamodb:Query", "scan": "dynamodb:Scan",
                 "batch_writer": "dynamodb:BatchWriteItem"}
ROUTE_DECORATORS = {"get", "post", "put", "delete", "patch", "head", "route"}


def module_path(module: str) -> Path | None:
    base = ROOT / module.replace(".", "/")
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    return path if path.exists() else None


class Module:
    """One module's top-level names: what it defines, what it imports, what its body runs at import."""

    def __init__(self, name: str) -> None:
        self.name, self.tree = name, ast.parse(module_path(name).read_text())
        self.defs, self.imports, self.body = {}, {}, []
        for node in ast.walk(self.tree):  # imports anywhere: a function-level import binds a name too
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("functions"):
                for alias in node.names:  # a module (`from functions.store import runs`) or a name in one
                    sub = f"{node.module}.{alias.name}"
                    bound = (sub, None) if module_path(sub) else (node.module, alias.name)
                    self.imports[alias.asname or alias.name] = bound
            elif isinstance(node, ast.Import):
                ours = [a for a in node.names if a.name.startswith("functions")]
                # `import functions.x.y` binds `functions`, whose attribute chains this does not follow
                assert all(a.asname or "." not in a.name for a in ours), f"{name}: use `from functions.x import y`"
                self.imports.update({a.asname or a.name: (a.name, None) for a in ours})
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defs[node.name] = node
                self.body += node.decorator_list  # decorators run at import
            else:
                targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
                for target in filter(None, targets):
                    self.defs.update({n.id: node for n in ast.walk(target) if isinstance(n, ast.Name)})
                self.body.append(node)

    def routes(self) -> set[str]:
        return {name for name, node in self.defs.items() if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_DECORATORS
            for d in node.decorator_list)}


@cache
def module(name: str) -> Module:
    return Module(name)


def resolve(module_name: str, name: str) -> tuple[str, str | None] | None:
    """(module, name) a name in a module stands for; (module, None) for a module; None if not ours."""
    found = module(module_name)
    if name in found.defs:
        return module_name, name
    if name in found.imports:
        target, symbol = found.imports[name]
        return (target, None) if symbol is None else resolve(target, symbol)
    return None


def references(module_name: str, nodes: list) -> set:
    refs = set()
    for node in (n for root in nodes for n in ast.walk(root)):
        if isinstance(node, ast.Name):
            refs.add(resolve(module_name, node.id))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            target = resolve(module_name, node.value.id)
            if target and target[1] is None:  # module.attr
                refs.add(resolve(target[0], node.attr))
    return refs - {None}


def reachable(handler: str) -> set[tuple[str, str]]:
    """Every (module, top-level name) the handler ("functions.api.handler.lambda_handler") can reach."""
    entry, name = handler.rsplit(".", 1)
    seen, todo = set(), [(entry, name), (entry, None)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        found = module(node[0])
        if node[1] is None:  # the module's body: runs at import, imports the modules it names
            todo += references(node[0], found.body) | {(node[0], route) for route in found.routes()}
            todo += {(target, None) for target, _ in found.imports.values() if module_path(target)}
        else:
            todo += references(node[0], [found.defs[node[1]]]) | {(node[0], None)}
    return {node for node in seen if node[1] is not None}


@cache
def _table_of_accessor() -> dict[str, str]:
    """tables.runs -> "Runs": each accessor of functions/store/tables.py and the schema table it returns."""
    accessors = {}
    for node in module(TABLES_MODULE).tree.body:
        returned = [n.value for n in ast.walk(node) if isinstance(n, ast.Return)]
        if isinstance(node, ast.FunctionDef) and returned and isinstance(returned[0], ast.Call) and \
                isinstance(returned[0].args[0], ast.Name):
            accessors[node.name] = getattr(schema, returned[0].args[0].id).logical_id
    return accessors


def table_calls(module_name: str, name: str) -> set[tuple[str, str, str | None]]:
    """(table, action, index or None) for each Table method call in one store function (or class, or
    module-level name: all are read alike)."""
    node = module(module_name).defs[name]
    parents = {child: parent for parent in ast.walk(node) for child in ast.iter_child_nodes(parent)}
    assigns = [n for n in ast.walk(node) if isinstance(n, ast.Assign)]
    local = {target.id: table for assign in assigns if (table := _accessor_table(module_name, assign.value))
             for target in assign.targets if isinstance(target, ast.Name)}  # `table = tables.instances()`
    calls = set()
    for used in ast.walk(node):
        table = _accessor_table(module_name, used)
        if table is None and isinstance(used, ast.Name) and isinstance(used.ctx, ast.Load):
            table = local.get(used.id)
        if table is None or (isinstance(parents[used], ast.Assign) and used is parents[used].value):
            continue
        method = parents[used]
        # anything else (a table passed on, returned, its attributes read) would escape this reading
        assert isinstance(method, ast.Attribute) and method.attr in TABLE_METHODS, (
            f"{module_name}.{name}, line {used.lineno}: a table used other than by calling a Table method")
        call = parents.get(method)
        index = _index_of(assigns, call if isinstance(call, ast.Call) else None)
        # an IndexName this cannot place would make an index query look like one on the table itself
        assert index or method.attr not in ("query", "scan") or "IndexName" not in ast.dump(node), (
            f"{module_name}.{name}, line {used.lineno}: which index this {method.attr} reads is not clear")
        calls.add((table, TABLE_METHODS[method.attr], index))
    return calls


def _accessor_table(module_name: str, node) -> str | None:
    """The table a `tables.<accessor>()` call returns, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
        if resolve(module_name, node.func.value.id) == (TABLES_MODULE, None):
            return _table_of_accessor()[node.func.attr]
    return None


def _index_of(assigns: list, call) -> str | None:
    """The IndexName of the call that makes or takes the method: a keyword, or a key of the dict passed as
    **kwargs (assigned in the same function)."""
    for keyword in call.keywords if call else ():
        if keyword.arg == "IndexName":
            return keyword.value.value
        if keyword.arg is None and isinstance(keyword.value, ast.Name):
            for assign in assigns:
                if isinstance(assign.value, ast.Dict) and any(
                        isinstance(t, ast.Name) and t.id == keyword.value.id for t in assign.targets):
                    return next((v.value for k, v in zip(assign.value.keys, assign.value.values)
                                 if isinstance(k, ast.Constant) and k.value == "IndexName"), None)
    return None


def actions_of(handler: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """({table: actions on the table itself}, {table: indexes queried}) for one Lambda's handler."""
    actions, indexes = {}, {}
    for module_name, name in reachable(handler):
        if module_name.startswith("functions.store."):
            for table, action, index in table_calls(module_name, name):
                if index is None:
                    actions.setdefault(table, set()).add(action)
                else:
                    indexes.setdefault(table, set()).add(index)
    return actions, indexes
