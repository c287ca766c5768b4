from tests.fuzz.world import crash_client, world

__all__ = ["crash_client", "world"]
