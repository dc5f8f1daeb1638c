//! Writes a planned tenant as export files. Each file has typed record structs whose fields are declared in
//! the order `az -o json` prints them (alphabetical, Python `sort_keys`), and draws from its own random stream,
//! so files can be written in any order and each one is reproducible alone.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Guid;
use super::dates::{self, DAY};
use super::json::{ArrayOut, value_at};
use super::names::{GROUPS, REGIONS, TEAMS};
use super::plan::{
    Activity, Cred, Grant, Ident, Kind, MANAGEMENT_GROUPS, Principal, Scope, Tenant,
};
use super::rng::Rng;
use super::roles::{self, *};

const MICROSOFT_SERVICES_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const NO_STRINGS: &[&str] = &[];

/// Writes file `name` of tenant `t`; returns its record count. Unknown names write nothing.
pub(crate) fn write<W: Write>(t: &Tenant, name: &str, out: &mut W) -> io::Result<usize> {
    let count = match name {
        "identities.json" => identities(t, out)?,
        "service-principals.json" => service_principals(t, out)?,
        "applications.json" => applications(t, out)?,
        "resources.json" => resources(t, out)?,
        "role-definitions.json" => role_definitions(t, out)?,
        "role-assignments.json" => role_assignments(t, out)?,
        "signin-activity.json" => signin_activity(t, out)?,
        "federated-credentials.json" => federated_credentials(t, out)?,
        "directory-role-assignments.json" => directory_role_assignments(t, out)?,
        "app-role-assignments.json" => app_role_assignments(t, out)?,
        "app-credential-signins.json" => app_credential_signins(t, out)?,
        "users.json" => users(t, out)?,
        "groups.json" => groups(t, out)?,
        "activity-log.json" => activity_log(t, out)?,
        _ => return Ok(0),
    };
    out.write_all(b"\n")?;
    Ok(count)
}

// ---------------------------------------------------------------------------------------------------------------
// Ids

impl Tenant {
    fn sub_path(&self, sub: usize) -> String {
        self.subs
            .get(sub)
            .map_or_else(String::new, |s| format!("/subscriptions/{}", s.id))
    }

    fn rg_name(&self, rg: usize) -> &str {
        self.rgs.get(rg).map_or("", |r| r.name.as_str())
    }

    fn rg_sub(&self, rg: usize) -> usize {
        self.rgs.get(rg).map_or(0, |r| r.sub)
    }

    /// `/subscriptions/<sub>/<segment>/<rg>` where `segment` is `resourceGroups` or `resourcegroups`.
    fn rg_path(&self, rg: usize, segment: &str) -> String {
        format!(
            "{}/{segment}/{}",
            self.sub_path(self.rg_sub(rg)),
            self.rg_name(rg)
        )
    }

    /// A user-assigned identity's id as `az identity list` prints it (lower-case `resourcegroups`).
    fn uami_id(&self, i: usize) -> String {
        let ident = &self.idents[i];
        format!(
            "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}",
            self.rg_path(ident.rg, "resourcegroups"),
            ident.name
        )
    }

    fn resource_id(&self, r: usize, segment: &str) -> String {
        let res = &self.resources[r];
        format!(
            "{}/providers/{}/{}",
            self.rg_path(res.rg, segment),
            res.kind.provider(),
            res.name
        )
    }

    fn role_guid(&self, role: u8) -> String {
        match roles::spec(role).guid {
            Some(g) => g.to_owned(),
            None => self
                .custom_role_ids
                .get(usize::from(role).saturating_sub(BUILT_INS.len()))
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }

    fn region(&self, region: usize) -> &'static str {
        REGIONS.get(region).map_or("westeurope", |r| r.0)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// identities.json — `az identity list -o json`

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UamiRec<'a> {
    client_id: Guid,
    id: String,
    location: &'static str,
    name: &'a str,
    principal_id: Guid,
    resource_group: &'a str,
    system_data: Option<()>,
    tags: BTreeMap<&'static str, String>,
    tenant_id: Guid,
    #[serde(rename = "type")]
    kind: &'static str,
}

fn ident_tags(t: &Tenant, ident: &Ident) -> BTreeMap<&'static str, String> {
    let mut tags = BTreeMap::new();
    if ident.no_tags {
        return tags;
    }
    tags.insert("env", ident.env.tag().to_owned());
    if let Some(owner) = ident.owner.and_then(|o| t.owners.get(o)) {
        tags.insert("owner", owner.clone());
    }
    if ident.managed_by_terraform {
        tags.insert("managedBy", "terraform".to_owned());
    }
    tags
}

fn identities<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut arr = ArrayOut::open(out, 0)?;
    for (i, ident) in t.idents.iter().enumerate() {
        if ident.kind != Kind::Uami {
            continue;
        }
        let sub = t.rg_sub(ident.rg);
        arr.push(&UamiRec {
            client_id: ident.client,
            id: t.uami_id(i),
            location: t.region(t.subs.get(sub).map_or(0, |s| s.region)),
            name: &ident.name,
            principal_id: ident.principal,
            resource_group: t.rg_name(ident.rg),
            system_data: None,
            tags: ident_tags(t, ident),
            tenant_id: t.tenant_id,
            kind: "Microsoft.ManagedIdentity/userAssignedIdentities",
        })?;
    }
    arr.close()
}

// ---------------------------------------------------------------------------------------------------------------
// service-principals.json — `az ad sp list --all -o json` (Microsoft Graph v1.0)

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyCredRec {
    custom_key_identifier: String,
    display_name: Option<String>,
    end_date_time: String,
    key: Option<()>,
    key_id: Guid,
    start_date_time: String,
    #[serde(rename = "type")]
    kind: &'static str,
    usage: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PasswordCredRec {
    custom_key_identifier: Option<()>,
    display_name: Option<String>,
    end_date_time: String,
    hint: String,
    key_id: Guid,
    secret_text: Option<()>,
    start_date_time: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InfoRec {
    logo_url: Option<()>,
    marketing_url: Option<()>,
    privacy_statement_url: Option<()>,
    support_url: Option<()>,
    terms_of_service_url: Option<()>,
}

const INFO: InfoRec = InfoRec {
    logo_url: None,
    marketing_url: None,
    privacy_statement_url: None,
    support_url: None,
    terms_of_service_url: None,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedPublisherRec {
    added_date_time: Option<()>,
    display_name: Option<()>,
    verified_publisher_id: Option<()>,
}

const NO_PUBLISHER: VerifiedPublisherRec = VerifiedPublisherRec {
    added_date_time: None,
    display_name: None,
    verified_publisher_id: None,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServicePrincipalRec<'a> {
    account_enabled: bool,
    add_ins: &'static [&'static str],
    alternative_names: Vec<String>,
    app_description: Option<()>,
    app_display_name: Option<&'a str>,
    app_id: String,
    app_owner_organization_id: Option<String>,
    app_role_assignment_required: bool,
    app_roles: &'static [&'static str],
    application_template_id: Option<()>,
    deleted_date_time: Option<()>,
    description: Option<()>,
    disabled_by_microsoft_status: Option<()>,
    display_name: &'a str,
    homepage: Option<String>,
    id: Guid,
    info: InfoRec,
    key_credentials: Vec<KeyCredRec>,
    login_url: Option<()>,
    logout_url: Option<()>,
    notes: Option<()>,
    notification_email_addresses: &'static [&'static str],
    oauth2_permission_scopes: &'static [&'static str],
    password_credentials: Vec<PasswordCredRec>,
    preferred_single_sign_on_mode: Option<()>,
    preferred_token_signing_key_thumbprint: Option<()>,
    reply_urls: &'static [&'static str],
    resource_specific_application_permissions: &'static [&'static str],
    saml_single_sign_on_settings: Option<()>,
    service_principal_names: Vec<String>,
    service_principal_type: &'static str,
    sign_in_audience: Option<&'static str>,
    tags: &'static [&'static str],
    token_encryption_key_id: Option<()>,
    verified_publisher: VerifiedPublisherRec,
}

