#!/usr/bin/python3
"""validate.py - check that a tool's --json answers have the shape its
schema gives (tools/json/TOOL.schema.json, JSON Schema 2020-12).

usage: validate.py SCHEMA_DIR TOOL [FILE|-]...

Each FILE (or stdin, '-') must hold exactly one JSON object on one line,
ended by a newline, and nothing else: that is what every mode with --json
promises. The schemas themselves are checked first. Exit 0 when all hold;
1 with the reasons on stderr otherwise. Run with Debian's /usr/bin/python3
(python3-jsonschema), not a pyenv interpreter without it.
"""
import json
import os
import sys

import jsonschema


def load_schemas(folder):
    store = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".schema.json"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            store[schema["$id"]] = schema
    return store


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    store = load_schemas(argv[1])
    ids = [k for k in store if k.endswith("/%s.schema.json" % argv[2])]
    if len(ids) != 1:
        sys.stderr.write("validate.py: no schema for %s in %s\n" % (argv[2], argv[1]))
        return 2
    schema = store[ids[0]]
    resolver = jsonschema.RefResolver(ids[0], schema, store=store)
    validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
    bad = 0
    for path in argv[3:] or ["-"]:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        where = "stdin" if path == "-" else path
        if not text.endswith("\n") or text.count("\n") != 1:
            sys.stderr.write("%s: not exactly one line: %r\n" % (where, text[:400]))
            bad += 1
            continue
        try:
            obj = json.loads(text)
        except ValueError as e:
            sys.stderr.write("%s: not JSON (%s): %r\n" % (where, e, text[:400]))
            bad += 1
            continue
        if not isinstance(obj, dict):
            sys.stderr.write("%s: not a JSON object: %r\n" % (where, text[:400]))
            bad += 1
            continue
        for err in validator.iter_errors(obj):
            path_s = "/".join(str(p) for p in err.absolute_path)
            sys.stderr.write("%s: %s: %s\n" % (where, path_s or "(top)", err.message))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
