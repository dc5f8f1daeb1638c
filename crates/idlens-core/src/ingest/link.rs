//! Linking: once every file is read, fuse the raw records into one [`Snapshot`].
//!
//! Joins are case-insensitive on resource ids and exact on GUIDs: a user-assigned identity and its service
//! principal meet on `principalId` = SP `id` and `clientId` = `appId`; system-assigned identities come from resources'
//! `identity.principalId` and from SPs' `alternativeNames`; workloads attach through `identity` blocks
//! (`userAssignedIdentities` keys, AKS kubelet identity); role assignments find their role by trailing GUID, then
//! by name, then in the built-in table. Unresolved references become facts (inferred identities, unresolved grants),
//! never errors. Output order follows input order (files, then records), never a hash map's.

use std::collections::{BTreeMap, HashSet};

use crate::ids::hash::{FastBuild, FastMap};
use crate::ids::{FoldedIds, Guid, Interner, Sym, fold, parse_arm_path};
use crate::model::{
    Activity, Attachment, AttachmentKind, Credential, CredentialActivity, CredentialHolder,
    DirectoryGrant, DirectoryGrantKind, DirectoryPrincipal, Environment, EnvironmentSource,
    Federation, FileReport, GrantPrincipal, Identity, IdentityIx, IdentityKind, LogCoverage,
    Operation, Provenance, Provider, RoleDefinition, Snapshot, TierSource, Workload,
};

use super::raw::{Keyed, RawCredential, RawIdentityRef, Store};
use super::roles;

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn provenance<T>(keyed: &Keyed<T>, i: usize, first: Provenance) -> Vec<Provenance> {
    let mut out = vec![first];
    if let Some(extra) = keyed.extra_prov.get(i) {
        out.extend_from_slice(extra);
    }
    out
}

struct Linker {
    strings: Interner,
    identities: Vec<Identity>,
    by_principal: FastMap<Guid, IdentityIx>,
    by_client: FastMap<Guid, IdentityIx>,
    by_resource: FoldedIds,
    workloads: Vec<Workload>,
    workload_by_id: FoldedIds,
    credentials: Vec<Credential>,
    credential_keys: HashSet<(IdentityIx, Guid), FastBuild>,
}

impl Linker {
    fn find(
        &self,
        principal: Option<Guid>,
        client: Option<Guid>,
        resource: Option<Sym>,
    ) -> Option<IdentityIx> {
        principal
            .and_then(|p| self.by_principal.get(&p).copied())
            .or_else(|| {
                resource.and_then(|r| self.by_resource.get(&self.strings, self.strings.resolve(r)))
            })
            .or_else(|| client.and_then(|c| self.by_client.get(&c).copied()))
    }

    fn create(&mut self, kind: IdentityKind, inferred: bool) -> IdentityIx {
        let ix = self.identities.len() as IdentityIx;
        self.identities.push(Identity {
            provider: Provider::Azure,
            kind,
            display_name: None,
            principal_id: None,
            client_id: None,
            application_object_id: None,
            resource_id: None,
            host_resource_id: None,
            tenant_id: None,
            subscription: None,
            resource_group: None,
            location: None,
            created: None,
            enabled: None,
            service_principal_type: None,
            app_owner_organization_id: None,
            tags: Vec::new(),
            owners: Vec::new(),
            environment: Environment::Unknown,
            environment_source: EnvironmentSource::None,
            inferred,
            activity: None,
            provenance: Vec::new(),
        });
        ix
    }

    /// Record the identity's join keys (the first identity to claim a key keeps it).
    fn index(&mut self, ix: IdentityIx) {
        let Some(identity) = self.identities.get(ix as usize) else {
            return;
        };
        if let Some(p) = identity.principal_id {
            self.by_principal.entry(p).or_insert(ix);
        }
        if let Some(c) = identity.client_id {
            self.by_client.entry(c).or_insert(ix);
        }
        if let Some(r) = identity.resource_id {
            self.by_resource.insert_first(&self.strings, r, ix);
        }
    }

    fn identity(&mut self, ix: IdentityIx) -> &mut Identity {
        let i = (ix as usize).min(self.identities.len().saturating_sub(1));
        &mut self.identities[i]
    }

