//! The role catalogue of the synthetic tenant: the well-known Azure built-in roles (CONTROLS.md §11 plus the
//! everyday data-plane roles a real tenant is full of) and a few custom roles, some with wildcards. Roles are
//! referred to by their index in [`BUILT_INS`], followed by [`CUSTOMS`].

/// A role as `az role definition list` shows it, minus the per-tenant parts (ids, scopes, dates).
pub(crate) struct RoleSpec {
    pub name: &'static str,
    /// Fixed for built-ins (public facts); `None` for custom roles, whose GUID is drawn per tenant.
    pub guid: Option<&'static str>,
    pub description: &'static str,
    pub actions: &'static [&'static str],
    pub not_actions: &'static [&'static str],
    pub data_actions: &'static [&'static str],
    pub not_data_actions: &'static [&'static str],
}

const READ: &[&str] = &["*/read"];
const NONE: &[&str] = &[];
const KV_CONTROL: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
    "Microsoft.KeyVault/checkNameAvailability/read",
    "Microsoft.KeyVault/deletedVaults/read",
    "Microsoft.KeyVault/locations/*/read",
    "Microsoft.KeyVault/vaults/*/read",
    "Microsoft.KeyVault/operations/read",
];
const DATA_READ: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
];

const fn builtin(
    name: &'static str,
    guid: &'static str,
    description: &'static str,
    actions: &'static [&'static str],
    not_actions: &'static [&'static str],
    data_actions: &'static [&'static str],
) -> RoleSpec {
    RoleSpec {
        name,
        guid: Some(guid),
        description,
        actions,
        not_actions,
        data_actions,
        not_data_actions: NONE,
    }
}

pub(crate) const OWNER: u8 = 0;
pub(crate) const USER_ACCESS_ADMIN: u8 = 1;
pub(crate) const RBAC_ADMIN: u8 = 2;
pub(crate) const CONTRIBUTOR: u8 = 3;
pub(crate) const READER: u8 = 4;
pub(crate) const KV_ADMIN: u8 = 5;
pub(crate) const KV_SECRETS_OFFICER: u8 = 6;
pub(crate) const KV_CRYPTO_OFFICER: u8 = 7;
pub(crate) const KV_DATA_ACCESS_ADMIN: u8 = 9;
pub(crate) const KV_SECRETS_USER: u8 = 10;
pub(crate) const BLOB_READER: u8 = 12;
pub(crate) const BLOB_CONTRIBUTOR: u8 = 13;
pub(crate) const BLOB_OWNER: u8 = 14;
pub(crate) const QUEUE_CONTRIBUTOR: u8 = 15;
pub(crate) const ACR_PULL: u8 = 16;
pub(crate) const ACR_PUSH: u8 = 17;
pub(crate) const SB_SENDER: u8 = 18;
pub(crate) const SB_RECEIVER: u8 = 19;
pub(crate) const EH_RECEIVER: u8 = 20;
pub(crate) const METRICS_PUBLISHER: u8 = 21;
pub(crate) const MONITORING_READER: u8 = 22;
pub(crate) const LOG_ANALYTICS_READER: u8 = 23;
pub(crate) const WEBSITE_CONTRIBUTOR: u8 = 24;
pub(crate) const VM_CONTRIBUTOR: u8 = 25;
pub(crate) const NETWORK_CONTRIBUTOR: u8 = 26;
pub(crate) const KV_READER: u8 = 27;
pub(crate) const KV_CRYPTO_ENCRYPTION_USER: u8 = 28;
pub(crate) const MI_OPERATOR: u8 = 29;

