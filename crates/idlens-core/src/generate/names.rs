//! Word lists that make the synthetic tenant read like a real one: workload names, people, vendors, regions.
//! Everything is fictional (Contoso and Microsoft's other sample companies); nothing here is a real tenant.

/// Workloads ("apps") that identities, resource groups and resources are named after.
pub(crate) const APPS: &[&str] = &[
    "payments",
    "orders",
    "inventory",
    "billing",
    "checkout",
    "catalog",
    "search",
    "notifications",
    "identity-sync",
    "reporting",
    "analytics",
    "ingest",
    "etl",
    "ml-scoring",
    "web",
    "mobile-bff",
    "pricing",
    "shipping",
    "loyalty",
    "crm-sync",
    "hr-portal",
    "docs",
    "backup",
    "monitoring",
    "logging",
    "devops",
    "build",
    "gateway",
    "auth",
    "ledger",
    "fraud",
    "recommendations",
    "media",
    "email",
    "sms",
    "audit",
    "archive",
    "datalake",
    "warehouse",
    "scheduler",
];

/// Second part of a user-assigned identity's name: what the identity is for.
pub(crate) const COMPONENTS: &[&str] = &[
    "api", "worker", "web", "func", "jobs", "sync", "reader", "writer", "kv", "queue", "batch",
    "app",
];

/// Role of a VM within its workload.
pub(crate) const VM_ROLES: &[&str] = &["agent", "worker", "app", "db", "jump", "batch", "proxy"];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "adele", "alex", "bianca", "carlos", "dana", "emil", "fatima", "grace", "hiro", "ines",
    "jonas", "kira", "lena", "marco", "nadia", "omar", "priya", "quinn", "rafael", "sofia",
    "tomas", "uma", "viktor", "wen",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "novak",
    "schmidt",
    "okafor",
    "lindqvist",
    "moreau",
    "tanaka",
    "silva",
    "kowalski",
    "haddad",
    "oconnor",
    "rossi",
    "jensen",
    "fischer",
    "duarte",
    "ivanova",
    "berg",
    "mensah",
    "kim",
];

/// Teams used as owner tags next to people.
pub(crate) const TEAMS: &[&str] = &[
    "platform-team",
    "payments-team",
    "data-team",
    "sre",
    "security-ops",
    "web-team",
    "integration-team",
];

/// Entra groups that hold role assignments beside the workload identities.
pub(crate) const GROUPS: &[&str] = &[
    "sg-platform-admins",
    "sg-payments-devs",
    "sg-sre-oncall",
    "sg-data-engineering",
    "sg-security-readers",
    "sg-finops",
    "sg-web-devs",
];

/// Multi-tenant applications of other organisations consented into the tenant.
pub(crate) const VENDORS: &[&str] = &[
    "Northwind Backup",
    "Tailspin CSPM",
    "Woodgrove Cost Insights",
    "Litware SIEM Connector",
    "Fabrikam Cloud Monitor",
    "Adventure Works Patch Manager",
    "Wingtip DevOps Bridge",
    "Proseware Compliance Scanner",
];

/// Purposes of first-party application registrations (service principals with secrets).
pub(crate) const APP_PURPOSES: &[&str] = &[
    "connector",
    "automation",
    "sync",
    "reporting",
    "integration",
    "deploy",
    "scanner",
    "exporter",
    "daemon",
];

/// Azure regions and the short codes resource names use.
pub(crate) const REGIONS: &[(&str, &str)] = &[
    ("westeurope", "weu"),
    ("northeurope", "neu"),
    ("eastus2", "eus2"),
    ("uksouth", "uks"),
    ("swedencentral", "sdc"),
];

/// Kubernetes namespaces for workload-identity federated credentials.
pub(crate) const NAMESPACES: &[&str] = &[
    "payments",
    "orders",
    "platform",
    "ingest",
    "web",
    "batch",
    "monitoring",
];
