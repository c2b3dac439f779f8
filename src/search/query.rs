//! The query language: terms, exact terms, negations, `@role` and `#kind` filters, and the
//! check that reports filter words that name nothing.

use super::Kind;
use super::index::fold;
use crate::content::Role;

impl Kind {
    /// The kinds a `#filter` word names: every kind whose label starts with it (or that it
    /// starts with, so plurals work). Returned as a bit set; 0 when nothing fits.
    fn mask_for(word: &str) -> u8 {
        let w = fold(word);
        Kind::ALL
            .into_iter()
            .filter(|k| k.label().starts_with(&w) || w.starts_with(k.label()))
            .fold(0, |m, k| m | k.bit())
    }
}

/// One positive term of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Folded text.
    pub text: String,
    /// `'term`: substring only, no fuzzy matching.
    pub exact: bool,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
    /// Folded `!negations`.
    pub negations: Vec<String>,
    /// `@role` filters (any of them); `Some(empty)` when a role word named no role.
    pub roles: Option<Vec<Role>>,
    /// `#kind` filters as a bit set; `Some(0)` when a kind word named no kind.
    pub(super) kinds: Option<u8>,
    /// What is wrong with the query, for people: unknown `@role` or `#kind` words.
    pub problems: Vec<String>,
}

/// Whether a token is a number as papers write them (`9.6`, `0.001`, `<0.05`, `43.6%`):
/// such terms match as substrings only, since a scattered fuzzy match of digits means nothing.
fn is_numeric(tok: &str) -> bool {
    tok.chars().any(|c| c.is_ascii_digit())
        && tok.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '–' | '−' | '%' | '<' | '>' | '=')
        })
}

/// The valid `@role` words, as one line: `@student @resident …`.
pub fn role_words() -> String {
    Role::ALL
        .iter()
        .map(|r| format!("@{}", r.slug()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The valid `#kind` words, as one line: `#trial #topic …`.
pub fn kind_words() -> String {
    Kind::ALL
        .iter()
        .map(|k| format!("#{}", k.label()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Check a query for filters that name nothing. `Err` holds one readable message, e.g.
/// "unknown role `@foo`; use one of @student @resident …".
pub fn check(query: &str) -> Result<(), String> {
    let q = Query::parse(query);
    if q.problems.is_empty() {
        Ok(())
    } else {
        Err(q.problems.join("; "))
    }
}

impl Query {
    pub fn parse(s: &str) -> Query {
        let mut q = Query::default();
        for tok in s.split_whitespace() {
            // The first char may be any width (a query can start with "é" or "中").
            let first = tok.chars().next().map_or(0, char::len_utf8);
            let (head, rest) = tok.split_at(first);
            match head {
                "!" => {
                    if !rest.is_empty() {
                        q.negations.push(fold(rest));
                    }
                }
                "'" => {
                    if !rest.is_empty() {
                        q.terms.push(Term {
                            text: fold(rest),
                            exact: true,
                        });
                    }
                }
                "@" => {
                    if !rest.is_empty() {
                        let roles = q.roles.get_or_insert_with(Vec::new);
                        match Role::parse(rest) {
                            Some(r) => roles.push(r),
                            None => q
                                .problems
                                .push(format!("unknown role `{tok}`; use one of {}", role_words())),
                        }
                    }
                }
                "#" => {
                    if !rest.is_empty() {
                        let mask = Kind::mask_for(rest);
                        if mask == 0 {
                            q.problems
                                .push(format!("unknown kind `{tok}`; use one of {}", kind_words()));
                        }
                        *q.kinds.get_or_insert(0) |= mask;
                    }
                }
                _ => q.terms.push(Term {
                    text: fold(tok),
                    exact: is_numeric(tok),
                }),
            }
        }
        q
    }

    /// Whether every record matching `self` also matches `prev` (so only `prev`'s matches
    /// need scoring): same filters and negations, and each of `prev`'s terms is contained
    /// in the term at the same place here.
    pub fn narrows(&self, prev: &Query) -> bool {
        self.roles == prev.roles
            && self.kinds == prev.kinds
            && self.negations == prev.negations
            && self.terms.len() >= prev.terms.len()
            && self
                .terms
                .iter()
                .zip(&prev.terms)
                .all(|(n, o)| n.exact == o.exact && n.text.contains(&o.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_may_start_with_any_character() {
        for q in ["é", "中文", "\u{200b}x", "!é", "@中", "#ü", "'ß"] {
            let _ = super::Query::parse(q);
        }
    }

    #[test]
    fn narrows_only_when_safe() {
        let p = |s: &str| Query::parse(s);
        assert!(p("emil").narrows(&p("emi")));
        assert!(p("emi x").narrows(&p("emi")));
        assert!(!p("emi").narrows(&p("emil")));
        assert!(!p("emil !x").narrows(&p("emi")));
        assert!(!p("emil !xy").narrows(&p("emil !x")));
        assert!(!p("@phd emil").narrows(&p("emi")));
        assert!(!p("'emil").narrows(&p("emi")));
    }

    #[test]
    fn unknown_filters_are_reported_with_the_valid_ones() {
        assert_eq!(check("emilia @res #find 9.6"), Ok(()));
        assert_eq!(check(""), Ok(()));
        // A lone sigil is a filter still being typed.
        assert_eq!(check("emilia @ #"), Ok(()));
        let err = check("pfs @foo").unwrap_err();
        assert_eq!(
            err,
            "unknown role `@foo`; use one of @student @resident @fellow @attending @phd \
             @editor @guideline"
        );
        let err = check("#zzz").unwrap_err();
        assert_eq!(
            err,
            "unknown kind `#zzz`; use one of #trial #topic #finding #question #discrepancy #safety"
        );
        let err = check("@x #y").unwrap_err();
        assert!(err.contains("`@x`") && err.contains("`#y`"), "{err}");
        assert_eq!(Query::parse("@x").problems.len(), 1);
    }
}
