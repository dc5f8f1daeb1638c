//! The frameworks the check catalog maps to, and the list of valid control ids of each (CONTROLS.md §0–§6).
//!
//! Only identifiers confirmed by the sources of CONTROLS.md §10 are listed. The lists are deliberately closed: a
//! test validates every id the catalog cites against them, so a wrong id (CSF 2.0 `PR.AC-4`, "SP 800-207 SC-31")
//! cannot enter the catalog. CIS items are `{benchmark, version, item}` triples because item numbers change between
//! versions.

use serde::{Deserialize, Serialize};

/// A framework a check maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// OWASP Top 10 Non-Human Identities Risks – 2025.
    OwaspNhi,
    /// NIST Cybersecurity Framework 2.0 (CSWP 29).
    NistCsf,
    /// NIST SP 800-53 Rev. 5.
    Nist80053,
    /// NIST SP 800-207 §2.1 zero-trust tenets.
    Nist800207,
    /// Microsoft cloud security benchmark (v1; v2 keeps these ids).
    Mcsb,
    /// CIS benchmarks (Azure, AWS, GCP, Kubernetes), by benchmark, version and item.
    Cis,
}

impl Framework {
    pub const ALL: [Framework; 6] = [
        Framework::OwaspNhi,
        Framework::NistCsf,
        Framework::Nist80053,
        Framework::Nist800207,
        Framework::Mcsb,
        Framework::Cis,
    ];

    /// The stable key used in exports (`controls` maps these keys to ids).
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Framework::OwaspNhi => "owasp-nhi-2025",
            Framework::NistCsf => "nist-csf-2.0",
            Framework::Nist80053 => "nist-sp-800-53r5",
            Framework::Nist800207 => "nist-sp-800-207",
            Framework::Mcsb => "mcsb",
            Framework::Cis => "cis",
        }
    }

    /// Human name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Framework::OwaspNhi => "OWASP Top 10 Non-Human Identities Risks 2025",
            Framework::NistCsf => "NIST Cybersecurity Framework 2.0",
            Framework::Nist80053 => "NIST SP 800-53 Rev. 5",
            Framework::Nist800207 => "NIST SP 800-207 zero-trust tenets (§2.1)",
            Framework::Mcsb => "Microsoft cloud security benchmark",
            Framework::Cis => "CIS Benchmarks",
        }
    }

    /// Every valid control of this framework, in document order.
    #[must_use]
    pub fn controls(self) -> &'static [Control] {
        match self {
            Framework::OwaspNhi => OWASP,
            Framework::NistCsf => CSF,
            Framework::Nist80053 => SP800_53,
            Framework::Nist800207 => SP800_207,
            Framework::Mcsb => MCSB,
            Framework::Cis => CIS,
        }
    }

    /// The control with this id, if it is valid in this framework.
    #[must_use]
    pub fn control(self, id: &str) -> Option<&'static Control> {
        self.controls().iter().find(|c| c.id == id)
    }

    /// Procedural controls that an inventory can only partly evidence (CONTROLS.md §9.3).
    #[must_use]
    pub fn procedural(self, id: &str) -> bool {
        matches!(
            (self, id),
            (Framework::NistCsf, "GV.RR-02") | (Framework::Nist80053, "AC-1")
        )
    }
}

/// One control: its id as the framework spells it, and a short title.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    /// For CIS items: `(benchmark, version, item)`; the id is `"<benchmark> <version> <item>"`.
    pub cis: Option<(&'static str, &'static str, &'static str)>,
}

const fn c(id: &'static str, title: &'static str) -> Control {
    Control {
        id,
        title,
        cis: None,
    }
}

const fn cis(
    id: &'static str,
    benchmark: &'static str,
    version: &'static str,
    item: &'static str,
    title: &'static str,
) -> Control {
    Control {
        id,
        title,
        cis: Some((benchmark, version, item)),
    }
}

/// OWASP NHI Top 10 2025, titles as on owasp.org (CONTROLS.md §1).
pub const OWASP: &[Control] = &[
    c("NHI1", "NHI1:2025 Improper Offboarding"),
    c("NHI2", "NHI2:2025 Secret Leakage"),
    c("NHI3", "NHI3:2025 Vulnerable Third-Party NHI"),
    c("NHI4", "NHI4:2025 Insecure Authentication"),
    c("NHI5", "NHI5:2025 Overprivileged NHI"),
    c("NHI6", "NHI6:2025 Insecure Cloud Deployment Configurations"),
    c("NHI7", "NHI7:2025 Long-Lived Secrets"),
    c("NHI8", "NHI8:2025 Environment Isolation"),
    c("NHI9", "NHI9:2025 NHI Reuse"),
    c("NHI10", "NHI10:2025 Human Use of NHI"),
];

