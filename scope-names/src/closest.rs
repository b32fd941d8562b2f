//! The "did you mean" rule: the names within a few edits of a wanted one.
//! Used for unknown macro options, missing variables and checkpoint
//! tensors alike.

/// Up to three of `names` closest to `wanted` (edit distance within a
/// quarter of its length, at least 2; ties in name order), for "did you
/// mean" hints.
pub fn closest_names<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = names.map(|n| (edit_distance(wanted, n), n)).collect();
    scored.sort();
    let limit = (wanted.len() / 4).max(2);
    scored
        .into_iter()
        .filter(|(d, _)| *d <= limit)
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// The one closest of `names`, if any is close enough ([`closest_names`]).
pub fn closest_name<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Option<String> {
    closest_names(wanted, names).into_iter().next()
}

/// Levenshtein distance over bytes, capped at the first 256 bytes of each
/// (names can be long).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a = &a.as_bytes()[..a.len().min(256)];
    let b = &b.as_bytes()[..b.len().min(256)];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("resue", "reuse"), 2);
        assert_eq!(edit_distance("dtype", "dtype"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn closest_within_a_quarter_of_the_length() {
        let names = ["encoder/kernel", "encoder/bias", "decoder/kernel"];
        assert_eq!(
            closest_names("encoder/kernal", names.iter().copied()),
            ["encoder/kernel", "decoder/kernel"]
        );
        assert_eq!(
            closest_name("resue", ["reuse", "name"].into_iter()).as_deref(),
            Some("reuse")
        );
        assert!(closest_names("zzzz", names.iter().copied()).is_empty());
    }
}
