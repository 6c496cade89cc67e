from notifications.models import Base
from teilhabe.migrations import run_migrations

run_migrations(Base.metadata)
