#!/usr/bin/env python3
"""Validate SARIF 2.1.0 files with Microsoft's SARIF Multitool and the official JSON schema.

usage: sarif_validate.py FILE [FILE ...] [--allow-warnings] [--verbose]

Two independent checks per file, both offline:
 1. `Sarif.Multitool validate` (npm @microsoft/sarif-multitool-linux, a self-contained .NET binary):
    JSON schema errors (JSON1xxx) plus the SDK's SARIF rules -- SARIF1xxx are errors (e.g. ruleIndex
    out of range, URIs that are not valid, inconsistent region), SARIF2xxx warnings/notes (style and
    usefulness advice).  Its exit code is 0 even when it reports errors, so this script reads its
    output log instead.
 The SDK rule SARIF2006 (UrisShouldBeReachable) is disabled by tests/tools/sarif/multitool-offline.xml:
    it resolves and fetches every URI in the log.
 2. check-jsonschema against `sarif-2.1.0.json` shipped in the same npm package: the multitool's
    schema pass does not report every violation (seen: an invalid `level` enum value passes it).
Fails (exit 1) on any error from either, and on multitool warnings unless --allow-warnings.
Notes (SARIF2xxx "note" level) are printed with --verbose only.
Tools are found in ${ATLASOD_TOOLS:-/opt/atlasod-tools} (see .ci/install-tools.sh).
"""

import json
import os
import re
import subprocess
import sys
import tempfile

TOOLS = os.environ.get("ATLASOD_TOOLS", "/opt/atlasod-tools")
MULTITOOL = os.path.join(TOOLS, "bin", "sarif-multitool")
SCHEMA = os.path.join(TOOLS, "share", "sarif-schema-2.1.0.json")
# disables SARIF2006 (UrisShouldBeReachable), the one rule that goes to the network
POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sarif", "multitool-offline.xml")
CHECK_JSONSCHEMA = os.path.join(TOOLS, "bin", "check-jsonschema")
TIMEOUT = 120


def run_multitool(path, tmp):
    out = os.path.join(tmp, "validation.sarif")
    env = dict(
        os.environ,
        DOTNET_CLI_TELEMETRY_OPTOUT="1",
        DOTNET_NOLOGO="1",
        DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1",
    )
    r = subprocess.run(
        [MULTITOOL, "validate", path, "--output", out, "--log", "ForceOverwrite", "--level", "Error;Warning;Note",
         "--config", POLICY],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        cwd=tmp,
    )
    if r.returncode != 0 or not os.path.exists(out):
        return None, f"multitool failed to run (exit {r.returncode}): {(r.stdout + r.stderr).strip()[-800:]}"
    with open(out, encoding="utf-8-sig") as f:
        log = json.load(f)
    results = [res for run in log.get("runs", []) for res in run.get("results", [])]
    # the console lines carry the rendered messages: "<file>(line,col): error JSON1019: text";
    # lines starting "SARIF.MULTITOOL :" are the tool's own notifications (e.g. WRN999 about the policy)
    lines = [
        ln.strip()
        for ln in r.stdout.splitlines()
        if ln.startswith(path) and re.search(r": (error|warning|note) [A-Z]+\d+", ln)
    ]
    return (results, lines), None


def main(argv):
    allow_warnings = "--allow-warnings" in argv
    verbose = "--verbose" in argv
    files = [a for a in argv if not a.startswith("--")]
    if not files:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    for tool in (MULTITOOL, CHECK_JSONSCHEMA, SCHEMA, POLICY):
        if not os.path.exists(tool):
            print(f"sarif_validate: missing {tool} (run .ci/install-tools.sh)", file=sys.stderr)
            return 2
    failed = 0
    for path in files:
        path = os.path.abspath(path)
        problems = []
        with tempfile.TemporaryDirectory(prefix="sarif-validate-") as tmp:
            got, err = run_multitool(path, tmp)
        if err:
            problems.append(err)
        else:
            results, lines = got
            levels = [res.get("level", "warning") for res in results]
            for ln in lines:
                level = re.search(r": (error|warning|note) ", ln).group(1)
                if level == "error" or (level == "warning" and not allow_warnings):
                    problems.append(f"multitool: {ln}")
                elif verbose:
                    print(f"  {level}: {ln}")
            n_err, n_warn = levels.count("error"), levels.count("warning")
            if (n_err or (n_warn and not allow_warnings)) and not problems:
                problems.append(f"multitool: {n_err} error(s), {n_warn} warning(s) (see its log)")
        r = subprocess.run(
            [CHECK_JSONSCHEMA, "--schemafile", SCHEMA, "--output-format", "text", path],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if r.returncode != 0:
            detail = "\n    ".join(ln for ln in (r.stdout + r.stderr).strip().splitlines() if ln.strip())
            problems.append(f"schema (check-jsonschema, sarif-2.1.0.json):\n    {detail}")
        if problems:
            failed += 1
            print(f"{path}: INVALID", file=sys.stderr)
            for p in problems:
                print(f"  - {p}", file=sys.stderr)
        else:
            print(f"{path}: valid SARIF 2.1.0")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
