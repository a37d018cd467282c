// What the app needs in each scanned subscription: Reader for its identity (to list managed
// images), and the Event Grid system topic that announces image writes within seconds (with its
// right to dead-letter into the app's storage account, which may be in another subscription).
targetScope = 'subscription'

@description('azd environment name, for tags.')
param environmentName string

@description('Region of the events resource group.')
param location string

@description('Tags for the events resource group.')
param tags object

@description('Principal id of the app\'s managed identity.')
param appPrincipalId string

@description('Create the Event Grid system topic for this subscription.')
param imageEventsEnabled bool

@description('Resource group (created in this subscription) that holds the system topic.')
param eventsResourceGroupName string

@description('Create the event subscription to the imageWritten function (only once the code is deployed).')
param subscribeImageEvents bool

@description('Resource id of the Function App.')
param functionAppId string

@description('Subscription id of the app\'s storage account (the dead-letter destination).')
param deadLetterSubscriptionId string

@description('Resource group of the app\'s storage account.')
param deadLetterResourceGroupName string

@description('Name of the app\'s storage account.')
param deadLetterStorageAccountName string

@description('Blob container that receives the events Event Grid could not deliver.')
param deadLetterContainerName string

var readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, appPrincipalId, readerRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'cloudpc-image-sync (${environmentName}): list managed images'
  }
}

resource eventsGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = if (imageEventsEnabled) {
  name: eventsResourceGroupName
  location: location
  tags: tags
}

module imageEvents 'image-events.bicep' = if (imageEventsEnabled) {
  name: 'imagesync-events-${uniqueString(subscription().id, environmentName)}'
  scope: eventsGroup
  params: {
    topicName: 'evgt-imagesync-${uniqueString(subscription().id, environmentName)}'
    tags: tags
    subscribeImageEvents: subscribeImageEvents
    functionAppId: functionAppId
    deadLetterSubscriptionId: deadLetterSubscriptionId
    deadLetterResourceGroupName: deadLetterResourceGroupName
    deadLetterStorageAccountName: deadLetterStorageAccountName
    deadLetterContainerName: deadLetterContainerName
  }
}
