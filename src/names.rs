//! Finding things by what a person types (SPEC §4): the words of a name, and the names
//! closest to a query that matched nothing, for a "did you mean". Case-insensitive and
//! deterministic: the same query and candidates give the same answer in the same order.

/// The words of `text`, lower-cased: its runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// True when every word of `query` is a whole word of `name` (case-insensitive), and
/// the query has at least one word: `mfa` is in "Enable MFA", `able` is not.
pub fn has_words(name: &str, query: &str) -> bool {
    let wanted = words(query);
    let have = words(name);
    !wanted.is_empty() && wanted.iter().all(|w| have.contains(w))
}

/// True when `query` occurs in `name`, case-insensitively.
pub fn contains(name: &str, query: &str) -> bool {
    !query.is_empty() && name.to_lowercase().contains(&query.to_lowercase())
}

/// The number of single-character insertions, deletions, substitutions and swaps of
/// two neighbours that turn `a` into `b` (optimal string alignment), over characters: a
/// swapped pair is the commonest slip of the fingers.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows of the table: two back (for swaps), the previous, the current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

/// How far `text` is from `query`: the smaller of the edits between the two whole
/// (folded) texts and the edits that turn each word of the query into its nearest word
/// of the text, summed. So "mfx" is 1 from "Enable MFA", and "sytem updates" 1 from
/// "Apply system updates".
fn distance(query: &str, text: &str) -> usize {
    let whole = edit_distance(&query.to_lowercase(), &text.to_lowercase());
    let have = words(text);
    let by_words: usize = words(query)
        .iter()
        .map(|w| {
            have.iter()
                .map(|h| edit_distance(w, h))
                .min()
                .unwrap_or(w.chars().count())
        })
        .sum();
    whole.min(by_words)
}

/// The most candidates a "did you mean" names.
pub const SUGGESTED: usize = 3;

/// The candidates closest to `query`, as indexes into `candidates`, nearest first (ties
/// by id), at most [`SUGGESTED`]. A candidate is a name and an id (the id may be the
/// name); it is near when one of them is within a third of the query's length in edits
/// (a query of fewer than three characters has no near candidate).
pub fn closest(query: &str, candidates: &[(&str, &str)]) -> Vec<usize> {
    let allowed = query.trim().chars().count() / 3;
    if allowed == 0 {
        return Vec::new();
    }
    let mut near: Vec<(usize, &str, usize)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, (name, id))| {
            let d = distance(query, name).min(distance(query, id));
            (d <= allowed).then_some((d, *id, i))
        })
        .collect();
    near.sort();
    near.into_iter().take(SUGGESTED).map(|(_, _, i)| i).collect()
}

/// `a`, `a or b`, `a, b or c`: a short list in prose.
pub fn either(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        assert_eq!(words("Enable MFA"), ["enable", "mfa"]);
        assert_eq!(
            words("Protect (DDoS) attacks-2"),
            ["protect", "ddos", "attacks", "2"]
        );
        assert!(words(" - ").is_empty());
    }

    #[test]
    fn whole_words_match_in_any_case_and_order() {
        assert!(has_words("Enable MFA", "mfa"));
        assert!(has_words("Enable MFA", "MFA enable"));
        assert!(!has_words("Enable MFA", "able"));
        assert!(!has_words("Enable MFA", "mfa ports"));
        assert!(!has_words("Enable MFA", " "));
        assert!(contains("Enable MFA", "ble m"));
        assert!(!contains("Enable MFA", ""));
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("mfa", "mfa"), 0);
        assert_eq!(edit_distance("mfx", "mfa"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("alpah", "alpha"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
    }

    #[test]
    fn suggests_the_nearest_few_deterministically() {
        let candidates = [
            ("Enable MFA", "c-mfa"),
            ("Apply system updates", "c-updates"),
            ("Secure management ports", "c-ports"),
        ];
        // "mfx" → "mfa" is one edit; 3 characters allow one.
        assert_eq!(closest("mfx", &candidates), [0]);
        // "sytem" → "system" 1 edit, "updates" 0: 1 ≤ 13 / 3.
        assert_eq!(closest("sytem updates", &candidates), [1]);
        assert!(closest("firewall", &candidates).is_empty());
        // Fewer than three characters: nothing is near.
        assert!(closest("mf", &candidates).is_empty());
        // A mistyped id: one edit from "c-ports" (7 characters allow 2).
        assert_eq!(closest("c-port", &candidates), [2]);
        // Every id is one edit from "id-x" (and every name further): ties go by id,
        // and only three are named.
        let tied = [("b", "id-b"), ("a", "id-a"), ("c", "id-c"), ("d", "id-d")];
        assert_eq!(closest("id-x", &tied), [1, 0, 2]);
    }

    #[test]
    fn lists_read_as_prose() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(either(&s(&[])), "");
        assert_eq!(either(&s(&["a"])), "a");
        assert_eq!(either(&s(&["a", "b"])), "a or b");
        assert_eq!(either(&s(&["a", "b", "c"])), "a, b or c");
    }
}