impl ServicePrincipalRec<'_> {
    fn base<'a>(
        display_name: &'a str,
        id: Guid,
        app_id: String,
        kind: &'static str,
    ) -> ServicePrincipalRec<'a> {
        ServicePrincipalRec {
            account_enabled: true,
            add_ins: NO_STRINGS,
            alternative_names: Vec::new(),
            app_description: None,
            app_display_name: None,
            app_id,
            app_owner_organization_id: None,
            app_role_assignment_required: false,
            app_roles: NO_STRINGS,
            application_template_id: None,
            deleted_date_time: None,
            description: None,
            disabled_by_microsoft_status: None,
            display_name,
            homepage: None,
            id,
            info: INFO,
            key_credentials: Vec::new(),
            login_url: None,
            logout_url: None,
            notes: None,
            notification_email_addresses: NO_STRINGS,
            oauth2_permission_scopes: NO_STRINGS,
            password_credentials: Vec::new(),
            preferred_single_sign_on_mode: None,
            preferred_token_signing_key_thumbprint: None,
            reply_urls: NO_STRINGS,
            resource_specific_application_permissions: NO_STRINGS,
            saml_single_sign_on_settings: None,
            service_principal_names: Vec::new(),
            service_principal_type: kind,
            sign_in_audience: None,
            tags: NO_STRINGS,
            token_encryption_key_id: None,
            verified_publisher: NO_PUBLISHER,
        }
    }
}

fn password_rec(c: &Cred) -> PasswordCredRec {
    PasswordCredRec {
        custom_key_identifier: None,
        display_name: c.display.clone(),
        end_date_time: dates::graph_ms(c.end, c.millis),
        hint: c.hint.clone(),
        key_id: c.key_id,
        secret_text: None,
        start_date_time: dates::graph_ms(c.start, c.millis),
    }
}

fn key_rec(c: &Cred) -> KeyCredRec {
    KeyCredRec {
        custom_key_identifier: c.hint.clone(),
        display_name: c.display.clone(),
        end_date_time: dates::graph(c.end),
        key: None,
        key_id: c.key_id,
        start_date_time: dates::graph(c.start),
        kind: "AsymmetricX509Cert",
        usage: "Verify",
    }
}

/// Standard base64 with padding (for the MI service principal name and the sign-in report's `id`).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn service_principals<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut rng = Rng::new(t.seed, 3);
    let mut arr = ArrayOut::open(out, 0)?;
    for &(name, app_id, id) in &t.first_party {
        let mut sp = ServicePrincipalRec::base(name, id, app_id.to_owned(), "Application");
        sp.app_display_name = Some(name);
        sp.app_owner_organization_id = Some(MICROSOFT_SERVICES_TENANT.to_owned());
        sp.service_principal_names = vec![app_id.to_owned()];
        sp.sign_in_audience = Some("AzureADMultipleOrgs");
        arr.push(&sp)?;
    }
    for (i, ident) in t.idents.iter().enumerate() {
        let app_id = ident.client.to_string();
        let mut sp = match ident.kind {
            Kind::Uami | Kind::Sami => {
                let mut sp = ServicePrincipalRec::base(
                    &ident.name,
                    ident.principal,
                    app_id.clone(),
                    "ManagedIdentity",
                );
                let (explicit, resource) = match (ident.kind, ident.host) {
                    (Kind::Sami, Some(host)) => {
                        ("isExplicit=False", t.resource_id(host, "resourcegroups"))
                    }
                    _ => ("isExplicit=True", t.uami_id(i)),
                };
                sp.alternative_names = if ident.alt_swapped {
                    vec![resource, explicit.to_owned()]
                } else {
                    vec![explicit.to_owned(), resource]
                };
                let (start, key_id, thumb) = &ident.platform_cert;
                sp.key_credentials.push(KeyCredRec {
                    custom_key_identifier: thumb.clone(),
                    display_name: None,
                    end_date_time: dates::graph(start + 90 * DAY),
                    key: None,
                    key_id: *key_id,
                    start_date_time: dates::graph(*start),
                    kind: "AsymmetricX509Cert",
                    usage: "Verify",
                });
                let mut spn_bytes = [0u8; 32];
                for chunk in spn_bytes.chunks_mut(8) {
                    chunk.copy_from_slice(&rng.u64().to_le_bytes());
                }
                sp.service_principal_names = vec![
                    app_id,
                    format!("https://identity.azure.net/{}", base64(&spn_bytes)),
                ];
                sp
            }
            Kind::App | Kind::Vendor => {
                let mut sp = ServicePrincipalRec::base(
                    &ident.name,
                    ident.principal,
                    app_id.clone(),
                    "Application",
                );
                sp.app_display_name = Some(&ident.name);
                sp.account_enabled = ident.enabled;
                sp.tags = &["WindowsAzureActiveDirectoryIntegratedApp"];
                sp.service_principal_names = vec![app_id.clone()];
                if let Some(vendor) = ident.vendor_tenant {
                    sp.app_owner_organization_id = Some(vendor.to_string());
                    sp.sign_in_audience = Some("AzureADMultipleOrgs");
                    sp.homepage = Some(format!(
                        "https://www.{}.example/",
                        ident
                            .name
                            .split(' ')
                            .next()
                            .unwrap_or("vendor")
                            .to_ascii_lowercase()
                    ));
                    sp.app_role_assignment_required = rng.chance(0.5);
                } else {
                    sp.app_owner_organization_id = Some(t.tenant_id.to_string());
                    sp.sign_in_audience = Some("AzureADMyOrg");
                    if rng.chance(0.3) {
                        sp.service_principal_names.push(format!("api://{app_id}"));
                    }
                }
                sp.password_credentials = ident.sp_creds.iter().map(password_rec).collect();
                sp
            }
        };
        if ident.kind != Kind::App && ident.kind != Kind::Vendor {
            sp.account_enabled = ident.enabled;
        }
        arr.push(&sp)?;
    }
    arr.close()
}

// ---------------------------------------------------------------------------------------------------------------
// applications.json — `az ad app list --all -o json` (Microsoft Graph v1.0)

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApiRec {
    accept_mapped_claims: Option<()>,
    known_client_applications: &'static [&'static str],
    oauth2_permission_scopes: &'static [&'static str],
    pre_authorized_applications: &'static [&'static str],
    requested_access_token_version: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ParentalRec {
    countries_blocked_for_minors: &'static [&'static str],
    legal_age_group_rule: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RedirectsRec {
    redirect_uris: &'static [&'static str],
}

#[derive(Serialize)]
struct ResourceAccessRec {
    id: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequiredAccessRec {
    resource_access: Vec<ResourceAccessRec>,
    resource_app_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImplicitGrantRec {
    enable_access_token_issuance: bool,
    enable_id_token_issuance: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WebRec {
    home_page_url: Option<()>,
    implicit_grant_settings: ImplicitGrantRec,
    logout_url: Option<()>,
    redirect_uri_settings: &'static [&'static str],
    redirect_uris: &'static [&'static str],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationRec<'a> {
    add_ins: &'static [&'static str],
    api: ApiRec,
    app_id: Guid,
    app_roles: &'static [&'static str],
    application_template_id: Option<()>,
    certification: Option<()>,
    created_date_time: String,
    default_redirect_uri: Option<()>,
    deleted_date_time: Option<()>,
    description: Option<()>,
    disabled_by_microsoft_status: Option<()>,
    display_name: &'a str,
    group_membership_claims: Option<()>,
    id: Guid,
    identifier_uris: Vec<String>,
    info: InfoRec,
    is_device_only_auth_supported: Option<()>,
    is_fallback_public_client: Option<()>,
    key_credentials: Vec<KeyCredRec>,
    notes: Option<String>,
    optional_claims: Option<()>,
    parental_control_settings: ParentalRec,
    password_credentials: Vec<PasswordCredRec>,
    public_client: RedirectsRec,
    publisher_domain: &'static str,
    required_resource_access: Vec<RequiredAccessRec>,
    saml_metadata_url: Option<()>,
    service_management_reference: Option<()>,
    sign_in_audience: &'static str,
    spa: RedirectsRec,
    tags: &'static [&'static str],
    token_encryption_key_id: Option<()>,
    verified_publisher: VerifiedPublisherRec,
    web: WebRec,
}

