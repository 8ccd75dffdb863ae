#!/usr/bin/env python3
"""kubernetes-validate, strict, failing also when a kind has no schema.

usage: k8s_validate.py [-k VERSION] FILE [FILE ...]      (default VERSION: 1.31.0)

Plain `kubernetes-validate` only WARNs (exit 0) for an unknown apiVersion/kind ("Couldn't find
schema"), and accepts unknown fields unless --strict.  This wrapper runs it with --strict and the
given Kubernetes version and exits 1 on any ERROR or WARN line.  Offline: the schemas for 1.25-1.37
ship inside the package.  Multi-document YAML files are fine.
"""

import os
import subprocess
import sys

TOOLS = os.environ.get("ATLASOD_TOOLS", "/opt/atlasod-tools")
DEFAULT_VERSION = "1.31.0"


def main(argv):
    version = DEFAULT_VERSION
    if len(argv) >= 2 and argv[0] in ("-k", "--kubernetes-version"):
        version, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    exe = os.path.join(TOOLS, "bin", "kubernetes-validate")
    r = subprocess.run(
        [exe, "--strict", "-k", version, *argv], capture_output=True, text=True, timeout=120
    )
    out = (r.stdout + r.stderr).strip()
    if out:
        print(out)
    bad = [ln for ln in out.splitlines() if ln.startswith(("ERROR", "WARN"))]
    return 1 if (r.returncode != 0 or bad) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
