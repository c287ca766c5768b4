"""Import every procedure module so its hooks, overdue checkers and outbox handlers register.

The API gets them through the schema's imports; the arq worker imports this module, so both
processes run the same set. Add a procedure module here when you add one.
"""

from resolvers import applications, complaints, licenses, licensing, pool_change, registry  # noqa: F401