fn applications<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut rng = Rng::new(t.seed, 4);
    let mut arr = ArrayOut::open(out, 0)?;
    for ident in t.idents.iter().filter(|i| i.kind == Kind::App) {
        let mut access = vec![ResourceAccessRec {
            id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
            kind: "Scope",
        }];
        if ident.graph_permissions {
            // Application.ReadWrite.All, Directory.Read.All: requested application permissions on Graph.
            access.push(ResourceAccessRec {
                id: "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
                kind: "Role",
            });
            access.push(ResourceAccessRec {
                id: "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
                kind: "Role",
            });
        }
        let notes = match ident.owner.and_then(|o| t.owners.get(o)) {
            Some(owner) if rng.chance(0.5) => Some(format!("Owner: {owner}")),
            _ => None,
        };
        let identifier_uris = if rng.chance(0.3) {
            vec![format!("api://{}", ident.client)]
        } else {
            Vec::new()
        };
        arr.push(&ApplicationRec {
            add_ins: NO_STRINGS,
            api: ApiRec {
                accept_mapped_claims: None,
                known_client_applications: NO_STRINGS,
                oauth2_permission_scopes: NO_STRINGS,
                pre_authorized_applications: NO_STRINGS,
                requested_access_token_version: None,
            },
            app_id: ident.client,
            app_roles: NO_STRINGS,
            application_template_id: None,
            certification: None,
            created_date_time: dates::graph(ident.created),
            default_redirect_uri: None,
            deleted_date_time: None,
            description: None,
            disabled_by_microsoft_status: None,
            display_name: &ident.name,
            group_membership_claims: None,
            id: ident.app_object,
            identifier_uris,
            info: INFO,
            is_device_only_auth_supported: None,
            is_fallback_public_client: None,
            key_credentials: ident
                .creds
                .iter()
                .filter(|c| !c.secret)
                .map(key_rec)
                .collect(),
            notes,
            optional_claims: None,
            parental_control_settings: ParentalRec {
                countries_blocked_for_minors: NO_STRINGS,
                legal_age_group_rule: "Allow",
            },
            password_credentials: ident
                .creds
                .iter()
                .filter(|c| c.secret)
                .map(password_rec)
                .collect(),
            public_client: RedirectsRec {
                redirect_uris: NO_STRINGS,
            },
            publisher_domain: "contoso.onmicrosoft.com",
            required_resource_access: vec![RequiredAccessRec {
                resource_access: access,
                resource_app_id: GRAPH_APP_ID,
            }],
            saml_metadata_url: None,
            service_management_reference: None,
            sign_in_audience: "AzureADMyOrg",
            spa: RedirectsRec {
                redirect_uris: NO_STRINGS,
            },
            tags: NO_STRINGS,
            token_encryption_key_id: None,
            verified_publisher: NO_PUBLISHER,
            web: WebRec {
                home_page_url: None,
                implicit_grant_settings: ImplicitGrantRec {
                    enable_access_token_issuance: false,
                    enable_id_token_issuance: false,
                },
                logout_url: None,
                redirect_uri_settings: NO_STRINGS,
                redirect_uris: NO_STRINGS,
            },
        })?;
    }
    arr.close()
}

// ---------------------------------------------------------------------------------------------------------------
// resources.json — `az graph query -q "resources | where isnotnull(identity) ..."` envelope

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UaiValue {
    client_id: Guid,
    principal_id: Guid,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IdentityBlock {
    #[serde(skip_serializing_if = "Option::is_none")]
    principal_id: Option<Guid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_id: Option<Guid>,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_assigned_identities: Option<BTreeMap<String, UaiValue>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KubeletRec {
    client_id: Guid,
    object_id: Guid,
    resource_id: String,
}

#[derive(Serialize)]
struct IdentityProfileRec {
    kubeletidentity: KubeletRec,
}

#[derive(Serialize)]
struct OidcRec {
    enabled: bool,
    #[serde(rename = "issuerURL")]
    issuer_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PropertiesRec {
    #[serde(skip_serializing_if = "Option::is_none")]
    identity_profile: Option<IdentityProfileRec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kubernetes_version: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node_resource_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oidc_issuer_profile: Option<OidcRec>,
    provisioning_state: &'static str,
    /// AKS: `msi` when the cluster uses a managed identity, else the app registration it signs in as.
    #[serde(skip_serializing_if = "Option::is_none")]
    service_principal_profile: Option<SpProfileRec>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpProfileRec {
    client_id: String,
}

/// Legacy AKS clusters (created before managed identities) that sign in as one of the tenant's apps with a secret:
/// the apps NHI-C-008 should name.
const LEGACY_AKS: usize = 2;

/// The apps the legacy AKS clusters sign in as: the first ones with an active secret.
fn legacy_aks_apps(t: &Tenant) -> impl Iterator<Item = &Ident> {
    t.idents
        .iter()
        .filter(|i| {
            i.kind == Kind::App
                && i.creds
                    .iter()
                    .any(|c| c.secret && c.start <= t.as_of && c.end > t.as_of)
        })
        .take(LEGACY_AKS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceRec<'a> {
    id: String,
    identity: Option<IdentityBlock>,
    location: &'static str,
    name: &'a str,
    properties: PropertiesRec,
    resource_group: String,
    subscription_id: Guid,
    tags: BTreeMap<&'static str, String>,
    #[serde(rename = "type")]
    kind: String,
}

fn resources<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let live = t
        .resources
        .iter()
        .filter(|r| !r.deleted && (r.sami.is_some() || !r.uamis.is_empty()))
        .count()
        + legacy_aks_apps(t).count();
    out.write_all(format!("{{\n  \"count\": {live},\n  \"data\": ").as_bytes())?;
    let mut arr = ArrayOut::open(out, 1)?;
    for (r, res) in t.resources.iter().enumerate() {
        if res.deleted || (res.sami.is_none() && res.uamis.is_empty()) {
            continue;
        }
        let sub = t.rg_sub(res.rg);
        let sami = res.sami.and_then(|i| t.idents.get(i));
        let uamis: BTreeMap<String, UaiValue> = res
            .uamis
            .iter()
            .filter_map(|&u| {
                let ident = t.idents.get(u)?;
                let listed = t.uami_id(u);
                let key = match res.key_style {
                    0 => listed,
                    1 => listed.replacen("/resourcegroups/", "/resourceGroups/", 1),
                    _ => listed.to_ascii_lowercase(),
                };
                Some((
                    key,
                    UaiValue {
                        client_id: ident.client,
                        principal_id: ident.principal,
                    },
                ))
            })
            .collect();
        let kind = match (sami.is_some(), uamis.is_empty()) {
            (true, true) => "SystemAssigned",
            (false, _) => "UserAssigned",
            (true, false) if res.kind.spaced_identity_type() => "SystemAssigned, UserAssigned",
            (true, false) => "SystemAssigned,UserAssigned",
        };
        let mut properties = PropertiesRec {
            identity_profile: None,
            kubernetes_version: None,
            node_resource_group: None,
            oidc_issuer_profile: None,
            provisioning_state: "Succeeded",
            service_principal_profile: None,
        };
        if let Some(cluster) = res.cluster.and_then(|c| t.clusters.get(c)) {
            let kubelet = &t.idents[cluster.kubelet];
            properties.identity_profile = Some(IdentityProfileRec {
                kubeletidentity: KubeletRec {
                    client_id: kubelet.client,
                    object_id: kubelet.principal,
                    resource_id: t.uami_id(cluster.kubelet),
                },
            });
            properties.kubernetes_version = Some("1.30.4");
            properties.node_resource_group = Some(t.rg_name(cluster.mc_rg).to_owned());
            properties.oidc_issuer_profile = Some(OidcRec {
                enabled: true,
                issuer_url: cluster.issuer.clone(),
            });
            properties.service_principal_profile = Some(SpProfileRec {
                client_id: "msi".to_owned(),
            });
        }
        let mut tags = BTreeMap::new();
        if res.env_tag {
            tags.insert(
                "env",
                t.subs.get(sub).map_or("prod", |s| s.env.tag()).to_owned(),
            );
        }
        if let Some(owner) = res.owner.and_then(|o| t.owners.get(o)) {
            tags.insert("owner", owner.clone());
        }
        if let Some(cc) = res.cost_center {
            tags.insert("costCenter", format!("CC-{cc}"));
        }
        arr.push(&ResourceRec {
            id: t.resource_id(r, "resourceGroups"),
            identity: Some(IdentityBlock {
                principal_id: sami.map(|s| s.principal),
                tenant_id: sami.map(|_| t.tenant_id),
                kind,
                user_assigned_identities: (!uamis.is_empty()).then_some(uamis),
            }),
            location: t.region(res.region),
            name: &res.name,
            properties,
            resource_group: t.rg_name(res.rg).to_ascii_lowercase(),
            subscription_id: t.subs.get(sub).map_or(Guid(0), |s| s.id),
            tags,
            kind: res.kind.provider().to_ascii_lowercase(),
        })?;
    }
    // Legacy clusters have no `identity` block: the Resource Graph query must select managed clusters too.
    for (n, app) in legacy_aks_apps(t).enumerate() {
        let sub = t.rg_sub(app.rg);
        let name = format!("aks-{}-legacy-{:02}", app.app, n + 1);
        let mut tags = BTreeMap::new();
        tags.insert("env", app.env.tag().to_owned());
        arr.push(&ResourceRec {
            id: format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/{name}",
                t.rg_path(app.rg, "resourcegroups")
            ),
            identity: None,
            location: t.region(n),
            name: &name,
            properties: PropertiesRec {
                identity_profile: None,
                kubernetes_version: Some("1.27.9"),
                node_resource_group: Some(format!(
                    "MC_{}_{name}_{}",
                    t.rg_name(app.rg),
                    t.region(n)
                )),
                oidc_issuer_profile: None,
                provisioning_state: "Succeeded",
                service_principal_profile: Some(SpProfileRec {
                    client_id: app.client.to_string(),
                }),
            },
            resource_group: t.rg_name(app.rg).to_ascii_lowercase(),
            subscription_id: t.subs.get(sub).map_or(Guid(0), |s| s.id),
            tags,
            kind: "microsoft.containerservice/managedclusters".to_owned(),
        })?;
    }
    let count = arr.close()?;
    out.write_all(
        format!(",\n  \"skip_token\": null,\n  \"total_records\": {count}\n}}").as_bytes(),
    )?;
    Ok(count)
}

// ---------------------------------------------------------------------------------------------------------------
// role-definitions.json — `az role definition list -o json`

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PermissionRec {
    actions: &'static [&'static str],
    condition: Option<()>,
    condition_version: Option<()>,
    data_actions: &'static [&'static str],
    not_actions: &'static [&'static str],
    not_data_actions: &'static [&'static str],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleDefinitionRec {
    assignable_scopes: Vec<String>,
    created_by: Option<Guid>,
    created_on: String,
    description: &'static str,
    id: String,
    name: String,
    permissions: [PermissionRec; 1],
    role_name: &'static str,
    role_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    updated_by: Option<Guid>,
    updated_on: String,
}

