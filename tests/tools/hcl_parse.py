#!/usr/bin/env python3
"""Parse every .tf (and .tfvars) file under DIR with python-hcl2; exit 1 naming file and error on failure.

usage: hcl_parse.py DIR [DIR ...] [--json]

Catches HCL syntax errors (unbalanced braces, bad quoting, stray tokens, malformed heredocs) file by
file, without Terraform or providers.  --json prints the parsed structure (for tests that want to look
inside, e.g. "every variable has a description").  Needs python-hcl2: runs itself with the lint venv
(${ATLASOD_TOOLS:-/opt/atlasod-tools}/venvs/lint) when the current interpreter lacks it.
Exit codes: 0 all parsed, 1 a file failed, 2 usage error (no such dir, no .tf file).
"""

import json
import os
import sys

try:
    import hcl2
except ImportError:
    py = os.path.join(os.environ.get("ATLASOD_TOOLS", "/opt/atlasod-tools"), "venvs", "lint", "bin", "python")
    if os.environ.get("_ATLASOD_LINT_REEXEC") or not os.path.exists(py):
        sys.exit("hcl_parse.py: python-hcl2 is not importable (run .ci/install-tools.sh or set ATLASOD_TOOLS)")
    os.environ["_ATLASOD_LINT_REEXEC"] = "1"
    os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])

SKIP_DIRS = {".terraform", ".git"}


def tf_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS)
        for f in sorted(files):
            if f.endswith((".tf", ".tfvars")):
                yield os.path.join(d, f)


def main(argv):
    want_json = "--json" in argv
    dirs = [a for a in argv if a != "--json"]
    if not dirs:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    parsed, failed = {}, []
    for root in dirs:
        if not os.path.isdir(root):
            print(f"hcl_parse: not a directory: {root}", file=sys.stderr)
            return 2
        for path in tf_files(root):
            try:
                with open(path, encoding="utf-8") as fh:
                    parsed[path] = hcl2.load(fh)
            except Exception as e:  # noqa: BLE001 -- lark raises many exception types
                msg = " ".join(str(e).split())
                failed.append(path)
                print(f"{path}: {type(e).__name__}: {msg[:600]}", file=sys.stderr)
    if not parsed and not failed:
        print(f"hcl_parse: no .tf files under {' '.join(dirs)}", file=sys.stderr)
        return 2
    if want_json:
        json.dump(parsed, sys.stdout, indent=1, default=str)
        print()
    else:
        print(f"hcl_parse: {len(parsed)} parsed, {len(failed)} failed (python-hcl2 {hcl2_version()})")
    return 1 if failed else 0


def hcl2_version():
    try:
        from importlib.metadata import version

        return version("python-hcl2")
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
