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
        Assert.Equal(0, read.Room);
    }

    [Fact]
    public void A_room_file_keeps_its_room_and_a_sidecar_from_before_room_files_reads_as_a_file_to_one_friend()
    {
        var room = new FileRecord
        {
            Id = 5, From = 111111, To = 0, Room = 654321, Name = "minutes.pdf", Size = 10, Sha256 = new byte[32], Key = new byte[32],
            CreatedMs = 1, State = FileState.Complete, Confirmed = 10, TouchedMs = 1,
        };
        using var stream = new MemoryStream();
        room.WriteTo(stream);
        var read = FileRecord.TryRead(new MemoryStream(stream.ToArray()));
        Assert.NotNull(read);
        Assert.Equal((0, 654321), (read.To, read.Room));

        var older = FileRecord.TryRead(new MemoryStream(stream.ToArray()[..^4])); // without i32 room
        Assert.NotNull(older);
        Assert.Equal(0, older.Room);
        Assert.Null(FileRecord.TryRead(new MemoryStream(stream.ToArray()[..^2]))); // cut inside the room
    }

    [Fact]
    public void A_sidecar_from_before_the_seal_fields_reads_as_an_upload_offered_with_its_hash()
    {
        using var stream = new MemoryStream();
        Sample(hashAtEnd: false).WriteTo(stream);
        var older = stream.ToArray()[..^37]; // without u8 hashAtEnd, the 32-byte key and the i32 room
        var read = FileRecord.TryRead(new MemoryStream(older));
        Assert.NotNull(read);
        Assert.False(read.HashAtEnd);
        Assert.Equal(4096, read.Confirmed);

        Assert.Null(FileRecord.TryRead(new MemoryStream(stream.ToArray()[..^10]))); // cut inside the key
    }
}
