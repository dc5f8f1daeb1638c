//! The same tenant one month earlier, for comparing two snapshots without a second real export.
//!
//! [`previous_month`] rewrites a generated tenant's files into what an export a month before would plausibly have
//! held: some user-assigned managed identities did not exist yet (they were created since, with their service
//! principals, role assignments, federated credentials and sign-in activity), some role assignments were not made
//! yet, a few identities existed then and were decommissioned since, and a few broad Owner grants at subscription
//! scope were still in place and have been removed since. The choices are by position, so the output is a pure
//! function of the input files.

use serde_json::{Map, Value};

use super::GeneratedFile;

/// The Owner role's definition id.
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

/// Identities created during the month: every `ADDED_EVERY`-th user-assigned identity no resource refers to.
const ADDED_EVERY: usize = 3;
/// Role assignments made during the month: every `GRANTED_EVERY`-th remaining one.
const GRANTED_EVERY: usize = 20;
/// Broad grants removed during the month: an Owner at subscription beside every `REVOKED_EVERY`-th assignment.
const REVOKED_EVERY: usize = 60;
/// Identities decommissioned during the month.
const DECOMMISSIONED: usize = 3;

/// A GUID string with its first eight hex digits replaced by `prefix` and `n` (deterministic, still a GUID).
fn variant(guid: &str, prefix: u32, n: usize) -> String {
    let tail = guid.get(8..).unwrap_or("-0000-4000-8000-000000000000");
    format!("{:04x}{:04x}{tail}", prefix & 0xFFFF, n & 0xFFFF)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The array of records in `v`: the value itself, or the `data`/`value` of an envelope.
fn records(v: &mut Value) -> Option<&mut Vec<Value>> {
    if v.is_array() {
        return v.as_array_mut();
    }
    let obj = v.as_object_mut()?;
    let key = ["data", "value"]
        .into_iter()
        .find(|k| obj.contains_key(*k))?;
    obj.get_mut(key).and_then(Value::as_array_mut)
}

/// Rewrite a generated tenant's files (see [`super::FILE_NAMES`]) into the same tenant a month earlier.
#[must_use]
pub fn previous_month(files: &[GeneratedFile]) -> Vec<GeneratedFile> {
    let mut docs: Vec<(String, Value)> = files
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                serde_json::from_slice(&f.bytes).unwrap_or(Value::Null),
            )
        })
        .collect();
    let resources_text = files
        .iter()
        .find(|f| f.name == "resources.json")
        .map(|f| String::from_utf8_lossy(&f.bytes).to_lowercase())
        .unwrap_or_default();

    // Identities created since: user-assigned identities that no resource names (so nothing else refers to them).
    let mut created: Vec<(String, String, String)> = Vec::new(); // (principal id, client id, folded resource id)
    let mut decommissioned: Vec<Value> = Vec::new();
    if let Some((_, doc)) = docs.iter_mut().find(|(n, _)| n == "identities.json")
        && let Some(list) = records(doc)
    {
        let mut free = 0usize;
        for (i, identity) in list.iter().enumerate() {
            let id = text(identity, "id").to_lowercase();
            let principal = text(identity, "principalId").to_lowercase();
            if principal.is_empty()
                || resources_text.contains(&principal)
                || resources_text.contains(&id)
            {
                continue;
            }
            free += 1;
            if free % ADDED_EVERY == 1 {
                created.push((principal, text(identity, "clientId").to_lowercase(), id));
            } else if decommissioned.len() < DECOMMISSIONED && i % 2 == 0 {
                // An identity of the same shape that existed then and was deleted since.
                let mut old = identity.clone();
                let n = decommissioned.len();
                let name = format!("{}-legacy", text(identity, "name"));
                let rid = text(identity, "id");
                let rid = match rid.rfind('/') {
                    Some(cut) => format!("{}/{name}", &rid[..cut]),
                    None => name.clone(),
                };
                if let Some(obj) = old.as_object_mut() {
                    let p = variant(text(identity, "principalId"), 0xdec0, n);
                    let c = variant(text(identity, "clientId"), 0xdec1, n);
                    obj.insert("name".into(), Value::String(name));
                    obj.insert("id".into(), Value::String(rid));
                    obj.insert("principalId".into(), Value::String(p));
                    obj.insert("clientId".into(), Value::String(c));
                }
                decommissioned.push(old);
            }
        }
        let gone = |v: &Value| {
            created
                .iter()
                .any(|(p, _, _)| text(v, "principalId").eq_ignore_ascii_case(p))
        };
        list.retain(|v| !gone(v));
        list.extend(decommissioned.iter().cloned());
    }
    let is_created_principal =
        |id: &str| created.iter().any(|(p, _, _)| id.eq_ignore_ascii_case(p));
    let is_created_client = |id: &str| created.iter().any(|(_, c, _)| id.eq_ignore_ascii_case(c));
    let under_created = |id: &str| {
        let id = id.to_lowercase();
        created
            .iter()
            .any(|(_, _, r)| id.starts_with(&format!("{r}/")))
    };

    for (name, doc) in &mut docs {
        let Some(list) = records(doc) else {
            continue;
        };
        match name.as_str() {
            "service-principals.json" => list.retain(|v| !is_created_principal(text(v, "id"))),
            "signin-activity.json" => list.retain(|v| !is_created_client(text(v, "appId"))),
            "federated-credentials.json" => list.retain(|v| !under_created(text(v, "id"))),
            "directory-role-assignments.json" | "app-role-assignments.json" => {
                list.retain(|v| !is_created_principal(text(v, "principalId")));
            }
            "role-assignments.json" => {
                list.retain(|v| !is_created_principal(text(v, "principalId")));
                let mut kept = Vec::with_capacity(list.len());
                let mut revoked = Vec::new();
                for (i, v) in std::mem::take(list).into_iter().enumerate() {
                    if i % REVOKED_EVERY == REVOKED_EVERY / 2
                        && text(&v, "principalType") == "ServicePrincipal"
                    {
                        revoked.push(owner_at_subscription(&v, revoked.len()));
                    }
                    if i % GRANTED_EVERY != GRANTED_EVERY - 1 {
                        kept.push(v);
                    }
                }
                // The decommissioned identities held an Owner grant at their subscription.
                for (n, identity) in decommissioned.iter().enumerate() {
                    let sub: String = text(identity, "id")
                        .split('/')
                        .take(3)
                        .collect::<Vec<_>>()
                        .join("/");
                    let mut grant = Map::new();
                    let name = variant("00000000-0000-4000-8000-00000000d0c0", 0x01d0, n);
                    grant.insert(
                        "id".into(),
                        Value::String(format!(
                            "{sub}/providers/Microsoft.Authorization/roleAssignments/{name}"
                        )),
                    );
                    grant.insert("name".into(), Value::String(name));
                    grant.insert("principalId".into(), identity["principalId"].clone());
                    grant.insert("principalName".into(), identity["clientId"].clone());
                    grant.insert(
                        "principalType".into(),
                        Value::String("ServicePrincipal".into()),
                    );
                    grant.insert(
                        "roleDefinitionId".into(),
                        Value::String(format!(
                            "{sub}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
                        )),
                    );
                    grant.insert("roleDefinitionName".into(), Value::String("Owner".into()));
                    grant.insert("scope".into(), Value::String(sub));
                    grant.insert(
                        "type".into(),
                        Value::String("Microsoft.Authorization/roleAssignments".into()),
                    );
                    revoked.push(Value::Object(grant));
                }
                kept.extend(revoked);
                *list = kept;
            }
            _ => {}
        }
    }

    docs.into_iter()
        .map(|(name, mut doc)| {
            let count = records(&mut doc).map(|l| l.len());
            if let (Some(count), Some(obj)) = (count, doc.as_object_mut())
                && obj.contains_key("count")
            {
                obj.insert("count".into(), Value::from(count));
            }
            let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
            bytes.push(b'\n');
            GeneratedFile { name, bytes }
        })
        .collect()
}

