using OC.Appliance.Storage.Files;
using OC.Protocol.Messages;

namespace OC.Tests.Unit;

/// <summary>The per-file sidecar (FileRecord): written and read back, also in its older, shorter layout.</summary>
public class FileRecordTests
{
    private static FileRecord Sample(bool hashAtEnd) => new()
    {
        Id = 0x1234_5678_9abc_def0, From = 111111, To = 222222, Name = "名前.txt", Size = 5_000_000,
        Sha256 = hashAtEnd ? new byte[32] : Enumerable.Repeat((byte)7, 32).ToArray(),
        HashAtEnd = hashAtEnd, Key = hashAtEnd ? Enumerable.Repeat((byte)9, 32).ToArray() : new byte[32],
        CreatedMs = 1_700_000_000_000, State = FileState.Uploading, Confirmed = 4096, TouchedMs = 1_700_000_000_500,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_sidecar_reads_back_what_was_written(bool hashAtEnd)
    {
        var written = Sample(hashAtEnd);
        using var stream = new MemoryStream();
        written.WriteTo(stream);
        stream.Position = 0;
        var read = FileRecord.TryRead(stream);
        Assert.NotNull(read);
        Assert.Equal((written.Id, written.Name, written.Size, written.Confirmed, written.HashAtEnd), (read.Id, read.Name, read.Size, read.Confirmed, read.HashAtEnd));
        Assert.Equal(written.Key, read.Key);
        Assert.Equal(written.Sha256, read.Sha256);
    }

    [Fact]
    public void A_sidecar_from_before_the_seal_fields_reads_as_an_upload_offered_with_its_hash()
    {
        using var stream = new MemoryStream();
        Sample(hashAtEnd: false).WriteTo(stream);
        var older = stream.ToArray()[..^33]; // without u8 hashAtEnd and the 32-byte key
        var read = FileRecord.TryRead(new MemoryStream(older));
        Assert.NotNull(read);
        Assert.False(read.HashAtEnd);
        Assert.Equal(4096, read.Confirmed);

        Assert.Null(FileRecord.TryRead(new MemoryStream(stream.ToArray()[..^10]))); // cut inside the key
    }
}
