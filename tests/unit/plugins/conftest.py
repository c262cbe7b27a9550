"""Shared helpers of the plugin unit tests live beside this file; tests import them by their collection name."""
