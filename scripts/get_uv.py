"""Fetch the uv binary from PyPI into .tools/ when uv is not installed.

Works with a bare ``python3`` (no pip, no venv module): it downloads uv's wheel for
this platform from PyPI, checks its SHA-256 against PyPI's metadata and extracts the
``uv`` executable. uv then creates the virtual environment and installs everything.
"""

import hashlib
import io
import json
import os
import platform
import stat
import sys
import urllib.request
import zipfile
from pathlib import Path

UV_VERSION = "0.13.9"
TAGS = {
    ("Linux", "x86_64"): "manylinux_2_17_x86_64",
    ("Linux", "aarch64"): "manylinux_2_17_aarch64",
    ("Darwin", "x86_64"): "macosx_10_12_x86_64",
    ("Darwin", "arm64"): "macosx_11_0_arm64",
}


def main(target: Path) -> None:
    key = (platform.system(), platform.machine())
    tag = TAGS.get(key)
    if tag is None:
        sys.exit(f"No uv wheel known for {key}; install uv yourself (pip install uv).")
    index = os.environ.get("UV_BOOTSTRAP_INDEX", "https://pypi.org/simple")
    request = urllib.request.Request(  # noqa: S310 - PEP 691 JSON form of the simple index
        f"{index}/uv/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310
        files = json.load(r)["files"]
    wheel = next(
        (
            f
            for f in files
            if f["filename"].startswith(f"uv-{UV_VERSION}-") and tag in f["filename"]
        ),
        None,
    )
    if wheel is None:
        sys.exit(f"uv {UV_VERSION} has no wheel for {tag}.")
    print(f"Downloading {wheel['filename']} from PyPI…")
    with urllib.request.urlopen(wheel["url"], timeout=300) as r:  # noqa: S310
        data = r.read()
    if hashlib.sha256(data).hexdigest() != wheel["hashes"]["sha256"]:
        sys.exit("The downloaded uv wheel does not match PyPI's checksum.")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = next(n for n in archive.namelist() if n.endswith("/scripts/uv"))
        target.mkdir(parents=True, exist_ok=True)
        binary = target / "uv"
        binary.write_bytes(archive.read(member))
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(f"uv {UV_VERSION} is at {binary}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else os.path.join(".tools")))