fn role_definitions<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut rng = Rng::new(t.seed, 5);
    let mut arr = ArrayOut::open(out, 0)?;
    let context = t.sub_path(0);
    for role in 0..ROLE_COUNT as u8 {
        let spec = roles::spec(role);
        let custom = spec.guid.is_none();
        let guid = t.role_guid(role);
        let created = t.as_of - rng.range(if custom { 200 } else { 1500 } * DAY, 3600 * DAY);
        let updated = created + rng.range(0, (t.as_of - created).max(1));
        let (assignable_scopes, author) = if custom {
            let scopes: Vec<String> = (0..t.subs.len())
                .filter(|&s| s == 0 || rng.chance(0.5))
                .map(|s| t.sub_path(s))
                .collect();
            (scopes, t.people.get(rng.below(4)).map(|p| p.id))
        } else {
            (vec!["/".to_owned()], None)
        };
        arr.push(&RoleDefinitionRec {
            assignable_scopes,
            created_by: author,
            created_on: dates::az(created, rng.below(1_000_000) as u32),
            description: spec.description,
            id: format!("{context}/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
            name: guid,
            permissions: [PermissionRec {
                actions: spec.actions,
                condition: None,
                condition_version: None,
                data_actions: spec.data_actions,
                not_actions: spec.not_actions,
                not_data_actions: spec.not_data_actions,
            }],
            role_name: spec.name,
            role_type: if custom { "CustomRole" } else { "BuiltInRole" },
            kind: "Microsoft.Authorization/roleDefinitions",
            updated_by: author,
            updated_on: dates::az(updated, rng.below(1_000_000) as u32),
        })?;
    }
    arr.close()
}

// ---------------------------------------------------------------------------------------------------------------
// role-assignments.json — `az role assignment list --all -o json`

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleAssignmentRec<'a> {
    condition: Option<&'static str>,
    condition_version: Option<&'static str>,
    created_by: Option<Guid>,
    created_on: &'a str,
    delegated_managed_identity_resource_id: Option<()>,
    description: Option<&'static str>,
    id: String,
    name: Guid,
    principal_id: Guid,
    principal_name: &'a str,
    principal_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_group: Option<&'a str>,
    role_definition_id: String,
    role_definition_name: &'static str,
    scope: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    updated_by: Option<Guid>,
    updated_on: &'a str,
}

/// Ordinary role of an identity at its resource-group scope (never one of the scenario roles, so no duplicates).
const ROUTINE_RG_ROLES: &[u8] = &[
    READER,
    READER,
    READER,
    METRICS_PUBLISHER,
    METRICS_PUBLISHER,
    MONITORING_READER,
    WEBSITE_CONTRIBUTOR,
    VM_CONTRIBUTOR,
    NETWORK_CONTRIBUTOR,
    LOG_ANALYTICS_READER,
];

/// Roles of people and groups, enumerated over resource groups.
const HUMAN_ROLES: &[u8] = &[
    READER,
    CONTRIBUTOR,
    MONITORING_READER,
    KV_SECRETS_USER,
    BLOB_READER,
    WEBSITE_CONTRIBUTOR,
];

/// Roles left behind by principals that were deleted.
const ORPHAN_ROLES: &[u8] = &[
    READER,
    CONTRIBUTOR,
    KV_SECRETS_USER,
    BLOB_CONTRIBUTOR,
    ACR_PULL,
    METRICS_PUBLISHER,
];

