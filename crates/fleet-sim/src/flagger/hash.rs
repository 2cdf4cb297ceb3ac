//! Revision hashes in Flagger's format: a 32-bit FNV-1a of the pod template, its decimal digits
//! mapped to Flagger's alphabet (so values look like `85d557f47b`). Opaque: compare for equality.

use serde_json::Value;

pub fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for b in bytes {
        hash ^= *b as u32;
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

pub fn revision(template: &Value) -> String {
    // serde_json writes object keys in sorted order (BTreeMap), so equal templates hash equally.
    let digits = fnv1a(template.to_string().as_bytes()).to_string();
    digits
        .chars()
        .map(|d| match d {
            '0' => '4',
            '1' => '5',
            '2' => '6',
            '3' => '7',
            '4' => '8',
            '5' => '9',
            '6' => 'b',
            '7' => 'c',
            '8' => 'd',
            _ => 'f',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_templates_equal_hashes() {
        let a = revision(&json!({"spec": {"containers": [{"image": "a:1"}]}}));
        assert_eq!(a, revision(&json!({"spec": {"containers": [{"image": "a:1"}]}})));
        assert_ne!(a, revision(&json!({"spec": {"containers": [{"image": "a:2"}]}})));
        assert!(a.len() <= 10 && a.chars().all(|c| "456789bcdf".contains(c)));
    }
}
