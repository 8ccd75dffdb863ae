#!/bin/bash
# shellcheck disable=SC2317,SC1090 # sourced or run, like the original; sources the hooks it finds
# docker-stacks run-hooks.sh: source *.sh, run executables, warn about the rest, in name order.
if [ "$#" -ne 1 ]; then echo "Should pass exactly one directory"; return 1 2>/dev/null || exit 1; fi
if [[ ! -d "${1}" ]]; then echo "Directory ${1} doesn't exist or is not a directory"; return 1 2>/dev/null || exit 1; fi
echo "Running hooks in: ${1} as uid: $(id -u) gid: $(id -g)"
for f in "${1}/"*; do
    [ -e "${f}" ] || continue
    case "${f}" in
        *.sh) echo "Sourcing shell script: ${f}"; source "${f}" || { echo "${f} has failed, continuing execution"; } ;;
        *)
            if [ -x "${f}" ]; then
                echo "Running executable: ${f}"
                "${f}" || echo "${f} has failed, continuing execution"
            else
                echo "Ignoring non-executable: ${f}"
            fi ;;
    esac
done
echo "Done running hooks in: ${1}"
