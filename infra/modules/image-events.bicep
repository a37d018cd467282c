// Event Grid system topic for this subscription's resource events, and the subscription that
// sends successful Microsoft.Compute/images writes to the imageWritten function.
@description('System topic name.')
param topicName string

@description('Tags for the system topic.')
param tags object

@description('Create the event subscription (the imageWritten function must already exist).')
param subscribeImageEvents bool

@description('Resource id of the Function App that hosts imageWritten.')
param functionAppId string

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: topicName
  location: 'global'
  tags: tags
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
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
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output topicName string = topic.name
