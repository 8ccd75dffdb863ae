"""Fill the shared datasets volume once: atlasod's dataset Job for Zero to JupyterHub.

Reads the dataset list (JSON) named by ATLASOD_DATASETS, downloads every file
into ATLASOD_DATA_DIR/<dataset>/, and unpacks zips. Idempotent: a dataset with
a `.complete` marker is skipped, so the Job can run again after a failure or an
added dataset. Resumable: a partial download continues with an HTTP Range
request. Checks each file's SHA-256 when one is given, else that its size is
in the accepted range (publishers give rounded sizes), and every zip's integrity before
unpacking. Fails loudly (non-zero exit, a message naming the file) on any
mismatch. Standard library only, so it runs in the single-user image itself.
"""

import hashlib
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
import zipfile

CHUNK = 1 << 20


def log(message):
    print(f"atlasod-datasets: {message}", flush=True)


def fail(message):
    print(f"atlasod-datasets: error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def download(url, path):
    """Downloads `url` to `path`, continuing a partial file."""
    done = os.path.getsize(path) if os.path.exists(path) else 0
    request = urllib.request.Request(url, headers={"User-Agent": "atlasod-datasets"})
    if done:
        request.add_header("Range", f"bytes={done}-")
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as error:
        if error.code == 416 and done:
            return  # nothing left to fetch: the file is already whole
        fail(f"{url}: HTTP {error.code} {error.reason}")
    except OSError as error:
        fail(f"{url}: {error}")
    with response:
        resumed = done and response.status == 206
        if done and not resumed:
            log(f"{url}: the server does not resume, starting again")
        with open(path, "ab" if resumed else "wb") as out:
            shutil.copyfileobj(response, out, CHUNK)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(entry, path):
    size = os.path.getsize(path)
    if entry.get("sha256"):
        actual = sha256(path)
        if actual != entry["sha256"].lower():
            fail(f"{path}: SHA-256 is {actual}, expected {entry['sha256']}")
    elif entry.get("min_bytes") is not None or entry.get("max_bytes") is not None:
        low, high = entry.get("min_bytes") or 0, entry.get("max_bytes") or float("inf")
        if not low <= size <= high:
            fail(f"{path}: {size} bytes, expected between {low} and {high}")
    if path.lower().endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
            if broken is not None:
                fail(f"{path}: the zip is damaged at {broken}")


def fetch(dataset, root):
    folder = os.path.join(root, dataset["name"])
    marker = os.path.join(folder, ".complete")
    if os.path.exists(marker):
        log(f"{dataset['name']}: already in place")
        return
    os.makedirs(folder, exist_ok=True)
    for entry in dataset["files"]:
        path = os.path.join(folder, entry["filename"])
        log(f"{dataset['name']}: downloading {entry['url']}")
        download(entry["url"], path)
        verify(entry, path)
        if dataset.get("unzip") and path.lower().endswith(".zip"):
            log(f"{dataset['name']}: unpacking {entry['filename']}")
            with zipfile.ZipFile(path) as archive:
                archive.extractall(folder)
            os.remove(path)
    with open(marker, "w", encoding="utf-8") as done:
        done.write("complete\n")
    log(f"{dataset['name']}: done")


def main():
    with open(os.environ["ATLASOD_DATASETS"], encoding="utf-8") as listing:
        datasets = json.load(listing)
    root = os.environ.get("ATLASOD_DATA_DIR", "/data")
    for dataset in datasets:
        fetch(dataset, root)
    log(f"all {len(datasets)} datasets are in place")


if __name__ == "__main__":
    main()
