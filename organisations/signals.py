"""Signals the organisation tree sends when it changes in bulk (no model signal fires
for ``bulk_create``/``bulk_update``): whatever keeps figures derived from the tree
forgets them."""

from django.dispatch import Signal

# Sent after organisations, their names or their restructuring records were written in
# bulk (a data file loaded, a restructuring applied), and after a plan was loaded.
structure_changed = Signal()