/// The `j`-th ordinary assignment of identity `i`: its resource group first, then resources inside it.
fn routine_grant(t: &Tenant, rng: &mut Rng, i: usize, j: u32) -> Grant {
    let ident = &t.idents[i];
    let rg = ident.rg;
    let principal = Principal::Ident(i);
    if j == 0 {
        let role = *rng.pick(ROUTINE_RG_ROLES).unwrap_or(&READER);
        return Grant {
            principal,
            role,
            scope: Scope::Rg(rg),
            condition: None,
            description: None,
        };
    }
    let env = t.subs.get(t.rg_sub(rg)).map_or("prod", |s| s.env.tag());
    let app = t.rgs.get(rg).map_or(ident.app, |r| r.app);
    let compact: String = app
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(10)
        .collect();
    let mut condition = None;
    let (provider, name, role) = match rng.below(10) {
        0..3 => {
            let role = *rng
                .pick(&[
                    KV_SECRETS_USER,
                    KV_SECRETS_USER,
                    KV_READER,
                    KV_CRYPTO_ENCRYPTION_USER,
                ])
                .unwrap_or(&KV_READER);
            (
                "Microsoft.KeyVault/vaults",
                format!("kv-{app}-{env}-{j:02}"),
                role,
            )
        }
        3..6 => {
            let role = *rng
                .pick(&[
                    BLOB_READER,
                    BLOB_CONTRIBUTOR,
                    BLOB_CONTRIBUTOR,
                    QUEUE_CONTRIBUTOR,
                    BLOB_OWNER,
                ])
                .unwrap_or(&BLOB_READER);
            if role == BLOB_READER && rng.chance(0.2) {
                condition = Some(CONTAINER_CONDITION);
            }
            (
                "Microsoft.Storage/storageAccounts",
                format!("st{compact}{env}{j:03}"),
                role,
            )
        }
        6 => (
            "Microsoft.ContainerRegistry/registries",
            format!("acr{compact}{env}{j:02}"),
            if rng.chance(0.8) { ACR_PULL } else { ACR_PUSH },
        ),
        7 => (
            "Microsoft.ServiceBus/namespaces",
            format!("sb-{app}-{env}-{j:02}"),
            if rng.chance(0.5) {
                SB_SENDER
            } else {
                SB_RECEIVER
            },
        ),
        8 => (
            "Microsoft.EventHub/namespaces",
            format!("evh-{app}-{env}-{j:02}"),
            EH_RECEIVER,
        ),
        _ => (
            "Microsoft.OperationalInsights/workspaces",
            format!("log-{app}-{env}-{j:02}"),
            if rng.chance(0.5) {
                LOG_ANALYTICS_READER
            } else {
                METRICS_PUBLISHER
            },
        ),
    };
    Grant {
        principal,
        role,
        scope: Scope::Resource { rg, provider, name },
        condition,
        description: None,
    }
}

/// Enumerates distinct (principal, role, scope) triples: resource groups first, then storage accounts.
fn enumerated(
    t: &Tenant,
    k: usize,
    principals: usize,
    roles: &[u8],
    principal: impl Fn(usize) -> Principal,
) -> Grant {
    let p = k % principals.max(1);
    let rest = k / principals.max(1);
    let rg = rest % t.rgs.len().max(1);
    let layer = rest / t.rgs.len().max(1);
    let role = roles
        .get(layer % roles.len().max(1))
        .copied()
        .unwrap_or(READER);
    let scope = if layer < roles.len() {
        Scope::Rg(rg)
    } else {
        let app = t.rgs.get(rg).map_or("shared", |r| r.app);
        let compact: String = app
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(8)
            .collect();
        Scope::Resource {
            rg,
            provider: "Microsoft.Storage/storageAccounts",
            name: format!("st{compact}{layer:06}"),
        }
    };
    Grant {
        principal: principal(p),
        role,
        scope,
        condition: None,
        description: None,
    }
}

/// Assignments of people and groups: platform admins own the subscriptions, someone elevated once and left
/// User Access Administrator at root, the rest are ordinary.
fn human_grant(t: &Tenant, k: usize) -> Grant {
    let subs = t.subs.len();
    if k < subs {
        return Grant {
            principal: Principal::Group(0),
            role: OWNER,
            scope: Scope::Sub(k),
            condition: None,
            description: None,
        };
    }
    if k == subs {
        return Grant {
            principal: Principal::Person(0),
            role: USER_ACCESS_ADMIN,
            scope: Scope::Root,
            condition: None,
            description: None,
        };
    }
    let people = t.people.len();
    let principals = people + GROUPS.len();
    enumerated(t, k - subs - 1, principals, HUMAN_ROLES, |p| {
        if p < people {
            Principal::Person(p)
        } else {
            Principal::Group(p - people)
        }
    })
}

/// Assignments whose principal was deleted: the first is Owner of a production subscription.
fn orphan_grant(t: &Tenant, k: usize) -> Grant {
    if k == 0 {
        let sub = t.subs.iter().position(|s| s.env.is_prod()).unwrap_or(0);
        return Grant {
            principal: Principal::Deleted(0),
            role: OWNER,
            scope: Scope::Sub(sub),
            condition: None,
            description: None,
        };
    }
    enumerated(t, k - 1, t.deleted.len(), ORPHAN_ROLES, Principal::Deleted)
}

struct AssignmentWriter<'t> {
    t: &'t Tenant,
    rng: Rng,
    context_sub: String,
}

impl AssignmentWriter<'_> {
    fn push<W: Write>(&mut self, arr: &mut ArrayOut<'_, W>, g: &Grant) -> io::Result<()> {
        let t = self.t;
        let segment = if self.rng.chance(0.8) {
            "resourceGroups"
        } else {
            "resourcegroups"
        };
        let (scope, rg_name, sub) = match &g.scope {
            Scope::Root => ("/".to_owned(), None, None),
            Scope::Mg(m) => (
                format!(
                    "/providers/Microsoft.Management/managementGroups/{}",
                    MANAGEMENT_GROUPS.get(*m).unwrap_or(&"mg-contoso")
                ),
                None,
                None,
            ),
            Scope::Sub(s) => (t.sub_path(*s), None, Some(*s)),
            Scope::Rg(rg) => (
                t.rg_path(*rg, segment),
                Some(t.rg_name(*rg)),
                Some(t.rg_sub(*rg)),
            ),
            Scope::Resource { rg, provider, name } => (
                format!("{}/providers/{provider}/{name}", t.rg_path(*rg, segment)),
                Some(t.rg_name(*rg)),
                Some(t.rg_sub(*rg)),
            ),
        };
        let role_sub = sub.map_or_else(|| self.context_sub.clone(), |s| t.sub_path(s));
        let name = self.rng.guid();
        let id_prefix = if scope == "/" { "" } else { scope.as_str() };
        let (principal_id, principal_name, principal_type, not_before): (Guid, &str, &str, i64) =
            match g.principal {
                Principal::Ident(i) => {
                    let ident = &t.idents[i];
                    (ident.principal, "", "ServicePrincipal", ident.created)
                }
                Principal::Deleted(d) => (
                    t.deleted.get(d).copied().unwrap_or(Guid(0)),
                    "",
                    "ServicePrincipal",
                    t.as_of - 1500 * DAY,
                ),
                Principal::Person(p) => {
                    let person = &t.people[p % t.people.len().max(1)];
                    (person.id, person.upn.as_str(), "User", t.as_of - 1500 * DAY)
                }
                Principal::Group(gi) => (
                    t.groups.get(gi).copied().unwrap_or(Guid(0)),
                    GROUPS.get(gi).copied().unwrap_or("sg-unknown"),
                    "Group",
                    t.as_of - 1500 * DAY,
                ),
            };
        let app_id;
        let principal_name = match g.principal {
            Principal::Ident(i) => {
                app_id = t.idents[i].client.to_string();
                app_id.as_str()
            }
            _ => principal_name,
        };
        let latest = match g.principal {
            Principal::Deleted(_) => t.as_of - 200 * DAY,
            _ => t.as_of - 3600,
        };
        let earliest = not_before.max(t.as_of - 1800 * DAY).min(latest - DAY);
        let created = self.rng.range(earliest, latest);
        let created_on = dates::az(created, self.rng.below(1_000_000) as u32);
        let created_by = if self.rng.chance(0.1) {
            None
        } else if let (Some(tf), true) = (t.terraform, self.rng.chance(0.3)) {
            t.idents.get(tf).map(|i| i.principal)
        } else {
            t.people.get(self.rng.below(8)).map(|p| p.id)
        };
        let role_guid = t.role_guid(g.role);
        arr.push(&RoleAssignmentRec {
            condition: g.condition,
            condition_version: g.condition.map(|_| "2.0"),
            created_by,
            created_on: &created_on,
            delegated_managed_identity_resource_id: None,
            description: g.description,
            id: format!("{id_prefix}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            name,
            principal_id,
            principal_name,
            principal_type,
            resource_group: rg_name,
            role_definition_id: format!(
                "{role_sub}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"
            ),
            role_definition_name: roles::spec(g.role).name,
            scope: &scope,
            kind: "Microsoft.Authorization/roleAssignments",
            updated_by: created_by,
            updated_on: &created_on,
        })
    }
}

