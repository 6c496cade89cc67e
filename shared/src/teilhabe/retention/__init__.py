"""How long each kind of record is kept, declared beside the models (see `rules`).

Each service lists one declaration per table in `<service>/retention.py`; the retention
run (`run`) deletes or anonymises what has expired on the service's durable timers, and
`document` renders every service's declarations as one table.
"""

from teilhabe.retention.rules import (
    SHARED_TABLES,
    Declaration,
    Exempt,
    Follows,
    Retention,
    Rule,
)

__all__ = ["SHARED_TABLES", "Declaration", "Exempt", "Follows", "Retention", "Rule"]
