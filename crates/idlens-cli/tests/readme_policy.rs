//! The policy profile printed in the README is the one users copy: it must parse, and its thresholds must be the
//! defaults the README claims they are.

use idlens_core::policy::{DEFAULT_OWNER_TAG_KEYS, Policy, Thresholds};

fn readme_policy() -> String {
    let readme = include_str!("../../../README.md");
    let section = readme
        .find("### Policy profile")
        .expect("README has a policy section");
    let start =
        readme[section..].find("```json").expect("a json block") + section + "```json".len();
    let end = readme[start..].find("```").expect("the block ends") + start;
    readme[start..end].to_owned()
}

#[test]
fn readme_policy_example_parses_and_shows_the_defaults() {
    let policy = Policy::from_json(readme_policy().as_bytes())
        .expect("the README example is a valid policy");
    // Every threshold the README shows is the default.
    assert_eq!(policy.thresholds, Thresholds::default());
    assert_eq!(policy.owner_tag_keys, DEFAULT_OWNER_TAG_KEYS);
    assert_eq!(policy.waivers.len(), 1);
}