fn role_assignments<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut w = AssignmentWriter {
        t,
        rng: Rng::new(t.seed, 1),
        context_sub: t.sub_path(0),
    };
    let mut routine_rng = Rng::new(t.seed, 2);
    let mut arr = ArrayOut::open(out, 0)?;
    let n = t.idents.len();
    let (mut humans, mut orphans) = (0, 0);
    for i in 0..n {
        for g in t.grants.get(i).map_or(&[][..], Vec::as_slice) {
            w.push(&mut arr, g)?;
        }
        for j in 0..t.routine.get(i).copied().unwrap_or(0) {
            let g = routine_grant(t, &mut routine_rng, i, j);
            w.push(&mut arr, &g)?;
        }
        while humans < (i + 1) * t.human_grants / n {
            w.push(&mut arr, &human_grant(t, humans))?;
            humans += 1;
        }
        while orphans < (i + 1) * t.orphan_grants / n {
            w.push(&mut arr, &orphan_grant(t, orphans))?;
            orphans += 1;
        }
    }
    for k in humans..t.human_grants {
        w.push(&mut arr, &human_grant(t, k))?;
    }
    for k in orphans..t.orphan_grants {
        w.push(&mut arr, &orphan_grant(t, k))?;
    }
    arr.close()
}

// ---------------------------------------------------------------------------------------------------------------
// signin-activity.json — Graph beta `GET /reports/servicePrincipalSignInActivities`

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInRec {
    last_sign_in_date_time: Option<String>,
    last_sign_in_request_id: Option<Guid>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInActivityRec {
    app_id: Guid,
    application_authentication_client_sign_in_activity: SignInRec,
    application_authentication_resource_sign_in_activity: SignInRec,
    delegated_client_sign_in_activity: SignInRec,
    delegated_resource_sign_in_activity: SignInRec,
    id: String,
    last_sign_in_activity: SignInRec,
}

fn signin_activity<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut rng = Rng::new(t.seed, 6);
    out.write_all(b"{\n  \"@odata.context\": ")?;
    value_at(
        out,
        "https://graph.microsoft.com/beta/$metadata#reports/servicePrincipalSignInActivities",
        1,
    )?;
    out.write_all(b",\n  \"value\": ")?;
    let mut arr = ArrayOut::open(out, 1)?;
    let none = || SignInRec {
        last_sign_in_date_time: None,
        last_sign_in_request_id: None,
    };
    for ident in &t.idents {
        let (app, delegated) = match ident.activity {
            Activity::Absent => continue,
            Activity::Empty => (None, None),
            Activity::At(at) => (Some(at), None),
            Activity::Delegated(at) => (Some(at - rng.range(DAY, 30 * DAY)), Some(at)),
        };
        let at = |when: Option<i64>, rng: &mut Rng| match when {
            Some(s) => SignInRec {
                last_sign_in_date_time: Some(dates::graph(s)),
                last_sign_in_request_id: Some(rng.guid()),
            },
            None => none(),
        };
        let client = at(app, &mut rng);
        let delegated_rec = at(delegated, &mut rng);
        let last = at(delegated.max(app), &mut rng);
        let app_id = ident.client;
        arr.push(&SignInActivityRec {
            app_id,
            application_authentication_client_sign_in_activity: client,
            application_authentication_resource_sign_in_activity: none(),
            delegated_client_sign_in_activity: delegated_rec,
            delegated_resource_sign_in_activity: none(),
            id: base64(app_id.to_string().as_bytes()),
            last_sign_in_activity: last,
        })?;
    }
    arr.close_envelope()
}

// ---------------------------------------------------------------------------------------------------------------
// federated-credentials.json — `az identity federated-credential list` per identity, concatenated

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimsExpressionRec<'a> {
    language_version: u32,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FicRec<'a> {
    audiences: [&'static str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    claims_matching_expression: Option<ClaimsExpressionRec<'a>>,
    id: String,
    issuer: &'a str,
    name: &'a str,
    resource_group: &'a str,
    subject: Option<&'a str>,
    system_data: Option<()>,
    #[serde(rename = "type")]
    kind: &'static str,
}

fn federated_credentials<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut arr = ArrayOut::open(out, 0)?;
    for fic in &t.fics {
        let Some(ident) = t.idents.get(fic.ident) else {
            continue;
        };
        arr.push(&FicRec {
            audiences: ["api://AzureADTokenExchange"],
            claims_matching_expression: fic.expression.as_deref().map(|value| {
                ClaimsExpressionRec {
                    language_version: 1,
                    value,
                }
            }),
            id: format!(
                "{}/federatedIdentityCredentials/{}",
                t.uami_id(fic.ident),
                fic.name
            ),
            issuer: &fic.issuer,
            name: &fic.name,
            resource_group: t.rg_name(ident.rg),
            subject: fic.subject.as_deref(),
            system_data: None,
            kind: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        })?;
    }
    arr.close()
}

// ---------------------------------------------------------------------------------------------------------------
// directory-role-assignments.json and app-role-assignments.json — Microsoft Graph through `az rest`, in the
// `@odata.context` envelope. A handful of records whatever the tenant's size (NHI-P-004's scenarios), drawn from
// their own streams so that no other file changes.

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";
const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const DIRECTORY_READERS: &str = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
const ROLE_MANAGEMENT_READWRITE_DIRECTORY: &str = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8";
const APPLICATION_READWRITE_ALL: &str = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9";
const DIRECTORY_READ_ALL: &str = "7ab1d382-f21e-4acd-a863-ba3e13f7da61";
/// Apps whose requested Graph application permissions were consented (the rest were only requested).
const CONSENTED_GRAPH_APPS: usize = 4;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DirectoryRoleAssignmentRec {
    directory_scope_id: String,
    id: String,
    principal_id: Guid,
    role_definition_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppRoleAssignmentRec<'a> {
    app_role_id: &'static str,
    created_date_time: String,
    deleted_date_time: Option<()>,
    id: String,
    principal_display_name: &'a str,
    principal_id: Guid,
    principal_type: &'static str,
    resource_display_name: &'static str,
    resource_id: Guid,
}

/// Graph's assignment ids are base64url of GUID bytes (plus a suffix for directory roles).
fn graph_assignment_id(rng: &mut Rng) -> String {
    let g = rng.guid();
    base64(&g.0.to_le_bytes())
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn ident_named<'t>(t: &'t Tenant, name: &str) -> Option<&'t Ident> {
    t.idents.iter().find(|i| i.name == name)
}

fn graph_envelope_open<W: Write>(out: &mut W, context: &str) -> io::Result<()> {
    out.write_all(b"{\n  \"@odata.context\": ")?;
    value_at(out, context, 1)?;
    out.write_all(b",\n  \"value\": ")
}

fn directory_role_assignments<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut rng = Rng::new(t.seed, 7);
    graph_envelope_open(
        out,
        "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments",
    )?;
    let mut arr = ArrayOut::open(out, 1)?;
    let push = |arr: &mut ArrayOut<'_, W>,
                rng: &mut Rng,
                principal: Guid,
                role: &'static str,
                scope: String|
     -> io::Result<()> {
        let id = format!("{}-1", graph_assignment_id(rng));
        arr.push(&DirectoryRoleAssignmentRec {
            directory_scope_id: scope,
            id,
            principal_id: principal,
            role_definition_id: role,
        })
    };
    // The people who run the tenant: a human Global Administrator (not a workload identity).
    if let Some(person) = t.people.first() {
        push(
            &mut arr,
            &mut rng,
            person.id,
            GLOBAL_ADMINISTRATOR,
            "/".into(),
        )?;
    }
    // A bootstrap service principal left with Global Administrator.
    if let Some(i) = ident_named(t, "sp-landing-zone-bootstrap") {
        push(
            &mut arr,
            &mut rng,
            i.principal,
            GLOBAL_ADMINISTRATOR,
            "/".into(),
        )?;
    }
    // Cloud Application Administrator scoped to one app registration: the narrower form.
    if let (Some(i), Some(target)) = (
        ident_named(t, "sp-secrets-rotation"),
        ident_named(t, "sp-legacy-crm-sync"),
    ) {
        push(
            &mut arr,
            &mut rng,
            i.principal,
            CLOUD_APPLICATION_ADMINISTRATOR,
            format!("/{}", target.app_object),
        )?;
    }
    // A user-assigned identity that reads the directory (read-only: no finding).
    if let Some(i) = t.idents.iter().find(|i| i.kind == Kind::Uami) {
        push(
            &mut arr,
            &mut rng,
            i.principal,
            DIRECTORY_READERS,
            "/".into(),
        )?;
    }
    // A deleted principal still holding Application Administrator.
    if let Some(&gone) = t.deleted.first() {
        push(
            &mut arr,
            &mut rng,
            gone,
            APPLICATION_ADMINISTRATOR,
            "/".into(),
        )?;
    }
    arr.close_envelope()
}

