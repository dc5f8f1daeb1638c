//! The tenant plan: every subscription, resource group, resource, identity, credential, federated credential and
//! privileged ("scenario") role assignment, decided up front from one random stream. The plan is small (a few
//! hundred bytes per identity); the bulk of the role assignments is not stored but derived while writing, from
//! the per-identity counts in [`Tenant::routine`].
//!
//! Proportions follow a plausible enterprise tenant: most identities are fine, a minority carries each problem
//! the check catalog looks for (CONTROLS.md §8). A fixed list of "designated" identities makes sure every
//! scenario exists once the tenant is big enough for it.

use std::collections::{HashMap, HashSet};

use super::dates::DAY;
use super::names::{
    APP_PURPOSES, APPS, COMPONENTS, FIRST_NAMES, GROUPS, LAST_NAMES, NAMESPACES, REGIONS, TEAMS,
    VENDORS, VM_ROLES,
};
use super::rng::Rng;
use super::roles::*;
use super::{GenerateOptions, Guid};

/// Environment of a subscription (and so of everything in it).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Env {
    Prod,
    Dev,
    Test,
    Staging,
    Sandbox,
}

impl Env {
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Env::Prod => "prod",
            Env::Dev => "dev",
            Env::Test => "test",
            Env::Staging => "staging",
            Env::Sandbox => "sandbox",
        }
    }

    pub(crate) fn is_prod(self) -> bool {
        self == Env::Prod
    }
}

/// Subscriptions in the order a growing tenant gets them; the first three already mix prod and non-prod.
const SUBSCRIPTIONS: &[(&str, Env)] = &[
    ("contoso-prod-core", Env::Prod),
    ("contoso-dev", Env::Dev),
    ("contoso-prod-payments", Env::Prod),
    ("contoso-test", Env::Test),
    ("contoso-shared-platform", Env::Prod),
    ("contoso-staging", Env::Staging),
    ("contoso-prod-data", Env::Prod),
    ("contoso-sandbox", Env::Sandbox),
];

/// Management groups below the tenant root group (which is named after the tenant id).
pub(crate) const MANAGEMENT_GROUPS: &[&str] =
    &["mg-contoso", "mg-contoso-prod", "mg-contoso-nonprod"];

pub(crate) struct Sub {
    pub id: Guid,
    pub env: Env,
    pub region: usize,
}

pub(crate) struct Rg {
    pub sub: usize,
    pub name: String,
    pub app: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ResKind {
    Vm,
    Vmss,
    WebApp,
    FunctionApp,
    ContainerApp,
    LogicApp,
    DataFactory,
    Storage,
    Sql,
    Automation,
    Aks,
    Apim,
    Cognitive,
}

impl ResKind {
    /// Resource provider path as ARM ids spell it.
    pub(crate) fn provider(self) -> &'static str {
        match self {
            ResKind::Vm => "Microsoft.Compute/virtualMachines",
            ResKind::Vmss => "Microsoft.Compute/virtualMachineScaleSets",
            ResKind::WebApp | ResKind::FunctionApp => "Microsoft.Web/sites",
            ResKind::ContainerApp => "Microsoft.App/containerApps",
            ResKind::LogicApp => "Microsoft.Logic/workflows",
            ResKind::DataFactory => "Microsoft.DataFactory/factories",
            ResKind::Storage => "Microsoft.Storage/storageAccounts",
            ResKind::Sql => "Microsoft.Sql/servers",
            ResKind::Automation => "Microsoft.Automation/automationAccounts",
            ResKind::Aks => "Microsoft.ContainerService/managedClusters",
            ResKind::Apim => "Microsoft.ApiManagement/service",
            ResKind::Cognitive => "Microsoft.CognitiveServices/accounts",
        }
    }

    /// Older resource providers spell the combined identity type with a space (FORMATS.md §0.6).
    pub(crate) fn spaced_identity_type(self) -> bool {
        matches!(
            self,
            ResKind::Vm | ResKind::Vmss | ResKind::WebApp | ResKind::FunctionApp | ResKind::Apim
        )
    }
}

