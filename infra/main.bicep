// cloudpc-image-sync: everything `azd up` provisions. One resource group for the app; in each
// scanned subscription, Reader for the app's identity and (optionally) the Event Grid system topic
// that announces new managed images, created or attached to; with IMAGE_SYNC_GALLERY_SOURCES=copy, a
// custom role on the staging resource group (DESIGN §17). Settings of DESIGN §3 are parameters
// with the same defaults. The event subscriptions to imageWritten are not made here: the function
// exists only once the code is deployed, so the azd postdeploy hook creates them
// (scripts/azd-postdeploy.mjs deploys infra/subscribe-image-events.bicep; docs/deployment.md).
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------
// Where and what
// ---------------------------------------------------------------------------------------------
@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds unique resource names.')
param environmentName string

@minLength(1)
@description('Region for the app and its resources. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group for the app. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Resource group created in each scanned subscription for its Event Grid system topic.')
param eventsResourceGroupName string = 'rg-${environmentName}-image-events'

@allowed([
  '20'
  '22'
])
@description('Node.js version of the Functions runtime. The code targets Node 20; 22 is the default because Node 20 reached end of life in April 2026.')
param nodeVersion string = '22'

@minValue(1)
@maxValue(1000)
@description('Flex Consumption: the most instances the app may scale out to, counted per function (queue triggers scale each on its own instances). Each registerImage instance works up to 24 messages at once (host.json batchSize 16 + newBatchThreshold 8), so up to this × 24 registrations may call Graph together against one tenant\'s budget: docs/deployment.md, "Scale-out and Graph". 1 is enough for most tenants (a tenant holds at most 20 custom images).')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption: memory per instance, in MB.')
param instanceMemoryMB int = 2048

@description('Event Grid fast path: give each scanned subscription a system topic (created, or the existing one of existingSystemTopicIds) so that image writes reach imageWritten within seconds instead of the next timer run. false: the timer alone (up to IMAGE_SYNC_SCHEDULE later).')
param imageEventsEnabled bool = true

@description('Comma-separated resource ids of existing Microsoft.Resources.Subscriptions system topics (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.EventGrid/systemTopics/{name}), at most one per scanned subscription. Azure allows one such topic per subscription: where a scanned subscription already has one, list it here and the app attaches its event subscription to it instead of creating a topic. The topic must have a system-assigned identity (docs/deployment.md). Empty: create a topic in every scanned subscription.')
param existingSystemTopicIds string = ''

@description('Email address for ImageSyncFailure alerts. Empty: the alert rule is created without an action group.')
param alertEmail string = ''

@description('Object id of the operator (the person or pipeline running azd; azd passes AZURE_PRINCIPAL_ID). Granted what image-sync status and image-sync register need (Storage Table Data Reader on the ledger table, Storage Queue Data Message Sender on the register queue) and Storage Blob Data Reader on the dead-letter container. Empty: none.')
param operatorPrincipalId string = ''

