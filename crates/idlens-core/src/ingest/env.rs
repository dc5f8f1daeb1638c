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

/// Classify one text: its alphanumeric tokens are matched against prod and non-prod words; both or neither give
/// `Unknown`.
#[must_use]
pub fn classify_text(text: &str) -> Environment {
    let lower = text.to_ascii_lowercase();
    if lower.contains('-')
        && NON_PROD
            .iter()
            .any(|w| w.contains('-') && lower.contains(w))
    {
        return Environment::NonProd;
    }
    let mut prod = false;
    let mut non_prod = false;
    for token in lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
    {
        prod |= PROD.contains(&token);
        non_prod |= NON_PROD.contains(&token);
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
