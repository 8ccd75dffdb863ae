#!/bin/bash
# docker-stacks keeps this name for old callers: it runs start-notebook.py
exec /usr/local/bin/start-notebook.py "$@"