@allowed([
  ''
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Principal type of operatorPrincipalId (azd passes AZURE_PRINCIPAL_TYPE when set). Empty: worked out from the deployment\'s own sign-in (deployer()): ServicePrincipal when the operator is the deploying principal and it has no user principal name (a pipeline\'s service principal or managed identity), otherwise User. A wrong type fails the deployment with UnmatchedPrincipalType.')
param operatorPrincipalType string = ''

@description('Comma-separated object ids of image pipelines (their service principals or managed identities) that run image-sync register: each is granted Storage Queue Data Message Sender on the register queue only. They also need Reader on the images they register, which these templates do not grant (docs/permissions.md). Empty: none.')
param imagePipelinePrincipalIds string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Principal type of every id in imagePipelinePrincipalIds.')
param imagePipelinePrincipalType string = 'ServicePrincipal'

@description('Comma-separated object ids of people or groups that run image-sync status: each is granted Storage Table Data Reader on the ledger table only. Empty: none.')
param statusReaderPrincipalIds string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Principal type of every id in statusReaderPrincipalIds.')
param statusReaderPrincipalType string = 'Group'

// ---------------------------------------------------------------------------------------------
// App settings (DESIGN §3)
// ---------------------------------------------------------------------------------------------
@minLength(1)
@description('IMAGE_SYNC_SUBSCRIPTION_IDS: comma-separated ids of the subscriptions whose managed images are synced; * (with imageSyncDiscovery resource-graph) for every subscription the identity can read, in which case grant Reader yourself, e.g. on a management group (docs/permissions.md).')
param imageSyncSubscriptionIds string

@description('IMAGE_SYNC_RESOURCE_GROUPS: comma-separated resource groups to narrow the scan. Empty: all. When given, the app\'s identity gets Reader on these groups in each scanned subscription instead of on the whole subscription, and each group must exist in each scanned subscription.')
param imageSyncResourceGroups string = ''

@description('IMAGE_SYNC_TAG: opt-in tag key=value; * takes every image in scope.')
param imageSyncTag string = 'cloudpc-sync=true'

@description('IMAGE_SYNC_SCHEDULE: NCRONTAB schedule of the reconcile timer.')
param imageSyncSchedule string = '0 */15 * * * *'

@minValue(1)
@description('IMAGE_SYNC_POLL_INTERVAL_SECONDS: first delay before an upload status check; doubles per check.')
param imageSyncPollIntervalSeconds int = 300

@minValue(1)
@description('IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: longest delay between status checks.')
param imageSyncPollMaxIntervalSeconds int = 1800

@minValue(1)
@description('IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS: an upload still pending after this is recorded failed (uploadTimedOut).')
param imageSyncUploadTimeoutHours int = 24

@minValue(0)
@maxValue(10)
@description('IMAGE_SYNC_MAX_RETRY_UPLOADS: retryUpload attempts for a transient upload failure.')
param imageSyncMaxRetryUploads int = 2

@description('IMAGE_SYNC_REGISTER_QUEUE: queue of images to register.')
param imageSyncRegisterQueue string = 'image-register'

@description('IMAGE_SYNC_STATUS_QUEUE: queue of upload status checks.')
param imageSyncStatusQueue string = 'image-status'

@description('IMAGE_SYNC_TABLE: the ledger table.')
param imageSyncTable string = 'imagesync'

@description('GRAPH_ENDPOINT: Microsoft Graph origin (US Government L4: https://graph.microsoft.us). The device image API does not exist in US Government L5 (DoD) or China: the app refuses those endpoints at start-up.')
param graphEndpoint string = 'https://graph.microsoft.com'

@allowed([
  'v1.0'
  'beta'
])
@description('GRAPH_API_VERSION: v1.0, or beta throughout (retryUpload always uses beta).')
param graphApiVersion string = 'v1.0'

@minValue(1)
@maxValue(256)
@description('IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: subscriptions listed at once.')
param imageSyncSubscriptionConcurrency int = 8

@description('ARM_ENDPOINT: Azure Resource Manager origin (US Gov: https://management.usgovcloudapi.net).')
param armEndpoint string = 'https://management.azure.com'

@minValue(1)
@maxValue(10000)
@description('IMAGE_SYNC_TENANT_IMAGE_LIMIT: the most custom images the tenant holds (Windows 365 allows 20, every status counted); the app never posts past it.')
param imageSyncTenantImageLimit int = 20

@minValue(0)
@maxValue(20)
@description('IMAGE_SYNC_KEEP_VERSIONS: retention, newest ready versions kept per display name; older versions the app registered are deleted when no provisioning policy uses them. 0: off.')
param imageSyncKeepVersions int = 0

@minValue(0)
@maxValue(3650)
@description('IMAGE_SYNC_EXPIRY_WARNING_DAYS: warn this many days before a device image\'s OS expiration date.')
param imageSyncExpiryWarningDays int = 30

@minValue(1)
@maxValue(168)
@description('IMAGE_SYNC_TRANSIENT_RETRY_HOURS: how long throttling, outages and 5xx are retried before an image is recorded failed (transientFailure).')
param imageSyncTransientRetryHours int = 24

@description('IMAGE_SYNC_ROLLOUT: true lets the cloudpc-provisioning-policies tag point provisioning policies at a version once it is ready.')
param imageSyncRollout bool = false

@description('IMAGE_SYNC_RING_SOAK_HOURS: rollout rings, how long a ring runs a new version before the next ring gets it, in hours (a decimal number: 0.5 is 30 minutes).')
param imageSyncRingSoakHours string = '24'

@minValue(1)
@maxValue(10000)
@description('IMAGE_SYNC_RING_MAX_FAILED: rollout rings, this many Cloud PCs failing to provision on the new version halt the rollout and roll the ring back.')
param imageSyncRingMaxFailed int = 1

@minValue(0)
@maxValue(10000)
@description('IMAGE_SYNC_RING_MIN_PROVISIONED: rollout rings, Cloud PCs that must have provisioned on the new version before the next ring gets it (0: the soak time alone).')
param imageSyncRingMinProvisioned int = 0

@allowed([
  'arm'
  'resource-graph'
])
@description('IMAGE_SYNC_DISCOVERY: arm lists images per subscription; resource-graph finds tagged images with one Azure Resource Graph query across subscriptions (Reader is still what it needs).')
param imageSyncDiscovery string = 'arm'

@allowed([
  'off'
  'copy'
  'direct'
])
@description('IMAGE_SYNC_GALLERY_SOURCES: Azure Compute Gallery image versions as sources (DESIGN §17). off; copy: each version is copied to a managed image in imageSyncGalleryStagingResourceGroup (documented APIs only; the app\'s identity gets a custom role there, limited to disks and images); direct: the version\'s id is posted to Windows 365 (preview). Reader on the galleries is the Reader of the scanned subscriptions or groups (docs/permissions.md).')
param imageSyncGallerySources string = 'off'

@description('IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: /subscriptions/{id}/resourceGroups/{name}, an existing resource group where copy makes its disks and managed images; required with imageSyncGallerySources copy. Windows 365\'s service principal needs Reader on its subscription (docs/permissions.md). Empty: none.')
param imageSyncGalleryStagingResourceGroup string = ''

@description('IMAGE_SYNC_MAX_PATCH_LAG: image currency, warn when a ready image is more than this many Patch Tuesdays behind its Windows release\'s latest quality update (0-12); off: never read the Windows release catalogue.')
param imageSyncMaxPatchLag string = '1'

@secure()
@description('IMAGE_SYNC_REBUILD_WEBHOOK_URL: https URL that receives one JSON POST ImageSyncRebuildNeeded per registration and newer build, for an image pipeline to rebuild. Empty: none.')
param imageSyncRebuildWebhookUrl string = ''

@secure()
@description('IMAGE_SYNC_ALERT_WEBHOOK_URL: https URL that receives one JSON POST per new failure or problem. Empty: none.')
param imageSyncAlertWebhookUrl string = ''

// ---------------------------------------------------------------------------------------------
var appResourceGroupName = !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName, application: 'cloudpc-image-sync' }
// The register and status queues and the -poison queues the Functions host moves failed messages to.
var appQueueNames = [
  imageSyncRegisterQueue
  '${imageSyncRegisterQueue}-poison'
  imageSyncStatusQueue
  '${imageSyncStatusQueue}-poison'
]
// Event Grid puts the image events it could not deliver here (docs/deployment.md, "Event delivery").
var deadLetterContainerName = 'eventgrid-deadletter'
// `*` (every subscription the identity can read, with resource-graph discovery) names no subscription
// to grant Reader in or to give a system topic: those are then the administrator's (docs/permissions.md).
var scanEverySubscription = trim(imageSyncSubscriptionIds) == '*'
var subscriptionIds = scanEverySubscription ? [] : map(filter(split(imageSyncSubscriptionIds, ','), id => !empty(trim(id))), id => trim(id))
// Reader on these groups only, instead of the whole subscription, when the scan is narrowed to them.
var scannedResourceGroups = map(filter(split(imageSyncResourceGroups, ','), group => !empty(trim(group))), group => trim(group))
var existingTopicIds = map(filter(split(existingSystemTopicIds, ','), id => !empty(trim(id))), id => startsWith(trim(id), '/') ? trim(id) : '/${trim(id)}')
// Without AZURE_PRINCIPAL_TYPE, a pipeline signed in as a service principal would be granted as a User
// and fail with UnmatchedPrincipalType. A user has a UPN, a service principal or managed identity has
// none. any(): older Bicep types deployer() without userPrincipalName.
var deployerUserPrincipalName = any(deployer()).?userPrincipalName ?? ''
var operatorIsDeployer = operatorPrincipalId =~ deployer().objectId
var operatorType = !empty(operatorPrincipalType) ? operatorPrincipalType : (operatorIsDeployer && empty(deployerUserPrincipalName) ? 'ServicePrincipal' : 'User')
// Who may enqueue (image-sync register) and who may read the ledger (image-sync status): the operator,
// if given, and the listed principals. union() drops an operator listed twice.
var operatorPrincipals = empty(operatorPrincipalId) ? [] : [
  {
    principalId: operatorPrincipalId
    principalType: operatorType
  }
]
var imagePipelinePrincipals = union(operatorPrincipals, map(filter(split(imagePipelinePrincipalIds, ','), id => !empty(trim(id))), id => {
  principalId: trim(id)
  principalType: imagePipelinePrincipalType
}))
var statusReaderPrincipals = union(operatorPrincipals, map(filter(split(statusReaderPrincipalIds, ','), id => !empty(trim(id))), id => {
  principalId: trim(id)
  principalType: statusReaderPrincipalType
}))

