#!/bin/sh
# Debian's redis-server refuses clients from other hosts when it runs without a password and without
# a config file; the official image compiles that default off. Same effect here, for redis-server only.
set -eu
if [ "${1:-}" = redis-server ]; then
  shift
  set -- redis-server --protected-mode no "$@"
fi
exec "$@"
