import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests empty the tables after each test; put the sectors and the
    diaspora capitals (a data migration) back for the next browser journey."""
    importlib.import_module("alliance.migrations.0002_reference_data").load(apps, None)