    /// Find or create the user-assigned identity a resource or credential refers to.
    fn user_assigned_ref(&mut self, r: &RawIdentityRef, prov: Provenance) -> IdentityIx {
        let ix = match self.find(r.principal_id, r.client_id, r.resource_id) {
            Some(ix) => ix,
            None => self.create(IdentityKind::UserAssignedManagedIdentity, true),
        };
        let strings = &mut self.strings;
        let identity = &mut self.identities[ix as usize];
        if identity.kind == IdentityKind::ManagedIdentity {
            identity.kind = IdentityKind::UserAssignedManagedIdentity;
        }
        fill(&mut identity.principal_id, r.principal_id);
        fill(&mut identity.client_id, r.client_id);
        if identity.resource_id.is_none()
            && let Some(rid) = r.resource_id
        {
            identity.resource_id = Some(rid);
            let text = strings.resolve(rid).to_owned();
            let (_, path) = parse_arm_path(&text);
            fill(
                &mut identity.subscription,
                path.subscription.map(|s| strings.intern(s)),
            );
            fill(
                &mut identity.resource_group,
                path.resource_group.map(|s| strings.intern(s)),
            );
            fill(
                &mut identity.display_name,
                text.rsplit('/')
                    .next()
                    .filter(|n| !n.is_empty())
                    .map(|n| strings.intern(n)),
            );
        }
        if identity.inferred {
            identity.provenance.push(prov);
        }
        self.index(ix);
        ix
    }

    fn add_credentials(
        &mut self,
        ix: IdentityIx,
        holder: CredentialHolder,
        raw: &[RawCredential],
        prov: &[Provenance],
    ) {
        for c in raw {
            if let Some(key) = c.key_id
                && !self.credential_keys.insert((ix, key))
            {
                continue;
            }
            self.credentials.push(Credential {
                identity: ix,
                kind: c.kind,
                holder,
                key_type: c.key_type,
                usage: c.usage,
                start: c.start,
                end: c.end,
                key_id: c.key_id,
                display_name: c.display_name,
                provenance: prov.to_vec(),
                activity: None,
            });
        }
    }

    fn attach(&mut self, workload: u32, identity: IdentityIx, kind: AttachmentKind) {
        if let Some(w) = self.workloads.get_mut(workload as usize) {
            let attachment = Attachment { identity, kind };
            if !w.attachments.contains(&attachment) {
                w.attachments.push(attachment);
            }
        }
    }
}

