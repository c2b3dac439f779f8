//! Finding an entry by the id a person typed: any case, `entry/item` as `search` prints it,
//! and, on a miss, the nearest ids as suggestions.

use super::library::Library;
use super::model::Entry;

/// The entry an id argument names: any case, and `entry/item` as `search` prints it (the
/// item must exist; the entry is returned). A miss is a message for people that suggests the
/// nearest ids and the command that lists them all.
pub fn resolve_id<'a>(lib: &'a Library, arg: &str) -> Result<&'a Entry, String> {
    let arg = arg.trim();
    let (entry_arg, item_arg) = match arg.split_once('/') {
        Some((e, i)) => (e.trim(), Some(i.trim())),
        None => (arg, None),
    };
    let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    // The rows: finding an id decodes only the entry found.
    let rows = lib.entries.rows();
    let Some(e) = rows
        .iter()
        .position(|r| same(&r.id, entry_arg))
        .map(|i| &lib.entries[i])
    else {
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        // A name ("NeoSphere") points at its entry too.
        let by_name: Vec<&str> = rows
            .iter()
            .filter(|r| same(&r.name, entry_arg))
            .map(|r| r.id.as_str())
            .collect();
        let mut near = by_name;
        for id in nearest(entry_arg, &ids) {
            if !near.contains(&id) {
                near.push(id);
            }
        }
        return Err(miss(
            &format!("no trial or topic with id `{entry_arg}`"),
            &near,
            "trialdeck list",
        ));
    };
    if let Some(item) = item_arg.filter(|i| !i.is_empty()) {
        // Safety items have no id of their own: search names them `safety-N`, from 1.
        let safety: Vec<String> = (1..=e.safety.len())
            .map(|n| format!("safety-{n}"))
            .collect();
        let items: Vec<&str> = e
            .findings
            .iter()
            .map(|f| f.id.as_str())
            .chain(e.questions.iter().map(|q| q.id.as_str()))
            .chain(e.discrepancies.iter().map(|d| d.id.as_str()))
            .chain(safety.iter().map(String::as_str))
            .collect();
        if !items.iter().any(|i| same(i, item)) {
            let near: Vec<String> = nearest(item, &items)
                .into_iter()
                .map(|i| format!("{}/{i}", e.id))
                .collect();
            let near: Vec<&str> = near.iter().map(String::as_str).collect();
            return Err(miss(
                &format!(
                    "`{}` has no finding, question, discrepancy or safety item `{item}`",
                    e.id
                ),
                &near,
                &format!("trialdeck search {} --limit 200", e.id),
            ));
        }
    }
    Ok(e)
}

/// The message for an id that names nothing: what was missed, the nearest ids, and the
/// command that lists them all.
pub fn miss(what: &str, near: &[&str], all: &str) -> String {
    match near {
        [] => format!("{what} (see `{all}` for every id)"),
        [one] => format!("{what}; did you mean `{one}`? (see `{all}`)"),
        many => format!(
            "{what}; did you mean one of: {}? (see `{all}`)",
            many.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Most ids suggested on a miss.
pub const SUGGESTIONS: usize = 3;

/// The ids nearest to `arg`, best first: those that start with it (or it with them), then
/// those within a few edits of it. Empty when nothing is near.
pub fn nearest<'a>(arg: &str, ids: &[&'a str]) -> Vec<&'a str> {
    let a = arg.to_lowercase();
    if a.is_empty() {
        return Vec::new();
    }
    let max_edits = (a.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = ids
        .iter()
        .filter_map(|&id| {
            let l = id.to_lowercase();
            let d = edit_distance(&a, &l);
            if l.starts_with(&a) || (a.starts_with(&l) && l.chars().count() >= 3) {
                Some((0, id))
            } else if d <= max_edits {
                Some((d, id))
            } else {
                None
            }
        })
        .collect();
    scored.sort_by_key(|&(d, id)| (d, id.len()));
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, id)| id)
        .collect()
}

/// Edit distance over chars, a swap of neighbours counting as one edit ("alpah" is one
/// from "alpha").
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j - 1] + cost)
                .min(d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("alpha", "alpha"), 0);
        assert_eq!(edit_distance("alpah", "alpha"), 1);
        assert_eq!(edit_distance("alp", "alpha"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn nearest_prefers_prefixes_then_few_edits_and_caps_the_list() {
        let ids = ["emilia", "emilia-2", "embrace", "neosphere", "cleopatra"];
        assert_eq!(nearest("emil", &ids), ["emilia", "emilia-2"]);
        assert_eq!(nearest("neospher", &ids), ["neosphere"]);
        assert_eq!(nearest("cleoptara", &ids), ["cleopatra"]);
        assert!(nearest("zzzz", &ids).is_empty());
        assert!(nearest("", &ids).is_empty());
        assert!(nearest("e", &["e1", "e2", "e3", "e4"]).len() <= SUGGESTIONS);
    }

    #[test]
    fn a_miss_names_the_suggestions_and_where_to_see_all() {
        assert_eq!(
            miss("no x", &[], "trialdeck list"),
            "no x (see `trialdeck list` for every id)"
        );
        assert_eq!(
            miss("no x", &["a"], "trialdeck list"),
            "no x; did you mean `a`? (see `trialdeck list`)"
        );
        assert_eq!(
            miss("no x", &["a", "b"], "trialdeck list"),
            "no x; did you mean one of: `a`, `b`? (see `trialdeck list`)"
        );
    }
}
