"""The dependency rules of DESIGN.md §2, checked on the source (ast, nothing imported): every import
that breaks one is reported as `path:line: what it imports — the rule`.

    core          imports nothing of AWS and reads no environment
    api|agent_api|workflow|sweeper|startup|pools → lifecycle → aws|store|tailscale → settings → core
      (the four entry layers never import each other; store may use aws.clients, the one client factory)
    routes        call their own package's services only (no store, no aws)
    workflow      task handlers share logic through non-handler modules, never through each other
    no import cycle inside functions/
    infra         imports only names from functions/, and nothing that brings boto3 or Powertools
    agent         the standard library only
    local         imported only by the CLI's `local` command (and tests)
    boto3 clients, resources and sessions are made in functions/aws/clients.py only
"""
import ast
import re
import sys
from pathlib import Path

THIRD_PARTY_AWS = {"boto3", "botocore", "aws_lambda_powertools"}
# layer -> the layers it may import (itself included)
ALLOWED = {
    "core": {"core"},
    "settings": {"core", "settings"},
    "observability": {"observability"},
    "store": {"core", "settings", "store", "aws.clients"},
    "aws.clients": {"core", "settings", "aws.clients"},
    "aws": {"core", "settings", "observability", "store", "aws", "aws.clients"},
    "tailscale": {"core", "settings", "observability", "aws", "aws.clients", "tailscale"},
    "http_errors": {"core", "observability", "aws"},
    "http": {"http"},
    # tailscale: the names of the settings the administrators' route stores (functions/tailscale/__init__.py)
    "api": {"core", "settings", "observability", "aws", "aws.clients", "store", "tailscale", "http_errors", "http",
            "lifecycle", "api"},
    "agent_api": {"core", "settings", "observability", "aws", "aws.clients", "store", "http_errors", "http", "agent_api"},
    "lifecycle": {"core", "settings", "observability", "aws", "aws.clients", "store", "tailscale", "lifecycle"},
    "workflow": {"core", "settings", "observability", "aws", "aws.clients", "store", "tailscale", "lifecycle",
                 "workflow"},
    "sweeper": {"core", "settings", "observability", "aws", "aws.clients", "store", "lifecycle", "sweeper"},
    "startup": {"core", "settings", "observability", "aws", "aws.clients", "startup"},
    "pools": {"core", "settings", "observability", "aws", "aws.clients", "store", "lifecycle", "pools"},
}
NO_THIRD_PARTY = {"core": "pure domain: the standard library (and pydantic) only",
                  "settings": "the environment, parsed: the standard library only"}
INFRA_NAMES = {"functions.store.schema", "functions.aws.permissions", "functions.workflow.definition",
               "functions.settings", "functions.tailscale", "functions.store.access"}
LOCAL_IMPORTERS = {"repl.commands.local"}
FACTORY = "functions/aws/clients.py"
_FACTORY_CALLS = re.compile(r"boto3\.client\(|boto3\.resource\(|Session\(")


def violations(root: Path) -> list[str]:
    files = {_module(root, p): p for d in ("functions", "agent", "infra", "local", "repl")
             for p in sorted((root / d).rglob("*.py")) if "__pycache__" not in p.parts}
    if (root / "app.py").exists():
        files["app"] = root / "app.py"
    graph = {m: _imports(root, m, p, files) for m, p in files.items()}
    found = []
    for module, path in files.items():
        where = path.relative_to(root)
        for line, target in graph[module]:
            problem = _problem(module, target, files, graph)
            if problem:
                found.append(f"{where}:{line}: imports {target} — {problem}")
        found += _text_rules(module, path, where)
    return found + _cycles({m: {t for _, t in g if t.startswith("functions.") and t in files} for m, g in graph.items()
                            if m.startswith("functions.")})


def _problem(module: str, target: str, files: dict, graph: dict) -> str | None:
    top = target.split(".")[0]
    if module.startswith("agent"):
        return None if top in sys.stdlib_module_names or top == "agent" else \
            "the agent runs on a bare VM: the standard library (Python 3.8+) only"
    if top == "local" and not module.startswith(("local", "tests")) and module not in LOCAL_IMPORTERS:
        return "local/ (moto, the emulator) is for the embedded stack: only the CLI's `local` command imports it"
    if module.startswith(("infra", "app")) and top == "functions":
        return _infra_problem(target, files, graph)
    if not module.startswith("functions."):
        return None
    layer = _layer(module)
    if layer in NO_THIRD_PARTY and top not in sys.stdlib_module_names and top not in ("functions", "pydantic"):
        return NO_THIRD_PARTY[layer]
    if top != "functions":
        return None
    if _is_route(module) and not (target.startswith(_package(module) + ".") and not _is_route(target)
                                  or target in ("functions.http_errors", "functions.http")):
        return "a route calls its own package's services only"
    if layer == "workflow" and _is_handler(target, files) and target != module:
        return "workflow tasks share logic through a module of the workflow package, not through each other"
    target_layer = _layer(target)
    if target_layer not in ALLOWED.get(layer, set()):
        return f"the {layer} layer may import only {', '.join(sorted(ALLOWED.get(layer, ())))}"
    return None


def _infra_problem(target: str, files: dict, graph: dict) -> str | None:
    if target not in INFRA_NAMES:
        return f"infra imports only names from functions/ ({', '.join(sorted(INFRA_NAMES))})"
    seen, stack = set(), [target]
    while stack:
        module = stack.pop()
        for _, imported in graph.get(module, ()):
            if imported.split(".")[0] in THIRD_PARTY_AWS:
                return f"{module} imports {imported}: a name module must not bring AWS libraries into infra"
            if imported in files and imported not in seen:
                seen.add(imported)
                stack.append(imported)
    return None


def _text_rules(module: str, path: Path, where: Path) -> list[str]:
    found, text = [], path.read_text()
    for number, line in enumerate(text.splitlines(), 1):
        if _FACTORY_CALLS.search(line.split("#", 1)[0]) and str(where) != FACTORY:
            found.append(f"{where}:{number}: makes a boto3 client, resource or session — only {FACTORY} does")
    if module.startswith("functions.core"):
        found += [f"{where}:{line}: reads the environment — core does not (functions/settings.py does)"
                  for line in _environment_reads(ast.parse(text))]
    return found


def _environment_reads(tree) -> list[int]:
    """Lines that touch os.environ / os.getenv (or import them)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") and \
                isinstance(node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and \
                any(a.name in ("environ", "getenv", "environb") for a in node.names):
            lines.append(node.lineno)
    return lines


def _cycles(graph: dict) -> list[str]:
    """Every import cycle inside functions/ (Tarjan's strongly connected components)."""
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append("import cycle: " + " -> ".join(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def _module(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(module: str) -> str:
    """functions.api.routes.runs -> functions.api; functions.agent_api.routes -> functions.agent_api"""
    parts = module.split(".")
    return ".".join(parts[:2])


def _is_route(module: str) -> bool:
    return module.split(".")[2:3] == ["routes"]


def _is_handler(module: str, files: dict) -> bool:
    """A workflow task handler: a module of functions/workflow that defines `handler`."""
    if not module.startswith("functions.workflow.") or module not in files:
        return False
    tree = ast.parse(files[module].read_text())
    return any(isinstance(n, ast.FunctionDef) and n.name == "handler" for n in tree.body)


def _layer(module: str) -> str:
    if module == "functions.aws.clients":
        return "aws.clients"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "functions"


def _imports(root: Path, module: str, path: Path, files: dict) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, wherever it is (a function-level import counts too)."""
    tree, found = ast.parse(path.read_text()), []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if candidate in files else base))
    return found