pub(crate) fn link(strings: Interner, store: Store, mut files: Vec<FileReport>) -> Snapshot {
    // The lists as long as what was read (identities: one per identity record, and the odd one only referenced),
    // made at once rather than grown by copying.
    let identities = store.uamis.items.len() + store.service_principals.items.len();
    let mut l = Linker {
        strings,
        identities: Vec::with_capacity(identities + identities / 16),
        by_principal: FastMap::with_capacity_and_hasher(identities, Default::default()),
        by_client: FastMap::with_capacity_and_hasher(identities, Default::default()),
        by_resource: FoldedIds::with_capacity(identities),
        workloads: Vec::with_capacity(store.resources.items.len()),
        workload_by_id: FoldedIds::with_capacity(store.resources.items.len()),
        credentials: Vec::new(),
        credential_keys: HashSet::default(),
    };

    // 1. User-assigned identities, as listed.
    for (i, u) in store.uamis.items.iter().enumerate() {
        let prov = provenance(&store.uamis, i, u.prov);
        let ix = match l.find(u.principal_id, u.client_id, u.resource_id) {
            Some(ix) => ix,
            None => l.create(IdentityKind::UserAssignedManagedIdentity, false),
        };
        let id = l.identity(ix);
        id.inferred = false;
        fill(&mut id.resource_id, u.resource_id);
        fill(&mut id.display_name, u.name);
        fill(&mut id.principal_id, u.principal_id);
        fill(&mut id.client_id, u.client_id);
        fill(&mut id.tenant_id, u.tenant_id);
        fill(&mut id.subscription, u.subscription);
        fill(&mut id.resource_group, u.resource_group);
        fill(&mut id.location, u.location);
        fill(&mut id.created, u.created);
        if id.tags.is_empty() {
            id.tags.clone_from(&u.tags);
        }
        id.provenance.extend(prov);
        l.index(ix);
    }

    // 2. Service principals: managed identities (user- or system-assigned by `isExplicit`), applications, others.
    for (i, sp) in store.service_principals.items.iter().enumerate() {
        let prov = provenance(&store.service_principals, i, sp.prov);
        let sp_type = sp
            .sp_type
            .map(|t| l.strings.resolve(t).to_ascii_lowercase());
        let managed = sp_type.as_deref() == Some("managedidentity") || sp.explicit.is_some();
        let kind = match (managed, sp.explicit, sp_type.as_deref()) {
            (true, Some(true), _) => IdentityKind::UserAssignedManagedIdentity,
            (true, Some(false), _) => IdentityKind::SystemAssignedManagedIdentity,
            (true, None, _) => IdentityKind::ManagedIdentity,
            (false, _, Some("application")) => IdentityKind::ApplicationServicePrincipal,
            _ => IdentityKind::OtherServicePrincipal,
        };
        let uami_resource = (kind == IdentityKind::UserAssignedManagedIdentity)
            .then_some(sp.alt_resource)
            .flatten();
        let ix = match l.find(sp.object_id, sp.app_id, uami_resource) {
            Some(ix) => ix,
            None => l.create(kind, false),
        };
        let id = l.identity(ix);
        if id.kind == IdentityKind::ManagedIdentity
            || (id.inferred && kind != IdentityKind::ManagedIdentity)
        {
            id.kind = kind;
        }
        id.inferred = false;
        fill(&mut id.principal_id, sp.object_id);
        fill(&mut id.client_id, sp.app_id);
        fill(&mut id.display_name, sp.display_name);
        fill(&mut id.enabled, sp.enabled);
        fill(&mut id.service_principal_type, sp.sp_type);
        fill(&mut id.app_owner_organization_id, sp.app_owner_org);
        fill(&mut id.created, sp.created);
        match kind {
            IdentityKind::UserAssignedManagedIdentity => fill(&mut id.resource_id, sp.alt_resource),
            IdentityKind::SystemAssignedManagedIdentity => {
                fill(&mut id.host_resource_id, sp.alt_resource)
            }
            _ => {}
        }
        if id.owners.is_empty() {
            id.owners.clone_from(&sp.owners);
        }
        id.provenance.extend(prov.iter().copied());
        if !kind.is_managed_identity() {
            l.add_credentials(
                ix,
                CredentialHolder::ServicePrincipal,
                &sp.credentials,
                &prov,
            );
        }
        l.index(ix);
    }

    // 3. App registrations: onto their application SP by appId, else an identity of their own.
    for (i, app) in store.applications.items.iter().enumerate() {
        let prov = provenance(&store.applications, i, app.prov);
        let ix = match l.find(None, app.app_id, None) {
            Some(ix) => ix,
            None => l.create(IdentityKind::ApplicationRegistration, false),
        };
        let id = l.identity(ix);
        fill(&mut id.client_id, app.app_id);
        fill(&mut id.application_object_id, app.object_id);
        fill(&mut id.display_name, app.display_name);
        fill(&mut id.created, app.created);
        for owner in &app.owners {
            let known = id.owners.iter().any(|o| {
                o.id.is_some() && o.id == owner.id || o.id.is_none() && o.name == owner.name
            });
            if !known {
                id.owners.push(*owner);
            }
        }
        id.provenance.extend(prov.iter().copied());
        let kind = id.kind;
        if !kind.is_managed_identity() {
            l.add_credentials(ix, CredentialHolder::Application, &app.credentials, &prov);
        }
        l.index(ix);
    }

    // 4. Resources become workloads; their identity blocks attach (and, when unseen, reveal) identities.
    for (i, r) in store.resources.items.iter().enumerate() {
        let prov = provenance(&store.resources, i, r.prov);
        let w = l.workloads.len() as u32;
        l.workload_by_id.insert_first(&l.strings, r.id, w);
        l.workloads.push(Workload {
            id: r.id,
            resource_type: r.resource_type,
            name: r.name,
            subscription: r.subscription,
            resource_group: r.resource_group,
            location: r.location,
            tags: r.tags.clone(),
            identity_type: r.identity_type,
            attachments: Vec::new(),
            oidc_issuer: r.oidc_issuer,
            app_credential: r.app_credential,
            environment: Environment::Unknown,
            environment_source: EnvironmentSource::None,
            provenance: prov.clone(),
        });
        if let Some(principal) = r.system_principal {
            let ix = match l.find(Some(principal), None, None) {
                Some(ix) => ix,
                None => {
                    let ix = l.create(IdentityKind::SystemAssignedManagedIdentity, true);
                    l.identity(ix).provenance.push(r.prov);
                    ix
                }
            };
            let id = l.identity(ix);
            if id.kind == IdentityKind::ManagedIdentity {
                id.kind = IdentityKind::SystemAssignedManagedIdentity;
            }
            fill(&mut id.principal_id, Some(principal));
            fill(&mut id.tenant_id, r.system_tenant);
            fill(&mut id.host_resource_id, Some(r.id));
            fill(&mut id.display_name, r.name);
            fill(&mut id.subscription, r.subscription);
            fill(&mut id.resource_group, r.resource_group);
            l.index(ix);
            l.attach(w, ix, AttachmentKind::SystemAssigned);
        }
        for reference in &r.user_assigned {
            let ix = l.user_assigned_ref(reference, r.prov);
            l.attach(w, ix, AttachmentKind::UserAssigned);
        }
        if let Some(kubelet) = &r.kubelet {
            let ix = l.user_assigned_ref(kubelet, r.prov);
            l.attach(w, ix, AttachmentKind::AksKubelet);
        }
    }

    // 5. System-assigned identities known from SP `alternativeNames` attach to their host when it was exported.
    for ix in 0..l.identities.len() as IdentityIx {
        let id = &l.identities[ix as usize];
        if id.kind != IdentityKind::SystemAssignedManagedIdentity {
            continue;
        }
        let Some(host) = id.host_resource_id else {
            continue;
        };
        if let Some(w) = l.workload_by_id.get(&l.strings, l.strings.resolve(host)) {
            l.attach(w, ix, AttachmentKind::SystemAssigned);
        }
    }

    // 6. Federated credentials belong to the user-assigned identity their id descends from.
    let mut federations = Vec::with_capacity(store.federations.items.len());
    for (i, f) in store.federations.items.iter().enumerate() {
        let prov = provenance(&store.federations, i, f.prov);
        let identity = f.parent.map(|parent| {
            let reference = RawIdentityRef {
                resource_id: Some(parent),
                client_id: None,
                principal_id: None,
            };
            l.user_assigned_ref(&reference, f.prov)
        });
        federations.push(Federation {
            identity,
            id: f.id,
            name: f.name,
            issuer: f.issuer,
            subject: f.subject,
            claims_matching_expression: f.expression,
            claims_language_version: f.language_version,
            audiences: f.audiences.clone(),
            provenance: prov,
        });
    }

    // 7. Sign-in activity by appId = clientId.
    let mut activity = Vec::with_capacity(store.activity.items.len());
    for (i, a) in store.activity.items.iter().enumerate() {
        let prov = provenance(&store.activity, i, a.prov);
        let identity = l.by_client.get(&a.app_id).copied();
        let ax = activity.len() as u32;
        if let Some(ix) = identity {
            fill(&mut l.identity(ix).activity, Some(ax));
        }
        activity.push(Activity {
            app_id: a.app_id,
            identity,
            last_sign_in: a.last,
            last_app_client_sign_in: a.app_client,
            last_app_resource_sign_in: a.app_resource,
            last_delegated_client_sign_in: a.delegated_client,
            last_delegated_resource_sign_in: a.delegated_resource,
            provenance: prov,
        });
    }

    // 7b. Per-credential usage: onto the credential with that keyId held by the object the record names.
    let credential_activity = link_credential_activity(&mut l, &store, &mut files);

    // 7d. Activity-log operations: onto the identity that performed them (object id, else client id); what the
    // log covers per subscription counts every event, whoever the caller.
    let (operations, log_coverage) = link_operations(&l, &store, &mut files);

    // 7c. Users and groups of the directory, as read (owner resolution).
    let principals = store
        .principals
        .items
        .iter()
        .map(|p| DirectoryPrincipal {
            kind: p.kind,
            id: p.id,
            display_name: p.display_name,
            user_principal_name: p.user_principal_name,
            mail: p.mail,
            enabled: p.enabled,
            provenance: p.prov,
        })
        .collect();

    // 8. Role definitions as exported, tiers derived from their actions.
    let mut roles_out: Vec<RoleDefinition> = Vec::new();
    let mut role_by_guid: FastMap<Guid, u32> = FastMap::default();
    let mut role_by_name: FastMap<String, u32> = FastMap::default();
    for (i, d) in store.role_definitions.items.iter().enumerate() {
        let prov = provenance(&store.role_definitions, i, d.prov);
        let texts = |list: &[Sym]| {
            list.iter()
                .map(|s| l.strings.resolve(*s))
                .collect::<Vec<_>>()
        };
        let privilege = roles::derive(
            &texts(&d.actions),
            &texts(&d.not_actions),
            &texts(&d.data_actions),
            &texts(&d.not_data_actions),
        );
        let rx = roles_out.len() as u32;
        if let Some(g) = d.guid {
            role_by_guid.entry(g).or_insert(rx);
        }
        if let Some(n) = d.name {
            role_by_name
                .entry(l.strings.resolve(n).to_ascii_lowercase())
                .or_insert(rx);
        }
        roles_out.push(RoleDefinition {
            guid: d.guid,
            id: d.id,
            name: d.name,
            description: d.description,
            custom: d.custom,
            actions: d.actions.clone(),
            not_actions: d.not_actions.clone(),
            data_actions: d.data_actions.clone(),
            not_data_actions: d.not_data_actions.clone(),
            assignable_scopes: d.assignable_scopes.clone(),
            tier: privilege.tier,
            tier_source: TierSource::Definition,
            can_grant_access: privilege.can_grant_access,
            has_wildcard: privilege.has_wildcard,
            exported: true,
            provenance: prov,
        });
    }

    // 9. Grants (made while reading): role by GUID, name, built-in table; principal resolved or kept as a fact.
    let assignments = store.assignments;
    let scopes = assignments.scopes;
    let role_refs = assignments.roles;
    let mut grants = assignments.grants;
    let name_keys: Vec<Option<String>> = role_refs
        .iter()
        .map(|r| r.name.map(|n| l.strings.resolve(n).to_ascii_lowercase()))
        .collect();
    // A role reference's answer, once it can no longer change (see `stable` below).
    let mut resolved: Vec<Option<u32>> = vec![None; role_refs.len()];
    for grant in &mut grants {
        let r = grant.role as usize;
        let role = match resolved.get(r).copied().flatten() {
            Some(rx) => rx,
            None => {
                let Some(a) = role_refs.get(r).copied() else {
                    continue;
                };
                let name_key = name_keys.get(r).and_then(Option::as_ref);
                let by_guid = a.guid.and_then(|g| role_by_guid.get(&g)).copied();
                let existing =
                    by_guid.or_else(|| name_key.and_then(|n| role_by_name.get(n)).copied());
                // Entries are only ever added: an answer by GUID, or by name when there is no GUID, stays right.
                let mut stable = by_guid.is_some() || (a.guid.is_none() && existing.is_some());
                let rx = match existing {
                    Some(rx) => rx,
                    None => {
                        let built_in = a
                            .guid
                            .and_then(roles::built_in_by_guid)
                            .or_else(|| name_key.and_then(|n| roles::built_in_by_name(n)));
                        let (privilege, source, name) = match built_in {
                            Some(b) => (
                                b.privilege,
                                TierSource::BuiltIn,
                                a.name.or_else(|| Some(l.strings.intern(b.name))),
                            ),
                            None => (
                                roles::Privilege {
                                    tier: roles::ASSUMED_TIER,
                                    can_grant_access: false,
                                    has_wildcard: false,
                                },
                                TierSource::Assumed,
                                a.name,
                            ),
                        };
                        let rx = roles_out.len() as u32;
                        if let Some(g) = a.guid {
                            role_by_guid.insert(g, rx);
                        }
                        if let Some(n) = name_key {
                            role_by_name.insert(n.clone(), rx);
                        }
                        // A stub with neither GUID nor name is made anew for every grant that names it.
                        stable = a.guid.is_some() || name_key.is_some();
                        roles_out.push(RoleDefinition {
                            guid: a.guid,
                            id: a.definition_id,
                            name,
                            description: None,
                            custom: None,
                            actions: Vec::new(),
                            not_actions: Vec::new(),
                            data_actions: Vec::new(),
                            not_data_actions: Vec::new(),
                            assignable_scopes: Vec::new(),
                            tier: privilege.tier,
                            tier_source: source,
                            can_grant_access: privilege.can_grant_access,
                            has_wildcard: privilege.has_wildcard,
                            exported: false,
                            provenance: Vec::new(),
                        });
                        rx
                    }
                };
                if stable && let Some(slot) = resolved.get_mut(r) {
                    *slot = Some(rx);
                }
                rx
            }
        };
        let other = |t: &str| {
            ["user", "group", "foreigngroup", "device"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(t))
        };
        grant.principal = match grant.principal_id.and_then(|p| l.by_principal.get(&p)) {
            Some(&ix) => GrantPrincipal::Identity(ix),
            None => match grant.principal_type.map(|t| l.strings.resolve(t)) {
                Some(t) if other(t) => GrantPrincipal::Other,
                _ => GrantPrincipal::Unresolved,
            },
        };
        grant.role = role;
        grant.tier = roles_out
            .get(role as usize)
            .map_or(roles::ASSUMED_TIER, |r| r.tier);
    }

    // 9b. Entra directory roles and Graph app roles: principal by object id; an app role's resource is Microsoft
    // Graph when the service-principal export gives `resourceId` Graph's appId, else when `resourceDisplayName`
    // says "Microsoft Graph"; with neither it stays an unclassified grant (kept and shown, not judged).
    let graph_app = Guid::parse(super::directory_roles::MICROSOFT_GRAPH_APP_ID);
    let sp_app_ids: FastMap<Guid, Guid> = store
        .service_principals
        .items
        .iter()
        .filter_map(|sp| Some((sp.object_id?, sp.app_id?)))
        .collect();
    let mut directory_grants = Vec::with_capacity(store.directory_grants.items.len());
    for (i, d) in store.directory_grants.items.iter().enumerate() {
        let prov = provenance(&store.directory_grants, i, d.prov);
        let resource_app_id = d.resource_id.and_then(|r| sp_app_ids.get(&r).copied());
        let graph_resource = match (d.kind, resource_app_id) {
            (DirectoryGrantKind::DirectoryRole, _) => None,
            (DirectoryGrantKind::AppRole, Some(app)) => Some(Some(app) == graph_app),
            (DirectoryGrantKind::AppRole, None) => d.resource_name.map(|n| {
                l.strings
                    .resolve(n)
                    .trim()
                    .eq_ignore_ascii_case("Microsoft Graph")
            }),
        };
        let exported_name = d.role_name.map(|n| l.strings.resolve(n).to_owned());
        let (privilege, known) = super::directory_roles::classify(
            d.kind,
            d.template_id.or(d.role_id),
            exported_name.as_deref(),
            graph_resource,
        );
        let role_name = d
            .role_name
            .or_else(|| known.map(|w| l.strings.intern(w.name)));
        let principal = match l.by_principal.get(&d.principal_id) {
            Some(&ix) => GrantPrincipal::Identity(ix),
            None => {
                let t = d.principal_type.map(|t| {
                    l.strings
                        .resolve(t)
                        .trim_start_matches("#microsoft.graph.")
                        .to_ascii_lowercase()
                });
                match t.as_deref() {
                    Some("user" | "group" | "device") => GrantPrincipal::Other,
                    _ => GrantPrincipal::Unresolved,
                }
            }
        };
        directory_grants.push(DirectoryGrant {
            kind: d.kind,
            principal,
            principal_id: Some(d.principal_id),
            principal_type: d.principal_type,
            principal_name: d.principal_name,
            role_id: d.role_id,
            role_id_text: d.role_id_text,
            role_name,
            directory_scope: d.directory_scope,
            resource_id: d.resource_id,
            resource_name: d.resource_name,
            resource_app_id,
            privilege,
            tier: super::directory_roles::tier(privilege),
            assignment_id: d.id,
            created: d.created,
            provenance: prov,
        });
    }

    // 10. Environments: workloads first (a system-assigned identity inherits its host's).
    for w in &mut l.workloads {
        let names = [w.name, w.resource_group];
        (w.environment, w.environment_source) = super::env::classify(&l.strings, &w.tags, &names);
    }
    for ix in 0..l.identities.len() {
        let id = &l.identities[ix];
        let names = [id.display_name, id.resource_group];
        let (mut env, mut source) = super::env::classify(&l.strings, &id.tags, &names);
        if env == Environment::Unknown
            && let Some(host) = id.host_resource_id
            && let Some(w) = l.workload_by_id.get(&l.strings, l.strings.resolve(host))
            && let Some(workload) = l.workloads.get(w as usize)
        {
            (env, source) = (workload.environment, workload.environment_source);
        }
        l.identities[ix].environment = env;
        l.identities[ix].environment_source = source;
    }

    let mut snapshot = Snapshot {
        strings: l.strings,
        files,
        identities: l.identities,
        workloads: l.workloads,
        roles: roles_out,
        scopes,
        grants,
        credentials: l.credentials,
        federations,
        activity,
        directory_grants,
        credential_activity,
        principals,
        operations,
        log_coverage,
        index: Default::default(),
    };
    snapshot.rebuild_index();
    snapshot
}