pub(crate) const BUILT_INS: &[RoleSpec] = &[
    builtin(
        "Owner",
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
        &["*"],
        NONE,
        NONE,
    ),
    builtin(
        "User Access Administrator",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "Lets you manage user access to Azure resources.",
        &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
        NONE,
        NONE,
    ),
    builtin(
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
        &[
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleAssignments/delete",
            "*/read",
            "Microsoft.Support/*",
        ],
        NONE,
        NONE,
    ),
    builtin(
        "Contributor",
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
        &["*"],
        &[
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete",
            "Microsoft.Compute/galleries/share/action",
            "Microsoft.Purview/consents/write",
            "Microsoft.Purview/consents/delete",
        ],
        NONE,
    ),
    builtin(
        "Reader",
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "View all resources, but does not allow you to make any changes.",
        READ,
        NONE,
        NONE,
    ),
    builtin(
        "Key Vault Administrator",
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        KV_CONTROL,
        NONE,
        &["Microsoft.KeyVault/vaults/*"],
    ),
    builtin(
        "Key Vault Secrets Officer",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "Perform any action on the secrets of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        KV_CONTROL,
        NONE,
        &["Microsoft.KeyVault/vaults/secrets/*"],
    ),
    builtin(
        "Key Vault Crypto Officer",
        "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
        "Perform any action on the keys of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        KV_CONTROL,
        NONE,
        &[
            "Microsoft.KeyVault/vaults/keys/*",
            "Microsoft.KeyVault/vaults/keyrotationpolicies/*",
        ],
    ),
    builtin(
        "Key Vault Certificates Officer",
        "a4417e6f-fecd-4de8-b567-7b0420556985",
        "Perform any action on the certificates of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        KV_CONTROL,
        NONE,
        &[
            "Microsoft.KeyVault/vaults/certificatecas/*",
            "Microsoft.KeyVault/vaults/certificates/*",
            "Microsoft.KeyVault/vaults/certificatecontacts/write",
        ],
    ),
    builtin(
        "Key Vault Data Access Administrator",
        "8b54135c-b56d-4d72-a534-26097cfdc8d8",
        "Manage access to Azure Key Vault by adding or removing role assignments for the Key Vault Administrator, Key Vault Certificates Officer, Key Vault Crypto Officer, Key Vault Crypto Service Encryption User, Key Vault Crypto User, Key Vault Reader, Key Vault Secrets Officer, or Key Vault Secrets User roles.",
        &[
            "Microsoft.Authorization/roleAssignments/delete",
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/*/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Management/managementGroups/read",
            "Microsoft.Resources/subscriptions/read",
            "Microsoft.Support/*",
            "Microsoft.KeyVault/vaults/*/read",
        ],
        NONE,
        NONE,
    ),
    builtin(
        "Key Vault Secrets User",
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        NONE,
        NONE,
        &[
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    ),
    builtin(
        "Key Vault Contributor",
        "f25e0fa2-a7c8-4377-a976-54943a77a395",
        "Manage key vaults, but does not allow you to assign roles in Azure RBAC, and does not allow you to access secrets, keys, or certificates.",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.KeyVault/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
        ],
        &[
            "Microsoft.KeyVault/locations/deletedVaults/purge/action",
            "Microsoft.KeyVault/hsmPools/*",
            "Microsoft.KeyVault/managedHsms/*",
        ],
        NONE,
    ),
    builtin(
        "Storage Blob Data Reader",
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        "Read and list Azure Storage containers and blobs.",
        &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        NONE,
        &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
    ),
    builtin(
        "Storage Blob Data Contributor",
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Read, write, and delete Azure Storage containers and blobs.",
        &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/write",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        NONE,
        &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
        ],
    ),
    builtin(
        "Storage Blob Data Owner",
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        "Provides full access to Azure Storage blob containers and data, including assigning POSIX access control.",
        &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/*",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        NONE,
        &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
    ),
    builtin(
        "Storage Queue Data Contributor",
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        "Read, write, and delete Azure Storage queues and queue messages.",
        &[
            "Microsoft.Storage/storageAccounts/queueServices/queues/delete",
            "Microsoft.Storage/storageAccounts/queueServices/queues/read",
            "Microsoft.Storage/storageAccounts/queueServices/queues/write",
        ],
        NONE,
        &[
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete",
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/read",
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/write",
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action",
        ],
    ),
    builtin(
        "AcrPull",
        "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        "acr pull",
        &["Microsoft.ContainerRegistry/registries/pull/read"],
        NONE,
        NONE,
    ),
    builtin(
        "AcrPush",
        "8311e382-0749-4cb8-b61a-304f252e45ec",
        "acr push",
        &[
            "Microsoft.ContainerRegistry/registries/pull/read",
            "Microsoft.ContainerRegistry/registries/push/write",
        ],
        NONE,
        NONE,
    ),
    builtin(
        "Azure Service Bus Data Sender",
        "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
        "Allows for send access to Azure Service Bus resources.",
        &[
            "Microsoft.ServiceBus/*/queues/read",
            "Microsoft.ServiceBus/*/topics/read",
            "Microsoft.ServiceBus/*/topics/subscriptions/read",
        ],
        NONE,
        &["Microsoft.ServiceBus/*/send/action"],
    ),
    builtin(
        "Azure Service Bus Data Receiver",
        "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
        "Allows for receive access to Azure Service Bus resources.",
        &[
            "Microsoft.ServiceBus/*/queues/read",
            "Microsoft.ServiceBus/*/topics/read",
            "Microsoft.ServiceBus/*/topics/subscriptions/read",
        ],
        NONE,
        &["Microsoft.ServiceBus/*/receive/action"],
    ),
    builtin(
        "Azure Event Hubs Data Receiver",
        "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
        "Allows receive access to Azure Event Hubs resources.",
        &["Microsoft.EventHub/*/eventhubs/consumergroups/read"],
        NONE,
        &["Microsoft.EventHub/*/eventhubs/receive/action"],
    ),
    builtin(
        "Monitoring Metrics Publisher",
        "3913510d-42f4-4e42-8a64-420c390055eb",
        "Enables publishing metrics against Azure resources",
        &[
            "Microsoft.Insights/Register/Action",
            "Microsoft.Support/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
        ],
        NONE,
        &[
            "Microsoft.Insights/Metrics/Write",
            "Microsoft.Insights/Telemetry/Write",
        ],
    ),
    builtin(
        "Monitoring Reader",
        "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
        "Can read all monitoring data (metrics, logs, etc.). See also Get started with roles, permissions, and security with Azure Monitor.",
        &[
            "*/read",
            "Microsoft.OperationalInsights/workspaces/search/action",
            "Microsoft.Support/*",
        ],
        NONE,
        NONE,
    ),
    builtin(
        "Log Analytics Reader",
        "73c42c96-874c-492b-b04d-ab87d138a893",
        "Log Analytics Reader can view and search all monitoring data as well as and view monitoring settings, including viewing the configuration of Azure diagnostics on all Azure resources.",
        &[
            "*/read",
            "Microsoft.OperationalInsights/workspaces/analytics/query/action",
            "Microsoft.OperationalInsights/workspaces/search/action",
            "Microsoft.Support/*",
        ],
        &["Microsoft.OperationalInsights/workspaces/sharedKeys/read"],
        NONE,
    ),
    builtin(
        "Website Contributor",
        "de139f84-1756-47ae-9be6-808fbbe84772",
        "Lets you manage websites (not web plans), but not access to them.",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Insights/components/*",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
            "Microsoft.Web/certificates/*",
            "Microsoft.Web/listSitesAssignedToHostName/read",
            "Microsoft.Web/serverFarms/join/action",
            "Microsoft.Web/serverFarms/read",
            "Microsoft.Web/sites/*",
        ],
        NONE,
        NONE,
    ),
    builtin(
        "Virtual Machine Contributor",
        "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
        "Create and manage virtual machines, manage disks, install and run software, reset password of the root user of the virtual machine using VM extensions, and manage local user accounts using VM extensions. This role does not grant you management access to the virtual network or storage account the virtual machines are connected to. This role does not allow you to assign roles in Azure RBAC.",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Compute/availabilitySets/*",
            "Microsoft.Compute/locations/*",
            "Microsoft.Compute/virtualMachines/*",
            "Microsoft.Compute/virtualMachineScaleSets/*",
            "Microsoft.Compute/disks/write",
            "Microsoft.Compute/disks/read",
            "Microsoft.Compute/disks/delete",
            "Microsoft.Network/networkInterfaces/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
        ],
        NONE,
        NONE,
    ),
    builtin(
        "Network Contributor",
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
        "Lets you manage networks, but not access to them.",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Network/*",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
        ],
        NONE,
        NONE,
    ),
    builtin(
        "Key Vault Reader",
        "21090545-7ca7-4776-b22c-e363652d74d2",
        "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        KV_CONTROL,
        NONE,
        &[
            "Microsoft.KeyVault/vaults/*/read",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    ),
    builtin(
        "Key Vault Crypto Service Encryption User",
        "e147488a-f6f5-4113-8e2d-b22465e65bf6",
        "Read metadata of keys and perform wrap/unwrap operations. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        &[
            "Microsoft.EventGrid/eventSubscriptions/write",
            "Microsoft.EventGrid/eventSubscriptions/read",
            "Microsoft.EventGrid/eventSubscriptions/delete",
        ],
        NONE,
        &[
            "Microsoft.KeyVault/vaults/keys/read",
            "Microsoft.KeyVault/vaults/keys/wrap/action",
            "Microsoft.KeyVault/vaults/keys/unwrap/action",
        ],
    ),
    builtin(
        "Managed Identity Operator",
        "f1a07417-d97a-45cb-824c-7a7467783830",
        "Read and Assign User Assigned Identity",
        &[
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Support/*",
        ],
        NONE,
        NONE,
    ),
];

pub(crate) const CUSTOM_PLATFORM_OPERATOR: u8 = BUILT_INS.len() as u8;
pub(crate) const CUSTOM_APP_DEPLOYER: u8 = CUSTOM_PLATFORM_OPERATOR + 1;
pub(crate) const CUSTOM_STORAGE_KEY_READER: u8 = CUSTOM_PLATFORM_OPERATOR + 2;
pub(crate) const CUSTOM_SUBSCRIPTION_OPERATOR: u8 = CUSTOM_PLATFORM_OPERATOR + 3;

const fn custom(
    name: &'static str,
    description: &'static str,
    actions: &'static [&'static str],
    not_actions: &'static [&'static str],
    data_actions: &'static [&'static str],
) -> RoleSpec {
    RoleSpec {
        name,
        guid: None,
        description,
        actions,
        not_actions,
        data_actions,
        not_data_actions: NONE,
    }
}

pub(crate) const CUSTOMS: &[RoleSpec] = &[
    custom(
        "Contoso Platform Operator",
        "Day-2 operations on compute and network for the platform team.",
        &[
            "*/read",
            "Microsoft.Compute/*",
            "Microsoft.Network/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Insights/*",
        ],
        NONE,
        NONE,
    ),
    custom(
        "Contoso App Deployer",
        "Deploys web apps and functions from pipelines.",
        &[
            "Microsoft.Web/sites/*",
            "Microsoft.Web/serverfarms/read",
            "Microsoft.Storage/storageAccounts/*/write",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
        ],
        NONE,
        NONE,
    ),
    custom(
        "Contoso Storage Key Reader",
        "Reads storage account keys for the legacy backup job.",
        &[
            "Microsoft.Storage/storageAccounts/read",
            "Microsoft.Storage/storageAccounts/listkeys/action",
        ],
        NONE,
        DATA_READ,
    ),
    custom(
        "Contoso Subscription Operator (legacy)",
        "Created during the 2021 migration. Do not assign.",
        &["*"],
        &["Microsoft.Authorization/elevateAccess/Action"],
        &[
            "Microsoft.KeyVault/vaults/secrets/*",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*",
        ],
    ),
];

/// The spec of role `index` (built-ins first, then customs).
pub(crate) fn spec(index: u8) -> &'static RoleSpec {
    let i = usize::from(index);
    BUILT_INS
        .get(i)
        .or_else(|| CUSTOMS.get(i - BUILT_INS.len().min(i)))
        .unwrap_or(&BUILT_INS[READER as usize])
}

/// Number of roles (built-ins and customs).
pub(crate) const ROLE_COUNT: usize = BUILT_INS.len() + CUSTOMS.len();

/// An ABAC condition of the kind Microsoft suggests for delegated role assignment: the holder may only assign
/// the data roles listed.
pub(crate) const DELEGATION_CONDITION: &str = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {ba92f5b4-2d11-453d-a403-e96b0029c9fe, 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {ba92f5b4-2d11-453d-a403-e96b0029c9fe, 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1}))";

/// An ABAC condition restricting a blob data role to one container.
pub(crate) const CONTAINER_CONDITION: &str = "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'exports'))";