/// OWASP exploitability of a risk, as a likelihood factor (CONTROLS.md §9.2 step 3): Easy 1.0, Average 0.9,
/// Hard 0.8.
#[must_use]
pub fn owasp_exploitability(id: &str) -> f64 {
    match id {
        "NHI1" | "NHI2" | "NHI4" => 1.0,
        "NHI3" | "NHI6" | "NHI8" => 0.9,
        _ => 0.8,
    }
}

/// NIST CSF 2.0 subcategories in the identity, asset, governance, platform and monitoring areas the catalog
/// touches. CSF 2.0 withdrew PR.AC (use PR.AA), ID.AM-06 and DE.CM-04/05/07/08; they are absent on purpose.
pub const CSF: &[Control] = &[
    c(
        "GV.RR-01",
        "Organizational leadership is responsible and accountable for cybersecurity risk",
    ),
    c(
        "GV.RR-02",
        "Roles, responsibilities, and authorities are established, communicated, understood, and enforced",
    ),
    c(
        "GV.RR-03",
        "Adequate resources are allocated commensurate with the cybersecurity risk strategy",
    ),
    c(
        "GV.RR-04",
        "Cybersecurity is included in human resources practices",
    ),
    c(
        "ID.AM-01",
        "Inventories of hardware managed by the organization are maintained",
    ),
    c(
        "ID.AM-02",
        "Inventories of software, services, and systems managed by the organization are maintained",
    ),
    c(
        "ID.AM-03",
        "Representations of authorized network communication and data flows are maintained",
    ),
    c(
        "ID.AM-04",
        "Inventories of services provided by suppliers are maintained",
    ),
    c(
        "ID.AM-05",
        "Assets are prioritized based on classification, criticality, resources, and impact",
    ),
    c(
        "ID.AM-07",
        "Inventories of data and corresponding metadata are maintained",
    ),
    c(
        "ID.AM-08",
        "Systems, hardware, software, services, and data are managed throughout their life cycles",
    ),
    c(
        "PR.AA-01",
        "Identities and credentials for authorized users, services, and hardware are managed",
    ),
    c(
        "PR.AA-02",
        "Identities are proofed and bound to credentials based on the context of interactions",
    ),
    c(
        "PR.AA-03",
        "Users, services, and hardware are authenticated",
    ),
    c(
        "PR.AA-04",
        "Identity assertions are protected, conveyed, and verified",
    ),
    c(
        "PR.AA-05",
        "Access permissions, entitlements, and authorizations are defined, managed, enforced, and reviewed (least privilege, separation of duties)",
    ),
    c(
        "PR.AA-06",
        "Physical access to assets is managed, monitored, and enforced commensurate with risk",
    ),
    c(
        "PR.IR-01",
        "Networks and environments are protected from unauthorized logical access and usage",
    ),
    c(
        "PR.IR-02",
        "The organization's technology assets are protected from environmental threats",
    ),
    c(
        "PR.IR-03",
        "Mechanisms are implemented to achieve resilience requirements",
    ),
    c(
        "PR.IR-04",
        "Adequate resource capacity to ensure availability is maintained",
    ),
    c("DE.CM-01", "Networks and network services are monitored"),
    c("DE.CM-02", "The physical environment is monitored"),
    c(
        "DE.CM-03",
        "Personnel activity and technology usage are monitored",
    ),
    c(
        "DE.CM-06",
        "External service provider activities and services are monitored",
    ),
    c(
        "DE.CM-09",
        "Computing hardware and software, runtime environments, and their data are monitored",
    ),
];

