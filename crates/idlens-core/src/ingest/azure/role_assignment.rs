//! Role assignments: `az role assignment list` (flattened, with the CLI's `principalName`/`roleDefinitionName`),
//! ARM REST (`properties`), and `Get-AzRoleAssignment` (PascalCase, `ObjectType: Unknown` for deleted principals)
//! (FORMATS.md §2).

use std::borrow::Cow;

use serde::Deserialize;

use crate::ids::Guid;
use crate::ingest::assignments::{AssignmentKey, RoleRef};
use crate::ingest::flat;
use crate::ingest::raw::{Ctx, Outcome};
use crate::model::{AssignmentId, Grant, GrantPrincipal, standard_assignment_guid};

#[derive(Deserialize, Default)]
#[cfg_attr(test, derive(Debug, PartialEq))]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow, default, alias = "RoleAssignmentId")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Scope")]
    scope: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ObjectId")]
    principal_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ObjectType")]
    principal_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "DisplayName")]
    principal_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "RoleDefinitionId")]
    role_definition_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "RoleDefinitionName")]
    role_definition_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Condition")]
    condition: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ConditionVersion")]
    condition_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created_on: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created_by: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    delegated_managed_identity_resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    properties: Option<Box<Record<'a>>>,
}

/// The scope part of a role assignment id (`<scope>/providers/Microsoft.Authorization/roleAssignments/<guid>`).
fn scope_of_assignment_id(id: &str) -> Option<&str> {
    const MARK: &str = "/providers/microsoft.authorization/roleassignments/";
    let at = id.to_ascii_lowercase().rfind(MARK)?;
    let scope = id.get(..at)?;
    Some(if scope.is_empty() { "/" } else { scope })
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    match serde_json::from_str(text) {
        Ok(record) => apply(record, ctx),
        Err(err) => Outcome::SetAside(format!("not a role assignment record: {err}")),
    }
}

/// The record at the start of `text` read in one pass ([`flat`]), or `None` to leave it to the framer and serde.
pub(crate) fn read_direct(text: &str, ctx: &mut Ctx<'_>) -> Option<(Outcome, flat::Span)> {
    let (record, span) = scan(text)?;
    Some((apply(record, ctx), span))
}

/// The members of [`Record`], by the names and aliases serde reads them under; `properties` is the last.
const KEYS: flat::Names = flat::Names::new(&[
    &[b"id", b"RoleAssignmentId"],
    &[b"scope", b"Scope"],
    &[b"principalId", b"ObjectId"],
    &[b"principalType", b"ObjectType"],
    &[b"principalName", b"DisplayName"],
    &[b"roleDefinitionId", b"RoleDefinitionId"],
    &[b"roleDefinitionName", b"RoleDefinitionName"],
    &[b"condition", b"Condition"],
    &[b"conditionVersion", b"ConditionVersion"],
    &[b"createdOn"],
    &[b"createdBy"],
    &[b"delegatedManagedIdentityResourceId"],
    &[b"properties"],
]);
const PROPERTIES: usize = 12;

/// The same [`Record`] serde would read from the object at the start of `text`, when every member is what serde
/// wants (strings or null; `properties` an object or null; no key twice); `None` otherwise.
fn scan(text: &str) -> Option<(Record<'_>, flat::Span)> {
    let (strings, properties, span) = scan_members(text.as_bytes())?;
    let whole = text.get(..span.len)?;
    let mut record = fill(whole, 0, &strings)?;
    if let Some(range) = properties {
        let inner = whole.get(range.clone())?;
        let (strings, nested, _) = scan_members(inner.as_bytes())?;
        let mut properties = fill(whole, range.start, &strings)?;
        if nested.is_some() {
            // `properties.properties`: serde reads it, but no export has it; leave such a record to serde.
            return None;
        }
        properties.properties = None;
        record.properties = Some(Box::new(properties));
    }
    Some((record, span))
}

type Spans = [Option<(std::ops::Range<usize>, bool)>; PROPERTIES];

fn scan_members(text: &[u8]) -> Option<(Spans, Option<std::ops::Range<usize>>, flat::Span)> {
    let mut strings: Spans = Default::default();
    let mut properties = None;
    let mut seen = 0u32;
    let span = flat::object(text, |key, value| {
        let Some(at) = KEYS.find(key) else {
            return true;
        };
        if seen & (1 << at) != 0 {
            return false;
        }
        seen |= 1 << at;
        match (at, value) {
            (_, flat::Value::Null) => true,
            (PROPERTIES, flat::Value::Object(range)) => {
                properties = Some(range);
                true
            }
            (PROPERTIES, _) => false,
            (at, flat::Value::Str { span, escaped }) => {
                strings[at] = Some((span, escaped));
                true
            }
            _ => false,
        }
    })?;
    Some((strings, properties, span))
}

