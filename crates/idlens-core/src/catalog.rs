//! The check catalog of CONTROLS.md §8 as data compiled into the core: stable ids, default severities, the data
//! each check needs, its crosswalk to every framework, and its documentation (what it finds, why it matters, an
//! example, the remediation, references). The viewer and the report show exactly this text; it is written once,
//! here.
//!
//! Every control id cited here is validated against [`crate::frameworks`] by a test.

use serde::{Deserialize, Serialize};

use crate::frameworks::Framework;

/// Finding severity, ordered `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// One step up (critical stays critical; info is never raised: it carries no risk).
    #[must_use]
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Info,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }

    /// Stable lower-case name.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parse a name (case-insensitive; `med` and `crit` accepted).
    #[must_use]
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "info" | "informational" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" | "med" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" | "crit" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// Posture weight w_k (CONTROLS.md §9.3).
    #[must_use]
    pub fn weight(self) -> f64 {
        match self {
            Severity::Critical => 10.0,
            Severity::High => 6.0,
            Severity::Medium => 3.0,
            Severity::Low => 1.0,
            Severity::Info => 0.0,
        }
    }

    /// Likelihood contribution λ_f of an open exposure finding (CONTROLS.md §9.2 step 2).
    #[must_use]
    pub fn lambda(self) -> f64 {
        match self {
            Severity::Critical => 0.6,
            Severity::High => 0.4,
            Severity::Medium => 0.2,
            Severity::Low => 0.05,
            Severity::Info => 0.0,
        }
    }
}

/// The data sources of CONTROLS.md §8 ("Data" column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DataSource {
    /// Identities (managed identities, service principals, app registrations).
    #[serde(rename = "ID")]
    Identities,
    /// Role assignments.
    #[serde(rename = "RA")]
    RoleAssignments,
    /// Role definitions.
    #[serde(rename = "RD")]
    RoleDefinitions,
    /// Resource graph (resources with identity blocks, AKS issuers).
    #[serde(rename = "RES")]
    Resources,
    /// Sign-in / last-used activity.
    #[serde(rename = "SI")]
    SignIns,
    /// Credentials (secrets, certificates) of apps and service principals.
    #[serde(rename = "CR")]
    Credentials,
    /// Federated identity credentials.
    #[serde(rename = "FC")]
    Federations,
    /// Entra directory role assignments and Graph application-permission grants.
    #[serde(rename = "GR")]
    DirectoryRoles,
    /// Entra users and groups (owner resolution).
    #[serde(rename = "USERS")]
    Users,
    /// Per-assignment permission usage: the Azure activity log.
    #[serde(rename = "USAGE")]
    PermissionUsage,
    /// Per-credential last use (Graph beta `reports/appCredentialSignInActivities`).
    #[serde(rename = "CRED-USAGE")]
    CredentialUsage,
    /// Where each credential is used from (service-principal sign-in logs; not read by this version).
    #[serde(rename = "CRED-ORIGIN")]
    CredentialOrigin,
    /// Kubernetes pods and service accounts (not read by this version).
    #[serde(rename = "K8S")]
    Kubernetes,
}

impl DataSource {
    /// The export an auditor should ask the client for.
    #[must_use]
    pub fn export_hint(self) -> &'static str {
        match self {
            DataSource::Identities => {
                "`az identity list` and `az ad sp list --all` (and `az ad app list --all`)"
            }
            DataSource::RoleAssignments => "`az role assignment list --all --include-inherited`",
            DataSource::RoleDefinitions => "`az role definition list`",
            DataSource::Resources => {
                "Resource Graph `resources | where isnotnull(identity) or type =~ \
                 'microsoft.containerservice/managedclusters'` with `properties`"
            }
            DataSource::SignIns => "Graph beta `reports/servicePrincipalSignInActivities`",
            DataSource::Credentials => {
                "`az ad sp list --all` / `az ad app list --all` (passwordCredentials, keyCredentials)"
            }
            DataSource::Federations => "`az identity federated-credential list` per identity",
            DataSource::DirectoryRoles => {
                "Graph `roleManagement/directory/roleAssignments` and `servicePrincipals/{id}/appRoleAssignments` \
                 (`az rest --method get --url https://graph.microsoft.com/v1.0/…`)"
            }
            DataSource::Users => {
                "`az rest --method get --url 'https://graph.microsoft.com/v1.0/users?$select=id,displayName,\
                 userPrincipalName,mail,accountEnabled'` (or `az ad user list`, which lacks `accountEnabled`), and \
                 `az ad group list` for owner tags that name a team"
            }
            DataSource::PermissionUsage => {
                "`az monitor activity-log list --offset 90d --max-events 1000000 -o json` per subscription (the \
                 activity log: which operations each identity performed)"
            }
            DataSource::CredentialUsage => {
                "Graph beta `reports/appCredentialSignInActivities` (`az rest --method get --url \
                 'https://graph.microsoft.com/beta/reports/appCredentialSignInActivities'`)"
            }
            DataSource::CredentialOrigin => {
                "Entra service-principal sign-in logs (Graph `auditLogs/signIns` filtered on service-principal \
                 sign-ins: where each credential is used from; not read by this version)"
            }
            DataSource::Kubernetes => {
                "`kubectl get pods,serviceaccounts,clusterrolebindings -A -o json` (not read by this version)"
            }
        }
    }
}

/// Check groups (the letter in the id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    Privilege,
    Lifecycle,
    Governance,
    Credentials,
    Federation,
    Isolation,
    HumanUse,
}

