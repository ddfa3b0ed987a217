"""Annotations: highlights with comments and tags, anchored to a document's text."""
