"""Outgoing documents: rendered (render.py), signed (signing.py), issued and recorded (issue.py)."""
