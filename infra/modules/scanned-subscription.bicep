// What the app needs in each scanned subscription: Reader for its identity (to list managed
// images, and gallery image versions with IMAGE_SYNC_GALLERY_SOURCES), on the subscription or, when IMAGE_SYNC_RESOURCE_GROUPS narrows the scan, on those groups
// only; and the Event Grid system topic that announces image writes within seconds, created in
// an events resource group or, where the subscription already has its one
// Microsoft.Resources.Subscriptions system topic, that existing topic (with its right to dead-letter
// into the app's storage account, which may be in another subscription). The event subscription
// itself is created after the code is deployed (infra/subscribe-image-events.bicep).
targetScope = 'subscription'

@description('azd environment name, for tags and the topic name.')
param environmentName string

@description('Region of the events resource group.')
param location string

@description('Tags for the events resource group and a created system topic.')
param tags object

@description('Principal id of the app\'s managed identity.')
param appPrincipalId string

@description('Resource groups the scan is narrowed to (IMAGE_SYNC_RESOURCE_GROUPS): Reader on each of them in this subscription instead of on the subscription. Each must exist here. Empty: Reader on the subscription.')
param readerResourceGroups array

@description('Give this subscription a system topic: create one, or attach to the one listed in existingSystemTopicIds.')
param imageEventsEnabled bool

@description('Resource group (created in this subscription) that holds a created system topic.')
param eventsResourceGroupName string

@description('Resource ids of existing Microsoft.Resources.Subscriptions system topics. The one in this subscription, if any, is attached to instead of creating a topic.')
param existingSystemTopicIds array

@description('Subscription id of the app\'s storage account (the dead-letter destination).')
param deadLetterSubscriptionId string

@description('Resource group of the app\'s storage account.')
param deadLetterResourceGroupName string

@description('Name of the app\'s storage account.')
param deadLetterStorageAccountName string

@description('Blob container that receives the events Event Grid could not deliver.')
param deadLetterContainerName string

var readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

// Only one Microsoft.Resources.Subscriptions system topic can exist per subscription.
var existingHere = filter(existingSystemTopicIds, id => toLower(split(id, '/')[2]) == toLower(subscription().subscriptionId))
var attachToExisting = !empty(existingHere)
// /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.EventGrid/systemTopics/{name}
var topicResourceGroup = attachToExisting ? split(existingHere[0], '/')[4] : eventsResourceGroupName
var topicName = attachToExisting ? last(split(existingHere[0], '/')) : 'evgt-imagesync-${uniqueString(subscription().id, environmentName)}'

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (empty(readerResourceGroups)) {
  name: guid(subscription().id, appPrincipalId, readerRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'cloudpc-image-sync (${environmentName}): list managed images'
  }
}

module groupReaders 'resource-group-reader.bicep' = [
  for group in readerResourceGroups: {
    name: 'imagesync-reader-${uniqueString(subscription().id, group, environmentName)}'
    scope: resourceGroup(group)
    params: {
      environmentName: environmentName
      appPrincipalId: appPrincipalId
    }
  }
]

resource eventsGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = if (imageEventsEnabled && !attachToExisting) {
  name: eventsResourceGroupName
  location: location
  tags: tags
}

module imageEvents 'image-events.bicep' = if (imageEventsEnabled) {
  name: 'imagesync-events-${uniqueString(subscription().id, environmentName)}'
  scope: resourceGroup(topicResourceGroup)
  params: {
    topicName: topicName
    attachToExisting: attachToExisting
    tags: tags
    deadLetterSubscriptionId: deadLetterSubscriptionId
    deadLetterResourceGroupName: deadLetterResourceGroupName
    deadLetterStorageAccountName: deadLetterStorageAccountName
    deadLetterContainerName: deadLetterContainerName
  }
  dependsOn: [
    eventsGroup
  ]
}
