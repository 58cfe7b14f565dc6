import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from dialup_support import DICTIONARY, Nas, build  # noqa: E402

from core.testing.databases import create_scratch_database, drop_database, engine_under_test, pg_url_for  # noqa: E402
from plugins.dialup import radiusd  # noqa: E402
from plugins.dialup.radius_db import Dsn, RadiusDb  # noqa: E402

SCHEMA_DIR = "/etc/freeradius/3.0/mods-config/sql/main"


@pytest.fixture
def radius_dsn(tmp_path):
    """A RADIUS database with FreeRADIUS's schema on the engine under test; dropped afterwards."""
    import asyncio

    if not Path(SCHEMA_DIR).exists():
        pytest.skip("FreeRADIUS is not installed (scripts/ensure-radius installs it)")
    if engine_under_test() == "postgres":
        name = asyncio.run(create_scratch_database("radius_test"))
        dsn = pg_url_for(name)
    else:
        name, dsn = "", f"sqlite:///{tmp_path / 'radius.sqlite'}"
    asyncio.run(RadiusDb(Dsn.parse(dsn)).ensure_schema(SCHEMA_DIR))
    yield dsn
    if name:
        asyncio.run(drop_database(name))


@pytest.fixture
def radius_server(radius_dsn):
    """FreeRADIUS on loopback, on free ports, reading the RADIUS database; stopped afterwards."""
    if radiusd.radiusd_binary() is None:
        pytest.skip("FreeRADIUS is not installed (scripts/ensure-radius installs it)")
    server = radiusd.start(Dsn.parse(radius_dsn))
    yield server
    server.stop()


@pytest.fixture
def nas(radius_server, tmp_path):
    path = tmp_path / "dictionary"
    path.write_text(DICTIONARY)
    return Nas(radius_server, path)


@pytest.fixture
def world(hall_factory, radius_dsn):
    return build(hall_factory, radius_dsn)
