"""The suite's database, app, sessions and `deliver` (teilhabe.testing.service_fixtures)."""

from teilhabe.testing.service_fixtures import service_fixtures

service_database, intake_database, intake, sessions, deliver = service_fixtures("intake")