/// A check's crosswalk, by framework. CIS ids are `"<benchmark> <version> <item>"`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Mapping {
    pub owasp: &'static [&'static str],
    pub csf: &'static [&'static str],
    pub sp800_53: &'static [&'static str],
    pub sp800_207: &'static [&'static str],
    pub mcsb: &'static [&'static str],
    pub cis: &'static [&'static str],
}

impl Mapping {
    /// The ids cited for one framework.
    #[must_use]
    pub fn ids(&self, framework: Framework) -> &'static [&'static str] {
        match framework {
            Framework::OwaspNhi => self.owasp,
            Framework::NistCsf => self.csf,
            Framework::Nist80053 => self.sp800_53,
            Framework::Nist800207 => self.sp800_207,
            Framework::Mcsb => self.mcsb,
            Framework::Cis => self.cis,
        }
    }
}

/// One check of the catalog, with its documentation.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    /// Default severity (CONTROLS.md §8 "Sev"); the finding may be lower or higher as its text says.
    pub severity: Severity,
    /// Raised one step when the identity's impact I ≥ the high-impact threshold (0.8 by default). Privilege checks
    /// grade by the privilege itself and are not raised.
    pub raise_on_impact: bool,
    /// An exposure finding that feeds likelihood (CONTROLS.md §9.2 step 2): credential, federation, stale,
    /// ownership, reuse and human-use checks.
    pub exposure: bool,
    /// Data the check reads.
    pub data: &'static [DataSource],
    pub mapping: Mapping,
    /// What it finds (the trigger and default thresholds).
    pub finds: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// An example of a finding.
    pub example: &'static str,
    /// What to do.
    pub remediation: &'static str,
    pub references: &'static [&'static str],
}

use DataSource as D;
use Severity as S;

macro_rules! m {
    (O[$($o:literal),*] C[$($c:literal),*] N[$($n:literal),*] Z[$($z:literal),*] M[$($mm:literal),*] CIS[$($x:literal),*]) => {
        Mapping {
            owasp: &[$($o),*],
            csf: &[$($c),*],
            sp800_53: &[$($n),*],
            sp800_207: &[$($z),*],
            mcsb: &[$($mm),*],
            cis: &[$($x),*],
        }
    };
}

const OWASP_REF: &str = "OWASP Top 10 Non-Human Identities Risks 2025 (owasp.org/www-project-non-human-identities-top-10)";
const MS_RBAC: &str = "Microsoft Learn: Azure built-in roles (learn.microsoft.com/azure/role-based-access-control/built-in-roles)";
const MCSB_PA: &str = "Microsoft cloud security benchmark: Privileged Access (learn.microsoft.com/security/benchmark/azure/mcsb-privileged-access)";
const MCSB_IM: &str = "Microsoft cloud security benchmark: Identity Management (learn.microsoft.com/security/benchmark/azure/mcsb-identity-management)";
const FIC: &str = "Microsoft Learn: workload identity federation and flexible federated identity credentials (learn.microsoft.com/entra/workload-id)";
const SP80053: &str = "NIST SP 800-53 Rev. 5 (csrc.nist.gov)";
const ENTRA_REC: &str = "Microsoft Graph recommendations: staleApps, applicationCredentialExpiry, servicePrincipalKeyExpiry (learn.microsoft.com/graph/api/resources/recommendations-api-overview)";

