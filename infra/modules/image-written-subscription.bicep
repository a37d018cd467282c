// One event subscription on a scanned subscription's system topic: successful
// Microsoft.Compute/images writes, and Azure Compute Gallery image version writes (DESIGN §17; the
// function ignores them while IMAGE_SYNC_GALLERY_SOURCES is off), go to the imageWritten function.
// An event Event Grid cannot deliver is retried, then dead-lettered to a blob container in the app's
// storage account, written with the topic's own identity (granted by image-events.bicep when the
// topic was created or attached to).
// Deployed by infra/subscribe-image-events.bicep, from the azd postdeploy hook.
@description('The system topic (in this resource group) to subscribe to.')
param topicName string

@description('Name of the event subscription: image-written on a topic the app created, another name on an existing topic.')
param eventSubscriptionName string

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

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: topicName
}

resource imageWritten 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: eventSubscriptionName
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
            'Microsoft.Compute/galleries/images/versions/write'
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
          resourceId: resourceId(deadLetterSubscriptionId, deadLetterResourceGroupName, 'Microsoft.Storage/storageAccounts', deadLetterStorageAccountName)
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output eventSubscriptionId string = imageWritten.id