// copy (DESIGN §17): the staging group, /subscriptions/{id}/resourceGroups/{name}, gets the custom role
// that lets the app make and delete its disks and managed images there. Without it, or malformed, the
// deployment stops here with the fix (the app would refuse to start without it anyway).
var galleryCopy = imageSyncGallerySources == 'copy'
var stagingGroupSegments = split(trim(imageSyncGalleryStagingResourceGroup), '/')
// A ternary, not &&: ARM evaluates only the branch it takes, so no index is read past the end.
var stagingGroupWellFormed = length(stagingGroupSegments) == 5 ? (empty(stagingGroupSegments[0]) && toLower(stagingGroupSegments[1]) == 'subscriptions' && toLower(stagingGroupSegments[3]) == 'resourcegroups' && !empty(stagingGroupSegments[4])) : false
// Without copy the module is not deployed; its scope is still a valid group (the app's own).
var stagingGroup = !galleryCopy ? { subscriptionId: subscription().subscriptionId, name: appResourceGroupName } : (stagingGroupWellFormed ? { subscriptionId: stagingGroupSegments[2], name: stagingGroupSegments[4] } : fail('imageSyncGalleryStagingResourceGroup (IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP) must be /subscriptions/{id}/resourceGroups/{name} with imageSyncGallerySources copy. Fix: azd env set IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP /subscriptions/<id>/resourceGroups/<existing group>'))