pub(crate) struct Resource {
    pub kind: ResKind,
    pub name: String,
    pub rg: usize,
    pub region: usize,
    pub sami: Option<usize>,
    pub uamis: Vec<usize>,
    pub owner: Option<usize>,
    pub env_tag: bool,
    pub cost_center: Option<u16>,
    /// Deleted resources are absent from resources.json but still named by their SAMI's service principal.
    pub deleted: bool,
    /// How this resource's `userAssignedIdentities` keys are cased (0 as listed, 1 `resourceGroups`, 2 lowercase).
    pub key_style: u8,
    pub cluster: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Uami,
    Sami,
    App,
    Vendor,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Activity {
    /// No row in the sign-in activity report.
    Absent,
    /// A row whose activities are all null.
    Empty,
    /// Last sign-in at this instant (application authentication).
    At(i64),
    /// Last sign-in at this instant, as a delegated (user-facing) client.
    Delegated(i64),
}

pub(crate) struct Cred {
    pub secret: bool,
    pub start: i64,
    pub end: i64,
    pub key_id: Guid,
    pub display: Option<String>,
    /// Secret hint (3 characters) or certificate thumbprint.
    pub hint: String,
    pub millis: u32,
}

pub(crate) struct Ident {
    pub kind: Kind,
    pub name: String,
    pub principal: Guid,
    pub client: Guid,
    pub app_object: Guid,
    pub rg: usize,
    pub env: Env,
    pub app: &'static str,
    pub created: i64,
    pub activity: Activity,
    pub enabled: bool,
    pub owner: Option<usize>,
    pub no_tags: bool,
    pub managed_by_terraform: bool,
    pub host: Option<usize>,
    pub vendor_tenant: Option<Guid>,
    pub creds: Vec<Cred>,
    pub sp_creds: Vec<Cred>,
    pub platform_cert: (i64, Guid, String),
    pub alt_swapped: bool,
    pub graph_permissions: bool,
    pub weight: f64,
}

pub(crate) struct Fic {
    pub ident: usize,
    pub name: String,
    pub issuer: String,
    pub subject: Option<String>,
    pub expression: Option<String>,
}

pub(crate) struct Cluster {
    pub resource: usize,
    pub kubelet: usize,
    pub issuer: String,
    pub mc_rg: usize,
}

pub(crate) struct Person {
    pub upn: String,
    pub id: Guid,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Principal {
    Ident(usize),
    Deleted(usize),
    Person(usize),
    Group(usize),
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Scope {
    Root,
    Mg(usize),
    Sub(usize),
    Rg(usize),
    Resource {
        rg: usize,
        provider: &'static str,
        name: String,
    },
}

pub(crate) struct Grant {
    pub principal: Principal,
    pub role: u8,
    pub scope: Scope,
    pub condition: Option<&'static str>,
    pub description: Option<&'static str>,
}

/// The whole synthetic tenant except the routine role assignments.
pub(crate) struct Tenant {
    pub seed: u64,
    pub as_of: i64,
    pub tenant_id: Guid,
    pub subs: Vec<Sub>,
    pub rgs: Vec<Rg>,
    pub resources: Vec<Resource>,
    pub idents: Vec<Ident>,
    pub people: Vec<Person>,
    pub groups: Vec<Guid>,
    pub owners: Vec<String>,
    pub custom_role_ids: Vec<Guid>,
    pub clusters: Vec<Cluster>,
    pub fics: Vec<Fic>,
    /// Privileged and scenario assignments, per identity.
    pub grants: Vec<Vec<Grant>>,
    /// Number of ordinary assignments each identity gets on top of its scenario grants.
    pub routine: Vec<u32>,
    pub human_grants: usize,
    pub orphan_grants: usize,
    /// Object ids of deleted principals that still hold role assignments.
    pub deleted: Vec<Guid>,
    /// Microsoft first-party service principals present in every tenant: (display name, appId, object id).
    pub first_party: Vec<(&'static str, &'static str, Guid)>,
    /// Index of the infrastructure-as-code service principal that creates many assignments, if any.
    pub terraform: Option<usize>,
}

/// What a user-assigned identity is for, which decides its attachments.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UamiPlan {
    Normal,
    Orphan,
    Shared(usize),
    CrossEnv,
    Federated,
}

const FIRST_PARTY: &[(&str, &str)] = &[
    ("Microsoft Graph", "00000003-0000-0000-c000-000000000000"),
    (
        "Windows Azure Service Management API",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    ),
    ("Azure Key Vault", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"),
    (
        "Office 365 Exchange Online",
        "00000002-0000-0ff1-ce00-000000000000",
    ),
];

struct Builder {
    rng: Rng,
    as_of: i64,
    t: Tenant,
    used_names: HashMap<String, u32>,
    rg_index: HashMap<(usize, String), usize>,
    rg_res: Vec<Vec<usize>>,
    sub_res: Vec<Vec<usize>>,
    uami_plans: Vec<(usize, UamiPlan)>,
    grant_keys: HashSet<(usize, u8, Scope)>,
}

pub(crate) fn plan(opts: &GenerateOptions) -> Tenant {
    let mut rng = Rng::new(opts.seed, 0);
    let tenant_id = rng.guid();
    let tenant = Tenant {
        seed: opts.seed,
        as_of: opts.as_of_unix,
        tenant_id,
        subs: Vec::new(),
        rgs: Vec::new(),
        resources: Vec::new(),
        idents: Vec::new(),
        people: Vec::new(),
        groups: Vec::new(),
        owners: Vec::new(),
        custom_role_ids: Vec::new(),
        clusters: Vec::new(),
        fics: Vec::new(),
        grants: Vec::new(),
        routine: Vec::new(),
        human_grants: 0,
        orphan_grants: 0,
        deleted: Vec::new(),
        first_party: Vec::new(),
        terraform: None,
    };
    let mut b = Builder {
        rng,
        as_of: opts.as_of_unix,
        t: tenant,
        used_names: HashMap::new(),
        rg_index: HashMap::new(),
        rg_res: Vec::new(),
        sub_res: Vec::new(),
        uami_plans: Vec::new(),
        grant_keys: HashSet::new(),
    };
    b.directory();
    b.identities(opts.identities);
    b.attach();
    b.federate();
    b.allocate(opts.assignments);
    b.t
}

impl Builder {
    fn ago(&mut self, min_days: i64, max_days: i64) -> i64 {
        self.as_of - self.rng.range(min_days * DAY, max_days * DAY)
    }

    /// `base` the first time, then `base-02`, `base-03`, …
    fn unique(&mut self, base: String) -> String {
        let n = self.used_names.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            format!("{base}-{:02}", n)
        }
    }

    /// Always numbered: `base-01`, `base-02`, …
    fn numbered(&mut self, base: &str) -> String {
        let n = self.used_names.entry(format!("#{base}")).or_insert(0);
        *n += 1;
        format!("{base}-{:02}", n)
    }

    fn directory(&mut self) {
        let t = &mut self.t;
        let rng = &mut self.rng;
        for (i, first) in FIRST_NAMES.iter().enumerate() {
            let last = LAST_NAMES
                .get((i * 7 + 3) % LAST_NAMES.len())
                .copied()
                .unwrap_or("smith");
            t.people.push(Person {
                upn: format!("{first}.{last}@contoso.com"),
                id: rng.guid(),
            });
        }
        for _ in GROUPS {
            t.groups.push(rng.guid());
        }
        t.owners = t.people.iter().take(16).map(|p| p.upn.clone()).collect();
        t.owners
            .extend(TEAMS.iter().map(|team| format!("{team}@contoso.com")));
        for _ in CUSTOMS {
            t.custom_role_ids.push(rng.guid());
        }
        for (name, app_id) in FIRST_PARTY {
            t.first_party.push((name, app_id, rng.guid()));
        }
    }

    fn subscriptions(&mut self, identities: usize) {
        let extra = (identities / 60).max(1).ilog2().min(5) as usize;
        for &(_name, env) in SUBSCRIPTIONS.iter().take(3 + extra) {
            let id = self.rng.guid();
            let region = self.rng.below(3);
            self.t.subs.push(Sub { id, env, region });
            self.sub_res.push(Vec::new());
        }
        for sub in 0..self.t.subs.len() {
            self.rg(sub, "platform");
        }
    }

    fn subs_where(&self, prod: bool) -> Vec<usize> {
        (0..self.t.subs.len())
            .filter(|&s| self.t.subs[s].env.is_prod() == prod)
            .collect()
    }

    fn pick_sub(&mut self, prod: Option<bool>) -> usize {
        let prod = prod.unwrap_or_else(|| self.rng.chance(0.55));
        let subs = self.subs_where(prod);
        self.rng.pick(&subs).copied().unwrap_or(0)
    }

    /// The resource group of `app` in subscription `sub`, created on first use.
    fn rg(&mut self, sub: usize, app: &'static str) -> usize {
        let env = self.t.subs[sub].env.tag();
        let key = (sub, app.to_owned());
        if let Some(&i) = self.rg_index.get(&key) {
            return i;
        }
        let name = if self.rng.chance(0.15) {
            format!(
                "RG-{}-{}",
                app.to_ascii_uppercase(),
                env.to_ascii_uppercase()
            )
        } else {
            format!("rg-{app}-{env}")
        };
        self.push_rg(key, name, app)
    }

    fn push_rg(&mut self, key: (usize, String), name: String, app: &'static str) -> usize {
        let i = self.t.rgs.len();
        self.t.rgs.push(Rg {
            sub: key.0,
            name,
            app,
        });
        self.rg_res.push(Vec::new());
        self.rg_index.insert(key, i);
        i
    }

    fn owner_tag(&mut self, p_missing: f64) -> Option<usize> {
        if self.rng.chance(p_missing) {
            None
        } else {
            Some(self.rng.below(self.t.owners.len()))
        }
    }

    fn resource(&mut self, kind: ResKind, rg: usize) -> usize {
        let sub = self.t.rgs[rg].sub;
        let app = self.t.rgs[rg].app;
        let env = self.t.subs[sub].env.tag();
        let region = if self.rng.chance(0.85) {
            self.t.subs[sub].region
        } else {
            self.rng.below(REGIONS.len())
        };
        let short = REGIONS.get(region).map_or("weu", |r| r.1);
        let compact: String = app
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(11)
            .collect();
        let name = match kind {
            ResKind::Vm => {
                let role = if app == "build" {
                    "agent"
                } else {
                    self.rng.word(VM_ROLES)
                };
                self.numbered(&format!("vm-{app}-{role}"))
            }
            ResKind::Vmss => self.numbered(&format!("vmss-{app}-{env}")),
            ResKind::WebApp => self.unique(format!("app-{app}-{env}-{short}")),
            ResKind::FunctionApp => self.unique(format!("func-{app}-{env}-{short}")),
            ResKind::ContainerApp => self.unique(format!("ca-{app}-{env}")),
            ResKind::LogicApp => self.unique(format!("logic-{app}-{env}")),
            ResKind::DataFactory => self.unique(format!("adf-{app}-{env}-{short}")),
            ResKind::Storage => self.numbered(&format!("st{compact}{env}")).replace('-', ""),
            ResKind::Sql => self.unique(format!("sql-{app}-{env}-{short}")),
            ResKind::Automation => self.unique(format!("aa-{app}-{env}")),
            ResKind::Aks => self.unique(format!("aks-{env}-{short}")),
            ResKind::Apim => self.unique(format!("apim-{app}-{env}")),
            ResKind::Cognitive => self.unique(format!("oai-{app}-{env}-{short}")),
        };
        let owner = self.owner_tag(0.12);
        let env_tag = !self.rng.chance(0.06);
        let cost_center = self
            .rng
            .chance(0.4)
            .then(|| 1000 + self.rng.below(60) as u16);
        let key_style = self.rng.below(3) as u8;
        let i = self.t.resources.len();
        self.t.resources.push(Resource {
            kind,
            name,
            rg,
            region,
            sami: None,
            uamis: Vec::new(),
            owner,
            env_tag,
            cost_center,
            deleted: false,
            key_style,
            cluster: None,
        });
        self.rg_res[rg].push(i);
        self.sub_res[sub].push(i);
        i
    }

    fn host_kind(&mut self) -> ResKind {
        const KINDS: &[(ResKind, u32)] = &[
            (ResKind::Vm, 25),
            (ResKind::WebApp, 18),
            (ResKind::FunctionApp, 18),
            (ResKind::ContainerApp, 8),
            (ResKind::LogicApp, 8),
            (ResKind::DataFactory, 4),
            (ResKind::Storage, 6),
            (ResKind::Sql, 5),
            (ResKind::Automation, 4),
            (ResKind::Apim, 2),
            (ResKind::Cognitive, 2),
        ];
        let total: u32 = KINDS.iter().map(|k| k.1).sum();
        let mut roll = self.rng.below(total as usize) as u32;
        for &(kind, w) in KINDS {
            if roll < w {
                return kind;
            }
            roll -= w;
        }
        ResKind::Vm
    }

    fn new_ident(&mut self, kind: Kind, name: String, rg: usize, app: &'static str) -> usize {
        let env = self
            .t
            .subs
            .get(self.t.rgs.get(rg).map_or(0, |r| r.sub))
            .map_or(Env::Prod, |s| s.env);
        let principal = self.rng.guid();
        let client = self.rng.guid();
        let app_object = self.rng.guid();
        let created = self.ago(35, 1500);
        let owner = self.owner_tag(0.15);
        let no_tags = self.rng.chance(0.07);
        let managed_by_terraform = self.rng.chance(0.3);
        let cert_start = self.ago(0, 60);
        let cert_id = self.rng.guid();
        let thumb = self.rng.hex_upper(20);
        let alt_swapped = self.rng.chance(0.1);
        let roll = self.rng.u64() % 1000;
        let activity = if roll < 60 {
            if roll < 40 {
                Activity::Absent
            } else {
                Activity::Empty
            }
        } else if roll < 160 {
            Activity::At(self.ago(91, 800))
        } else if roll < 300 {
            Activity::At(self.ago(8, 80))
        } else {
            Activity::At(self.as_of - self.rng.range(60, 7 * DAY))
        };
        let weight = match kind {
            Kind::App => 3.0,
            Kind::Uami => 2.0,
            Kind::Sami => 1.2,
            Kind::Vendor => 0.0,
        } * if self.rng.chance(0.05) { 8.0 } else { 1.0 };
        let i = self.t.idents.len();
        self.t.idents.push(Ident {
            kind,
            name,
            principal,
            client,
            app_object,
            rg,
            env,
            app,
            created,
            activity,
            enabled: true,
            owner,
            no_tags,
            managed_by_terraform,
            host: None,
            vendor_tenant: None,
            creds: Vec::new(),
            sp_creds: Vec::new(),
            platform_cert: (cert_start, cert_id, thumb),
            alt_swapped,
            graph_permissions: false,
            weight,
        });
        self.t.grants.push(Vec::new());
        self.fix_created(i);
        i
    }

    /// Keeps creation before the last sign-in, and "never used" identities older than 30 days.
    fn fix_created(&mut self, i: usize) {
        let last = match self.t.idents[i].activity {
            Activity::At(t) | Activity::Delegated(t) => t,
            Activity::Absent | Activity::Empty => self.as_of - 31 * DAY,
        };
        if self.t.idents[i].created >= last {
            self.t.idents[i].created = last - self.rng.range(DAY, 400 * DAY);
        }
    }

    fn set_activity(&mut self, i: usize, activity: Activity) {
        self.t.idents[i].activity = activity;
        self.fix_created(i);
    }

    fn grant(&mut self, i: usize, role: u8, scope: Scope) -> Option<&mut Grant> {
        if !self.grant_keys.insert((i, role, scope.clone())) {
            return None;
        }
        let list = self.t.grants.get_mut(i)?;
        list.push(Grant {
            principal: Principal::Ident(i),
            role,
            scope,
            condition: None,
            description: None,
        });
        list.last_mut()
    }

    fn identities(&mut self, n: usize) {
        self.subscriptions(n);
        let apps_total = (n * 18 + 50) / 100;
        let vendors = if apps_total >= 3 {
            (apps_total / 12).clamp(1, VENDORS.len())
        } else {
            0
        };
        let uamis = (n * 37 + 50) / 100;
        let samis = n.saturating_sub(apps_total + uamis);
        let clusters = if n >= 10 {
            (n / 150).clamp(1, 10).min(samis).min(uamis)
        } else {
            0
        };
        self.clusters(clusters);
        self.uamis(uamis - clusters);
        self.samis(samis - clusters);
        self.apps(apps_total - vendors);
        self.vendors(vendors);
    }

    fn clusters(&mut self, count: usize) {
        for c in 0..count {
            let sub = self.pick_sub(Some(c % 2 == 0));
            let env = self.t.subs[sub].env.tag();
            let rg = self.rg(sub, "aks");
            let aks = self.resource(ResKind::Aks, rg);
            let cluster_name = self.t.resources[aks].name.clone();
            let region_name = REGIONS
                .get(self.t.resources[aks].region)
                .map_or("westeurope", |r| r.0);
            let name = cluster_name.clone();
            let sami = self.new_ident(Kind::Sami, name, rg, "aks");
            self.t.resources[aks].sami = Some(sami);
            self.t.idents[sami].host = Some(aks);
            let mc_name = format!(
                "MC_{}_{}_{}",
                self.t.rgs[rg].name, cluster_name, region_name
            );
            let mc = self.push_rg((sub, format!("#mc-{c}")), mc_name, "aks");
            let kubelet =
                self.new_ident(Kind::Uami, format!("{cluster_name}-agentpool"), mc, "aks");
            self.t.idents[kubelet].owner = None;
            self.t.idents[kubelet].no_tags = true;
            let vmss = self.resource(ResKind::Vmss, mc);
            let pool = 10_000_000 + self.rng.below(89_999_999);
            self.t.resources[vmss].name = format!("aks-nodepool1-{pool}-vmss");
            self.t.resources[vmss].uamis.push(kubelet);
            for who in [sami, kubelet] {
                let t = self.as_of - self.rng.range(60, DAY);
                self.set_activity(who, Activity::At(t));
            }
            let issuer = format!(
                "https://{region_name}.oic.prod-aks.azure.com/{}/{}/",
                self.t.tenant_id,
                self.rng.guid()
            );
            self.t.resources[aks].cluster = Some(self.t.clusters.len());
            self.t.clusters.push(Cluster {
                resource: aks,
                kubelet,
                issuer,
                mc_rg: mc,
            });
            self.grant(sami, MI_OPERATOR, Scope::Rg(mc));
            let platform = self.rg(sub, "platform");
            self.grant(
                kubelet,
                ACR_PULL,
                Scope::Resource {
                    rg: platform,
                    provider: "Microsoft.ContainerRegistry/registries",
                    name: format!("acrcontoso{env}"),
                },
            );
        }
    }

    fn uamis(&mut self, count: usize) {
        struct Designated {
            name: &'static str,
            app: &'static str,
            prod: bool,
            plan: UamiPlan,
        }
        const DESIGNATED: &[Designated] = &[
            Designated {
                name: "id-platform-deploy-prod",
                app: "devops",
                prod: true,
                plan: UamiPlan::Shared(14),
            },
            Designated {
                name: "id-migration-temp-prod",
                app: "archive",
                prod: true,
                plan: UamiPlan::Orphan,
            },
            Designated {
                name: "id-data-pipeline-shared",
                app: "datalake",
                prod: true,
                plan: UamiPlan::CrossEnv,
            },
            Designated {
                name: "id-github-infra-prod",
                app: "devops",
                prod: true,
                plan: UamiPlan::Federated,
            },
            Designated {
                name: "id-secrets-reader-prod",
                app: "payments",
                prod: true,
                plan: UamiPlan::Normal,
            },
            Designated {
                name: "id-policy-remediation",
                app: "platform",
                prod: true,
                plan: UamiPlan::Orphan,
            },
            Designated {
                name: "id-github-deploy-payments-prod",
                app: "payments",
                prod: true,
                plan: UamiPlan::Federated,
            },
            Designated {
                name: "id-jenkins-legacy-prod",
                app: "build",
                prod: true,
                plan: UamiPlan::Federated,
            },
            Designated {
                name: "id-ops-automation-prod",
                app: "monitoring",
                prod: true,
                plan: UamiPlan::Normal,
            },
            Designated {
                name: "id-github-web-prod",
                app: "web",
                prod: true,
                plan: UamiPlan::Federated,
            },
            Designated {
                name: "id-wi-orders-prod",
                app: "orders",
                prod: true,
                plan: UamiPlan::Federated,
            },
            Designated {
                name: "id-tfc-network-prod",
                app: "devops",
                prod: true,
                plan: UamiPlan::Federated,
            },
        ];
        for k in 0..count {
            let (i, plan) = if let Some(d) = DESIGNATED.get(k) {
                let sub = self.pick_sub(Some(d.prod));
                let rg = self.rg(sub, d.app);
                let name = self.unique(d.name.to_owned());
                (self.new_ident(Kind::Uami, name, rg, d.app), d.plan)
            } else {
                let app = self.rng.word(APPS);
                let sub = self.pick_sub(None);
                let rg = self.rg(sub, app);
                let env = self.t.subs[sub].env.tag();
                let prefix = *self
                    .rng
                    .pick(&["id", "id", "id", "uami", "mi"])
                    .unwrap_or(&"id");
                let component = self.rng.word(COMPONENTS);
                let name = self.unique(format!("{prefix}-{app}-{component}-{env}"));
                let i = self.new_ident(Kind::Uami, name, rg, app);
                let roll = self.rng.u64() % 100;
                let plan = match roll {
                    0..8 => UamiPlan::Orphan,
                    8..11 => UamiPlan::Shared(6 + self.rng.below(7)),
                    11..14 => UamiPlan::CrossEnv,
                    14..21 => UamiPlan::Federated,
                    _ => UamiPlan::Normal,
                };
                (i, plan)
            };
            self.uami_plans.push((i, plan));
            self.uami_scenario(k, i, plan);
        }
    }

    /// Privileged grants and lifecycle facts of user-assigned identity number `k` (designated ones first).
    fn uami_scenario(&mut self, k: usize, i: usize, plan: UamiPlan) {
        let rg = self.t.idents[i].rg;
        let sub = self.t.rgs[rg].sub;
        match k {
            0 => {
                self.grant(i, CONTRIBUTOR, Scope::Sub(sub));
            }
            1 => {
                if let Some(g) = self.grant(i, CONTRIBUTOR, Scope::Rg(rg)) {
                    g.description = Some("Temporary access for the archive migration (CHG-20931)");
                }
                self.set_activity(i, Activity::Absent);
            }
            2 => {
                self.grant(i, BLOB_CONTRIBUTOR, Scope::Rg(rg));
            }
            3 => {
                self.grant(i, CONTRIBUTOR, Scope::Sub(sub));
            }
            4 => {
                self.grant(i, KV_SECRETS_OFFICER, Scope::Sub(sub));
                self.grant(i, KV_SECRETS_USER, Scope::Rg(rg));
            }
            5 => {
                self.grant(i, USER_ACCESS_ADMIN, Scope::Mg(0));
                self.grant(i, CONTRIBUTOR, Scope::Mg(0));
                let t = self.ago(100, 300);
                self.set_activity(i, Activity::At(t));
            }
            6 | 9 | 11 => {
                self.grant(i, CONTRIBUTOR, Scope::Rg(rg));
            }
            7 => {
                self.grant(i, OWNER, Scope::Rg(rg));
            }
            8 => {
                self.grant(i, CUSTOM_PLATFORM_OPERATOR, Scope::Sub(sub));
            }
            _ => {
                self.sprinkle(i);
                if plan == UamiPlan::Orphan && self.rng.chance(0.5) {
                    self.set_activity(i, Activity::Absent);
                }
            }
        }
        if plan == UamiPlan::Federated || plan == UamiPlan::Shared(14) {
            let t = self.as_of - self.rng.range(600, 2 * DAY);
            self.set_activity(i, Activity::At(t));
        }
    }

    /// Occasional privileged grants on ordinary identities.
    fn sprinkle(&mut self, i: usize) {
        let rg = self.t.idents[i].rg;
        let sub = self.t.rgs.get(rg).map_or(0, |r| r.sub);
        if self.rng.chance(0.025) {
            self.grant(i, CONTRIBUTOR, Scope::Sub(sub));
        }
        if self.rng.chance(0.015) {
            self.grant(i, OWNER, Scope::Rg(rg));
        }
        if self.rng.chance(0.02) {
            self.grant(i, KV_SECRETS_USER, Scope::Rg(rg));
        }
        if self.rng.chance(0.01) {
            self.grant(i, KV_SECRETS_OFFICER, Scope::Rg(rg));
        }
        if self.t.idents[i].kind != Kind::Sami && self.rng.chance(0.02) {
            let other = self.rng.below(self.t.subs.len());
            if other != sub {
                self.grant(i, READER, Scope::Sub(other));
            }
        }
        if self.rng.chance(0.005) {
            self.grant(i, KV_CRYPTO_OFFICER, Scope::Rg(rg));
        }
        if self.t.idents[i].kind == Kind::App && self.rng.chance(0.03) {
            self.grant(i, CUSTOM_APP_DEPLOYER, Scope::Rg(rg));
        }
        if self.t.idents[i].kind == Kind::App && self.rng.chance(0.02) {
            self.grant(i, CUSTOM_STORAGE_KEY_READER, Scope::Rg(rg));
        }
    }

    fn samis(&mut self, count: usize) {
        let mut dangling_done = false;
        for _ in 0..count {
            let app = self.rng.word(APPS);
            let sub = self.pick_sub(None);
            let rg = self.rg(sub, app);
            let kind = self.host_kind();
            let host = self.resource(kind, rg);
            let name = self.t.resources[host].name.clone();
            let i = self.new_ident(Kind::Sami, name, rg, app);
            self.t.resources[host].sami = Some(i);
            self.t.idents[i].host = Some(host);
            if !dangling_done || self.rng.chance(0.03) {
                // The host was deleted but its service principal and role assignments stayed behind.
                self.t.resources[host].deleted = true;
                let t = self.ago(60, 400);
                self.set_activity(i, Activity::At(t));
                if !dangling_done {
                    self.grant(i, CONTRIBUTOR, Scope::Rg(rg));
                }
                dangling_done = true;
            } else {
                self.sprinkle(i);
            }
        }
    }

    fn credential(&mut self, secret: bool, start: i64, end: i64) -> Cred {
        const LABELS: &[&str] = &[
            "ci-deploy",
            "terraform",
            "portal",
            "rotation",
            "pipeline",
            "prod-key",
            "temp",
        ];
        const HINT: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789~._-";
        let key_id = self.rng.guid();
        let millis = self.rng.below(1000) as u32;
        let display = if !self.rng.chance(0.85) {
            None
        } else if secret {
            Some(self.rng.word(LABELS).to_owned())
        } else {
            Some(format!("CN={}", self.rng.word(APPS)))
        };
        let hint = if secret {
            (0..3)
                .map(|_| {
                    char::from(
                        HINT.get(self.rng.below(HINT.len()))
                            .copied()
                            .unwrap_or(b'x'),
                    )
                })
                .collect()
        } else {
            self.rng.hex_upper(20)
        };
        Cred {
            secret,
            start,
            end,
            key_id,
            display,
            hint,
            millis,
        }
    }

    /// Credentials of an application registration, in the mix a real tenant shows.
    fn app_credentials(&mut self, i: usize) {
        let as_of = self.as_of;
        let roll = self.rng.u64() % 100;
        let mut creds = Vec::new();
        let active = |b: &mut Self, lifetime_days: i64| {
            let start = as_of - b.rng.range(0, (lifetime_days - 31).max(1) * DAY);
            (start, start + lifetime_days * DAY)
        };
        match roll {
            0..8 => {}
            8..20 => {
                let life = if self.rng.chance(0.6) {
                    365
                } else {
                    730 + 365 * self.rng.range(0, 2)
                };
                let (s, e) = active(self, life);
                creds.push(self.credential(false, s, e));
            }
            20..32 => {
                let (s, e) = if self.rng.chance(0.5) {
                    active(self, 730)
                } else {
                    let s = self.ago(200, 1500);
                    (
                        s,
                        super::dates::days_from_civil(2299, 12, 31) * DAY + (s.rem_euclid(DAY)),
                    )
                };
                creds.push(self.credential(true, s, e));
            }
            32..38 => {
                let end = self.ago(10, 400);
                creds.push(self.credential(true, end - 365 * DAY, end));
            }
            38..43 => {
                let end = as_of + self.rng.range(DAY, 29 * DAY);
                creds.push(self.credential(true, end - 180 * DAY, end));
            }
            43..51 => {
                let n = 2 + self.rng.below(2);
                for k in 0..n {
                    let start = as_of
                        - (k as i64) * self.rng.range(45 * DAY, 120 * DAY)
                        - self.rng.range(0, 20 * DAY);
                    creds.push(self.credential(true, start, start + 365 * DAY));
                }
            }
            51..60 => {
                let end = self.ago(30, 300);
                creds.push(self.credential(true, end - 180 * DAY, end));
                let (s, e) = active(self, 180);
                creds.push(self.credential(true, s, e));
            }
            _ => {
                let life = if self.rng.chance(0.5) { 180 } else { 365 };
                let (s, e) = active(self, life);
                creds.push(self.credential(true, s, e));
                if self.rng.chance(0.2) {
                    let (s, e) = active(self, 365);
                    creds.push(self.credential(false, s, e));
                }
            }
        }
        for c in &creds {
            if self.t.idents[i].created > c.start {
                self.t.idents[i].created = c.start - self.rng.range(0, 30 * DAY);
            }
        }
        self.t.idents[i].creds = creds;
        if self.rng.chance(0.03) {
            let (s, e) = active(self, 365);
            let c = self.credential(true, s, e);
            self.t.idents[i].sp_creds.push(c);
        }
        self.t.idents[i].graph_permissions = self.rng.chance(0.15);
    }

    fn apps(&mut self, count: usize) {
        const DESIGNATED: &[(&str, &str, bool)] = &[
            ("sp-landing-zone-bootstrap", "platform", true),
            ("sp-terraform-prod", "devops", true),
            ("sp-legacy-crm-sync", "crm-sync", true),
            ("sp-secrets-rotation", "auth", true),
            ("sp-terraform-nonprod", "devops", false),
            ("sp-ado-platform-connection", "devops", true),
            ("sp-legacy-subscription-ops", "platform", true),
        ];
        for k in 0..count {
            let (name, app, sub) = if let Some(&(name, app, prod)) = DESIGNATED.get(k) {
                let sub = self.pick_sub(Some(prod));
                (self.unique(name.to_owned()), app, sub)
            } else {
                let app = self.rng.word(APPS);
                let sub = self.pick_sub(None);
                let env = self.t.subs[sub].env.tag();
                let purpose = self.rng.word(APP_PURPOSES);
                let style = self.rng.below(4);
                let name = match style {
                    0 => format!("sp-{app}-{purpose}-{env}"),
                    1 => format!("{app}-{purpose}"),
                    2 => format!("svc-{app}-{env}"),
                    _ => format!("github-actions-{app}"),
                };
                (self.unique(name), app, sub)
            };
            let rg = self.rg(sub, app);
            let i = self.new_ident(Kind::App, name, rg, app);
            self.app_credentials(i);
            let prod_subs = self.subs_where(true);
            let nonprod_subs = self.subs_where(false);
            match k {
                0 => {
                    self.grant(i, OWNER, Scope::Root);
                    let t = self.ago(380, 420);
                    self.set_activity(i, Activity::At(t));
                    let start = self.ago(1400, 1450);
                    let never = super::dates::days_from_civil(2299, 12, 31) * DAY;
                    let c = self.credential(true, start, never);
                    self.t.idents[i].creds = vec![c];
                    self.t.idents[i].created = start - 3 * DAY;
                }
                1 => {
                    for s in prod_subs {
                        self.grant(i, OWNER, Scope::Sub(s));
                    }
                    self.t.terraform = Some(i);
                    let t = self.as_of - self.rng.range(60, DAY);
                    self.set_activity(i, Activity::At(t));
                }
                2 => {
                    self.t.idents[i].enabled = false;
                    self.grant(i, OWNER, Scope::Rg(rg));
                    let t = self.ago(200, 500);
                    self.set_activity(i, Activity::At(t));
                }
                3 => {
                    let sub = self.t.rgs[rg].sub;
                    self.grant(i, KV_ADMIN, Scope::Sub(sub));
                    self.grant(i, KV_DATA_ACCESS_ADMIN, Scope::Rg(rg));
                }
                4 => {
                    for &s in &nonprod_subs {
                        self.grant(i, CONTRIBUTOR, Scope::Sub(s));
                    }
                    if let Some(&s) = nonprod_subs.first() {
                        self.grant(i, USER_ACCESS_ADMIN, Scope::Sub(s));
                    }
                }
                5 => {
                    self.grant(i, CONTRIBUTOR, Scope::Mg(1));
                    let sub = self.t.rgs[rg].sub;
                    if let Some(g) = self.grant(i, RBAC_ADMIN, Scope::Sub(sub)) {
                        g.condition = Some(DELEGATION_CONDITION);
                    }
                }
                6 => {
                    let sub = self.t.rgs[rg].sub;
                    self.grant(i, CUSTOM_SUBSCRIPTION_OPERATOR, Scope::Sub(sub));
                    self.t.idents[i].owner = None;
                }
                _ => {
                    self.sprinkle(i);
                    if self.rng.chance(0.02) {
                        self.t.idents[i].enabled = false;
                    }
                    if self.rng.chance(0.02) {
                        let t = self.ago(0, 20);
                        self.set_activity(i, Activity::Delegated(t));
                    }
                }
            }
        }
    }

    fn vendors(&mut self, count: usize) {
        for k in 0..count {
            let base = VENDORS.get(k % VENDORS.len()).copied().unwrap_or("Vendor");
            let name = if k < VENDORS.len() {
                base.to_owned()
            } else {
                format!("{base} ({})", k / VENDORS.len() + 1)
            };
            let i = self.new_ident(Kind::Vendor, name, 0, "vendor");
            self.t.idents[i].vendor_tenant = Some(self.rng.guid());
            self.t.idents[i].owner = None;
            let t = self.as_of - self.rng.range(60, 3 * DAY);
            self.set_activity(i, Activity::At(t));
            let prod = self.subs_where(true);
            let first_prod = prod.first().copied().unwrap_or(0);
            match k {
                0 => {
                    self.grant(i, CONTRIBUTOR, Scope::Sub(first_prod));
                }
                1 => {
                    self.grant(i, READER, Scope::Mg(0));
                }
                2 => {
                    for s in 0..self.t.subs.len() {
                        self.grant(i, READER, Scope::Sub(s));
                    }
                }
                3 => {
                    self.grant(i, LOG_ANALYTICS_READER, Scope::Sub(first_prod));
                }
                _ => {
                    let s = self.rng.below(self.t.subs.len());
                    self.grant(i, READER, Scope::Sub(s));
                }
            }
        }
    }

    /// Puts user-assigned identities on resources according to their plan.
    fn attach(&mut self) {
        const ATTACH_KINDS: &[ResKind] = &[
            ResKind::Vm,
            ResKind::WebApp,
            ResKind::FunctionApp,
            ResKind::ContainerApp,
            ResKind::LogicApp,
            ResKind::DataFactory,
        ];
        let plans = std::mem::take(&mut self.uami_plans);
        for &(u, plan) in &plans {
            let rg = self.t.idents[u].rg;
            let sub = self.t.rgs[rg].sub;
            match plan {
                UamiPlan::Orphan | UamiPlan::Federated => {}
                UamiPlan::Normal => {
                    let n = match self.rng.below(10) {
                        0..7 => 1,
                        7..9 => 2,
                        _ => 3,
                    };
                    for _ in 0..n {
                        let existing: Vec<usize> = self.rg_res[rg]
                            .iter()
                            .copied()
                            .filter(|&r| {
                                let res = &self.t.resources[r];
                                !res.deleted && res.kind != ResKind::Aks && !res.uamis.contains(&u)
                            })
                            .collect();
                        let r = match self.rng.pick(&existing) {
                            Some(&r) if self.rng.chance(0.4) => r,
                            _ => {
                                let kind = *self.rng.pick(ATTACH_KINDS).unwrap_or(&ResKind::Vm);
                                self.resource(kind, rg)
                            }
                        };
                        self.t.resources[r].uamis.push(u);
                    }
                }
                UamiPlan::Shared(target) => {
                    let mut pool: Vec<usize> = self.sub_res[sub]
                        .iter()
                        .copied()
                        .filter(|&r| {
                            let res = &self.t.resources[r];
                            !res.deleted && !matches!(res.kind, ResKind::Vmss | ResKind::Aks)
                        })
                        .collect();
                    for _ in 0..target {
                        let r = if pool.is_empty() {
                            let kind = *self.rng.pick(ATTACH_KINDS).unwrap_or(&ResKind::Vm);
                            self.resource(kind, rg)
                        } else {
                            let at = self.rng.below(pool.len());
                            pool.swap_remove(at)
                        };
                        self.t.resources[r].uamis.push(u);
                    }
                }
                UamiPlan::CrossEnv => {
                    let kind = *self.rng.pick(ATTACH_KINDS).unwrap_or(&ResKind::Vm);
                    let home = self.resource(kind, rg);
                    self.t.resources[home].uamis.push(u);
                    let other_class = !self.t.subs[sub].env.is_prod();
                    let other = self.pick_sub(Some(other_class));
                    let app = self.t.idents[u].app;
                    let other_rg = self.rg(other, app);
                    let kind = *self.rng.pick(ATTACH_KINDS).unwrap_or(&ResKind::Vm);
                    let away = self.resource(kind, other_rg);
                    self.t.resources[away].uamis.push(u);
                    if self.uami_is_designated_cross(u) {
                        self.grant(u, BLOB_CONTRIBUTOR, Scope::Rg(other_rg));
                    } else {
                        self.grant(u, READER, Scope::Sub(other));
                    }
                }
            }
        }
        self.uami_plans = plans;
    }

    fn uami_is_designated_cross(&self, u: usize) -> bool {
        self.t.idents[u].name == "id-data-pipeline-shared"
    }

    /// Federated credentials: GitHub, Terraform Cloud and AKS workload identity, with the edge cases first.
    fn federate(&mut self) {
        const GH: &str = "https://token.actions.githubusercontent.com";
        let federated: Vec<usize> = self
            .uami_plans
            .iter()
            .filter(|(_, p)| *p == UamiPlan::Federated)
            .map(|&(u, _)| u)
            .collect();
        for u in federated {
            let name = self.t.idents[u].name.clone();
            let app = self.t.idents[u].app;
            let env = self.t.idents[u].env.tag();
            let add = |b: &mut Self,
                       fic: &str,
                       issuer: &str,
                       subject: Option<String>,
                       expression: Option<String>| {
                b.t.fics.push(Fic {
                    ident: u,
                    name: fic.to_owned(),
                    issuer: issuer.to_owned(),
                    subject,
                    expression,
                });
            };
            match name.as_str() {
                "id-github-infra-prod" => {
                    add(
                        self,
                        "github-any-repo",
                        GH,
                        None,
                        Some("claims['sub'] matches 'repo:contoso/*'".to_owned()),
                    );
                }
                "id-github-deploy-payments-prod" => {
                    add(
                        self,
                        "github-prod",
                        GH,
                        Some("repo:contoso/payments-service:environment:prod".to_owned()),
                        None,
                    );
                    add(
                        self,
                        "github-pr",
                        GH,
                        Some("repo:contoso/payments-service:pull_request".to_owned()),
                        None,
                    );
                }
                "id-jenkins-legacy-prod" => {
                    add(
                        self,
                        "jenkins",
                        "http://jenkins.build.contoso.local/oidc",
                        Some("job/deploy-prod".to_owned()),
                        None,
                    );
                }
                "id-github-web-prod" => {
                    add(
                        self,
                        "github-prod",
                        GH,
                        Some("repo:contoso/web-frontend:environment:prod".to_owned()),
                        None,
                    );
                    add(
                        self,
                        "github-dev",
                        GH,
                        Some("repo:contoso/web-frontend:environment:dev".to_owned()),
                        None,
                    );
                }
                "id-wi-orders-prod" => {
                    let issuer = format!(
                        "https://westeurope.oic.prod-aks.azure.com/{}/{}/",
                        self.t.tenant_id,
                        self.rng.guid()
                    );
                    add(
                        self,
                        "orders-api",
                        &issuer,
                        Some("system:serviceaccount:orders:orders-api".to_owned()),
                        None,
                    );
                }
                "id-tfc-network-prod" => {
                    add(
                        self,
                        "tfc-apply",
                        "https://app.terraform.io",
                        Some("organization:contoso:project:platform:workspace:network-prod:run_phase:apply".to_owned()),
                        None,
                    );
                }
                _ => {
                    let sub = self.t.rgs[self.t.idents[u].rg].sub;
                    let cluster = self
                        .t
                        .clusters
                        .iter()
                        .find(|c| self.t.rgs[self.t.resources[c.resource].rg].sub == sub)
                        .map(|c| c.issuer.clone());
                    match cluster {
                        Some(issuer) if self.rng.chance(0.6) => {
                            let ns = self.rng.word(NAMESPACES);
                            add(
                                self,
                                &format!("{ns}-{app}"),
                                &issuer,
                                Some(format!("system:serviceaccount:{ns}:{app}-sa")),
                                None,
                            );
                        }
                        _ => {
                            let subject = if self.rng.chance(0.5) {
                                format!("repo:contoso/{app}-service:environment:{env}")
                            } else {
                                format!("repo:contoso/{app}-service:ref:refs/heads/main")
                            };
                            add(self, "github-deploy", GH, Some(subject), None);
                        }
                    }
                }
            }
        }
    }

    /// Splits the requested number of role assignments between scenario grants, ordinary grants per identity,
    /// grants of people and groups, and grants left behind by deleted principals.
    fn allocate(&mut self, assignments: usize) {
        let scenario: usize = self.t.grants.iter().map(Vec::len).sum();
        if scenario > assignments {
            // Too few assignments asked for: keep the scenario grants in identity order, up to the total.
            let mut left = assignments;
            for list in &mut self.t.grants {
                list.truncate(left);
                left -= list.len();
            }
        }
        let scenario: usize = self.t.grants.iter().map(Vec::len).sum();
        let mut rest = assignments - scenario;
        let orphans = if rest == 0 {
            0
        } else {
            (assignments * 15 / 1000).clamp(1, rest)
        };
        rest -= orphans;
        let total_weight: f64 = self.t.idents.iter().map(|i| i.weight).sum();
        let humans = if total_weight > 0.0 {
            rest * 8 / 100
        } else {
            rest
        };
        rest -= humans;
        self.t.orphan_grants = orphans;
        self.t.human_grants = humans;
        self.t.deleted = (0..orphans.div_ceil(4)).map(|_| self.rng.guid()).collect();

        let n = self.t.idents.len();
        let mut routine = vec![0u32; n];
        let eligible: Vec<usize> = (0..n).filter(|&i| self.t.idents[i].weight > 0.0).collect();
        // One each first (selection sampling when there are fewer than identities), then by weight.
        let mut need = rest.min(eligible.len());
        for (seen, &i) in eligible.iter().enumerate() {
            let left = eligible.len() - seen;
            if need > 0 && self.rng.below(left) < need {
                routine[i] = 1;
                need -= 1;
            }
        }
        let given = rest.min(eligible.len());
        let mut cumulative = Vec::with_capacity(eligible.len());
        let mut acc = 0.0;
        for &i in &eligible {
            acc += self.t.idents[i].weight;
            cumulative.push(acc);
        }
        for _ in given..rest {
            let x = (self.rng.u64() >> 11) as f64 / (1u64 << 53) as f64 * acc;
            let at = cumulative
                .partition_point(|&c| c <= x)
                .min(eligible.len().saturating_sub(1));
            if let Some(&i) = eligible.get(at) {
                routine[i] += 1;
            }
        }
        self.t.routine = routine;
    }
}