fn app_role_assignments<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut rng = Rng::new(t.seed, 8);
    let graph = t
        .first_party
        .iter()
        .find(|(_, app_id, _)| *app_id == GRAPH_APP_ID)
        .map(|(_, _, id)| *id);
    let graph = graph.unwrap_or_else(|| rng.guid());
    graph_envelope_open(
        out,
        &format!(
            "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('{graph}')/appRoleAssignedTo"
        ),
    )?;
    let mut arr = ArrayOut::open(out, 1)?;
    let push = |arr: &mut ArrayOut<'_, W>,
                rng: &mut Rng,
                ident: &Ident,
                role: &'static str|
     -> io::Result<()> {
        let created = ident.created + rng.range(DAY, 60 * DAY);
        let id = graph_assignment_id(rng);
        arr.push(&AppRoleAssignmentRec {
            app_role_id: role,
            created_date_time: dates::graph(created.min(t.as_of - DAY)),
            deleted_date_time: None,
            id,
            principal_display_name: &ident.name,
            principal_id: ident.principal,
            principal_type: "ServicePrincipal",
            resource_display_name: "Microsoft Graph",
            resource_id: graph,
        })
    };
    // Apps whose Graph application permissions an administrator consented: Directory.Read.All always, and
    // Application.ReadWrite.All for the first two (NHI-P-004).
    let consented = t
        .idents
        .iter()
        .filter(|i| i.kind == Kind::App && i.graph_permissions)
        .take(CONSENTED_GRAPH_APPS);
    for (n, ident) in consented.enumerate() {
        push(&mut arr, &mut rng, ident, DIRECTORY_READ_ALL)?;
        if n < 2 {
            push(&mut arr, &mut rng, ident, APPLICATION_READWRITE_ALL)?;
        }
    }
    // A third-party app holding RoleManagement.ReadWrite.Directory (NHI-P-004, and NHI-I-004 critical).
    if let Some(vendor) = t.idents.iter().find(|i| i.kind == Kind::Vendor) {
        push(
            &mut arr,
            &mut rng,
            vendor,
            ROLE_MANAGEMENT_READWRITE_DIRECTORY,
        )?;
    }
    arr.close_envelope()
}

// ---------------------------------------------------------------------------------------------------------------
// app-credential-signins.json — Graph beta `GET /reports/appCredentialSignInActivities` through `az rest`: the
// last use of each credential of the tenant's own apps (application and service-principal credentials). Most are
// used when their app last signed in; some long ago (NHI-C-007), some never, a few are missing from the report; a
// credential used against two resources has two records.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CredentialSignInRec {
    app_id: Guid,
    app_object_id: Guid,
    created_date_time: String,
    credential_origin: &'static str,
    expiration_date_time: String,
    id: String,
    key_id: Guid,
    key_type: &'static str,
    key_usage: &'static str,
    resource_id: Guid,
    service_principal_object_id: Guid,
    sign_in_activity: SignInRec,
}

fn app_credential_signins<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut rng = Rng::new(t.seed, 9);
    let graph = t
        .first_party
        .iter()
        .find(|(_, app_id, _)| *app_id == GRAPH_APP_ID)
        .map(|(_, _, id)| *id)
        .unwrap_or_else(|| rng.guid());
    let others: Vec<Guid> = t
        .first_party
        .iter()
        .filter(|(_, app_id, _)| *app_id != GRAPH_APP_ID)
        .map(|(_, _, id)| *id)
        .collect();
    graph_envelope_open(
        out,
        "https://graph.microsoft.com/beta/$metadata#reports/appCredentialSignInActivities",
    )?;
    let mut arr = ArrayOut::open(out, 1)?;
    for ident in t
        .idents
        .iter()
        .filter(|i| matches!(i.kind, Kind::App | Kind::Vendor))
    {
        let app_last = match ident.activity {
            Activity::At(at) | Activity::Delegated(at) => Some(at),
            Activity::Absent | Activity::Empty => None,
        };
        let own = (ident.kind == Kind::App).then_some(&ident.creds);
        let creds = own
            .into_iter()
            .flatten()
            .map(|c| (c, "application"))
            .chain(ident.sp_creds.iter().map(|c| (c, "servicePrincipal")));
        for (c, origin) in creds {
            let roll = rng.u64() % 100;
            // Absent from the report.
            if roll < 3 {
                continue;
            }
            let last = match app_last {
                // Some credentials are left behind after a rotation: last used months ago, or never.
                Some(_) if roll < 9 => Some(t.as_of - rng.range(60 * DAY, 400 * DAY)),
                Some(_) if roll < 12 => None,
                Some(at) => Some(at - rng.range(0, 2 * DAY)),
                None => None,
            }
            // A credential cannot be used before it exists, nor after it expired.
            .filter(|&at| at >= c.start)
            .map(|at| at.min(c.end - DAY).min(t.as_of - 3600));
            let resources = if last.is_some() && !others.is_empty() && rng.chance(0.2) {
                2
            } else {
                1
            };
            for r in 0..resources {
                let (resource, when) = if r == 0 {
                    (graph, last)
                } else {
                    let other = others[rng.below(others.len())];
                    (
                        other,
                        last.map(|at| (at - rng.range(DAY, 90 * DAY)).max(c.start)),
                    )
                };
                arr.push(&CredentialSignInRec {
                    app_id: ident.client,
                    app_object_id: ident.app_object,
                    created_date_time: dates::graph(c.start),
                    credential_origin: origin,
                    expiration_date_time: dates::graph(c.end),
                    id: base64(format!("{}|{origin}", c.key_id).as_bytes()),
                    key_id: c.key_id,
                    key_type: if c.secret {
                        "clientSecret"
                    } else {
                        "certificate"
                    },
                    key_usage: if c.secret { "sign" } else { "verify" },
                    resource_id: resource,
                    service_principal_object_id: ident.principal,
                    sign_in_activity: match when {
                        Some(at) => SignInRec {
                            last_sign_in_date_time: Some(dates::graph(at)),
                            last_sign_in_request_id: Some(rng.guid()),
                        },
                        None => SignInRec {
                            last_sign_in_date_time: None,
                            last_sign_in_request_id: None,
                        },
                    },
                })?;
            }
        }
    }
    arr.close_envelope()
}

// ---------------------------------------------------------------------------------------------------------------
// users.json — Graph `GET /users?$select=id,displayName,userPrincipalName,mail,accountEnabled` through `az rest`
// (`az ad user list` leaves `accountEnabled` out). Two of the people named as owners have left: one is disabled,
// one deleted (absent here), so the identities they own trip NHI-G-002.
// groups.json — `az ad group list`: the security groups that hold role assignments and the teams' mail-enabled
// groups that owner tags name by address.

/// People (by index into `Tenant::people`, among the first 16 that owner tags name) who have left the company.
pub(crate) const DISABLED_PERSON: usize = 13;
pub(crate) const DELETED_PERSON: usize = 14;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserRec<'a> {
    account_enabled: bool,
    display_name: String,
    id: Guid,
    mail: &'a str,
    user_principal_name: &'a str,
}

