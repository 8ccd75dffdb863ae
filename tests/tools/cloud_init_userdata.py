#!/usr/bin/env python3
"""Read a VM's user data with cloud-init's own code, as the VM's first boot does.

usage: cloud_init_userdata.py FILE [--base64]

FILE holds the user data as the cloud hands it to the instance (`--base64`: as the API returns it,
base64 text). cloud-init 25.1.4's `UserDataProcessor` turns it into its MIME message (gzip,
multipart, `#include` ...), the stock cloud-config part handler merges every `text/cloud-config`
part with the merge types the part asks for, and the merged config is read back from the file the
handler writes (what the modules then see) and checked against cloud-init's strict schema.

Prints one JSON object: `size` (bytes of the user data before base64), `parts` (content type,
file name and merge type of each part), `config` (the merged cloud-config), `problems` (every
warning or error cloud-init logged while reading it, every part it could not handle, every schema
error). Exit 0 when there is no problem, 1 otherwise, 2 on a usage error.
"""

import base64
import json
import logging
import os
import sys
import tempfile

TOOLS = os.environ.get("ATLASOD_TOOLS") or "/opt/atlasod-tools"
CLOUD_INIT = os.path.join(TOOLS, "cloud-init-trixie/usr/lib/python3/dist-packages")
# cloud-init 25.1 runs on Debian's python3 with the python3-* modules its bookworm package pulled in
PYTHON = "/usr/bin/python3"

if os.environ.get("ATLASOD_CLOUD_INIT_PY") != "1":
    if not os.path.isdir(os.path.join(CLOUD_INIT, "cloudinit")):
        sys.exit(f"cloud-init 25.1 is not at {CLOUD_INIT}: run .ci/install-tools.sh")
    env = dict(os.environ, ATLASOD_CLOUD_INIT_PY="1", PYTHONPATH=CLOUD_INIT)
    os.execve(PYTHON, [PYTHON, os.path.abspath(__file__), *sys.argv[1:]], env)

from cloudinit import handlers, helpers, user_data, util  # noqa: E402
from cloudinit.config import schema  # noqa: E402
from cloudinit.handlers.cloud_config import CloudConfigPartHandler  # noqa: E402
from cloudinit.settings import PER_INSTANCE  # noqa: E402


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        message = record.getMessage()
        # the handler asks for the instance's folder, which only a real boot (a datasource) has
        if message.startswith("No per instance data available"):
            return
        self.messages.append(f"cloud-init logged {record.levelname}: {message}")


def main(argv):
    if len(argv) not in (1, 2) or (len(argv) == 2 and argv[1] != "--base64"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], "rb") as f:
        blob = f.read()
    if len(argv) == 2:
        blob = base64.b64decode(blob, validate=True)
    recorder = Recorder()
    logging.getLogger().addHandler(recorder)
    logging.getLogger().setLevel(logging.DEBUG)
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = helpers.Paths({"cloud_dir": tmp, "run_dir": tmp, "templates_dir": tmp})
        message = user_data.UserDataProcessor(paths).process(blob)
        handler = CloudConfigPartHandler(paths)
        handler.cloud_fn = os.path.join(tmp, "cloud-config.txt")
        parts = []

        def callback(_data, filename, payload, headers):
            ctype = headers["Content-Type"]
            parts.append({
                "content_type": ctype,
                "filename": filename,
                "merge_type": headers.get("Merge-Type") or headers.get("X-Merge-Type"),
            })
            if ctype in handler.list_types():
                handlers.run_part(handler, None, filename, payload, PER_INSTANCE, headers)
            else:
                problems.append(f"part {filename}: cloud-init has no handler here for {ctype}")

        handlers.call_begin(handler, None, PER_INSTANCE)
        handlers.walk(message, callback, {})
        handlers.call_end(handler, None, PER_INSTANCE)
        problems.extend(f"part {name}: not merged" for name in handler.error_file_names)
        config = util.load_yaml(util.load_text_file(handler.cloud_fn)) if os.path.exists(handler.cloud_fn) else None
    problems.extend(recorder.messages)
    if not isinstance(config, dict):
        problems.append("no cloud-config came out of the user data")
        config = {}
    try:
        schema.validate_cloudconfig_schema(config, schema.get_schema(), strict=True, log_deprecations=True)
    except schema.SchemaValidationError as e:
        problems.append(f"cloud-init schema: {e}")
    json.dump({"size": len(blob), "parts": parts, "config": config, "problems": problems},
              sys.stdout, ensure_ascii=False, indent=1, default=str)
    print()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
