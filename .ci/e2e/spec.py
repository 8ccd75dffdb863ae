#!/usr/bin/env python3
"""The e2e test's view of a workshop spec.

    spec.py facts SPEC                # shell assignments: name, auth, https, users, datasets, notebooks, ...
    spec.py serve SPEC OUT SRV        # OUT: a copy of SPEC whose datasets and notebook repositories are the
                                      # test servers'; SRV gets the files to serve; stdout says what changed

`serve` rewrites only the top-level `datasets:` and `notebooks:` blocks, and inside them only what
names a server: a catalogue id becomes a dataset of the same name from the test's HTTP server
(`http://atlasod-e2e-files:8080/<name>.zip`, a zip the script makes, with its SHA-256), a dataset of
one's own keeps its name and gets the test server's URL and SHA-256, and a notebook repository
becomes `https://atlasod-e2e-git/<folder>.git` with `path: <folder>` (the folder it had) and the same
`ref`. Every other line of the spec is copied byte for byte. Entries that already name the test
servers are left alone (the specs under tests/e2e/).
"""

import hashlib
import io
import json
import os
import re
import shlex
import sys
import zipfile

import yaml

FILES = "http://atlasod-e2e-files:8080/"
GIT = "https://atlasod-e2e-git/"
SIZES = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}


def load(path):
    # YAML 1.2 reads `off` as a string (atlasod does); PyYAML's 1.1 would read a boolean
    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
    with open(path) as f:
        return yaml.load(f, Loader=Loader) or {}


def folder(n):
    if n.get("path"):
        return n["path"]
    last = n["repo"].rstrip("/").rsplit("/", 1)[-1]
    return last[:-4] if last.endswith(".git") else last


def dataset_name(d):
    return d if isinstance(d, str) else d["name"]


def duration(text):
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?", str(text))
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60


def facts(path):
    s = load(path)
    users, auth, hub = s.get("users", {}), s.get("auth", {}), s.get("hub", {})
    https = str(hub.get("https", "letsencrypt" if hub.get("domain") else "self-signed"))
    if https == "letsencrypt":  # the local bundle rehearses such a spec on localhost, self-signed
        https = "self-signed"
    mem = re.fullmatch(r"([0-9.]+)\s*([KMGT]i?B)", str(users.get("memory", "2GiB")))
    nbs = s.get("notebooks", [])
    out = {
        "S_NAME": s["name"],
        "S_AUTH": auth.get("method", ""),
        "S_HTTPS": https,
        "S_PORT": str(((s.get("cloud") or {}).get("local") or {}).get("port", 8000 if https == "off" else 8443)),
        "S_ADMIN": (users.get("admins") or [""])[0],
        # the roster CSV beside the spec (issue 15): its path as the spec writes it
        "S_ROSTER": str(users.get("roster", "")),
        "S_MEMORY": str(int(float(mem.group(1)) * SIZES[mem.group(2)])),
        "S_CPU": "%g" % float(users.get("cpu", 1)),
        "S_IDLE": str(duration(hub.get("idle_timeout", "1h"))),
        "S_DATASETS": " ".join(dataset_name(d) for d in s.get("datasets", [])),
        "S_SAMPLE": "1" if any(
            not isinstance(d, str) and d["name"] == "sample" and d.get("url") == FILES + "sample.bin"
            for d in s.get("datasets", [])
        ) else "0",
        "S_NOTEBOOKS": " ".join(folder(n) for n in nbs),
        "S_REPOS": " ".join(n["repo"] for n in nbs),
        "S_REFS": " ".join(n.get("ref", "-") for n in nbs),
    }
    for k, v in out.items():
        print(f"{k}={shlex.quote(v)}")


def blocks(text):
    """(key or None, lines) for each top-level block of the file."""
    out, key, cur = [], None, []
    for line in text.splitlines(keepends=True):
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:", line)
        if m:
            out.append((key, cur))
            key, cur = m.group(1), []
        cur.append(line)
    out.append((key, cur))
    return out


def sample_zip(name):
    """A small zip, the same bytes every time: one text file in a folder."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo(f"{name}/README.txt", date_time=(2026, 1, 1, 0, 0, 0))
        z.writestr(info, f"atlasod e2e stand-in for the catalogue dataset {name}\n" * 64)
    return buf.getvalue()


def serve(path, out_path, srv):
    s = load(path)
    changes = []
    new = {}
    if s.get("datasets"):
        ds = []
        for d in s["datasets"]:
            if not isinstance(d, str) and str(d.get("url", "")).startswith(FILES):
                ds.append(d)
                continue
            name = dataset_name(d)
            if isinstance(d, str):
                body, fname = sample_zip(name), f"{name}.zip"
                e = {"name": name}
                changes.append(f"dataset {name}: catalogue id -> {FILES}{fname} (a zip made by the test)")
            else:
                base = d["url"].rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "file"
                fname = f"{name}-{base}"
                body = hashlib.sha256(name.encode()).digest() * 4096
                e = {k: v for k, v in d.items() if k not in ("url", "sha256", "size")}
                changes.append(f"dataset {name}: {d['url']} -> {FILES}{fname} (a file made by the test)")
            with open(os.path.join(srv, "files", fname), "wb") as f:
                f.write(body)
            e["url"] = FILES + fname
            e["sha256"] = hashlib.sha256(body).hexdigest()
            ds.append(e)
        new["datasets"] = ds
    if s.get("notebooks"):
        nbs = []
        for n in s["notebooks"]:
            if n["repo"].startswith(GIT):
                nbs.append(n)
                continue
            f = folder(n)
            e = dict(n, repo=f"{GIT}{f}.git", path=f)
            changes.append(f"notebooks {f}: {n['repo']} -> {e['repo']} (path: {f}, ref: {n.get('ref', 'default')})")
            nbs.append(e)
        new["notebooks"] = nbs
    with open(path) as f:
        text = f.read()
    with open(out_path, "w") as out:
        for key, lines in blocks(text):
            if key in new and any(c.startswith(("dataset" if key == "datasets" else "notebooks") + " ") for c in changes):
                out.write(f"{key}: {json.dumps(new[key])}\n")
                # keep the comment lines that followed the block (they belong to the next key)
                tail = []
                for line in reversed(lines[1:]):
                    if line.strip() == "" or line.lstrip().startswith("#") and not line.startswith(" "):
                        tail.insert(0, line)
                    else:
                        break
                out.writelines(tail)
            else:
                out.writelines(lines)
    for c in changes:
        print(c)


def main():
    cmd = sys.argv[1]
    if cmd == "facts":
        facts(sys.argv[2])
    elif cmd == "serve":
        os.makedirs(os.path.join(sys.argv[4], "files"), exist_ok=True)
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