fn fill<'a>(whole: &'a str, base: usize, spans: &Spans) -> Option<Record<'a>> {
    let mut out: [Option<Cow<'a, str>>; PROPERTIES] = Default::default();
    for (slot, span) in out.iter_mut().zip(spans) {
        if let Some((range, escaped)) = span {
            let range = range.start + base..range.end + base;
            *slot = Some(flat::string(whole, &range, *escaped)?);
        }
    }
    let mut take = |at: usize| out.get_mut(at).and_then(Option::take);
    // In the order of [`KEYS`].
    Some(Record {
        id: take(0),
        scope: take(1),
        principal_id: take(2),
        principal_type: take(3),
        principal_name: take(4),
        role_definition_id: take(5),
        role_definition_name: take(6),
        condition: take(7),
        condition_version: take(8),
        created_on: take(9),
        created_by: take(10),
        delegated_managed_identity_resource_id: take(11),
        properties: None,
    })
}

fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let Some(principal_text) =
        pick!(record, principal_id).filter(|p| !crate::ids::trim(p).is_empty())
    else {
        return Outcome::SetAside("role assignment without `principalId`".into());
    };
    let principal_id = ctx.guid(Some(principal_text));
    let role_definition_id = pick!(record, role_definition_id);
    let role_name = pick!(record, role_definition_name);
    if role_definition_id.is_none() && role_name.is_none() {
        return Outcome::SetAside(
            "role assignment without `roleDefinitionId` or `roleDefinitionName`".into(),
        );
    }
    let scope_text = pick!(record, scope)
        .map(|s| crate::ids::trim(s))
        .filter(|s| !s.is_empty())
        .or_else(|| record.id.as_deref().and_then(scope_of_assignment_id));
    let Some(scope_text) = scope_text else {
        return Outcome::SetAside(
            "role assignment without `scope` (and no scope in its `id`)".into(),
        );
    };
    // Read for their warnings even when the record turns out to be a duplicate.
    let created = ctx.time(pick!(record, created_on));
    let created_by = ctx.guid(pick!(record, created_by));
    let role_guid = role_definition_id.and_then(|r| Guid::trailing(r));
    let id_text = record
        .id
        .as_deref()
        .map(crate::ids::trim)
        .filter(|t| !t.is_empty());
    let key = match id_text {
        Some(id) => AssignmentKey::id(id),
        None => AssignmentKey::Triple(format!(
            "t:{}|{}|{}",
            principal_text.trim().to_ascii_lowercase(),
            role_guid.map_or_else(
                || role_name
                    .map(|n| n.trim())
                    .filter(|n| !n.is_empty())
                    .unwrap_or(scope_text)
                    .to_ascii_lowercase(),
                |g| g.canonical()
            ),
            crate::ids::fold(scope_text)
        )),
    };
    let prov = ctx.prov;
    if let Some(at) = ctx.store.assignments.find(ctx.strings, &key) {
        return ctx.store.assignments.merge(at, prov);
    }
    let role = RoleRef {
        guid: role_guid,
        name: ctx.sym(role_name),
        definition_id: ctx.sym(role_definition_id),
    };
    let role = ctx.store.assignments.role(role);
    let (scope, scope_level) = ctx.store.assignments.scope(ctx.strings, scope_text);
    let assignment_id = id_text.map(|text| {
        let stored_scope = ctx
            .store
            .assignments
            .scopes
            .get(scope as usize)
            .map_or("/", |s| ctx.strings.resolve(s.id));
        match standard_assignment_guid(text, stored_scope) {
            Some(guid) => AssignmentId::Standard(guid),
            None => AssignmentId::Text(ctx.strings.intern(text)),
        }
    });
    let grant = Grant {
        principal: GrantPrincipal::Unresolved,
        principal_id,
        principal_type: ctx.sym(pick!(record, principal_type)),
        principal_name: ctx.sym(pick!(record, principal_name)),
        role,
        scope,
        scope_level,
        condition: ctx.sym(pick!(record, condition)),
        condition_version: ctx.sym(pick!(record, condition_version)),
        assignment_id,
        created,
        created_by,
        delegated_managed_identity_resource_id: ctx
            .sym(pick!(record, delegated_managed_identity_resource_id)),
        tier: 0.0,
        provenance: smallvec::smallvec![prov],
    };
    ctx.store.assignments.add(key, grant)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass reader must read exactly what serde reads, or give up.
    fn same_or_given_up(text: &str) -> bool {
        let serde: Result<Record<'_>, _> = serde_json::from_str(text);
        match scan(text) {
            Some((record, span)) => {
                assert_eq!(span.len, text.len(), "{text}");
                assert_eq!(Some(record), serde.ok(), "{text}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn one_pass_reader_reads_what_serde_reads() {
        // Every role assignment of the demo tenant (az CLI shape) is read in one pass, the same as serde reads it.
        let files = crate::generate::generate(&crate::generate::GenerateOptions::demo());
        let file = files
            .iter()
            .find(|f| f.name == "role-assignments.json")
            .expect("role assignments");
        let (records, err) = crate::frame::frame_all(&file.bytes);
        assert!(err.is_none() && records.len() > 100);
        for record in &records {
            assert!(same_or_given_up(&record.text), "given up: {}", record.text);
        }
        // The ARM REST shape (`properties`) and Get-AzRoleAssignment's PascalCase with its aliases.
        let rest = r#"{"properties":{"roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/0b5fe924-9a61-425c-96af-cfe6e287ca2d","principalId":"ce2ce14e-85d7-4629-bdbc-454d0519d987","principalType":"User","scope":"/subscriptions/a"},"id":"/subscriptions/a/providers/Microsoft.Authorization/roleAssignments/b","type":"x","name":"b"}"#;
        let powershell = r#"{"RoleAssignmentName":"b","RoleAssignmentId":"/subscriptions/a/providers/Microsoft.Authorization/roleAssignments/b","Scope":"/subscriptions/a","DisplayName":null,"SignInName":null,"RoleDefinitionName":"Reader","RoleDefinitionId":"acdd72a7-3385-48ef-bd42-f606fba81ae7","ObjectId":"ce2ce14e-85d7-4629-bdbc-454d0519d987","ObjectType":"Unknown","CanDelegate":false,"Description":null,"ConditionVersion":null,"Condition":null}"#;
        let escaped = r#"{"principalId":"p","roleDefinitionName":"R\u00e9ader \"x\"","scope":"/s","condition":"((!(ActionMatches{'Microsoft.Storage/x'})))\n"}"#;
        for text in [rest, powershell, escaped, "{}", r#"{"properties":null}"#] {
            assert!(same_or_given_up(text), "given up: {text}");
        }
        // What serde refuses or reads another way is left to it: the record then goes the framed way.
        for text in [
            r#"{"principalId":"a","ObjectId":"b"}"#,
            r#"{"principalId":1}"#,
            r#"{"properties":"x"}"#,
            r#"{"properties":{"properties":{}}}"#,
            r#"{"scope":"\x"}"#,
            r#"{"scope":"a",}"#,
        ] {
            assert!(!same_or_given_up(text), "read: {text}");
        }
    }

    #[test]
    fn the_real_samples_read_the_same_in_one_pass() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");
        let mut read = 0;
        for path in [
            "azure-rest-api-specs/authorization-2022-04-01_RoleAssignments_ListForResourceGroup.json",
            "azure-cli-recordings/test_role_assignment_at_scope__2__role_assignment_list.json",
        ] {
            let bytes = std::fs::read(format!("{dir}{path}")).expect("sample");
            let (records, _) = crate::frame::frame_all(&bytes);
            for record in records.iter().filter(|r| r.text.starts_with('{')) {
                read += usize::from(same_or_given_up(&record.text));
            }
        }
        assert!(read >= 2, "{read}");
    }

    #[test]
    fn scope_from_id() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x";
        assert_eq!(
            scope_of_assignment_id(id),
            Some("/subscriptions/s/resourceGroups/rg")
        );
        assert_eq!(
            scope_of_assignment_id("/providers/Microsoft.Authorization/roleAssignments/x"),
            Some("/")
        );
        assert_eq!(scope_of_assignment_id("garbage"), None);
        assert_eq!(
            scope_of_assignment_id("/İ/providers/microsoft.authorization/roleassignments/x"),
            Some("/İ")
        );
    }
}
