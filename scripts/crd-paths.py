#!/usr/bin/env python3
"""Lists every field path of the CRDs in a YAML file with its type, one per line:

    <crd name> <path> <type>

A path starts at the served version's openAPIV3Schema (`.` is the root); `.name` is a property,
`[]` the items of an array, `{}` the values of a map (additionalProperties). The type is the
schema's `type`, `int-or-string` for x-kubernetes-int-or-string, with `+preserve` appended when
unknown fields are kept (x-kubernetes-preserve-unknown-fields), `any` when neither is given.

Written for tests/cli/crd_fidelity.rs: run it on upstream Flagger's CRD
(artifacts/flagger/crd.yaml at a release tag) and keep the output as testdata/flagger-crd-paths.txt.
    python3 scripts/crd-paths.py crd.yaml > testdata/flagger-crd-paths.txt
"""
import sys

import yaml


def type_of(schema):
    if schema.get("x-kubernetes-int-or-string"):
        kind = "int-or-string"
    else:
        kind = schema.get("type", "any")
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        kind += "+preserve"
    return kind


def walk(name, path, schema, out):
    out.append(f"{name} {path or '.'} {type_of(schema)}")
    for key, child in sorted((schema.get("properties") or {}).items()):
        walk(name, f"{path}.{key}", child, out)
    if isinstance(schema.get("items"), dict):
        walk(name, f"{path}[]", schema["items"], out)
    if isinstance(schema.get("additionalProperties"), dict):
        walk(name, path + "{}", schema["additionalProperties"], out)


def main(path):
    out = []
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            name = doc["metadata"]["name"]
            for version in doc["spec"]["versions"]:
                if version.get("storage"):
                    walk(name, "", version["schema"]["openAPIV3Schema"], out)
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
