//! Did-you-mean: the closest allowed word to a misspelt one.
//!
//! A case-insensitive exact match wins; otherwise the candidate with the
//! highest normalized Damerau-Levenshtein similarity, if it is at least 0.6.

const THRESHOLD: f64 = 0.6;

/// The candidate closest to `word`, if any is close enough.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        if candidate.to_lowercase() == lower {
            return Some(candidate);
        }
        let score = strsim::normalized_damerau_levenshtein(&lower, &candidate.to_lowercase());
        if score >= THRESHOLD && best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((candidate, score));
        }
    }
    best.map(|(candidate, _)| candidate)
}

/// "`a`, `b` or `c`", for help lines.
pub fn one_of(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        let keys = ["region", "instance"];
        assert_eq!(closest("instanse", keys), Some("instance"));
        assert_eq!(closest("regoin", keys), Some("region"));
        assert_eq!(closest("REGION", keys), Some("region"));
        assert_eq!(closest("flavour", keys), None);
        assert_eq!(
            closest("githb", ["github", "gitlab", "native"]),
            Some("github")
        );
    }

    #[test]
    fn lists_read_naturally() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
