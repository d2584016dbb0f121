using System.Buffers.Binary;
using System.Diagnostics;

namespace OC.Tests.EndToEnd;

/// <summary>
/// The linux-arm64 binaries that ./test.sh cross-publishes on an x64 machine, and the command
/// that runs them there: OC_ARM64_APPLIANCE, OC_ARM64_CLI and OC_ARM64_RUNNER (qemu-user, e.g.
/// "qemu-aarch64"; words split on spaces; empty runs the binaries directly).
/// </summary>
internal sealed record Arm64Binaries(string Appliance, string Cli, string[] Runner)
{
    public const string ApplianceVariable = "OC_ARM64_APPLIANCE";
    public const string CliVariable = "OC_ARM64_CLI";
    public const string RunnerVariable = "OC_ARM64_RUNNER";

    /// <summary>e_machine of an ELF file for 64-bit ARM.</summary>
    private const ushort ElfMachineAArch64 = 183;

    /// <summary>Null unless both binaries are named.</summary>
    public static Arm64Binaries? FromEnvironment()
    {
        var appliance = Environment.GetEnvironmentVariable(ApplianceVariable);
        var cli = Environment.GetEnvironmentVariable(CliVariable);
        if (string.IsNullOrEmpty(appliance) || string.IsNullOrEmpty(cli)) return null;
        var runner = (Environment.GetEnvironmentVariable(RunnerVariable) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new Arm64Binaries(appliance, cli, runner);
    }

    /// <summary>The runner and the binary, as one would type them.</summary>
    public string Describe(string binary) => string.Join(' ', [.. Runner, binary]);

    public ProcessStartInfo Start(string binary, IEnumerable<string> args)
    {
        var start = Runner.Length == 0 ? new ProcessStartInfo(binary) : new ProcessStartInfo(Runner[0]);
        foreach (var word in Runner.Skip(1)) start.ArgumentList.Add(word);
        if (Runner.Length > 0) start.ArgumentList.Add(binary);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.UseShellExecute = false;
        return start;
    }

    /// <summary>True when the file is an ELF executable for aarch64 (so the test cannot pass on an x64 binary by mistake).</summary>
    public static bool IsAArch64Elf(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using var file = File.OpenRead(path);
        if (file.Read(header) < header.Length) return false;
        return header[..4].SequenceEqual("\u007FELF"u8)
            && header[4] == 2 // ELFCLASS64
            && header[5] == 1 // little-endian
            && BinaryPrimitives.ReadUInt16LittleEndian(header[18..]) == ElfMachineAArch64;
    }
}
