// IMAGE_SYNC_GALLERY_SOURCES=copy (DESIGN §17): the app copies each gallery image version to a managed
// disk and then a managed image in the staging resource group, registers the image, and deletes both
// once Windows 365 has its own copy. Deployed at that group, this defines the custom role that allows
// exactly that (disks and images: read, write, delete; nothing else, and assignable at this group
// only) and assigns it to the app's identity here. Reading the gallery version the disk is made from is
// Reader's (the scanned subscriptions or groups, where the galleries are).
@description('azd environment name, for the role\'s name and the assignment\'s description.')
param environmentName string

@description('Principal id of the app\'s managed identity.')
param appPrincipalId string

// A role name is unique in the tenant: one role per environment and staging group.
resource stagingRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, environmentName, 'cloudpc-image-sync gallery staging')
  properties: {
    roleName: 'cloudpc-image-sync gallery staging (${environmentName}, ${resourceGroup().name})'
    description: 'cloudpc-image-sync: make, read and delete the managed disks and managed images it copies from Azure Compute Gallery image versions in this resource group.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Compute/disks/read'
          'Microsoft.Compute/disks/write'
          'Microsoft.Compute/disks/delete'
          'Microsoft.Compute/images/read'
          'Microsoft.Compute/images/write'
          'Microsoft.Compute/images/delete'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource stagingWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, appPrincipalId, stagingRole.name)
  properties: {
    // A role definition is a subscription's, whatever scope it was deployed at.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', stagingRole.name)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'cloudpc-image-sync (${environmentName}): copy gallery image versions to managed images here'
  }
}

output roleDefinitionId string = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', stagingRole.name)
