// The Event Grid system topic of one scanned subscription, which announces its resource writes:
// created here, or (attachToExisting) the subscription's existing Microsoft.Resources.Subscriptions
// system topic, left as it is. Either way its system-assigned identity is given the right to
// dead-letter into the app's storage account (dead-letter-access.bicep), here, at provision time.
// The event subscription that sends image writes to imageWritten is created later, once the code is
// deployed and the function exists: by the azd postdeploy hook, with infra/subscribe-image-events.bicep
// (docs/deployment.md, "Event delivery"). Events are the fast path only: the reconcile timer finds
// every image whatever happens to an event.
@description('System topic name: the one to create, or the existing one (in this resource group) to attach to.')
param topicName string

@description('Attach to the existing system topic topicName instead of creating it. It must have a system-assigned identity (docs/deployment.md, "An existing system topic").')
param attachToExisting bool

@description('Tags for a created system topic (an existing one is not changed).')
param tags object

@description('Subscription id of the app\'s storage account, which holds the dead-letter container.')
param deadLetterSubscriptionId string

@description('Resource group of the app\'s storage account.')
param deadLetterResourceGroupName string

@description('Name of the app\'s storage account.')
param deadLetterStorageAccountName string

@description('Blob container (in that account) that receives the events Event Grid could not deliver.')
param deadLetterContainerName string

resource createdTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (!attachToExisting) {
  name: topicName
  location: 'global'
  tags: tags
  // The topic's own identity signs in to the dead-letter container: the storage account has shared
  // keys disabled, so key-based dead-lettering (deadLetterDestination) cannot work.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

// Azure allows one Microsoft.Resources.Subscriptions system topic per subscription. When the
// subscription has one already, its owner enables its system-assigned identity
// (az eventgrid system-topic update --identity systemassigned) and the app attaches to it.
resource attachedTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = if (attachToExisting) {
  name: topicName
}

// (Each branch in parentheses: it reads the same, and keeps the tree-sitter grammar of scripts/check-infra.mjs
// from taking `a ? b : c.identity.principalId` as `(a ? b : c).identity.principalId`.)
var topicPrincipalId = attachToExisting ? (attachedTopic.identity.principalId) : (createdTopic.identity.principalId)

// Storage Blob Data Contributor for the topic's identity on the dead-letter container only, granted
// now so that it is in place (and has propagated) long before the hook creates the event subscription.
module deadLetterAccess 'dead-letter-access.bicep' = {
  name: 'imagesync-deadletter-${uniqueString(resourceId('Microsoft.EventGrid/systemTopics', topicName))}'
  scope: resourceGroup(deadLetterSubscriptionId, deadLetterResourceGroupName)
  params: {
    storageAccountName: deadLetterStorageAccountName
    containerName: deadLetterContainerName
    topicPrincipalId: topicPrincipalId
    topicName: topicName
  }
}

output topicName string = topicName
output topicResourceGroup string = resourceGroup().name