/// A copy of assignment `v` giving its principal Owner at the subscription of its scope.
fn owner_at_subscription(v: &Value, n: usize) -> Value {
    let mut grant = v.clone();
    let sub: String = text(v, "scope")
        .split('/')
        .take(3)
        .collect::<Vec<_>>()
        .join("/");
    let name = variant(text(v, "name"), 0x0e0e, n);
    if let Some(obj) = grant.as_object_mut() {
        obj.insert(
            "id".into(),
            Value::String(format!(
                "{sub}/providers/Microsoft.Authorization/roleAssignments/{name}"
            )),
        );
        obj.insert("name".into(), Value::String(name));
        obj.insert(
            "roleDefinitionId".into(),
            Value::String(format!(
                "{sub}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
            )),
        );
        obj.insert("roleDefinitionName".into(), Value::String("Owner".into()));
        obj.insert("scope".into(), Value::String(sub));
        obj.insert("resourceGroup".into(), Value::Null);
    }
    grant
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenerateOptions, generate};

    #[test]
    fn the_previous_month_differs_a_little_and_deterministically() {
        let now = generate(&GenerateOptions::demo());
        let before = previous_month(&now);
        assert_eq!(before, previous_month(&now));
        assert_eq!(before.len(), now.len());
        let count = |files: &[GeneratedFile], name: &str| {
            let f = files.iter().find(|f| f.name == name).expect(name);
            let mut v: Value = serde_json::from_slice(&f.bytes).expect("json");
            records(&mut v).map_or(0, |l| l.len())
        };
        let (a, b) = (
            count(&before, "identities.json"),
            count(&now, "identities.json"),
        );
        assert!(a < b && a + 20 > b, "{a} identities then, {b} now");
        let (a, b) = (
            count(&before, "role-assignments.json"),
            count(&now, "role-assignments.json"),
        );
        assert!(a < b && a + 150 > b, "{a} assignments then, {b} now");
    }
}
