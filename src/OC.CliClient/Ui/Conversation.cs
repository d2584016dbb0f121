using OC.Protocol.Messages;

namespace OC.CliClient.Ui;

/// <summary>One line of a conversation: a message (received, sent here, or sent from another device of mine).</summary>
internal sealed class Entry
{
    /// <summary>The appliance's seq; 0 while a message typed here is not acknowledged yet.</summary>
    public ulong Seq { get; set; }

    public long TimeUnixMs { get; init; }

    public uint From { get; init; }

    public string Text { get; init; } = "";

    public bool Delivered { get; set; }

    /// <summary>Refused by the appliance (the reason is shown on the status row).</summary>
    public bool Failed { get; set; }

    /// <summary>The message id, which recognises a message sent here when history brings it too.</summary>
    public byte[]? MessageId { get; init; }

    /// <summary>Not a message: a line about the conversation (a file arrived).</summary>
    public bool Notice { get; init; }
}

/// <summary>A file of a conversation, as the files panel lists it.</summary>
internal sealed class FileItem(FileEntry entry)
{
    public FileEntry Entry { get; set; } = entry;

    /// <summary>Bytes done of a download or upload running now; -1 when none runs.</summary>
    public long Progress { get; set; } = -1;

    public bool Downloaded { get; set; }

    /// <summary>Where the download went, or why it failed.</summary>
    public string? Note { get; set; }
}

/// <summary>A conversation in the list: a friend or a room, with what the screen knows of it.</summary>
internal sealed class Conversation(uint number, string nick, bool isRoom = false)
{
    /// <summary>The friend's OC number, or the room's id (a number space of its own).</summary>
    public uint Number { get; } = number;

    public bool IsRoom { get; } = isRoom;

    /// <summary>A room's member count (ROOM_LIST).</summary>
    public int Members { get; set; }

    /// <summary>The nicknames of a room's members (ROOM_MEMBERS, and the names its join entries carry).</summary>
    public Dictionary<uint, string> MemberNicks { get; } = [];

    /// <summary>The key of <see cref="UiApp"/>'s conversations: friends and rooms apart.</summary>
    public long Key => KeyOf(Number, IsRoom);

    public static long KeyOf(uint number, bool room) => room ? (1L << 32) | number : number;

    public string Nick { get; set; } = nick;

    public bool Online { get; set; }

    /// <summary>A friend (a member, for a room): listed even without messages.</summary>
    public bool Friend { get; set; } = true;

    public int Unread { get; set; }

    public long LastActivityUnixMs { get; set; }

    /// <summary>The messages known, oldest first (by seq; unacknowledged ones at the end).</summary>
    public List<Entry> Entries { get; } = [];

    /// <summary>Whether the appliance has older messages than <see cref="Entries"/>' first (unknown until the first HISTORY page).</summary>
    public bool MoreHistory { get; set; } = true;

    public bool HistoryLoaded { get; set; }

    public bool HistoryLoading { get; set; }

    public List<FileItem> Files { get; } = [];

    public bool FilesLoaded { get; set; }

    /// <summary>Adds a live message at the end unless it is known already (by seq or message id).</summary>
    public bool Add(Entry entry)
    {
        if (Knows(entry)) return false;
        Entries.Add(entry);
        LastActivityUnixMs = Math.Max(LastActivityUnixMs, entry.TimeUnixMs);
        return true;
    }

    /// <summary>
    /// A HISTORY page (oldest first): the messages not known yet go before the first message
    /// whose seq is higher, else at the end (the newest page, asked while the live ones came).
    /// </summary>
    public void AddOlder(IEnumerable<Entry> page)
    {
        foreach (var entry in page)
        {
            if (Knows(entry)) continue;
            int at = Entries.FindIndex(e => e.Seq == 0 || e.Seq > entry.Seq); // Unacknowledged ones are the newest.
            if (at < 0) Entries.Add(entry);
            else Entries.Insert(at, entry);
            LastActivityUnixMs = Math.Max(LastActivityUnixMs, entry.TimeUnixMs);
        }
    }

    /// <summary>The seq of the oldest message known (what the next older page is asked before); 0 when none.</summary>
    public ulong OldestSeq => Entries.Where(e => e.Seq != 0).Select(e => e.Seq).DefaultIfEmpty(0UL).Min();

    private bool Knows(Entry entry) =>
        (entry.Seq != 0 && Entries.Any(e => e.Seq == entry.Seq))
        || (entry.MessageId is { } id && Entries.Any(e => e.MessageId is { } other && other.AsSpan().SequenceEqual(id)));

    public FileItem AddFile(FileEntry file)
    {
        var item = Files.FirstOrDefault(f => f.Entry.FileId == file.FileId);
        if (item is null)
        {
            item = new FileItem(file);
            Files.Add(item);
        }
        else
        {
            item.Entry = file;
        }

        return item;
    }
}
