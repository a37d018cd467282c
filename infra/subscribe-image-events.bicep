// The event subscriptions that send successful Microsoft.Compute/images writes (and gallery image
// version writes, DESIGN §17) to the imageWritten function, one on the system topic of each scanned
// subscription. This is not part of main.bicep:
// Event Grid refuses an AzureFunction destination that does not exist, and imageWritten exists only
// once the code is deployed. The azd postdeploy hook (scripts/azd-postdeploy.mjs) waits until the
// function is listed, then deploys this file (az deployment sub create); run it by hand the same
// way (docs/deployment.md). The system topics, and their identities' right to dead-letter, were
// made by main.bicep, so that role is in place before the first event.
targetScope = 'subscription'

@description('Resource id of the Function App that hosts imageWritten (deployment output AZURE_FUNCTION_APP_ID).')
param functionAppId string

@description('The system topics to subscribe, one per scanned subscription: each { subscriptionId, resourceGroup, name, eventSubscriptionName }. eventSubscriptionName is image-written on a topic the app created; on an existing topic another name, so that nothing of its owner\'s is replaced.')
param topics array

@description('Subscription id of the app\'s storage account, which holds the dead-letter container.')
param deadLetterSubscriptionId string = subscription().subscriptionId

@description('Resource group of the app\'s storage account (deployment output AZURE_RESOURCE_GROUP).')
param deadLetterResourceGroupName string

@description('Name of the app\'s storage account (deployment output AZURE_STORAGE_ACCOUNT_NAME).')
param deadLetterStorageAccountName string

@description('Blob container that receives the events Event Grid could not deliver.')
param deadLetterContainerName string = 'eventgrid-deadletter'

module imageWritten 'modules/image-written-subscription.bicep' = [
  for topic in topics: {
    name: 'imagesync-subscribe-${uniqueString(topic.subscriptionId, topic.resourceGroup, topic.name)}'
    scope: resourceGroup(topic.subscriptionId, topic.resourceGroup)
    params: {
      topicName: topic.name
      eventSubscriptionName: topic.eventSubscriptionName
      functionAppId: functionAppId
      deadLetterSubscriptionId: deadLetterSubscriptionId
      deadLetterResourceGroupName: deadLetterResourceGroupName
      deadLetterStorageAccountName: deadLetterStorageAccountName
      deadLetterContainerName: deadLetterContainerName
    }
  }
]
