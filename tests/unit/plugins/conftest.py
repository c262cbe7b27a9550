"""Shared helpers of the plugin unit tests live beside this file (``scripted_host``); pytest puts it on sys.path."""
