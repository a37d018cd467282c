// Lets one Event Grid system topic dead-letter into the app's storage account: its system-assigned
// identity may write blobs in the dead-letter container, and nothing else. Deployed into the app's
// resource group (which may be in another subscription than the topic) by image-events.bicep.
@description('Storage account that holds the dead-letter container (shared keys off: Event Grid signs in with the topic\'s identity).')
param storageAccountName string

@description('The dead-letter blob container.')
param containerName string

@description('Principal id of the system topic\'s system-assigned identity.')
param topicPrincipalId string

@description('Name of the system topic, for the role assignment\'s description.')
param topicName string

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: containerName
}

// Storage Blob Data Contributor is the role Event Grid documents for a blob destination: it writes
// each dead-lettered event as a new blob. There is no narrower built-in role that can write a blob.
// Scoped to this one container, it gives no access to the deployment package, the Functions host's
// leases, the queues or the ledger table.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, topicPrincipalId, storageBlobDataContributor)
  scope: container
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: topicPrincipalId
    principalType: 'ServicePrincipal'
    description: 'cloudpc-image-sync: Event Grid system topic ${topicName} writes the image events it could not deliver'
  }
}

output storageAccountId string = account.id
output containerName string = container.name
