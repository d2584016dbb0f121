using OC.Appliance.Storage.Files;
using OC.Tests.Storage;

namespace OC.Tests.Fuzz;

/// <summary>What the fuzz campaign found in the storage readers, kept as tests.</summary>
public sealed class StorageFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_sidecar_whose_name_length_runs_over_five_bytes_is_not_read_and_the_store_still_opens()
    {
        // Found by the fuzzer: 0xFF bytes where the name's 7-bit length prefix is made BinaryReader
        // throw FormatException, which FileRecord.TryRead let through: the file store, and with it
        // the appliance, would not start because of one damaged sidecar.
        byte[] sidecar = FuzzRegressions.Read("sidecar", "name-length-of-six-bytes");
        using (var stream = new MemoryStream(sidecar)) Assert.Null(FileRecord.TryRead(stream));

        string files = Path.Combine(_dir.Path, "files");
        Directory.CreateDirectory(files);
        File.WriteAllBytes(Path.Combine(files, "0102030405060708.meta"), sidecar);
        using var store = new FileStore(_dir.Path, new FileLimits());
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void A_sidecar_with_a_negative_confirmed_length_is_not_read_and_the_store_still_opens()
    {
        // Found by the fuzzer: an uploading file's sidecar whose confirmed offset is negative made
        // FileStore.Load cut the .part to that length: ArgumentOutOfRangeException, no start.
        byte[] sidecar = FuzzRegressions.Read("sidecar", "negative-confirmed-length");
        using (var stream = new MemoryStream(sidecar)) Assert.Null(FileRecord.TryRead(stream));

        string files = Path.Combine(_dir.Path, "files");
        Directory.CreateDirectory(files);
        File.WriteAllBytes(Path.Combine(files, "0102030405060708.meta"), sidecar);
        using var store = new FileStore(_dir.Path, new FileLimits());
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Sidecars_with_sizes_no_store_writes_are_not_read()
    {
        var good = new FileRecord { Id = 1, From = 2, To = 3, Name = "a", Size = 10, Sha256 = new byte[32], Confirmed = 4 };
        Assert.NotNull(Read(good));
        Assert.Null(Read(new FileRecord { Id = 1, Name = "a", Size = -1, Sha256 = new byte[32] }));
        Assert.Null(Read(new FileRecord { Id = 1, Name = "a", Size = 10, Sha256 = new byte[32], Confirmed = 11 }));
        Assert.Null(Read(new FileRecord { Id = 1, Name = "a", Size = 10, Sha256 = new byte[32], State = (OC.Protocol.Messages.FileState)7 }));
    }

    private static FileRecord? Read(FileRecord record)
    {
        using var stream = new MemoryStream();
        record.WriteTo(stream);
        stream.Position = 0;
        return FileRecord.TryRead(stream);
    }

    [Fact]
    public void A_sidecar_with_a_negative_name_length_is_not_read()
    {
        byte[] sidecar = [.. "OCF1"u8, .. new byte[16], 0x80, 0x80, 0x80, 0x80, 0x08];   // length -2^31
        using var stream = new MemoryStream(sidecar);
        Assert.Null(FileRecord.TryRead(stream));
    }
}