/// Match each `appCredentialSignInActivities` record to its credential: same `keyId`, held by the object the record
/// names (`appObjectId` for `credentialOrigin: application`, `servicePrincipalObjectId` for `servicePrincipal`), else
/// by the holder's `appId`; a record naming no holder at all matches a `keyId` only one credential has. Records of
/// one credential fold into one entry (latest sign-in). A record whose credential is not in the snapshot is kept
/// (`credential: None`) and counted in its file's messages.
fn link_credential_activity(
    l: &mut Linker,
    store: &Store,
    files: &mut [FileReport],
) -> Vec<CredentialActivity> {
    let raw = &store.credential_activity;
    let mut out: Vec<CredentialActivity> = Vec::with_capacity(raw.items.len());
    if raw.items.is_empty() {
        return out;
    }
    let mut by_key: FastMap<Guid, Vec<u32>> = FastMap::default();
    for (cx, c) in l.credentials.iter().enumerate() {
        if let Some(k) = c.key_id {
            by_key.entry(k).or_default().push(cx as u32);
        }
    }
    // Per file: unmatched records and an example keyId.
    let mut unmatched: FastMap<u32, (u64, Guid)> = FastMap::default();
    for (i, a) in raw.items.iter().enumerate() {
        let prov = provenance(raw, i, a.prov);
        let candidates = by_key.get(&a.key_id).map_or(&[][..], Vec::as_slice);
        let holder_ok = |c: &Credential| a.origin.is_none_or(|o| o == c.holder);
        let owner_of = |c: &Credential| l.identities.get(c.identity as usize);
        let by_object = candidates.iter().copied().find(|&cx| {
            let c = &l.credentials[cx as usize];
            holder_ok(c)
                && owner_of(c).is_some_and(|id| match c.holder {
                    CredentialHolder::Application => {
                        a.app_object_id.is_some() && id.application_object_id == a.app_object_id
                    }
                    CredentialHolder::ServicePrincipal => {
                        a.sp_object_id.is_some() && id.principal_id == a.sp_object_id
                    }
                })
        });
        let by_app = || {
            candidates.iter().copied().find(|&cx| {
                let c = &l.credentials[cx as usize];
                holder_ok(c)
                    && a.app_id.is_some()
                    && owner_of(c).is_some_and(|id| id.client_id == a.app_id)
            })
        };
        let anonymous = a.app_id.is_none() && a.app_object_id.is_none() && a.sp_object_id.is_none();
        let by_key_only = || {
            (anonymous && candidates.len() == 1)
                .then(|| candidates[0])
                .filter(|&cx| holder_ok(&l.credentials[cx as usize]))
        };
        let credential = by_object.or_else(by_app).or_else(by_key_only);
        if let Some(cx) = credential
            && let Some(ax) = l.credentials[cx as usize].activity
            && let Some(kept) = out.get_mut(ax as usize)
        {
            kept.last_sign_in = kept.last_sign_in.max(a.last);
            kept.provenance.extend(prov);
            continue;
        }
        let ax = out.len() as u32;
        match credential {
            Some(cx) => l.credentials[cx as usize].activity = Some(ax),
            None => {
                let entry = unmatched.entry(a.prov.file).or_insert((0, a.key_id));
                entry.0 += 1;
            }
        }
        out.push(CredentialActivity {
            key_id: a.key_id,
            origin: a.origin,
            app_id: a.app_id,
            app_object_id: a.app_object_id,
            service_principal_object_id: a.sp_object_id,
            key_type: a.key_type,
            last_sign_in: a.last,
            expires: a.expires,
            credential,
            provenance: prov,
        });
    }
    let mut unmatched: Vec<(u32, (u64, Guid))> = unmatched.into_iter().collect();
    crate::order::sort_by_key(&mut unmatched, |(file, _)| *file);
    for (file, (count, example)) in unmatched {
        if let Some(report) = files.get_mut(file as usize) {
            report.messages.push(format!(
                "{count} credential sign-in record(s) name a credential that no exported application or service \
                 principal holds (e.g. keyId {example}): kept as usage of unknown credentials, not linked; export \
                 `az ad app list --all` and `az ad sp list --all` with the credentials to link them"
            ));
        }
    }
    out
}

