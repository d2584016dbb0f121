# Publishes oc-appliance.exe and oc.exe as NativeAOT binaries for Windows (win-x64).
# Needs the .NET 10 SDK and Visual Studio's "Desktop development with C++" workload (the
# native linker). Output: artifacts\publish\win-x64. Any trim/AOT warning fails the build.
param([string[]]$Rids = @("win-x64"))
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
foreach ($rid in $Rids) {
    $out = "artifacts/publish/$rid"
    foreach ($project in @("src/OC.Appliance", "src/OC.CliClient")) {
        Write-Host "publish.ps1: $project for $rid"
        dotnet publish $project -c Release -r $rid -o $out -p:DebugType=none -nologo
        if ($LASTEXITCODE -ne 0) { throw "dotnet publish $project failed" }
    }
    Get-ChildItem $out
}
