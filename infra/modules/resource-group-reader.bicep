// Reader for the app's identity on one scanned resource group (IMAGE_SYNC_RESOURCE_GROUPS): it lists
// the managed images there, and the Azure Compute Gallery galleries, image definitions and versions
// (DESIGN §17), and can read nothing else of the subscription.
@description('azd environment name, for the role assignment\'s description.')
param environmentName string

@description('Principal id of the app\'s managed identity.')
param appPrincipalId string

var readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, appPrincipalId, readerRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'cloudpc-image-sync (${environmentName}): list managed images'
  }
}
