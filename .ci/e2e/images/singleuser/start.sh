#!/bin/bash
# shellcheck disable=SC1091 # run-hooks.sh is in the image, not here
# docker-stacks start.sh, as it behaves for a container started as NB_UID (the only way the bundle
# starts it): hooks, then the command. The root-only parts (NB_USER renaming, sudo) are not here.
set -e
source /usr/local/bin/run-hooks.sh /usr/local/bin/start-notebook.d
if [ "$(id -u)" = 0 ]; then
    echo "stand-in start.sh: running as root is not implemented (the bundle never does it)" >&2
    exit 1
fi
if [[ ! -w /home/jovyan ]]; then echo "WARNING: no write access to /home/jovyan"; fi
source /usr/local/bin/run-hooks.sh /usr/local/bin/before-notebook.d
echo "Executing the command:" "$@"
exec "$@"
