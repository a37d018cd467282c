// cloudpc-image-sync: everything `azd up` provisions. One resource group for the app; in each
// scanned subscription, Reader for the app's identity and (optionally) the Event Grid system topic
// that announces new managed images. Settings of DESIGN §3 are parameters with the same defaults.
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

@minValue(40)
@maxValue(1000)
@description('Flex Consumption: the most instances the app may scale out to. Work is a few queue messages per image, so the minimum is plenty.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption: memory per instance, in MB.')
param instanceMemoryMB int = 2048

@description('Create the Event Grid system topic in each scanned subscription (fast path: seconds instead of the next timer run). Turn off if a subscription already has a system topic of type Microsoft.Resources.Subscriptions (Azure allows one per subscription).')
param imageEventsEnabled bool = true

@description('Create the event subscriptions that deliver image writes to the imageWritten function. They can only be created once the code is deployed: the azd postdeploy hook sets this to true and provisions again.')
param subscribeImageEvents bool = false

@description('Email address for ImageSyncFailure alerts. Empty: the alert rule is created without an action group.')
param alertEmail string = ''

@description('Object id of the operator (the person or pipeline running azd) to be granted read access to the ledger table and the right to enqueue images, for the image-sync CLI. Empty: none.')
param operatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Principal type of operatorPrincipalId.')
param operatorPrincipalType string = 'User'

// ---------------------------------------------------------------------------------------------
// App settings (DESIGN §3)
// ---------------------------------------------------------------------------------------------
@minLength(36)
@description('IMAGE_SYNC_SUBSCRIPTION_IDS: comma-separated ids of the subscriptions whose managed images are synced.')
param imageSyncSubscriptionIds string

@description('IMAGE_SYNC_RESOURCE_GROUPS: comma-separated resource groups to narrow the scan. Empty: all.')
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

@description('GRAPH_ENDPOINT: Microsoft Graph origin (US Gov: https://graph.microsoft.us, DoD: https://dod-graph.microsoft.us).')
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

@secure()
@description('IMAGE_SYNC_ALERT_WEBHOOK_URL: https URL that receives one JSON POST per new failure or problem. Empty: none.')
param imageSyncAlertWebhookUrl string = ''

// ---------------------------------------------------------------------------------------------
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName, application: 'cloudpc-image-sync' }
// Event Grid puts the image events it could not deliver here (docs/deployment.md, "Event delivery").
var deadLetterContainerName = 'eventgrid-deadletter'
var subscriptionIds = map(filter(split(imageSyncSubscriptionIds, ','), id => !empty(trim(id))), id => trim(id))

var imageSyncSettings = union(
  {
    IMAGE_SYNC_SUBSCRIPTION_IDS: join(subscriptionIds, ',')
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
  },
  empty(imageSyncResourceGroups) ? {} : { IMAGE_SYNC_RESOURCE_GROUPS: imageSyncResourceGroups },
  empty(imageSyncAlertWebhookUrl) ? {} : { IMAGE_SYNC_ALERT_WEBHOOK_URL: imageSyncAlertWebhookUrl }
)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
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
    queueNames: [
      imageSyncRegisterQueue
      '${imageSyncRegisterQueue}-poison'
      imageSyncStatusQueue
      '${imageSyncStatusQueue}-poison'
    ]
    tableName: imageSyncTable
  }
}

module storageAccess 'modules/storage-access.bicep' = {
  name: 'storage-access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
    deadLetterContainerName: storage.outputs.deadLetterContainerName
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
      imageEventsEnabled: imageEventsEnabled
      eventsResourceGroupName: eventsResourceGroupName
      subscribeImageEvents: subscribeImageEvents
      functionAppId: functionApp.outputs.id
      deadLetterSubscriptionId: subscription().subscriptionId
      deadLetterResourceGroupName: rg.name
      deadLetterStorageAccountName: storage.outputs.name
      deadLetterContainerName: storage.outputs.deadLetterContainerName
    }
  }
]

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output IMAGE_SYNC_ALERT_RULE_NAME string = monitoring.outputs.alertRuleName
output IMAGE_SYNC_EVENTS_RESOURCE_GROUP string = imageEventsEnabled ? eventsResourceGroupName : ''
