"""The official Python `kubernetes` client against one simulated cluster.

A second client, written by other people than ours and kubectl's, must see the simulator behave
like kube-apiserver: CRUD, watch resume, paging, server-side apply conflicts, the status
subresource and error `Status` bodies. Run by `tests/cli/python_client.rs` with KUBECONFIG
pointing at a playground cluster; stdlib `unittest` only, so the venv needs just `kubernetes`.
"""

import json
import os
import sys
import time
import unittest
import uuid

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=os.environ["KUBECONFIG"])
CORE = client.CoreV1Api()
CUSTOM = client.CustomObjectsApi()
EXT = client.ApiextensionsV1Api()
APPS = client.AppsV1Api()
NS = "default"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def status_of(err):
    """The `Status` object an API error carries."""
    return json.loads(err.body)


def configmap(name, data=None, labels=None):
    return client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=name, labels=labels or {}),
        data=data or {"k": "v"},
    )


def wait_for(check, what, seconds=90):
    """Polls `check` until it returns a truthy value; the one place this file waits (the
    deadline bounds a hang on a loaded machine, it measures nothing)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "listKind": "GadgetList"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                            "status": {"type": "object", "properties": {"phase": {"type": "string"}}},
                        },
                    }
                },
            }
        ],
    },
}


def ensure_gadget_crd():
    try:
        EXT.create_custom_resource_definition(WIDGET_CRD)
    except ApiException as err:
        if err.status != 409:
            raise

    def served():
        try:
            CUSTOM.list_namespaced_custom_object("example.com", "v1", NS, "gadgets")
            return True
        except ApiException:
            return False

    wait_for(served, "the gadgets CRD to be served")


class Crud(unittest.TestCase):
    def test_create_read_replace_patch_delete(self):
        name = unique("crud")
        created = CORE.create_namespaced_config_map(NS, configmap(name))
        self.assertEqual(created.metadata.name, name)
        self.assertTrue(created.metadata.uid)
        self.assertTrue(created.metadata.resource_version)
        self.assertIsNotNone(created.metadata.creation_timestamp)

        read = CORE.read_namespaced_config_map(name, NS)
        self.assertEqual(read.data, {"k": "v"})

        read.data = {"k": "w"}
        replaced = CORE.replace_namespaced_config_map(name, NS, read)
        self.assertEqual(replaced.data, {"k": "w"})
        self.assertNotEqual(replaced.metadata.resource_version, read.metadata.resource_version)

        # A replace that carries the old resourceVersion is refused as a conflict.
        with self.assertRaises(ApiException) as stale:
            CORE.replace_namespaced_config_map(name, NS, read)
        self.assertEqual(stale.exception.status, 409)
        self.assertEqual(status_of(stale.exception)["reason"], "Conflict")

        patched = CORE.patch_namespaced_config_map(name, NS, {"data": {"extra": "1"}})
        self.assertEqual(patched.data, {"k": "w", "extra": "1"})

        CORE.delete_namespaced_config_map(name, NS)
        with self.assertRaises(ApiException) as gone:
            CORE.read_namespaced_config_map(name, NS)
        self.assertEqual(gone.exception.status, 404)


class Watches(unittest.TestCase):
    def test_watch_resumes_from_a_resource_version(self):
        label = unique("w")
        listed = CORE.list_namespaced_config_map(NS, label_selector=f"watch={label}")
        start_rv = listed.metadata.resource_version
        first, second = unique("wa"), unique("wb")
        CORE.create_namespaced_config_map(NS, configmap(first, labels={"watch": label}))
        CORE.create_namespaced_config_map(NS, configmap(second, labels={"watch": label}))

        seen = []
        w = watch.Watch()
        for event in w.stream(
            CORE.list_namespaced_config_map,
            NS,
            label_selector=f"watch={label}",
            resource_version=start_rv,
            timeout_seconds=10,
        ):
            seen.append((event["type"], event["object"].metadata.name, event["object"].metadata.resource_version))
            if len(seen) == 2:
                w.stop()
        self.assertEqual([(t, n) for t, n, _ in seen], [("ADDED", first), ("ADDED", second)])

        # Resuming from the last event's version replays nothing already seen.
        resume_rv = seen[-1][2]
        CORE.patch_namespaced_config_map(first, NS, {"data": {"k": "changed"}})
        later = []
        w = watch.Watch()
        for event in w.stream(
            CORE.list_namespaced_config_map,
            NS,
            label_selector=f"watch={label}",
            resource_version=resume_rv,
            timeout_seconds=10,
        ):
            later.append((event["type"], event["object"].metadata.name))
            w.stop()
        self.assertEqual(later, [("MODIFIED", first)])

    def test_a_too_old_resource_version_is_gone(self):
        with self.assertRaises(ApiException) as err:
            for _ in watch.Watch().stream(
                CORE.list_namespaced_config_map, NS, resource_version="1", timeout_seconds=5
            ):
                pass
        # The Python client turns the ERROR event into an ApiException with status 410.
        self.assertEqual(err.exception.status, 410)


class Paging(unittest.TestCase):
    def test_limit_and_continue_read_every_item_once(self):
        label = unique("p")
        names = sorted(unique(f"page{i}") for i in range(5))
        for name in names:
            CORE.create_namespaced_config_map(NS, configmap(name, labels={"page": label}))
        first = CORE.list_namespaced_config_map(NS, label_selector=f"page={label}", limit=2)
        self.assertEqual(len(first.items), 2)
        self.assertTrue(first.metadata._continue)
        # etcd3 store GetList: with a selector the server cannot count what is left.
        self.assertIsNone(first.metadata.remaining_item_count)
        got = [i.metadata.name for i in first.items]
        token = first.metadata._continue
        while token:
            page = CORE.list_namespaced_config_map(NS, label_selector=f"page={label}", limit=2, _continue=token)
            got.extend(i.metadata.name for i in page.items)
            token = page.metadata._continue
        self.assertEqual(got, names)

    def test_without_a_selector_the_remaining_items_are_counted(self):
        everything = len(CORE.list_namespaced_config_map(NS).items)
        for i in range(3):
            CORE.create_namespaced_config_map(NS, configmap(unique(f"count{i}")))
        first = CORE.list_namespaced_config_map(NS, limit=2)
        self.assertEqual(first.metadata.remaining_item_count, everything + 3 - 2)

    def test_a_garbage_continue_token_is_a_bad_request(self):
        with self.assertRaises(ApiException) as err:
            CORE.list_namespaced_config_map(NS, limit=2, _continue="not-a-token")
        self.assertEqual(err.exception.status, 400)
        self.assertEqual(status_of(err.exception)["reason"], "BadRequest")


class ServerSideApply(unittest.TestCase):
    def apply(self, name, data, manager, force=False):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
        return CORE.patch_namespaced_config_map(
            name,
            NS,
            body,
            field_manager=manager,
            force=force,
            _content_type="application/apply-patch+yaml",
        )

    def test_conflicts_with_another_manager_unless_forced(self):
        name = unique("ssa")
        self.apply(name, {"owned": "a"}, "first")
        # Another manager takes the field with an ordinary update.
        CORE.patch_namespaced_config_map(name, NS, {"data": {"owned": "b"}}, field_manager="editor")
        with self.assertRaises(ApiException) as err:
            self.apply(name, {"owned": "c"}, "first")
        self.assertEqual(err.exception.status, 409)
        status = status_of(err.exception)
        self.assertEqual(status["reason"], "Conflict")
        self.assertIn('conflict with "editor"', status["message"])
        causes = status["details"]["causes"]
        self.assertEqual(causes[0]["reason"], "FieldManagerConflict")
        self.assertEqual(causes[0]["field"], ".data.owned")

        forced = self.apply(name, {"owned": "c"}, "first", force=True)
        self.assertEqual(forced.data["owned"], "c")
        managers = {m.manager: m for m in forced.metadata.managed_fields}
        self.assertEqual(managers["first"].operation, "Apply")
        self.assertIn("f:owned", json.dumps(managers["first"].fields_v1))
        # The forced field left the editor's set (and an empty set leaves no entry).
        self.assertTrue("editor" not in managers or "f:owned" not in json.dumps(managers["editor"].fields_v1))

    def test_force_is_refused_on_a_patch_that_is_not_an_apply(self):
        # apimachinery ValidatePatchOptions: force is for apply patches only.
        name = unique("ssa")
        self.apply(name, {"owned": "a"}, "first")
        with self.assertRaises(ApiException) as err:
            CORE.patch_namespaced_config_map(name, NS, {"data": {"owned": "b"}}, field_manager="editor", force=True)
        self.assertEqual(err.exception.status, 422)
        status = status_of(err.exception)
        self.assertEqual(status["reason"], "Invalid")
        self.assertEqual(
            status["message"],
            'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
        )
        self.assertEqual(CORE.read_namespaced_config_map(name, NS).data, {"owned": "a"})

    def test_fields_a_manager_stops_applying_are_removed(self):
        name = unique("ssa")
        self.apply(name, {"keep": "1", "drop": "2"}, "owner")
        after = self.apply(name, {"keep": "1"}, "owner")
        self.assertEqual(after.data, {"keep": "1"})


class StatusSubresource(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_gadget_crd()

    def test_spec_and_status_are_written_through_their_own_endpoints(self):
        name = unique("g")
        created = CUSTOM.create_namespaced_custom_object(
            "example.com",
            "v1",
            NS,
            "gadgets",
            {
                "apiVersion": "example.com/v1",
                "kind": "Gadget",
                "metadata": {"name": name},
                "spec": {"size": 1},
                "status": {"phase": "ignored"},
            },
        )
        self.assertNotIn("status", created)
        self.assertEqual(created["metadata"]["generation"], 1)

        with_status = CUSTOM.patch_namespaced_custom_object_status(
            "example.com", "v1", NS, "gadgets", name, {"status": {"phase": "Ready"}}
        )
        self.assertEqual(with_status["status"], {"phase": "Ready"})
        self.assertEqual(with_status["metadata"]["generation"], 1)

        spec_change = CUSTOM.patch_namespaced_custom_object(
            "example.com", "v1", NS, "gadgets", name, {"spec": {"size": 2}, "status": {"phase": "nope"}}
        )
        self.assertEqual(spec_change["spec"], {"size": 2})
        self.assertEqual(spec_change["status"], {"phase": "Ready"})
        self.assertEqual(spec_change["metadata"]["generation"], 2)


class ErrorBodies(unittest.TestCase):
    def test_not_found(self):
        with self.assertRaises(ApiException) as err:
            CORE.read_namespaced_config_map("does-not-exist", NS)
        status = status_of(err.exception)
        self.assertEqual(err.exception.status, 404)
        self.assertEqual(status["kind"], "Status")
        self.assertEqual(status["status"], "Failure")
        self.assertEqual(status["reason"], "NotFound")
        self.assertEqual(status["code"], 404)
        self.assertEqual(status["details"], {"name": "does-not-exist", "kind": "configmaps"})
        self.assertEqual(status["message"], 'configmaps "does-not-exist" not found')

    def test_already_exists(self):
        name = unique("dup")
        CORE.create_namespaced_config_map(NS, configmap(name))
        with self.assertRaises(ApiException) as err:
            CORE.create_namespaced_config_map(NS, configmap(name))
        status = status_of(err.exception)
        self.assertEqual(err.exception.status, 409)
        self.assertEqual(status["reason"], "AlreadyExists")
        self.assertEqual(status["message"], f'configmaps "{name}" already exists')

    def test_invalid_name_lists_its_cause(self):
        with self.assertRaises(ApiException) as err:
            CORE.create_namespaced_config_map(NS, configmap("Not_Valid"))
        status = status_of(err.exception)
        self.assertEqual(err.exception.status, 422)
        self.assertEqual(status["reason"], "Invalid")
        self.assertEqual(status["details"]["kind"], "ConfigMap")
        causes = status["details"]["causes"]
        self.assertEqual(causes[0]["field"], "metadata.name")
        self.assertEqual(causes[0]["reason"], "FieldValueInvalid")

    def test_missing_namespace(self):
        with self.assertRaises(ApiException) as err:
            CORE.create_namespaced_config_map("no-such-namespace", configmap(unique("x")))
        status = status_of(err.exception)
        self.assertEqual(err.exception.status, 404)
        self.assertEqual(status["reason"], "NotFound")
        self.assertEqual(status["message"], 'namespaces "no-such-namespace" not found')


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