/// The catalog: 35 checks in id order.
pub const CHECKS: &[Check] = &[
    // 8.1 Privilege
    Check {
        id: "NHI-P-001",
        group: Group::Privilege,
        title: "Privileged control-plane role at broad scope",
        severity: S::Critical,
        raise_on_impact: false,
        exposure: false,
        data: &[D::RoleAssignments, D::RoleDefinitions, D::Identities],
        mapping: m!(O["NHI5"] C["PR.AA-05"] N["AC-6", "AC-6(5)", "AC-2(7)"] Z["T3", "T4"] M["PA-1", "PA-7", "PA-2"]
            CIS["Azure v5.0.0 5.3.3", "Azure v5.0.0 5.27", "AWS v3.0.0 1.16", "GCP v3.0.0 1.5"]),
        finds: "A workload identity holding Owner, User Access Administrator or Role Based Access Control Administrator \
                at the tenant root or a management group (critical), at a subscription (high; critical in production), \
                or at a resource group (medium); Contributor at a subscription, management group or the root (high).",
        why: "A compromise of the identity means the whole subscription or tenant is lost: the attacker can change \
              anything and, with Owner or User Access Administrator, grant itself more.",
        example: "Service principal `sp-terraform-prod` holds Owner at `/providers/Microsoft.Management/managementGroups/contoso`.",
        remediation: "Replace the grant with the least-privileged built-in role at resource or resource-group scope; \
                      make remaining privileged access just-in-time (PIM).",
        references: &[OWASP_REF, MS_RBAC, MCSB_PA],
    },
    Check {
        id: "NHI-P-002",
        group: Group::Privilege,
        title: "Can grant access",
        severity: S::Critical,
        raise_on_impact: false,
        exposure: false,
        data: &[D::RoleAssignments, D::RoleDefinitions],
        mapping: m!(O["NHI5"] C["PR.AA-05"] N["AC-6(1)", "AC-2(7)", "AC-5"] Z["T3"] M["PA-1", "PA-7"] CIS[]),
        finds: "A role whose effective permissions include `Microsoft.Authorization/roleAssignments/write`, `*` or \
                `elevateAccess/action` (Owner, User Access Administrator, RBAC Administrator, unconditioned Key \
                Vault Data Access Administrator, or a custom role). Medium instead of critical when an ABAC \
                `condition` restricts which roles it can assign.",
        why: "The identity can escalate itself or anyone else to any role within the scope; separation of duties is \
              gone.",
        example: "Managed identity `id-automation` holds User Access Administrator on a subscription with no condition.",
        remediation: "Remove the grant, or add a role-assignment condition that limits the assignable roles and \
                      principals, and require PIM activation.",
        references: &[OWASP_REF, MS_RBAC, MCSB_PA, SP80053],
    },
    Check {
        id: "NHI-P-003",
        group: Group::Privilege,
        title: "Custom role with wildcards",
        severity: S::High,
        raise_on_impact: false,
        exposure: false,
        data: &[D::RoleDefinitions, D::RoleAssignments],
        mapping: m!(O["NHI5"] C["PR.AA-05"] N["AC-6"] Z[] M["PA-7"]
            CIS["Azure v3.0.0 2.23", "Azure v5.0.0 5.23", "AWS v3.0.0 1.16", "Kubernetes v1.6.0 5.1.3"]),
        finds: "A custom role whose actions or data actions contain a wildcard (`*`, `*/write`, \
                `Microsoft.Authorization/*`, `<provider>/*`). High when it is assigned to a workload identity or \
                assignable at a subscription or the root; medium otherwise.",
        why: "Wildcards hide what a role can do and grow silently as providers add operations.",
        example: "Custom role `Platform Operator` with `Microsoft.Compute/*` assigned to `id-batch-prod`.",
        remediation: "List the explicit actions the workload needs, or use a built-in role.",
        references: &[
            OWASP_REF,
            MS_RBAC,
            "CIS Microsoft Azure Foundations Benchmark v3.0.0 2.23 / v5.0.0 5.23",
        ],
    },
    Check {
        id: "NHI-P-004",
        group: Group::Privilege,
        title: "Tenant directory privilege",
        severity: S::Critical,
        raise_on_impact: false,
        exposure: false,
        data: &[D::DirectoryRoles, D::Identities],
        mapping: m!(O["NHI5", "NHI3"] C["PR.AA-05"] N["AC-6(5)", "AC-2(7)"] Z["T3"] M["PA-1"] CIS[]),
        finds: "Entra Global Administrator, Privileged Role Administrator, (Cloud) Application Administrator or \
                Privileged Authentication Administrator, or the Graph application permissions \
                RoleManagement.ReadWrite.Directory, AppRoleAssignment.ReadWrite.All, Application.ReadWrite.All or \
                Directory.ReadWrite.All held by a workload identity.",
        why: "Tenant takeover with no MFA in the path: the identity can make itself or anyone Global Administrator.",
        example: "App `sync-connector` holds RoleManagement.ReadWrite.Directory.",
        remediation: "Use narrower permissions (e.g. Application.ReadWrite.OwnedBy) and scoped administrative roles.",
        references: &[OWASP_REF, MCSB_PA],
    },
    Check {
        id: "NHI-P-005",
        group: Group::Privilege,
        title: "Broad data-plane secret access",
        severity: S::High,
        raise_on_impact: false,
        exposure: false,
        data: &[D::RoleAssignments, D::RoleDefinitions, D::Resources],
        mapping: m!(O["NHI5", "NHI2"] C["PR.AA-05", "PR.AA-01"] N["AC-6", "IA-5"] Z["T3"] M["DP-8", "PA-7", "IM-8"] CIS[]),
        finds: "Key Vault Administrator, Secrets Officer, Crypto Officer, Certificates Officer or Data Access \
                Administrator assigned above a single vault (resource group, subscription, management group, root): \
                high. Key Vault Secrets User above a vault: medium. (Vault access policies are not in the exports read \
                by this version.)",
        why: "One workload identity can read or change every stored secret, key and certificate in reach, and with \
              them the credentials of other identities.",
        example: "`id-app-prod` holds Key Vault Secrets Officer on subscription `contoso-prod-core`.",
        remediation: "Grant Key Vault Secrets User on the single vault (or secret) the workload needs.",
        references: &[
            OWASP_REF,
            MS_RBAC,
            "Microsoft cloud security benchmark DP-8",
        ],
    },
    Check {
        id: "NHI-P-006",
        group: Group::Privilege,
        title: "Breadth of reach",
        severity: S::Medium,
        raise_on_impact: false,
        exposure: false,
        data: &[D::RoleAssignments, D::RoleDefinitions, D::Resources],
        mapping: m!(O["NHI5"] C["PR.AA-05", "ID.AM-05"] N["AC-6"] Z["T3"] M["PA-7"] CIS[]),
        finds: "Write access (a role of tier ≥ 0.5) in at least 3 subscriptions (medium) or at least 10 (high). A write \
                grant at a management group or the root counts every subscription seen in the exports. Thresholds: \
                policy `write_subscriptions_medium`, `write_subscriptions_high`.",
        why: "The blast radius of a compromise grows with every subscription the identity can change.",
        example: "`sp-deployer` can write in 4 subscriptions.",
        remediation: "Split the identity per subscription or per workload.",
        references: &[OWASP_REF, MCSB_PA],
    },
    Check {
        id: "NHI-P-007",
        group: Group::Privilege,
        title: "Granted but unused",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: false,
        data: &[D::RoleAssignments, D::PermissionUsage],
        mapping: m!(O["NHI5"] C["PR.AA-05", "DE.CM-03"] N["AC-6(7)", "AC-2(3)"] Z[] M["PA-3", "PA-4"] CIS[]),
        finds: "A role assignment of a write role with no operation in the activity log that it allows, at or under its \
                scope, in 90 days (policy `unused_grant_days`; high if the role is privileged). Sign-in activity tells \
                that an identity was used, not which grant it used; the activity log tells which writes it made. \
                Read-only and data-plane roles are not judged (the activity log records neither).",
        why: "Unused entitlements are pure attack surface (the Permission Creep Index idea).",
        example: "`id-reporting` holds Contributor on a subscription but only ever read one storage account.",
        remediation: "Remove or right-size the unused grant.",
        references: &[OWASP_REF, "Microsoft Graph permissionsCreepIndex"],
    },
    // 8.2 Lifecycle
    Check {
        id: "NHI-L-001",
        group: Group::Lifecycle,
        title: "Assignment to a deleted or unresolvable principal",
        severity: S::High,
        raise_on_impact: false,
        exposure: false,
        data: &[D::RoleAssignments, D::Identities],
        mapping: m!(O["NHI1"] C["ID.AM-08", "PR.AA-05"] N["AC-2", "AC-2(3)"] Z[] M["PA-3", "PA-4"] CIS[]),
        finds: "A role assignment whose principal is not among the exported identities, users or groups (or that the \
                exporter printed as `ObjectType: Unknown`). Critical when the role is Owner, User Access Administrator \
                or RBAC Administrator. Certain only with a complete service-principal export (`az ad sp list --all`); \
                `Unknown` can also mean the exporter lacked directory read.",
        why: "A dead grant pollutes access reviews and hides which access is real.",
        example: "Owner at subscription `contoso-prod-core` for principal `3f0c…` that no longer exists.",
        remediation: "Delete the role assignment (`az role assignment delete --ids <id>`).",
        references: &[
            OWASP_REF,
            "Microsoft Learn: Remove-AzRoleAssignment (ObjectType Unknown)",
        ],
    },
    Check {
        id: "NHI-L-002",
        group: Group::Lifecycle,
        title: "Orphan user-assigned identity",
        severity: S::Low,
        raise_on_impact: true,
        exposure: true,
        data: &[
            D::Identities,
            D::Resources,
            D::Federations,
            D::RoleAssignments,
        ],
        mapping: m!(O["NHI1"] C["ID.AM-08", "ID.AM-02"] N["AC-2(3)", "CM-8"] Z["T1"] M["PA-3", "AM-1"] CIS[]),
        finds: "A user-assigned managed identity attached to no resource, no AKS kubelet and with no federated \
                credential. Low; medium when it holds roles; high when they are privileged (tier ≥ 0.8).",
        why: "Anyone with `Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action` can attach it to a \
              resource they control and inherit its roles.",
        example: "`id-legacy-batch` is attached to nothing but holds Contributor on a resource group.",
        remediation: "Delete the identity, or strip its role assignments.",
        references: &[OWASP_REF, MCSB_IM],
    },
    Check {
        id: "NHI-L-003",
        group: Group::Lifecycle,
        title: "Stale identity",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::SignIns, D::RoleAssignments],
        mapping: m!(O["NHI1"] C["DE.CM-03", "ID.AM-08"] N["AC-2(3)", "AC-2(12)"] Z["T5"] M["PA-4"] CIS["AWS v3.0.0 1.12"]),
        finds: "An enabled identity with role assignments whose last sign-in is older than 90 days (policy \
                `stale_days`; Entra's staleApps recommendation also uses 90). High when privileged.",
        why: "Dormant access goes unwatched; its credentials keep working.",
        example: "`sp-old-etl` holds Contributor and last signed in 200 days ago.",
        remediation: "Disable it, wait one review cycle, then delete it and its grants.",
        references: &[OWASP_REF, ENTRA_REC],
    },
    Check {
        id: "NHI-L-004",
        group: Group::Lifecycle,
        title: "Never used",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::SignIns, D::Identities],
        mapping: m!(O["NHI1"] C["ID.AM-08"] N["AC-2"] Z[] M["PA-3"] CIS[]),
        finds: "An identity created more than 30 days ago (policy `never_used_grace_days`) with no sign-in recorded \
                at all (absent from, or null in, the sign-in activity report).",
        why: "Usually a test leftover or a failed project; nobody watches it.",
        example: "`id-poc-ml` was created 240 days ago and never signed in.",
        remediation: "Confirm with the owner and delete it.",
        references: &[OWASP_REF, ENTRA_REC],
    },
    Check {
        id: "NHI-L-005",
        group: Group::Lifecycle,
        title: "Disabled principal still holding roles",
        severity: S::Low,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Identities, D::RoleAssignments],
        mapping: m!(O["NHI1"] C["PR.AA-05"] N["AC-2"] Z[] M["PA-4"] CIS["Azure v5.0.0 5.3.5"]),
        finds: "A service principal with `accountEnabled = false` that still has role assignments.",
        why: "Re-enabling it silently restores all its access.",
        example: "Disabled `sp-migration` still holds Owner on a subscription.",
        remediation: "Remove the role assignments when disabling an identity.",
        references: &[
            OWASP_REF,
            "CIS Microsoft Azure Foundations Benchmark v5.0.0 5.3.5",
        ],
    },
    Check {
        id: "NHI-L-006",
        group: Group::Lifecycle,
        title: "Dangling system-assigned identity",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Identities, D::Resources, D::RoleAssignments],
        mapping: m!(O["NHI1"] C["ID.AM-08"] N["AC-2"] Z[] M["PA-3"] CIS[]),
        finds: "A system-assigned identity whose host resource (the service principal's `alternativeNames`) is absent \
                from the resource export while the service principal remains. Uncertain when nothing from the host's \
                subscription was exported.",
        why: "The lifecycle coupling failed: the identity outlived its resource and may keep roles.",
        example: "SP of `func-orders-old` remains with Storage Blob Data Contributor; the function app is gone.",
        remediation: "Remove its role assignments and clean up the object.",
        references: &[OWASP_REF, MCSB_IM],
    },
    // 8.3 Governance
    Check {
        id: "NHI-G-001",
        group: Group::Governance,
        title: "Missing owner",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Identities, D::Resources],
        mapping: m!(O["NHI1"] C["GV.RR-02", "ID.AM-02", "ID.AM-08"] N["AC-2", "IA-4", "CM-8"] Z[] M["AM-1", "PA-3"] CIS[]),
        finds: "No owner tag (policy `owner_tag_keys`, default owner, ownerEmail, team, costCenter) on a user-assigned \
                identity; no owner tag on a system-assigned identity's host resource; no `owners` (and no owner tag) \
                on an app registration or its service principal. Low when the identity holds no roles. Third-party \
                apps are skipped (NHI-I-004 covers them).",
        why: "Without an owner there is no access review and no offboarding.",
        example: "`id-shared-data` has tags `env=prod` only.",
        remediation: "Assign an accountable team and person; enforce owner tags by Azure Policy.",
        references: &[OWASP_REF, MCSB_IM],
    },
    Check {
        id: "NHI-G-002",
        group: Group::Governance,
        title: "Owner unresolvable or inactive",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Identities, D::Users],
        mapping: m!(O["NHI1"] C["GV.RR-02"] N["AC-2"] Z[] M["PA-3"] CIS[]),
        finds: "All owners deleted or disabled, or the owner is not among active users and groups. Needs the users \
                export.",
        why: "The \"owner left\" scenario: nobody is accountable and the credentials may be known to a leaver.",
        example: "App `crm-sync`'s only owner was disabled 120 days ago.",
        remediation: "Transfer ownership and rotate the credentials.",
        references: &[OWASP_REF],
    },
    Check {
        id: "NHI-G-003",
        group: Group::Governance,
        title: "Environment unclassified",
        severity: S::Low,
        raise_on_impact: false,
        exposure: false,
        data: &[D::Identities],
        mapping: m!(O[] C["ID.AM-05"] N["CM-8"] Z[] M["AM-1"] CIS[]),
        finds: "Neither the identity nor its workloads nor the scopes of its grants are classified prod or non-prod by \
                tags, names or the policy's subscription map. Blocks NHI-I-002 for that identity.",
        why: "Production identities cannot be weighted or isolated when nobody knows which they are.",
        example: "`id-worker-7` has no `env` tag and lives in resource group `rg-shared`.",
        remediation: "Tag `env` on identities and resources, or maintain a subscription map in the policy profile.",
        references: &[OWASP_REF],
    },
    Check {
        id: "NHI-G-004",
        group: Group::Governance,
        title: "Inventory gap",
        severity: S::Info,
        raise_on_impact: false,
        exposure: false,
        data: &[D::RoleAssignments, D::Resources, D::Identities],
        mapping: m!(O[] C["ID.AM-02"] N["CM-8", "PM-5"] Z["T1", "T7"] M["AM-1"] CIS[]),
        finds: "An identity referenced by a resource, federated credential or service principal but not listed by any \
                identity export; or whole identity types not exported (Kubernetes service accounts while AKS clusters \
                exist).",
        why: "What is not inventoried is not reviewed; gaps are reported as coverage, never counted as passes.",
        example: "Resource `vm-build-01` uses identity `id-build` that `az identity list` did not return.",
        remediation: "Extend the export (all subscriptions, all identity types).",
        references: &[OWASP_REF],
    },
    // 8.4 Credentials
    Check {
        id: "NHI-C-001",
        group: Group::Credentials,
        title: "Client secret present",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Credentials],
        mapping: m!(O["NHI4", "NHI7", "NHI2"] C["PR.AA-01", "PR.AA-03"] N["IA-5", "IA-5(7)", "IA-9"] Z["T6"] M["IM-3", "IM-8"] CIS[]),
        finds: "At least one active client secret (passwordCredential) on an app registration or service principal. \
                High when the identity's impact is high.",
        why: "A secret is a replayable shared string that can leak anywhere; MCSB prefers managed identities, then \
              certificates.",
        example: "App `billing-api` has an active client secret.",
        remediation: "Move to a managed identity or workload identity federation; otherwise use a certificate.",
        references: &[OWASP_REF, MCSB_IM],
    },
    Check {
        id: "NHI-C-002",
        group: Group::Credentials,
        title: "Long-lived credential",
        severity: S::High,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Credentials],
        mapping: m!(O["NHI7"] C["PR.AA-01"] N["IA-5"] Z[] M["IM-3", "IM-8"] CIS[]),
        finds: "An active secret or certificate whose lifetime (end − start) exceeds 365 days (policy \
                `credential_max_lifetime_days`), or that has no expiry.",
        why: "A leaked credential grants access with no time bound.",
        example: "A secret valid from 2024-01-01 to 2299-12-31.",
        remediation: "Enforce a maximum lifetime by app-management policy (90–180 days) and automate rotation.",
        references: &[OWASP_REF, MCSB_IM],
    },
    Check {
        id: "NHI-C-003",
        group: Group::Credentials,
        title: "Rotation overdue",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Credentials],
        mapping: m!(O["NHI7"] C["PR.AA-01"] N["IA-5"] Z[] M["IM-3"] CIS["AWS v3.0.0 1.14", "GCP v3.0.0 1.7"]),
        finds: "An active credential created more than 90 days ago (policy `rotation_days`).",
        why: "The longer a secret lives, the more places it has been copied to.",
        example: "A certificate in use since 400 days.",
        remediation: "Rotate it; automate rotation.",
        references: &[OWASP_REF, MCSB_IM],
    },
    Check {
        id: "NHI-C-004",
        group: Group::Credentials,
        title: "Expired credential still present",
        severity: S::Low,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Credentials],
        mapping: m!(O["NHI1"] C["ID.AM-08"] N["IA-5"] Z[] M["PA-3"] CIS[]),
        finds: "A secret or certificate past its end date is still registered. Medium when every credential of the \
                identity is expired while it still holds roles (an abandoned app).",
        why: "Clutter hides the credentials that matter; an all-expired app with roles is abandoned.",
        example: "App `old-reporting` has two expired secrets and Reader on a subscription.",
        remediation: "Remove the expired credential; offboard the app if unused.",
        references: &[OWASP_REF],
    },
    Check {
        id: "NHI-C-005",
        group: Group::Credentials,
        title: "Credential expiring soon",
        severity: S::Info,
        raise_on_impact: false,
        exposure: false,
        data: &[D::Credentials],
        mapping: m!(O[] C["PR.AA-01"] N["IA-5"] Z[] M["IM-3"] CIS[]),
        finds: "An active credential that expires within 30 days (policy `expiry_warning_days`), as Entra's \
                applicationCredentialExpiry and servicePrincipalKeyExpiry recommendations. Availability only: \
                excluded from risk.",
        why: "An unplanned expiry breaks the workload.",
        example: "A secret of `payroll-export` expires in 9 days.",
        remediation: "Rotate it, or better migrate to a managed identity or federation.",
        references: &[ENTRA_REC],
    },
    Check {
        id: "NHI-C-006",
        group: Group::Credentials,
        title: "More than one active static credential",
        severity: S::Low,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Credentials],
        mapping: m!(O["NHI9", "NHI7"] C[] N["IA-5"] Z[] M["IM-8"] CIS["AWS v3.0.0 1.13"]),
        finds: "More than one active secret or certificate. Two whose validity overlaps by at most 30 days (policy \
                `rotation_overlap_days`) are a rotation in progress and tolerated. Low for two, medium for three or \
                more.",
        why: "Several live credentials suggest sharing between consumers or a failed rotation.",
        example: "App `erp-connector` has 3 active secrets.",
        remediation: "Keep one credential per consumer and delete the others.",
        references: &[OWASP_REF],
    },
    Check {
        id: "NHI-C-007",
        group: Group::Credentials,
        title: "Unused credential",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Credentials, D::CredentialUsage],
        mapping: m!(O["NHI1", "NHI7"] C["DE.CM-03"] N["AC-2(3)", "IA-5"] Z[] M[] CIS["AWS v3.0.0 1.12"]),
        finds: "An active secret or certificate of an app or service principal not used for more than 45 days (policy \
                `unused_credential_days`), or never used since it was created more than 45 days ago, per the \
                credential sign-in report (Graph beta `reports/appCredentialSignInActivities`). A credential absent \
                from that report is flagged as uncertain. Managed identities' platform certificates are never \
                flagged.",
        why: "An unused credential is pure exposure.",
        example: "Secret `ci-old` of `deploy-app` last used 300 days ago.",
        remediation: "Delete it.",
        references: &[OWASP_REF],
    },
    Check {
        id: "NHI-C-008",
        group: Group::Credentials,
        title: "Static credential where a credential-less option exists",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Identities, D::Credentials, D::Resources],
        mapping: m!(O["NHI4", "NHI7"] C["PR.AA-01", "PR.AA-03"] N["IA-5(7)", "IA-9"] Z["T6"] M["IM-3"]
            CIS["Azure v3.0.0 9.5", "AWS v3.0.0 1.18", "GCP v3.0.0 1.4"]),
        finds: "An app registration with an active secret or certificate that an Azure resource signs in as, where the \
                resource could use a managed identity (an AKS cluster created with a service principal: \
                `servicePrincipalProfile.clientId` is the app's appId instead of `msi`).",
        why: "Managed identities and federation remove the secret entirely.",
        example: "AKS cluster `aks-orders` signs in as app `orders-aks-sp` with a client secret.",
        remediation: "Switch the consumer to a managed identity, then delete the credential.",
        references: &[OWASP_REF, MCSB_IM],
    },
    // 8.5 Federation
    Check {
        id: "NHI-F-001",
        group: Group::Federation,
        title: "Over-broad federated subject",
        severity: S::High,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Federations],
        mapping: m!(O["NHI6"] C["PR.AA-04", "PR.AA-05"] N["IA-13(2)", "IA-13(3)", "IA-9", "AC-6"] Z["T4", "T6"] M["IM-3"] CIS[]),
        finds: "Critical: a flexible federated credential whose `claimsMatchingExpression` uses a wildcard such as \
                `repo:org/*`, or a subject with a wildcard. High: a GitHub subject for `pull_request`, or any branch \
                other than main/master on a production identity. Pinned subjects (`environment:<name>`, \
                `ref:refs/heads/main`, `system:serviceaccount:<ns>:<sa>`) are fine.",
        why: "Unreviewed code, forks or other repositories can mint tokens for the identity.",
        example: "`claims['sub'] matches 'repo:contoso/*'` on `id-github-infra-prod`.",
        remediation: "Pin the subject to one repository plus a protected environment with required reviewers.",
        references: &[OWASP_REF, FIC],
    },
    Check {
        id: "NHI-F-002",
        group: Group::Federation,
        title: "Untrusted issuer or audience",
        severity: S::High,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Federations, D::Resources],
        mapping: m!(O["NHI6", "NHI3"] C["PR.AA-04"] N["IA-13(2)", "IA-13(3)", "IA-5(9)"] Z["T6"] M["IM-3"] CIS[]),
        finds: "An issuer that is not HTTPS or not in the allowlist (token.actions.githubusercontent.com, gitlab.com, \
                app.terraform.io, AKS OIDC issuers, this tenant's Entra issuers, policy `trusted_issuers`), or an \
                audience other than `api://AzureADTokenExchange`.",
        why: "Authentication is delegated to an arbitrary identity provider that can mint any subject.",
        example: "Issuer `http://jenkins.build.contoso.local/oidc`.",
        remediation: "Use an allowlisted HTTPS issuer you control; set the audience to `api://AzureADTokenExchange`.",
        references: &[OWASP_REF, FIC],
    },
    Check {
        id: "NHI-F-003",
        group: Group::Federation,
        title: "Federation crosses environments",
        severity: S::High,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Federations, D::RoleAssignments],
        mapping: m!(O["NHI8", "NHI6"] C["PR.IR-01", "PR.AA-05"] N["SA-3(1)", "AC-6"] Z["T3"] M["PA-7"] CIS[]),
        finds: "A subject naming a non-production environment or branch (dev, test, feature …) on an identity that is \
                production or holds production grants, or one identity trusting both production and non-production \
                subjects.",
        why: "A developer pipeline can obtain production access.",
        example: "`id-github-web-prod` trusts `repo:contoso/web-frontend:environment:dev`.",
        remediation: "One identity per environment; federate each only with its own environment.",
        references: &[OWASP_REF, FIC],
    },
    Check {
        id: "NHI-F-004",
        group: Group::Federation,
        title: "Dangling trust",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Federations, D::Resources],
        mapping: m!(O["NHI1", "NHI6"] C["ID.AM-08", "PR.AA-04"] N["AC-2", "IA-13"] Z[] M[] CIS[]),
        finds: "A federated credential whose issuer is an AKS cluster absent from the resource export. (Whether the \
                subject's namespace and service account still exist needs a Kubernetes export.)",
        why: "Whoever recreates or controls that issuer URL can mint tokens for the identity.",
        example: "Issuer `https://westeurope.oic.prod-aks.azure.com/<tenant>/<cluster>/` of a deleted cluster.",
        remediation: "Delete the federated credential.",
        references: &[OWASP_REF, FIC],
    },
    // 8.6 Isolation, reuse, human use
    Check {
        id: "NHI-I-001",
        group: Group::Isolation,
        title: "Shared identity",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Resources],
        mapping: m!(O["NHI9"] C["PR.AA-05"] N["AC-2(9)", "IA-9"] Z["T3"] M["IM-3", "PA-7"] CIS[]),
        finds: "A user-assigned identity attached to more than 5 resources (medium) or more than 10 (high); a scale set \
                counts once (policy `shared_identity_medium`, `shared_identity_high`).",
        why: "Compromising any consumer yields everyone's access, and actions can no longer be attributed.",
        example: "`id-data-pipeline-shared` is attached to 14 resources.",
        remediation: "One identity per workload.",
        references: &[OWASP_REF, MCSB_IM],
    },
    Check {
        id: "NHI-I-002",
        group: Group::Isolation,
        title: "Spans production and non-production",
        severity: S::High,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Resources, D::RoleAssignments],
        mapping: m!(O["NHI8"] C["PR.IR-01", "PR.AA-05"] N["SA-3(1)", "AC-6", "AC-5"] Z["T3"] M["PA-7"] CIS[]),
        finds: "Attachments or grants in both production and non-production environments.",
        why: "A non-production compromise reaches production (OWASP NHI8's shared identity across subscriptions).",
        example: "`id-shared-cicd` is attached to a dev VM and holds Contributor in a prod subscription.",
        remediation: "Separate identities per environment.",
        references: &[OWASP_REF],
    },
    Check {
        id: "NHI-I-003",
        group: Group::Isolation,
        title: "Spans subscriptions",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::RoleAssignments, D::Resources],
        mapping: m!(O["NHI9", "NHI8"] C["PR.AA-05"] N["AC-6"] Z[] M["PA-7"] CIS[]),
        finds: "Grants or attachments in at least 2 subscriptions (info) or at least 3 (medium) (policy \
                `subscriptions_info`, `subscriptions_medium`).",
        why: "Cross-subscription identities blur the isolation boundaries subscriptions are meant to draw.",
        example: "`sp-monitoring` holds roles in 3 subscriptions.",
        remediation: "Scope the identity to one subscription, or document a platform exception (waiver).",
        references: &[OWASP_REF],
    },
    Check {
        id: "NHI-I-004",
        group: Group::Isolation,
        title: "Cross-tenant or third-party identity with privilege",
        severity: S::High,
        raise_on_impact: false,
        exposure: true,
        data: &[D::Identities, D::RoleAssignments],
        mapping: m!(O["NHI3"] C["ID.AM-04", "DE.CM-06", "PR.AA-05"] N["AC-6", "AC-2"] Z[] M["PA-1", "PA-3"] CIS[]),
        finds: "A service principal of an app owned by another tenant (`appOwnerOrganizationId` ≠ home tenant) with \
                write grants (tier ≥ 0.5), or grants delegated through Azure Lighthouse. Critical when it holds a \
                role that can grant access or sits at tier 1.0.",
        why: "A compromise at the vendor becomes a compromise of your tenant.",
        example: "Third-party app `acme-backup` holds Contributor on `contoso-prod-core`.",
        remediation: "Least privilege for the vendor, time-bound delegation, and a vendor review.",
        references: &[OWASP_REF],
    },
    Check {
        id: "NHI-I-005",
        group: Group::Isolation,
        title: "Platform-default identity in use",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::Kubernetes, D::RoleAssignments],
        mapping: m!(O["NHI9", "NHI5"] C["PR.AA-05"] N["AC-6", "IA-9"] Z[] M["PA-7"]
            CIS["Kubernetes v1.6.0 5.1.1", "Kubernetes v1.6.0 5.1.5", "Kubernetes v1.6.0 5.1.6", "GCP v3.0.0 4.1"]),
        finds: "Pods on the `default` service account or with token automount they do not need; a service account \
                bound to cluster-admin (high); a GCE instance on the default compute service account. Needs \
                Kubernetes (or GCP) exports.",
        why: "Default identities are shared by everything that does not ask for its own.",
        example: "Pods in namespace `orders` run as `default` with automount on.",
        remediation: "A dedicated service account per workload, automount off.",
        references: &[OWASP_REF, "CIS Kubernetes Benchmark 5.1.x"],
    },
    Check {
        id: "NHI-H-001",
        group: Group::HumanUse,
        title: "Human use of a workload identity",
        severity: S::Medium,
        raise_on_impact: true,
        exposure: true,
        data: &[D::SignIns, D::RoleAssignments],
        mapping: m!(O["NHI10"] C["PR.AA-05", "DE.CM-03"] N["AC-2(9)", "AC-6", "IA-2(5)"] Z[] M["PA-1"]
            CIS["AWS v3.0.0 1.11", "GCP v3.0.0 1.6"]),
        finds: "A service principal with Azure role grants that signed in as a delegated (user-facing) client within \
                the stale window; or users holding Managed Identity Operator over a user-assigned identity whose \
                roles are privileged (tier ≥ 0.8), letting them act as it.",
        why: "Actions lose attribution and MFA or conditional access is bypassed.",
        example: "User `alice@contoso.com` holds Managed Identity Operator on the resource group of `id-deploy-prod`.",
        remediation: "Give humans their own just-in-time roles; remove impersonation rights.",
        references: &[OWASP_REF, MCSB_PA],
    },
];

