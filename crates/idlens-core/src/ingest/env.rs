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

/// The longest word of [`PROD`] and [`NON_PROD`]: a longer token is none of them.
const LONGEST: usize = {
    let (a, b) = (longest(PROD), longest(NON_PROD));
    let n = if a > b { a } else { b };
    assert!(n <= 16, "a word must pack into 16 bytes");
    n
};

const fn longest(words: &[&str]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < words.len() {
        if words[i].len() > n {
            n = words[i].len();
        }
        i += 1;
    }
    n
}

/// A lower-case ASCII word of at most 16 bytes as one number, its bytes little-endian and zero-padded, so that
/// equal words are equal numbers and a token is compared with a word in one step. No token holds a zero byte.
const fn pack(word: &[u8]) -> u128 {
    let mut packed = 0u128;
    let mut i = 0;
    while i < word.len() && i < 16 {
        packed |= (word[i] as u128) << (8 * i);
        i += 1;
    }
    packed
}

const fn packed<const N: usize>(words: &[&str]) -> [u128; N] {
    let mut out = [0u128; N];
    let mut i = 0;
    while i < N {
        out[i] = pack(words[i].as_bytes());
        i += 1;
    }
    out
}

const PROD_PACKED: [u128; PROD.len()] = packed(PROD);
const NON_PROD_PACKED: [u128; NON_PROD.len()] = packed(NON_PROD);

/// The words of [`NON_PROD`] that hold a hyphen, with the hyphen's position in each (a test keeps this list equal
/// to theirs): matched at each hyphen of a text before the hyphen splits it into tokens.
const HYPHENATED: [(&str, usize); 2] = [("non-prod", 3), ("pre-prod", 3)];

/// Classify one text: its alphanumeric tokens are matched against prod and non-prod words (ignoring ASCII case);
/// both or neither give `Unknown`. Allocates nothing: the checks classify every resource scope's name, so this runs
/// hundreds of thousands of times on a large tenant (one pass, no search per word, no 128-bit shifts, which wasm32
/// does in software).
#[must_use]
pub fn classify_text(text: &str) -> Environment {
    let bytes = text.as_bytes();
    for (at, _) in bytes.iter().enumerate().filter(|(_, b)| **b == b'-') {
        let hit = HYPHENATED.iter().any(|(w, k)| {
            at.checked_sub(*k)
                .and_then(|start| bytes.get(start..start + w.len()))
                .is_some_and(|window| window.eq_ignore_ascii_case(w.as_bytes()))
        });
        if hit {
            return Environment::NonProd;
        }
    }
    let mut prod = false;
    let mut non_prod = false;
    // One pass: each token is copied lower-case as it is read (setting bit 0x20 lower-cases a letter and leaves a
    // digit as it is), then compared as one number with the packed words when its length can be one of theirs.
    let mut token = [0u8; 16];
    let mut len = 0usize;
    for &b in bytes.iter().chain(std::iter::once(&b' ')) {
        if b.is_ascii_alphanumeric() {
            if let Some(slot) = token.get_mut(len) {
                *slot = b | 0x20;
            }
            len += 1;
            continue;
        }
        if len > 0 {
            if len <= LONGEST {
                let packed = u128::from_le_bytes(token);
                prod |= PROD_PACKED.contains(&packed);
                non_prod |= NON_PROD_PACKED.contains(&packed);
            }
            token = [0u8; 16];
            len = 0;
        }
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

    /// The plain reading [`classify_text`] must agree with: split into alphanumeric tokens, compare each with
    /// every word ignoring case.
    fn reference(text: &str) -> Environment {
        if NON_PROD
            .iter()
            .filter(|w| w.contains('-'))
            .any(|w| text.to_ascii_lowercase().contains(*w))
        {
            return Environment::NonProd;
        }
        let tokens: Vec<String> = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(str::to_ascii_lowercase)
            .collect();
        let prod = tokens.iter().any(|t| PROD.contains(&t.as_str()));
        let non_prod = tokens.iter().any(|t| NON_PROD.contains(&t.as_str()));
        match (prod, non_prod) {
            (true, false) => Environment::Prod,
            (false, true) => Environment::NonProd,
            _ => Environment::Unknown,
        }
    }

    #[test]
    fn the_hyphenated_words_are_the_non_prod_words_with_a_hyphen() {
        let expected: Vec<(&str, usize)> = NON_PROD
            .iter()
            .filter_map(|w| w.find('-').map(|k| (*w, k)))
            .collect();
        assert_eq!(HYPHENATED.to_vec(), expected);
    }

    #[test]
    fn every_word_in_every_spelling_and_place_is_classified_as_a_plain_reading_does() {
        let mut texts = Vec::new();
        for word in PROD.iter().chain(NON_PROD) {
            let upper = word.to_ascii_uppercase();
            let mixed: String = word
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            for w in [word.to_string(), upper, mixed] {
                for (before, after) in [
                    ("", ""),
                    ("rg-", "-01"),
                    ("/subscriptions/885ae610-21cd/resourceGroups/", "_weu"),
                    ("x", ""),
                    ("", "9"),
                    ("é", "é"),
                    ("long-prefix-token-", ".Microsoft.Web/sites/app"),
                ] {
                    texts.push(format!("{before}{w}{after}"));
                }
            }
        }
        // Tokens of every length around the words' (1 to 20), digits, and two words in one text.
        for n in 1..=20 {
            texts.push("q".repeat(n));
            texts.push(format!("{}-dev", "9".repeat(n)));
            texts.push(format!("prod{}", "d".repeat(n)));
        }
        texts.extend(
            [
                "prod dev",
                "PROD/test",
                "live_uat_prod",
                "integration1",
                "developmentx",
                "",
            ]
            .map(String::from),
        );
        for text in &texts {
            assert_eq!(classify_text(text), reference(text), "{text}");
        }
    }

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