var imageSyncSettings = union(
  {
    IMAGE_SYNC_SUBSCRIPTION_IDS: scanEverySubscription ? '*' : join(subscriptionIds, ',')
    IMAGE_SYNC_TAG: imageSyncTag
    IMAGE_SYNC_SCHEDULE: imageSyncSchedule
    IMAGE_SYNC_POLL_INTERVAL_SECONDS: string(imageSyncPollIntervalSeconds)
    IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: string(imageSyncPollMaxIntervalSeconds)
    IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS: string(imageSyncUploadTimeoutHours)
    IMAGE_SYNC_MAX_RETRY_UPLOADS: string(imageSyncMaxRetryUploads)
    IMAGE_SYNC_REGISTER_QUEUE: imageSyncRegisterQueue
    IMAGE_SYNC_STATUS_QUEUE: imageSyncStatusQueue
    IMAGE_SYNC_TABLE: imageSyncTable
    GRAPH_ENDPOINT: graphEndpoint
    GRAPH_API_VERSION: graphApiVersion
    IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: string(imageSyncSubscriptionConcurrency)
    ARM_ENDPOINT: armEndpoint
    IMAGE_SYNC_TENANT_IMAGE_LIMIT: string(imageSyncTenantImageLimit)
    IMAGE_SYNC_KEEP_VERSIONS: string(imageSyncKeepVersions)
    IMAGE_SYNC_EXPIRY_WARNING_DAYS: string(imageSyncExpiryWarningDays)
    IMAGE_SYNC_TRANSIENT_RETRY_HOURS: string(imageSyncTransientRetryHours)
    IMAGE_SYNC_ROLLOUT: imageSyncRollout ? 'true' : 'false'
    IMAGE_SYNC_RING_SOAK_HOURS: imageSyncRingSoakHours
    IMAGE_SYNC_RING_MAX_FAILED: string(imageSyncRingMaxFailed)
    IMAGE_SYNC_RING_MIN_PROVISIONED: string(imageSyncRingMinProvisioned)
    IMAGE_SYNC_DISCOVERY: imageSyncDiscovery
    IMAGE_SYNC_MAX_PATCH_LAG: imageSyncMaxPatchLag
    IMAGE_SYNC_GALLERY_SOURCES: imageSyncGallerySources
  },
  empty(imageSyncResourceGroups) ? {} : { IMAGE_SYNC_RESOURCE_GROUPS: imageSyncResourceGroups },
  empty(imageSyncAlertWebhookUrl) ? {} : { IMAGE_SYNC_ALERT_WEBHOOK_URL: imageSyncAlertWebhookUrl },
  empty(imageSyncRebuildWebhookUrl) ? {} : { IMAGE_SYNC_REBUILD_WEBHOOK_URL: imageSyncRebuildWebhookUrl },
  empty(imageSyncGalleryStagingResourceGroup) ? {} : { IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: imageSyncGalleryStagingResourceGroup }
)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: appResourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-imagesync-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'stimgsync${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
    deadLetterContainerName: deadLetterContainerName
    queueNames: appQueueNames
    tableName: imageSyncTable
  }
}

