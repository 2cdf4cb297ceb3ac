//! YAML as the plugin prints it and the simulator serves it.

use serde_json::Value;

pub fn to_yaml(value: &Value) -> String {
    // Serialising a JSON value to YAML cannot fail; fall back to JSON (valid YAML) regardless.
    serde_saphyr::to_string(value).unwrap_or_else(|_| value.to_string())
}
