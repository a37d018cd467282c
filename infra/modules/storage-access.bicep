// Data-plane roles on the storage account, and nothing wider (no account keys, no Contributor).
@description('Storage account the roles are scoped to.')
param storageAccountName string

@description('Principal id of the app\'s user-assigned managed identity.')
param appPrincipalId string

@description('Object id of the operator to be given read access to the ledger and the right to enqueue images. Empty: none.')
param operatorPrincipalId string

@description('Principal type of the operator.')
param operatorPrincipalType string

@description('The dead-letter blob container (Event Grid\'s undelivered image events), which the operator may read.')
param deadLetterContainerName string

var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  blobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  queueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  queueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  tableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
}

// Blob Data Owner: the host's leases and timer state (AzureWebJobsStorage) and the deployment
// container. Queue Data Contributor: the host creates and moves poison messages, the app sends;
// Message Processor and Sender are what the Functions docs list for queue triggers and output.
// Table Data Contributor: the ledger.
var appRoles = [
  roles.blobDataOwner
  roles.queueDataContributor
  roles.queueDataMessageProcessor
  roles.queueDataMessageSender
  roles.tableDataContributor
]

// The operator's CLI: `image-sync status` reads the ledger; `image-sync register` enqueues.
// (And, below, reading the dead-letter container.)
var operatorRoles = [
  roles.tableDataReader
  roles.queueDataMessageSender
]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: deadLetterContainerName
}

resource appAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appRoles: {
    name: guid(account.id, appPrincipalId, roleId)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource operatorAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in operatorRoles: if (!empty(operatorPrincipalId)) {
    name: guid(account.id, operatorPrincipalId, roleId)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: operatorPrincipalId
      principalType: operatorPrincipalType
    }
  }
]

// Storage Blob Data Reader on the dead-letter container only: the operator can list and download
// the events Event Grid could not deliver (docs/deployment.md), and read no other blob (not the
// deployment package, not the host's leases). The topics' own write access is granted per topic
// by dead-letter-access.bicep.
resource operatorDeadLetterReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(deadLetterContainer.id, operatorPrincipalId, roles.blobDataReader)
  scope: deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataReader)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}