module storageAccess 'modules/storage-access.bicep' = {
  name: 'storage-access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    registerQueueName: imageSyncRegisterQueue
    appQueueNames: appQueueNames
    tableName: imageSyncTable
    deadLetterContainerName: storage.outputs.deadLetterContainerName
    appPrincipalId: identity.outputs.principalId
    imagePipelinePrincipals: imagePipelinePrincipals
    statusReaderPrincipals: statusReaderPrincipals
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorType
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    workspaceName: 'log-imagesync-${resourceToken}'
    applicationInsightsName: 'appi-imagesync-${resourceToken}'
    appPrincipalId: identity.outputs.principalId
    alertEmail: alertEmail
    workbookDisplayName: 'cloudpc-image-sync (${environmentName})'
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: 'func-imagesync-${resourceToken}'
    planName: 'plan-imagesync-${resourceToken}'
    location: location
    tags: union(tags, { 'azd-service-name': 'imagesync' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageEndpoints: {
      blob: storage.outputs.blobEndpoint
      queue: storage.outputs.queueEndpoint
      table: storage.outputs.tableEndpoint
    }
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    imageSyncSettings: imageSyncSettings
  }
  // The host must be able to reach its storage when it first starts.
  dependsOn: [
    storageAccess
  ]
}

module scannedSubscriptions 'modules/scanned-subscription.bicep' = [
  for subscriptionId in subscriptionIds: {
    name: 'imagesync-scan-${uniqueString(subscriptionId, environmentName)}'
    scope: subscription(subscriptionId)
    params: {
      environmentName: environmentName
      location: location
      tags: tags
      appPrincipalId: identity.outputs.principalId
      readerResourceGroups: scannedResourceGroups
      imageEventsEnabled: imageEventsEnabled
      eventsResourceGroupName: eventsResourceGroupName
      existingSystemTopicIds: existingTopicIds
      deadLetterSubscriptionId: subscription().subscriptionId
      deadLetterResourceGroupName: rg.name
      deadLetterStorageAccountName: storage.outputs.name
      deadLetterContainerName: storage.outputs.deadLetterContainerName
    }
  }
]

module galleryStaging 'modules/gallery-staging-access.bicep' = if (galleryCopy) {
  name: 'imagesync-gallery-staging-${uniqueString(imageSyncGalleryStagingResourceGroup, environmentName)}'
  scope: resourceGroup(stagingGroup.subscriptionId, stagingGroup.name)
  params: {
    environmentName: environmentName
    appPrincipalId: identity.outputs.principalId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_FUNCTION_APP_ID string = functionApp.outputs.id
output IMAGE_SYNC_DEAD_LETTER_CONTAINER string = storage.outputs.deadLetterContainerName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.workspaceName
output IMAGE_SYNC_ALERT_RULE_NAME string = monitoring.outputs.alertRuleName
output IMAGE_SYNC_WORKBOOK_ID string = monitoring.outputs.workbookId
output IMAGE_SYNC_EVENTS_RESOURCE_GROUP string = imageEventsEnabled ? eventsResourceGroupName : ''
// The subscriptions the deployment scans, as the app has them. A list typed at azd's prompt is kept as
// an infra parameter, not as IMAGE_SYNC_SUBSCRIPTION_IDS: the postdeploy hook reads this output.
output IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS string = scanEverySubscription ? '*' : join(subscriptionIds, ',')
