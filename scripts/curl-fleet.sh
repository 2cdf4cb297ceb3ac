#!/usr/bin/env bash
# The independent client of the README's 1000-cluster `status` target: curl (OpenSSL, HTTP/2)
# reads one Canary from every context of the kubeconfig at once (or from one context), so the
# plugin's scaling can be set beside a client that does less per cluster on the same machine.
#
#   scripts/curl-fleet.sh NAMESPACE NAME [CONTEXT]
#   e.g. scripts/curl-fleet.sh test podinfo
#
# Contexts whose user has a bearer token only (the simulated fleet's kind). Prints how many
# clusters answered each HTTP status, and the time curl took (reading the kubeconfig and
# writing curl's configuration are not timed). Needs kubectl, python3 and curl.
set -euo pipefail
namespace=$1
name=$2
only=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kubectl config view --raw -o json > "$work/config.json"
python3 - "$work" "$namespace" "$name" "$only" <<'PY'
import base64, hashlib, json, sys
work, namespace, name, only = sys.argv[1:]
config = json.load(open(f"{work}/config.json"))
clusters = {c["name"]: c["cluster"] for c in config["clusters"]}
users = {u["name"]: u.get("user", {}) for u in config.get("users") or []}
blocks = []
for context in config["contexts"]:
    if only and context["name"] != only:
        continue
    cluster = clusters[context["context"]["cluster"]]
    token = users.get(context["context"].get("user"), {}).get("token")
    if not token:
        sys.exit(f"context {context['name']}: no bearer token in its user; this script reads token users only")
    ca = base64.b64decode(cluster["certificate-authority-data"])
    ca_file = f"{work}/{hashlib.sha256(ca).hexdigest()}.pem"
    open(ca_file, "wb").write(ca)
    url = f"{cluster['server']}/apis/flagger.app/v1beta1/namespaces/{namespace}/canaries?fieldSelector=metadata.name%3D{name}"
    blocks.append(
        f'url = "{url}"\noutput = "/dev/null"\nheader = "Authorization: Bearer {token}"\n'
        f'cacert = "{ca_file}"\nhttp2\nsilent\nshow-error\nwrite-out = "%{{http_code}}\\n"\n'
    )
if not blocks:
    sys.exit(f"no context {only} in the kubeconfig")
open(f"{work}/curl.cfg", "w").write("next\n".join(blocks))
PY
TIMEFORMAT='curl: %R s, %U s user, %S s system CPU'
time curl --parallel --parallel-max 1000 --no-progress-meter -K "$work/curl.cfg" > "$work/codes"
sort "$work/codes" | uniq -c
