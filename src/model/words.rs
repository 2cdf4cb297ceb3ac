//! Counted nouns in messages (pure): `1 cluster`, `2 clusters`.

/// `n` and the noun in the number `n` takes.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(counted(1, "cluster", "clusters"), "1 cluster");
        assert_eq!(counted(0, "cluster", "clusters"), "0 clusters");
        assert_eq!(counted(2, "Canary", "Canaries"), "2 Canaries");
    }
}
