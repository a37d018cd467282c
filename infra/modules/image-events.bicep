// Event Grid system topic for this subscription's resource events, and the subscription that
// sends successful Microsoft.Compute/images writes to the imageWritten function. An event Event
// Grid cannot deliver is retried, then dead-lettered to a blob container in the app's storage
// account. Events are the fast path only: the reconcile timer finds every image whatever happens
// to an event (docs/deployment.md, "Event delivery").
@description('System topic name.')
param topicName string

@description('Tags for the system topic.')
param tags object

@description('Create the event subscription (the imageWritten function must already exist).')
param subscribeImageEvents bool

@description('Resource id of the Function App that hosts imageWritten.')
param functionAppId string

@description('Subscription id of the app\'s storage account, which holds the dead-letter container.')
param deadLetterSubscriptionId string

@description('Resource group of the app\'s storage account.')
param deadLetterResourceGroupName string

@description('Name of the app\'s storage account.')
param deadLetterStorageAccountName string

@description('Blob container (in that account) that receives the events Event Grid could not deliver.')
param deadLetterContainerName string

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
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

// Storage Blob Data Contributor for the topic's identity on the dead-letter container only. It is
// granted before the event subscription that uses it is created (the output below is a dependency).
module deadLetterAccess 'dead-letter-access.bicep' = {
  name: 'imagesync-deadletter-${uniqueString(topic.id)}'
  scope: resourceGroup(deadLetterSubscriptionId, deadLetterResourceGroupName)
  params: {
    storageAccountName: deadLetterStorageAccountName
    containerName: deadLetterContainerName
    topicPrincipalId: topic.identity.principalId
    topicName: topic.name
  }
}

resource imageWritten 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (subscribeImageEvents) {
  parent: topic
  name: 'image-written'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/imageWritten'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Resources.ResourceWriteSuccess'
      ]
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: [
            'Microsoft.Compute/images/write'
          ]
        }
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    // Event Grid's retry policy, stated rather than implied: up to 30 deliveries (its maximum) with
    // its growing back-off, for at most 24 hours (1440 minutes, its maximum) after the event.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    // After that, or at once for an answer Event Grid does not retry (the function gone, 400, 403,
    // 413), the event is written to the dead-letter container instead of being dropped.
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterAccess.outputs.storageAccountId
          blobContainerName: deadLetterAccess.outputs.containerName
        }
      }
    }
  }
}

output topicName string = topic.name