/// NIST SP 800-53 Rev. 5 controls and enhancements used by the catalog (CONTROLS.md §4). SC-31 (Covert Channel
/// Analysis) is a real 800-53 control but unrelated to workload identity, so it is not listed.
pub const SP800_53: &[Control] = &[
    c("AC-1", "Policy and Procedures"),
    c("AC-2", "Account Management"),
    c(
        "AC-2(1)",
        "Account Management | Automated System Account Management",
    ),
    c("AC-2(3)", "Account Management | Disable Accounts"),
    c("AC-2(4)", "Account Management | Automated Audit Actions"),
    c("AC-2(7)", "Account Management | Privileged User Accounts"),
    c(
        "AC-2(9)",
        "Account Management | Restrictions on Use of Shared and Group Accounts",
    ),
    c(
        "AC-2(12)",
        "Account Management | Account Monitoring for Atypical Usage",
    ),
    c("AC-5", "Separation of Duties"),
    c("AC-6", "Least Privilege"),
    c(
        "AC-6(1)",
        "Least Privilege | Authorize Access to Security Functions",
    ),
    c("AC-6(5)", "Least Privilege | Privileged Accounts"),
    c("AC-6(7)", "Least Privilege | Review of User Privileges"),
    c(
        "AC-6(9)",
        "Least Privilege | Log Use of Privileged Functions",
    ),
    c(
        "IA-2(5)",
        "Identification and Authentication | Individual Authentication with Group Authentication",
    ),
    c("IA-4", "Identifier Management"),
    c(
        "IA-4(9)",
        "Identifier Management | Attribute Maintenance and Protection",
    ),
    c("IA-5", "Authenticator Management"),
    c(
        "IA-5(2)",
        "Authenticator Management | Public Key-based Authentication",
    ),
    c(
        "IA-5(7)",
        "Authenticator Management | No Embedded Unencrypted Static Authenticators",
    ),
    c(
        "IA-5(9)",
        "Authenticator Management | Federated Credential Management",
    ),
    c("IA-9", "Service Identification and Authentication"),
    c("IA-13", "Identity Providers and Authorization Servers"),
    c(
        "IA-13(2)",
        "Identity Providers and Authorization Servers | Verification of Identity Assertions and Access Tokens",
    ),
    c(
        "IA-13(3)",
        "Identity Providers and Authorization Servers | Token Management",
    ),
    c("CM-8", "System Component Inventory"),
    c("PM-5", "System Inventory"),
    c(
        "SA-3(1)",
        "System Development Life Cycle | Manage Preproduction Environment",
    ),
];

/// NIST SP 800-207 §2.1: seven tenets, no control ids (CONTROLS.md §3).
pub const SP800_207: &[Control] = &[
    c(
        "T1",
        "Tenet 1: all data sources and computing services are resources",
    ),
    c(
        "T2",
        "Tenet 2: all communication is secured regardless of network location",
    ),
    c(
        "T3",
        "Tenet 3: access is granted per session with least privilege",
    ),
    c(
        "T4",
        "Tenet 4: access is determined by dynamic policy, including service identity attributes",
    ),
    c(
        "T5",
        "Tenet 5: the integrity and security posture of all assets is monitored and measured",
    ),
    c(
        "T6",
        "Tenet 6: authentication and authorization are dynamic and strictly enforced before access",
    ),
    c(
        "T7",
        "Tenet 7: state information is collected and used to improve the security posture",
    ),
];

/// Microsoft cloud security benchmark controls used by the catalog (CONTROLS.md §5).
pub const MCSB: &[Control] = &[
    c("AM-1", "Track asset inventory and their risks"),
    c("DP-8", "Ensure security of key and certificate repository"),
    c(
        "IM-3",
        "Manage application identities securely and automatically",
    ),
    c("IM-8", "Restrict the exposure of credentials and secrets"),
    c(
        "PA-1",
        "Separate and limit highly privileged/administrative users",
    ),
    c(
        "PA-2",
        "Avoid standing access for user accounts and permissions",
    ),
    c("PA-3", "Manage lifecycle of identities and entitlements"),
    c("PA-4", "Review and reconcile user access regularly"),
    c(
        "PA-7",
        "Follow just enough administration (least privilege) principle",
    ),
];

