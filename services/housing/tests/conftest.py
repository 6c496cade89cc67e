"""The suite's database, app, sessions and `deliver` (teilhabe_dev.testing.service_fixtures)."""

from teilhabe_dev.testing.service_fixtures import service_fixtures

service_database, housing_database, housing, sessions, deliver = service_fixtures("housing")
