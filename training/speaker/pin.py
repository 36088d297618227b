"""Pin a file's sha256 in models/manifest.json under the entry with the given name (the entry must exist).

usage: python3 pin.py NAME FILE
Edits only that entry's "sha256" value, so the manifest keeps its formatting.
"""
import hashlib
import json
import os
import re
import sys

MANIFEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "manifest.json")


def main():
    name, path = sys.argv[1], sys.argv[2]
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    text = open(MANIFEST).read()
    entry = re.compile(r'("name": "' + re.escape(name) + r'",.*?"sha256": )("[0-9a-f]*"|null)', re.S)
    block = entry.search(text)
    if not block or '"name"' in block.group(1)[len('"name"'):]:
        sys.exit(f"no manifest entry named {name} with a sha256")
    text = text[: block.start(2)] + json.dumps(sha) + text[block.end(2):]
    json.loads(text)
    open(MANIFEST, "w").write(text)
    print(f"pinned {name}: {sha}")


if __name__ == "__main__":
    main()