/// CIS items with their benchmark and version (CONTROLS.md §5–§6).
pub const CIS: &[Control] = &[
    cis(
        "Azure v3.0.0 2.14",
        "Azure",
        "v3.0.0",
        "2.14",
        "Users can register applications is set to No",
    ),
    cis(
        "Azure v3.0.0 2.23",
        "Azure",
        "v3.0.0",
        "2.23",
        "No custom subscription administrator roles exist",
    ),
    cis(
        "Azure v3.0.0 2.26",
        "Azure",
        "v3.0.0",
        "2.26",
        "Fewer than 5 users have Global Administrator",
    ),
    cis(
        "Azure v3.0.0 9.5",
        "Azure",
        "v3.0.0",
        "9.5",
        "Register with Entra ID is enabled on App Service",
    ),
    cis(
        "Azure v5.0.0 5.14",
        "Azure",
        "v5.0.0",
        "5.14",
        "Users can register applications is set to No",
    ),
    cis(
        "Azure v5.0.0 5.23",
        "Azure",
        "v5.0.0",
        "5.23",
        "No custom subscription administrator roles exist",
    ),
    cis(
        "Azure v5.0.0 5.27",
        "Azure",
        "v5.0.0",
        "5.27",
        "There are between 2 and 3 subscription owners",
    ),
    cis(
        "Azure v5.0.0 5.3.3",
        "Azure",
        "v5.0.0",
        "5.3.3",
        "Use of the User Access Administrator role is restricted",
    ),
    cis(
        "Azure v5.0.0 5.3.4",
        "Azure",
        "v5.0.0",
        "5.3.4",
        "Privileged role assignments are periodically reviewed",
    ),
    cis(
        "Azure v5.0.0 5.3.5",
        "Azure",
        "v5.0.0",
        "5.3.5",
        "Disabled accounts do not have read, write, or owner permissions",
    ),
    cis(
        "AWS v3.0.0 1.11",
        "AWS",
        "v3.0.0",
        "1.11",
        "Do not set up access keys during initial user setup for IAM users with a console password",
    ),
    cis(
        "AWS v3.0.0 1.12",
        "AWS",
        "v3.0.0",
        "1.12",
        "Credentials unused for 45 days or more are disabled",
    ),
    cis(
        "AWS v3.0.0 1.13",
        "AWS",
        "v3.0.0",
        "1.13",
        "There is only one active access key for any single IAM user",
    ),
    cis(
        "AWS v3.0.0 1.14",
        "AWS",
        "v3.0.0",
        "1.14",
        "Access keys are rotated every 90 days or less",
    ),
    cis(
        "AWS v3.0.0 1.16",
        "AWS",
        "v3.0.0",
        "1.16",
        "IAM policies that allow full \"*:*\" administrative privileges are not attached",
    ),
    cis(
        "AWS v3.0.0 1.18",
        "AWS",
        "v3.0.0",
        "1.18",
        "IAM instance roles are used for AWS resource access from instances",
    ),
    cis(
        "AWS v3.0.0 1.20",
        "AWS",
        "v3.0.0",
        "1.20",
        "IAM Access Analyzer is enabled for all regions",
    ),
    cis(
        "GCP v3.0.0 1.4",
        "GCP",
        "v3.0.0",
        "1.4",
        "There are only GCP-managed service account keys for each service account",
    ),
    cis(
        "GCP v3.0.0 1.5",
        "GCP",
        "v3.0.0",
        "1.5",
        "Service account has no admin privileges",
    ),
    cis(
        "GCP v3.0.0 1.6",
        "GCP",
        "v3.0.0",
        "1.6",
        "IAM users are not assigned Service Account User or Token Creator roles at project level",
    ),
    cis(
        "GCP v3.0.0 1.7",
        "GCP",
        "v3.0.0",
        "1.7",
        "User-managed/external keys for service accounts are rotated every 90 days or fewer",
    ),
    cis(
        "GCP v3.0.0 1.8",
        "GCP",
        "v3.0.0",
        "1.8",
        "Separation of duties is enforced while assigning service account related roles to users",
    ),
    cis(
        "GCP v3.0.0 4.1",
        "GCP",
        "v3.0.0",
        "4.1",
        "Instances are not configured to use the default service account",
    ),
    cis(
        "Kubernetes v1.6.0 5.1.1",
        "Kubernetes",
        "v1.6.0",
        "5.1.1",
        "The cluster-admin role is only used where required",
    ),
    cis(
        "Kubernetes v1.6.0 5.1.3",
        "Kubernetes",
        "v1.6.0",
        "5.1.3",
        "Minimize wildcard use in Roles and ClusterRoles",
    ),
    cis(
        "Kubernetes v1.6.0 5.1.5",
        "Kubernetes",
        "v1.6.0",
        "5.1.5",
        "Default service accounts are not actively used",
    ),
    cis(
        "Kubernetes v1.6.0 5.1.6",
        "Kubernetes",
        "v1.6.0",
        "5.1.6",
        "Service account tokens are only mounted where necessary",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_unique_and_cis_ids_match_their_triples() {
        for framework in Framework::ALL {
            let controls = framework.controls();
            for (i, control) in controls.iter().enumerate() {
                assert!(
                    !controls[..i].iter().any(|c| c.id == control.id),
                    "{} listed twice in {}",
                    control.id,
                    framework.key()
                );
                if let Some((b, v, item)) = control.cis {
                    assert_eq!(control.id, format!("{b} {v} {item}"));
                }
            }
        }
    }

    #[test]
    fn known_wrong_ids_are_rejected() {
        assert!(Framework::NistCsf.control("PR.AC-4").is_none());
        assert!(Framework::NistCsf.control("PR.AA-05").is_some());
        assert!(Framework::Nist800207.control("SC-31").is_none());
        assert!(Framework::Nist80053.control("IA-13(3)").is_some());
        assert!(Framework::NistCsf.control("DE.CM-07").is_none());
        assert_eq!(
            Framework::OwaspNhi.control("NHI7").map(|c| c.title),
            Some("NHI7:2025 Long-Lived Secrets")
        );
        assert_eq!(owasp_exploitability("NHI1"), 1.0);
        assert_eq!(owasp_exploitability("NHI6"), 0.9);
        assert_eq!(owasp_exploitability("NHI5"), 0.8);
    }
}
