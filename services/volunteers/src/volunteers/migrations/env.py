from teilhabe.migrations import run_migrations
from volunteers.models import Base

run_migrations(Base.metadata)
