"""Validate Zero to JupyterHub values the way Helm does: merged over the chart's defaults.

Usage: z2jh_values_check.py SCHEMA_DIR VALUES.yaml...

SCHEMA_DIR holds the chart's `values.yaml` (defaults) and `values.schema.json`
(see ../shared/schemas/z2jh/README.md). Each VALUES file is deep-merged over
the defaults as Helm merges user values (maps merge key by key, a null deletes
the key, anything else replaces), then validated against the schema (draft 7).
Prints one line per problem and exits 1 when any file is invalid.
"""

import json
import sys

import jsonschema
import yaml


def merge(base, override):
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override
    out = dict(base)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif key in out:
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def main():
    schema_dir, files = sys.argv[1], sys.argv[2:]
    with open(f"{schema_dir}/values.schema.json", encoding="utf-8") as f:
        schema = json.load(f)
    with open(f"{schema_dir}/values.yaml", encoding="utf-8") as f:
        defaults = yaml.safe_load(f)
    validator = jsonschema.Draft7Validator(schema)
    failed = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            values = yaml.safe_load(f)
        errors = sorted(validator.iter_errors(merge(defaults, values)), key=lambda e: list(e.path))
        for error in errors:
            where = ".".join(str(p) for p in error.path) or "<root>"
            print(f"{path}: {where}: {error.message}")
        if errors:
            failed += 1
        else:
            print(f"{path}: valid")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
