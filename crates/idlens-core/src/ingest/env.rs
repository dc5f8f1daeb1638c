//! Environment classification (prod / non-prod / unknown) from tags and names, as ingest can tell it. A policy
//! profile (subscription map, management-group patterns) may override it later.

use crate::ids::{Interner, Sym};
use crate::model::{Environment, EnvironmentSource, Tag};

/// Tag keys that name an environment (compared case-insensitively).
pub const ENV_TAG_KEYS: &[&str] = &["env", "environment", "stage", "tier-environment"];
const PROD: &[&str] = &["prod", "prd", "production", "prod01", "live"];
const NON_PROD: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "tst",
    "testing",
    "stage",
    "staging",
    "stg",
    "qa",
    "uat",
    "sandbox",
    "sbx",
    "nonprod",
    "non-prod",
    "preprod",
    "pre-prod",
    "nprd",
    "int",
    "integration",
    "demo",
    "lab",
];

/// Classify one text: its alphanumeric tokens are matched against prod and non-prod words (ignoring ASCII case);
/// both or neither give `Unknown`. Allocates nothing: the checks classify every resource scope's name.
#[must_use]
pub fn classify_text(text: &str) -> Environment {
    let bytes = text.as_bytes();
    let is = |words: &[&str], token: &[u8]| {
        words
            .iter()
            .any(|w| w.len() == token.len() && w.as_bytes().eq_ignore_ascii_case(token))
    };
    // Hyphenated words (`non-prod`) are matched anywhere, before the hyphen splits them into tokens: tried at each
    // hyphen of the text, aligned on the word's own hyphen.
    for (at, _) in bytes.iter().enumerate().filter(|(_, b)| **b == b'-') {
        let hit = NON_PROD.iter().any(|w| {
            w.find('-').is_some_and(|k| {
                at.checked_sub(k)
                    .and_then(|start| bytes.get(start..start + w.len()))
                    .is_some_and(|window| window.eq_ignore_ascii_case(w.as_bytes()))
            })
        });
        if hit {
            return Environment::NonProd;
        }
    }
    let mut prod = false;
    let mut non_prod = false;
    for token in bytes
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
    {
        prod |= is(PROD, token);
        non_prod |= is(NON_PROD, token);
    }
    match (prod, non_prod) {
        (true, false) => Environment::Prod,
        (false, true) => Environment::NonProd,
        _ => Environment::Unknown,
    }
}

/// Tags first (`env`, `environment` …), then each name in order.
#[must_use]
pub fn classify(
    strings: &Interner,
    tags: &[Tag],
    names: &[Option<Sym>],
) -> (Environment, EnvironmentSource) {
    for tag in tags {
        let key = strings.resolve(tag.key);
        if ENV_TAG_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key.trim()))
        {
            let env = classify_text(strings.resolve(tag.value));
            if env != Environment::Unknown {
                return (env, EnvironmentSource::Tag);
            }
        }
    }
    for name in names.iter().flatten() {
        let env = classify_text(strings.resolve(*name));
        if env != Environment::Unknown {
            return (env, EnvironmentSource::Name);
        }
    }
    (Environment::Unknown, EnvironmentSource::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tags() {
        assert_eq!(classify_text("id-payments-prod-weu"), Environment::Prod);
        assert_eq!(classify_text("rg-app-PRD"), Environment::Prod);
        assert_eq!(classify_text("Production"), Environment::Prod);
        assert_eq!(classify_text("vm-dev-01"), Environment::NonProd);
        assert_eq!(classify_text("rg_test"), Environment::NonProd);
        assert_eq!(classify_text("app-preprod"), Environment::NonProd);
        assert_eq!(classify_text("pre-prod"), Environment::NonProd);
        assert_eq!(classify_text("product-catalog"), Environment::Unknown);
        assert_eq!(classify_text("prod-to-dev-sync"), Environment::Unknown);
        assert_eq!(classify_text(""), Environment::Unknown);
        assert_eq!(classify_text("APP-NON-PROD-01"), Environment::NonProd);
        assert_eq!(classify_text("kv-Ünïcode-DEV"), Environment::NonProd);
        assert_eq!(classify_text("éprodé"), Environment::Prod);
        assert_eq!(classify_text("proddev"), Environment::Unknown);
        // Hyphenated words match anywhere in the text, as substrings.
        assert_eq!(classify_text("anon-product"), Environment::NonProd);
        assert_eq!(classify_text("x-PRE-PRODy"), Environment::NonProd);
        assert_eq!(classify_text("non-"), Environment::Unknown);
        assert_eq!(classify_text("-prod"), Environment::Prod);
        let mut s = Interner::default();
        let tags = [Tag {
            key: s.intern("Environment"),
            value: s.intern("Dev"),
        }];
        let name = Some(s.intern("app-prod"));
        assert_eq!(
            classify(&s, &tags, &[name]),
            (Environment::NonProd, EnvironmentSource::Tag)
        );
        assert_eq!(
            classify(&s, &[], &[None, name]),
            (Environment::Prod, EnvironmentSource::Name)
        );
    }
}
