// Data-plane roles on the storage account (blobs only), its queues, its ledger table and its
// dead-letter container, and nothing wider (no account keys, no Contributor). docs/permissions.md gives, per
// caller and per image-sync command, the roles and scopes and why each is the least that works.
@description('Storage account the roles are scoped to.')
param storageAccountName string

@description('The register queue: image pipelines (image-sync register) may add messages to it and to nothing else.')
param registerQueueName string

@description('The queues the app and its Functions host use (register, status and their -poison queues): the app\'s Storage Queue Data Contributor is granted on each of them, not on the account.')
param appQueueNames array

@description('The ledger table: status readers (image-sync status) may read it and nothing else.')
param tableName string

@description('The dead-letter blob container (Event Grid\'s undelivered image events), which the operator may read.')
param deadLetterContainerName string

@description('Principal id of the app\'s user-assigned managed identity.')
param appPrincipalId string

@description('Who runs image-sync register: each { principalId, principalType }, granted Storage Queue Data Message Sender on the register queue.')
param imagePipelinePrincipals array

@description('Who runs image-sync status: each { principalId, principalType }, granted Storage Table Data Reader on the ledger table.')
param statusReaderPrincipals array

@description('Object id of the operator (also among the two lists above), who may read the dead-letter container. Empty: none.')
param operatorPrincipalId string

@description('Principal type of the operator.')
param operatorPrincipalType string

var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  blobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  queueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  tableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
}

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

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource registerQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: queueService
  name: registerQueueName
}

resource appQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [
  for queueName in appQueueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource table 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' existing = {
  parent: tableService
  name: tableName
}

// The app (its managed identity). On the account, blobs: the Functions host needs its leases, timer
// state and the Flex Consumption deployment package. On each of its four queues (not the account):
// triggers receive, delete and move messages to the -poison queues; the app sends to both queues.
// Storage Queue Data Contributor already holds every queue data action of Message Processor and
// Message Sender, so those two are not granted besides. On the ledger table only: the ledger.
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, roles.blobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appQueueContributors 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, index) in appQueueNames: {
    name: guid(appQueues[index].id, appPrincipalId, roles.queueDataContributor)
    scope: appQueues[index]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(table.id, appPrincipalId, roles.tableDataContributor)
  scope: table
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// image-sync register: add a message to the register queue. Message Sender cannot read, peek,
// delete or clear messages, and at queue scope reaches no other queue (not the status queue, not
// the -poison queues).
resource pipelineSenders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principal in imagePipelinePrincipals: {
    name: guid(registerQueue.id, principal.principalId, roles.queueDataMessageSender)
    scope: registerQueue
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataMessageSender)
      principalId: principal.principalId
      principalType: principal.principalType
      description: 'cloudpc-image-sync: image-sync register enqueues images'
    }
  }
]

// image-sync status: read the ledger table; at table scope, no other table and nothing else.
resource statusReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principal in statusReaderPrincipals: {
    name: guid(table.id, principal.principalId, roles.tableDataReader)
    scope: table
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataReader)
      principalId: principal.principalId
      principalType: principal.principalType
      description: 'cloudpc-image-sync: image-sync status reads the ledger'
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