/// Match activity-log events to identities and measure what the log covers per subscription. Events of callers that
/// are not identities of the snapshot (people, other tenants' apps) count for the coverage and are otherwise not
/// kept; their number is reported in the file's messages.
fn link_operations(
    l: &Linker,
    store: &Store,
    files: &mut [FileReport],
) -> (Vec<Operation>, Vec<LogCoverage>) {
    let raw = &store.operations;
    let mut out = Vec::new();
    let mut coverage: BTreeMap<String, LogCoverage> = BTreeMap::new();
    let mut others: FastMap<u32, u64> = FastMap::default();
    for op in &raw.items {
        let scope = l.strings.resolve(op.scope);
        let sub = op
            .subscription
            .map(|s| fold(l.strings.resolve(s)))
            .or_else(|| parse_arm_path(scope).1.subscription.map(fold))
            .unwrap_or_default();
        let c = coverage.entry(sub.clone()).or_insert(LogCoverage {
            subscription: sub,
            first: op.at,
            last: op.at,
            events: 0,
        });
        c.first = c.first.min(op.at);
        c.last = c.last.max(op.at);
        c.events += 1;
        let identity = op
            .object_id
            .and_then(|g| l.by_principal.get(&g))
            .or_else(|| op.app_id.and_then(|g| l.by_client.get(&g)))
            .or_else(|| {
                op.caller_guid
                    .and_then(|g| l.by_principal.get(&g).or_else(|| l.by_client.get(&g)))
            })
            .copied();
        match identity {
            Some(identity) => out.push(Operation {
                identity,
                action: op.action,
                scope: op.scope,
                at: op.at,
                failed: op.failed,
                provenance: op.prov,
            }),
            None => *others.entry(op.prov.file).or_default() += 1,
        }
    }
    for (file, n) in others {
        if let Some(f) = files.get_mut(file as usize) {
            f.messages.push(format!(
                "{n} event(s) by callers that are not workload identities of the snapshot (people, or service \
                 principals not exported) were read for the log's time span only"
            ));
        }
    }
    (out, coverage.into_values().collect())
}
