<#
.SYNOPSIS
    What cloudpc-image-sync has done: registrations not ready yet (or failed, skipped), warnings and
    recorded problems; optionally one registration checked against Windows 365 itself.

.DESCRIPTION
    Runs `image-sync status --json` (the document in contract/status.schema.json) and turns it into
    objects with ConvertFrom-Json. Needs Node.js 20+ and the image-sync CLI (npm install -g of the
    tarball `npm pack` makes; see README.md), signed in with `az login` (the CLI uses the Azure CLI
    credential), and these environment variables, the same settings as the function app:

        $env:AzureWebJobsStorage__accountName = 'stimgsync...'   # the app's storage account
        $env:IMAGE_SYNC_SUBSCRIPTION_IDS      = '<subscription id>[,<id>...]'

    Roles: `image-sync status` reads the ledger: Storage Table Data Reader on the storage account (or
    its `imagesync` table). -DeviceImageId additionally needs Microsoft Graph CloudPC.Read.All
    (delegated: you consent when Connect-MgGraph asks) and the Microsoft.Graph.DeviceManagement.Administration
    module (Install-Module Microsoft.Graph.DeviceManagement.Administration -Scope CurrentUser).

.PARAMETER DeviceImageId
    A device image id from the status (deviceImageId): read it from Microsoft Graph to compare what
    Windows 365 says with what the ledger says.

.EXAMPLE
    ./Get-ImageSyncStatus.ps1
    ./Get-ImageSyncStatus.ps1 -DeviceImageId 810fc0f1-0000-0000-0000-000000000000
#>
[CmdletBinding()]
param(
    [string] $DeviceImageId
)

$ErrorActionPreference = 'Stop'

# Exit codes of image-sync: 0 all good; 2 finished but something needs attention (a failure, an
# unfinished upload, a problem); 1 could not run, and then stdout holds { "error": { kind, message, setting, endpoint } }.
$json = & image-sync status --json
$exitCode = $LASTEXITCODE
$status = ($json -join "`n") | ConvertFrom-Json

if ($exitCode -eq 1) {
    throw "image-sync could not run ($($status.error.kind)): $($status.error.message)"
}

# One entry per registration (a source image at a version). States: queued, creating, pending,
# ready, failed, skipped, retired. Skipped entries carry the reason code and the fix in `reason`.
$notReady = $status.images | Where-Object { $_.state -notin @('ready', 'retired') }
if ($notReady) {
    Write-Host 'Registrations not ready:'
    $notReady |
        Sort-Object state, displayName, version |
        Format-Table state, displayName, version, deviceImageId, errorCode, reason -AutoSize -Wrap
}
else {
    Write-Host 'Every registration is ready (or retired).'
}

# Warnings (version-unchanged, display-name-changed, os-support-*) never change the exit code:
# look at them here.
$warned = $status.images | Where-Object { $_.warnings.Count -gt 0 }
foreach ($image in $warned) {
    foreach ($warning in $image.warnings) {
        Write-Warning "$($image.displayName) $($image.version): $warning"
    }
}

# Problems (an unreadable subscription, a poisoned message...) stay until cleared with
# `image-sync status --clear-problems` (which needs write rights on the table).
foreach ($problem in $status.problems) {
    Write-Warning "problem $($problem.kind) at $($problem.at): $($problem.detail)"
}

# Check one result in Windows 365 itself with the Microsoft Graph PowerShell SDK.
if ($DeviceImageId) {
    Import-Module Microsoft.Graph.DeviceManagement.Administration
    Connect-MgGraph -Scopes 'CloudPC.Read.All' -NoWelcome
    $deviceImage = Get-MgDeviceManagementVirtualEndpointDeviceImage -CloudPcDeviceImageId $DeviceImageId
    $ledger = $status.images | Where-Object { $_.deviceImageId -eq $DeviceImageId }
    [pscustomobject]@{
        DeviceImageId         = $deviceImage.Id
        DisplayName           = $deviceImage.DisplayName
        Version               = $deviceImage.Version
        GraphStatus           = $deviceImage.Status          # pending, ready, failed
        GraphErrorCode        = $deviceImage.ErrorCode
        OsStatus              = $deviceImage.OSStatus
        ExpirationDate        = $deviceImage.ExpirationDate
        SourceImageResourceId = $deviceImage.SourceImageResourceId
        LedgerState           = $ledger.state              # what image-sync recorded
    } | Format-List
}

exit $exitCode
