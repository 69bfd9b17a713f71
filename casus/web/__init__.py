"""The base the views stand on: form fields, what a view does with a submitted form (a refusal next to its
field, a stale save, a refused workflow step), and the helpers the case pages' templates share.

Every domain's ``views.py`` and ``forms.py`` may import from here; nothing here imports a domain's views, so no
domain's views need another's.
"""