fn display_of(address: &str) -> String {
    let local = address.split('@').next().unwrap_or(address);
    local
        .split(['.', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|first| first.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn users<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    graph_envelope_open(
        out,
        "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,userPrincipalName,mail,accountEnabled)",
    )?;
    let mut arr = ArrayOut::open(out, 1)?;
    for (i, p) in t.people.iter().enumerate() {
        if i == DELETED_PERSON {
            continue;
        }
        arr.push(&UserRec {
            account_enabled: i != DISABLED_PERSON,
            display_name: display_of(&p.upn),
            id: p.id,
            mail: &p.upn,
            user_principal_name: &p.upn,
        })?;
    }
    arr.close_envelope()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupRec {
    display_name: String,
    group_types: &'static [&'static str],
    id: Guid,
    mail: Option<String>,
    mail_enabled: bool,
    security_enabled: bool,
}

fn groups<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut rng = Rng::new(t.seed, 10);
    let mut arr = ArrayOut::open(out, 0)?;
    for (name, id) in GROUPS.iter().zip(&t.groups) {
        arr.push(&GroupRec {
            display_name: (*name).to_owned(),
            group_types: &[],
            id: *id,
            mail: None,
            mail_enabled: false,
            security_enabled: true,
        })?;
    }
    for team in TEAMS {
        arr.push(&GroupRec {
            display_name: display_of(team),
            group_types: &["Unified"],
            id: rng.guid(),
            mail: Some(format!("{team}@contoso.com")),
            mail_enabled: true,
            security_enabled: false,
        })?;
    }
    arr.close()
}

// ---------------------------------------------------------------------------------------------------------------
// activity-log.json — `az monitor activity-log list --offset 90d -o json`, the subscriptions' logs appended into
// one array: the control-plane writes the workload identities made in the last 90 days. Most write grants were
// exercised; about one in four was not (NHI-P-007). People's deployments, one per subscription near the start of
// the window, make the log cover every subscription. Large tenants get no log (see `ACTIVITY_LOG_MAX_IDENTITIES`).

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocRec {
    localized_value: String,
    value: String,
}

#[derive(Serialize)]
struct AuthRec {
    action: String,
    scope: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventRec {
    authorization: AuthRec,
    caller: String,
    channels: &'static str,
    claims: BTreeMap<&'static str, String>,
    correlation_id: Guid,
    description: &'static str,
    event_data_id: Guid,
    event_name: LocRec,
    event_timestamp: String,
    id: String,
    level: &'static str,
    operation_id: Guid,
    operation_name: LocRec,
    resource_group_name: String,
    resource_id: String,
    status: LocRec,
    sub_status: LocRec,
    submission_timestamp: String,
    subscription_id: Guid,
    tenant_id: &'static str,
}

fn loc(value: &str) -> LocRec {
    LocRec {
        localized_value: value.to_owned(),
        value: value.to_owned(),
    }
}

/// A concrete operation the role allows on the control plane, if it has one (data-plane roles have none worth
/// logging).
fn control_action(role: u8) -> Option<String> {
    let spec = roles::BUILT_INS
        .get(role as usize)
        .or_else(|| roles::CUSTOMS.get((role as usize).checked_sub(roles::BUILT_INS.len())?))?;
    if !spec.data_actions.is_empty() {
        return None;
    }
    spec.actions.iter().find_map(|p| {
        let lower = p.to_ascii_lowercase();
        if lower.ends_with("/read") || lower == "*/read" || lower.starts_with("microsoft.support/")
        {
            return None;
        }
        if *p == "*" {
            Some("Microsoft.Resources/deployments/write".to_owned())
        } else if let Some(prefix) = p.strip_suffix("/*") {
            (!prefix.contains('*')).then(|| format!("{prefix}/write"))
        } else {
            (!p.contains('*')).then(|| (*p).to_owned())
        }
    })
}

struct EventWriter<'t> {
    t: &'t Tenant,
    rng: Rng,
    count: usize,
}

impl EventWriter<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push<W: Write>(
        &mut self,
        arr: &mut ArrayOut<'_, W>,
        caller: String,
        claims: BTreeMap<&'static str, String>,
        action: &str,
        rg: usize,
        target: Option<String>,
        at: i64,
    ) -> io::Result<()> {
        let t = self.t;
        let sub = t.rg_sub(rg);
        // The resource acted on: the grant's own resource, else one of the action's type in the group.
        let resource = target.unwrap_or_else(|| {
            let kind = action.rsplit_once('/').map_or(action, |(k, _)| k);
            format!(
                "{}/providers/{kind}/op-{}",
                t.rg_path(rg, "resourceGroups"),
                self.count % 97
            )
        });
        let event = self.rng.guid();
        let operation = self.rng.guid();
        let millis = (self.rng.u64() % 1000) as u32;
        self.count += 1;
        arr.push(&EventRec {
            authorization: AuthRec {
                action: action.to_owned(),
                scope: resource.clone(),
            },
            caller,
            channels: "Operation",
            claims,
            correlation_id: operation,
            description: "",
            event_data_id: event,
            event_name: loc("EndRequest"),
            event_timestamp: dates::graph_ms(at, millis),
            id: format!(
                "{resource}/events/{event}/ticks/{}",
                at * 10_000_000 + 621_355_968_000_000_000
            ),
            level: "Informational",
            operation_id: operation,
            operation_name: loc(action),
            resource_group_name: t.rg_name(rg).to_owned(),
            resource_id: resource,
            status: loc("Succeeded"),
            sub_status: loc("OK"),
            submission_timestamp: dates::graph_ms(at + 30, millis),
            subscription_id: t.subs.get(sub).map_or(Guid(0), |s| s.id),
            tenant_id: "",
        })
    }
}

fn activity_log<W: Write>(t: &Tenant, out: &mut W) -> io::Result<usize> {
    let mut w = EventWriter {
        t,
        rng: Rng::new(t.seed, 11),
        count: 0,
    };
    let mut routine_rng = Rng::new(t.seed, 2);
    let mut arr = ArrayOut::open(out, 0)?;
    // People deploying, once per subscription, 88 days back: the log covers the whole window.
    for (s, _) in t.subs.iter().enumerate() {
        let Some(rg) = t.rgs.iter().position(|r| r.sub == s) else {
            continue;
        };
        let person = &t.people[s % t.people.len().max(1)];
        let claims = BTreeMap::from([
            (
                "http://schemas.microsoft.com/identity/claims/objectidentifier",
                person.id.to_string(),
            ),
            (
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
                person.upn.clone(),
            ),
        ]);
        let at = t.as_of - 88 * DAY + (s as i64) * 3600;
        w.push(
            &mut arr,
            person.upn.clone(),
            claims,
            "Microsoft.Resources/deployments/write",
            rg,
            None,
            at,
        )?;
    }
    for (i, ident) in t.idents.iter().enumerate() {
        let routine: Vec<Grant> = (0..t.routine.get(i).copied().unwrap_or(0))
            .map(|j| routine_grant(t, &mut routine_rng, i, j))
            .collect();
        if !ident.enabled {
            continue;
        }
        let grants = t.grants.get(i).map_or(&[][..], Vec::as_slice);
        for g in grants.iter().chain(&routine) {
            let Some(action) = control_action(g.role) else {
                continue;
            };
            if !w.rng.chance(0.75) {
                continue;
            }
            let (rg, target) = match &g.scope {
                Scope::Root | Scope::Mg(_) => (ident.rg, None),
                Scope::Sub(s) => (
                    t.rgs.iter().position(|r| r.sub == *s).unwrap_or(ident.rg),
                    None,
                ),
                Scope::Rg(rg) => (*rg, None),
                Scope::Resource { rg, provider, name } => (
                    *rg,
                    Some(format!(
                        "{}/providers/{provider}/{name}",
                        t.rg_path(*rg, "resourceGroups")
                    )),
                ),
            };
            let claims = BTreeMap::from([
                ("appid", ident.client.to_string()),
                (
                    "http://schemas.microsoft.com/identity/claims/objectidentifier",
                    ident.principal.to_string(),
                ),
                ("idtyp", "app".to_owned()),
            ]);
            let at = t.as_of - w.rng.range(DAY, 80 * DAY);
            w.push(
                &mut arr,
                ident.principal.to_string(),
                claims,
                &action,
                rg,
                target,
                at,
            )?;
        }
    }
    arr.close()
}