/// Not assessable from inventory at all (CONTROLS.md §8): reported as not evaluated, never as pass.
pub const NOT_ASSESSABLE: &[&str] = &[
    "NHI2 actual secret leaks (needs code, config and log scanning)",
    "OAuth flow choices (part of NHI4)",
    "SP 800-207 tenet T2 (secured communication)",
    "Runtime detection (CSF DE.CM-09)",
];

/// The check with this id.
#[must_use]
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// The position of a check in [`CHECKS`].
#[must_use]
pub fn position(id: &str) -> Option<usize> {
    // Called per identity and check while evaluating: compared eight bytes at a time (see `ids::same_bytes`).
    CHECKS
        .iter()
        .position(|c| crate::ids::same_bytes(c.id.as_bytes(), id.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cited_id_is_valid_in_its_framework() {
        let mut bad = Vec::new();
        for check in CHECKS {
            for framework in Framework::ALL {
                for id in check.mapping.ids(framework) {
                    if framework.control(id).is_none() {
                        bad.push(format!("{} cites {} {id}", check.id, framework.key()));
                    }
                }
            }
        }
        assert!(bad.is_empty(), "invalid control ids: {bad:?}");
    }

    #[test]
    fn catalog_is_complete_and_ordered() {
        assert_eq!(CHECKS.len(), 35);
        let groups = [
            ("P", 7),
            ("L", 6),
            ("G", 4),
            ("C", 8),
            ("F", 4),
            ("I", 5),
            ("H", 1),
        ];
        for (letter, count) in groups {
            let ids: Vec<_> = CHECKS
                .iter()
                .filter(|c| c.id.starts_with(&format!("NHI-{letter}-")))
                .map(|c| c.id)
                .collect();
            assert_eq!(ids.len(), count, "group {letter}");
            for (i, id) in ids.iter().enumerate() {
                assert_eq!(*id, format!("NHI-{letter}-{:03}", i + 1));
            }
        }
        for check in CHECKS {
            assert!(!check.finds.is_empty() && !check.why.is_empty() && !check.example.is_empty());
            assert!(!check.remediation.is_empty() && !check.references.is_empty());
            assert!(!check.data.is_empty(), "{}", check.id);
            // Every check maps to at least one framework control.
            assert!(
                Framework::ALL
                    .iter()
                    .any(|f| !check.mapping.ids(*f).is_empty()),
                "{}",
                check.id
            );
        }
    }

    #[test]
    fn severity_order_and_raise() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(Severity::Medium.raised(), Severity::High);
        assert_eq!(Severity::Critical.raised(), Severity::Critical);
        assert_eq!(Severity::Info.raised(), Severity::Info);
        assert_eq!(Severity::parse("MED"), Some(Severity::Medium));
        assert_eq!(Severity::parse("x"), None);
    }
}
