"""Health: a signed call answered, so `repl setup` can check URL and credentials together."""
from functions.http import VERSION
from functions.settings import settings


def health(caller: str) -> dict:
    # caller: the identity the signed request proved (repl setup shows it); region: where startup() ran at deploy
    return {"status": "ok", "control_id": settings().control_id, "version": VERSION, "caller": caller,
            "region": settings().default_region}
