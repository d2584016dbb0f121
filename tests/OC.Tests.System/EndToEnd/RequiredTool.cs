using Xunit.Abstractions;

namespace OC.Tests.EndToEnd;

/// <summary>
/// Tests that need a tool a developer machine may lack (qemu-user, the arm64 cross toolchain,
/// Chromium): outside CI they return early with a note; under CI=true (.ci/run installs every
/// tool) a missing one fails the test, so CI can never pass by skipping.
/// </summary>
internal static class RequiredTool
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fails under CI; else writes "not run: ..." and returns, and the caller returns.</summary>
    public static void Missing(ITestOutputHelper output, string what)
    {
        if (InCi) Assert.Fail($"{what}; CI=true, where .ci/run installs it, so this test must run");
        output.WriteLine($"not run: {what}");
    }
}
