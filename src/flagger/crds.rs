//! The CustomResourceDefinitions the tool installs, generated from the Rust types so the schema
//! and the code cannot drift apart.

use kube::CustomResourceExt;
use serde_json::{Value, json};

use super::types::{AlertProvider, Canary, MetricTemplate};

pub const CANARY_CRD: &str = "canaries.flagger.app";
pub const METRIC_TEMPLATE_CRD: &str = "metrictemplates.flagger.app";
pub const ALERT_PROVIDER_CRD: &str = "alertproviders.flagger.app";
pub const ALL: &[&str] = &[CANARY_CRD, METRIC_TEMPLATE_CRD, ALERT_PROVIDER_CRD];

/// The three Flagger CRDs as JSON objects ready for server-side apply.
pub fn flagger_crds() -> Vec<Value> {
    [Canary::crd(), MetricTemplate::crd(), AlertProvider::crd()]
        .into_iter()
        .map(|crd| {
            let mut v = serde_json::to_value(crd).unwrap_or(Value::Null);
            as_flagger_declares(&mut v);
            // Flagger's chart keeps the CRDs when the release is removed; so do we unless asked.
            v["metadata"]["annotations"] = json!({"helm.sh/resource-policy": "keep"});
            v
        })
        .collect()
}

/// Where kube's generated schema and Flagger v1.44's CRD differ in ways the Rust types cannot
/// say: Flagger's schemas declare the object's apiVersion, kind and metadata, and MetricTemplate
/// and AlertProvider have a status subresource without any status schema (so a status is
/// pruned to nothing). Checked against upstream by tests/cli/crd_fidelity.rs.
fn as_flagger_declares(crd: &mut Value) {
    let kind = crd["spec"]["names"]["kind"].as_str().unwrap_or_default().to_string();
    let Some(versions) = crd["spec"]["versions"].as_array_mut() else {
        return;
    };
    for version in versions {
        let Some(properties) = version["schema"]["openAPIV3Schema"]["properties"].as_object_mut() else {
            continue;
        };
        properties.insert("apiVersion".into(), json!({"type": "string"}));
        properties.insert("kind".into(), json!({"type": "string"}));
        properties.insert("metadata".into(), json!({"type": "object"}));
        if kind != "Canary" {
            properties.remove("status");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canary_crd_matches_flaggers_identity() {
        let crds = flagger_crds();
        let canary = &crds[0];
        assert_eq!(canary["metadata"]["name"], CANARY_CRD);
        assert_eq!(canary["spec"]["scope"], "Namespaced");
        assert_eq!(canary["spec"]["names"]["categories"], json!(["all"]));
        let version = &canary["spec"]["versions"][0];
        assert_eq!(version["name"], "v1beta1");
        assert!(version["subresources"]["status"].is_object());
        let columns: Vec<&str> = version["additionalPrinterColumns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            columns,
            vec![
                "Status",
                "Weight",
                "Suspended",
                "FailedChecks",
                "Interval",
                "Mirror",
                "StepWeight",
                "StepWeights",
                "MaxWeight",
                "LastTransitionTime"
            ]
        );
        let required = &version["schema"]["openAPIV3Schema"]["properties"]["spec"]["required"];
        assert_eq!(required, &json!(["analysis", "targetRef"]));
        assert_eq!(crds[1]["metadata"]["name"], METRIC_TEMPLATE_CRD);
        assert_eq!(crds[2]["metadata"]["name"], ALERT_PROVIDER_CRD);
    }
}

#[cfg(test)]
mod schema_tests {
    use super::*;
    use crate::flagger::Canary;

    const EVERY_FIELD: &str = include_str!("../../testdata/canary-every-field.yaml");

    fn canary_schema() -> Value {
        flagger_crds()[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
    }

    #[test]
    fn generated_schema_accepts_and_keeps_every_field() {
        let canary: Value = serde_saphyr::from_str(EVERY_FIELD).unwrap();
        let checked = apimachinery::schema::check(&canary, &canary_schema());
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        assert!(checked.unknown.is_empty(), "pruned: {:?}", checked.unknown);
        assert_eq!(checked.object, canary);
    }

    #[test]
    fn rust_types_round_trip_every_field() {
        let original: Value = serde_saphyr::from_str(EVERY_FIELD).unwrap();
        let typed: Canary = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), original);
    }

    #[test]
    fn schema_rejects_what_flagger_rejects() {
        let mut canary: Value = serde_saphyr::from_str(EVERY_FIELD).unwrap();
        canary["spec"]["provider"] = json!("bogus");
        canary["spec"]["analysis"]["webhooks"][0]["type"] = json!("pre-flight");
        canary["spec"]["service"].as_object_mut().unwrap().remove("port");
        let errors: Vec<String> = apimachinery::schema::check(&canary, &canary_schema())
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(errors.contains(&"spec.provider".to_string()), "{errors:?}");
        assert!(
            errors.contains(&"spec.analysis.webhooks[0].type".to_string()),
            "{errors:?}"
        );
        assert!(errors.contains(&"spec.service.port".to_string()), "{errors:?}");
    }
}
