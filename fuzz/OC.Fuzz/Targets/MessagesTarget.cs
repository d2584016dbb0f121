using System.Buffers.Binary;
using System.Text;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using T = OC.Protocol.Framing.FrameType;

namespace OC.Fuzz.Targets;

/// <summary>
/// Every message reader of OC.Protocol, both directions. The input is a frame type (u16 BE) and a
/// payload (the rest); the type picks the reader the appliance or the client uses for it. Checks:
/// no reader throws; what it allocates is explained by the payload (<see cref="Budget"/>); and a
/// payload it accepts, written again by the matching writer, reads again and writes the same bytes
/// (write ∘ read is stable, so nothing read is lost or invented on the way).
/// </summary>
internal sealed class MessagesTarget : FuzzTarget
{
    // A reader copies what it keeps: UTF-16 strings (2 bytes a byte, plus ~22 of header), arrays
    // (24 of header) and list slots (an entry of at least 8 payload bytes takes at most 64 in a
    // List<FileEntry>). 16 per payload byte covers all of it; 1 KiB fixed covers this target's own
    // closures (about 700 bytes, the same for every input) and an empty message.
    private static readonly AllocationBudget Budget = new("a message reader", 1024, 16);

    // Made on first use: instrumented code may run only inside the fuzzer's callback.
    private ByteBuffer? _first;
    private ByteBuffer? _second;

    public override string Name => "messages";
    public override string Description => "every OC.Protocol message reader (u16 frame type + payload); write(read(x)) is stable";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2) return;
        var type = (T)BinaryPrimitives.ReadUInt16BigEndian(input);
        var payload = input[2..];

        _first ??= new ByteBuffer();
        _second ??= new ByteBuffer();
        _first.Consume(_first.Length);
        long start = Budget.Start();
        bool known = TryRead(type, payload, out var message);
        Budget.Stop(start, payload.Length);
        if (!known || message is null) return;
        message(_first);

        var rewritten = PayloadOf(_first, type);
        Check.That(TryRead(type, rewritten, out var again) && again is not null, $"{type}: the payload written again does not read");
        _second.Consume(_second.Length);
        again!(_second);
        Check.That(_second.Span.SequenceEqual(_first.Span), $"{type}: write(read(x)) is not stable");
    }

    private static ReadOnlySpan<byte> PayloadOf(ByteBuffer written, T type)
    {
        var status = FrameParser.TryReadFrame(written.Span, int.MaxValue - 16, out var header);
        Check.That(status == FrameStatus.Complete && header.TotalLength == written.Length, $"{type}: the writer did not write one whole frame");
        Check.That(header.Type == type, $"{type}: the writer wrote a {header.Type} frame");
        return written.Span.Slice(Frame.HeaderSize, header.PayloadLength);
    }

    /// <summary>
    /// Reads <paramref name="payload"/> as the frame type says; <paramref name="write"/> writes
    /// what was read (null when the reader refused it). False for a type without a reader.
    /// </summary>
    private static bool TryRead(T type, ReadOnlySpan<byte> payload, out Action<ByteBuffer>? write)
    {
        const uint id = 7;
        write = null;
        switch (type)
        {
            case T.Ping or T.Pong or T.Ok or T.Logout or T.WhoAmI or T.FriendList or T.OnlineList:
                if (EmptyFrame.TryRead(payload)) write = b => EmptyFrame.Write(b, type, id);
                return true;
            case T.Hello:
                if (Hello.TryRead(payload, out var hello)) write = b => Hello.Write(b, id, hello);
                return true;
            case T.Welcome:
                if (Welcome.TryRead(payload, out var welcome)) write = b => Welcome.Write(b, id, welcome);
                return true;
            case T.Error:
                if (ErrorReply.TryRead(payload, out var error)) write = b => ErrorReply.Write(b, id, error);
                return true;
            case T.Register:
                if (Register.TryRead(payload, out var register)) write = b => Register.Write(b, id, register);
                return true;
            case T.Registered:
                if (Registered.TryRead(payload, out var registered)) write = b => Registered.Write(b, id, registered);
                return true;
            case T.LoginStart or T.LoginChallenge or T.LoginFinish:
                if (ScramStep.TryRead(payload, out var scram)) write = b => ScramStep.Write(b, type, id, scram);
                return true;
            case T.LoggedIn:
                if (LoggedIn.TryRead(payload, out var loggedIn)) write = b => LoggedIn.Write(b, id, loggedIn);
                return true;
            case T.Resume:
                if (Resume.TryRead(payload, out var resume)) write = b => Resume.Write(b, id, resume);
                return true;
            case T.UserInfo:
                if (UserInfo.TryRead(payload, out var info)) write = b => UserInfo.Write(b, id, info);
                return true;
            case T.FindUser or T.FriendAdd or T.FriendRemove or T.FriendRemoved:
                if (UserNumber.TryRead(payload, out uint number)) write = b => UserNumber.Write(b, type, id, number);
                return true;
            case T.FileList:
                if (FileListRequest.TryRead(payload, out var list)) write = b => FileListRequest.Write(b, id, list);
                return true;
            case T.UserCard or T.FriendAdded:
                if (UserCard.TryRead(payload, out var card)) write = b => UserCard.Write(b, type, id, card);
                return true;
            case T.Friends or T.OnlineUsers:
                if (UserList.TryRead(payload, out var users)) write = b => UserList.Write(b, type, id, users);
                return true;
            case T.Presence:
                if (PresenceEvent.TryRead(payload, out var presence)) write = b => PresenceEvent.Write(b, presence);
                return true;
            case T.Send:
                if (SendMessage.TryRead(payload, out uint to, out var messageId, out var text))
                {
                    var send = new SendMessage(to, messageId.ToArray(), Encoding.UTF8.GetString(text));
                    write = b => SendMessage.Write(b, id, send);
                }
                return true;
            case T.Sent:
                if (Sent.TryRead(payload, out var sent)) write = b => Sent.Write(b, id, sent);
                return true;
            case T.Message:
                if (ChatMessage.TryRead(payload, out var chat)) write = b => ChatMessage.Write(b, chat);
                return true;
            case T.Sync or T.Delivered:
                if (SeqNumber.TryRead(payload, out ulong seq)) write = b => SeqNumber.Write(b, type, id, seq);
                return true;
            case T.Synced:
                if (Synced.TryRead(payload, out var synced)) write = b => Synced.Write(b, id, synced);
                return true;
            case T.History:
                if (HistoryRequest.TryRead(payload, out var history)) write = b => HistoryRequest.Write(b, id, history);
                return true;
            case T.HistoryPage:
                if (HistoryPage.TryRead(payload, out bool more, out var messages)) write = b => WriteHistoryPage(b, id, more, messages);
                return true;
            case T.RoomSend:
                if (RoomSend.TryRead(payload, out uint roomId, out var roomMessageId, out var roomText))
                {
                    var roomSend = new RoomSend(roomId, roomMessageId.ToArray(), Encoding.UTF8.GetString(roomText));
                    write = b => RoomSend.Write(b, id, roomSend);
                }
                return true;
            case T.RoomMessage:
                if (RoomMessage.TryRead(payload, out var roomMessage)) write = b => RoomMessage.Write(b, roomMessage);
                return true;
            case T.RoomHistory:
                if (RoomHistoryRequest.TryRead(payload, out var roomHistory)) write = b => RoomHistoryRequest.Write(b, id, roomHistory);
                return true;
            case T.RoomHistoryPage:
                if (RoomHistoryPage.TryRead(payload, out uint pageRoom, out bool roomMore, out var roomMessages))
                    write = b => WriteRoomHistoryPage(b, id, pageRoom, roomMore, roomMessages);
                return true;
            case T.FileOffer:
                if (FileOffer.TryRead(payload, out var offer)) write = b => FileOffer.Write(b, id, offer);
                return true;
            case T.FileAccepted:
                if (FileAccepted.TryRead(payload, out var accepted)) write = b => FileAccepted.Write(b, id, accepted);
                return true;
            case T.FileChunk or T.FileData:
                if (FileChunk.TryRead(payload, out ulong fileId, out ulong offset, out var data))
                {
                    byte[] bytes = data.ToArray();
                    write = b => FileChunk.Write(b, type, fileId, offset, bytes);
                }
                return true;
            case T.FileProgress:
                if (FileProgress.TryRead(payload, out var progress)) write = b => FileProgress.Write(b, progress);
                return true;
            case T.FileEntries:
                if (FileEntry.TryReadList(payload, out var entries)) write = b => FileEntry.WriteList(b, id, entries);
                return true;
            case T.FileGet or T.FileAck:
                if (FilePosition.TryRead(payload, out ulong getId, out ulong at)) write = b => FilePosition.Write(b, type, type == T.FileAck ? 0 : id, getId, at);
                return true;
            case T.FileReceived:
                if (FileEntry.TryRead(payload, out var received)) write = b => FileEntry.WriteReceived(b, received);
                return true;
            case T.FileSeal:
                if (FileSeal.TryRead(payload, out var seal)) write = b => FileSeal.Write(b, id, seal);
                return true;
            default:
                return false;
        }
    }

    private static void WriteHistoryPage(ByteBuffer buffer, uint requestId, bool more, List<ChatMessage> messages)
    {
        var w = HistoryPage.Begin(buffer, requestId, more, messages.Count);
        foreach (var m in messages) HistoryPage.WriteEntry(ref w, m.Seq, m.TimeUnixMs, m.From, m.To, m.MessageId, Encoding.UTF8.GetBytes(m.Text));
        w.End();
    }

    private static void WriteRoomHistoryPage(ByteBuffer buffer, uint requestId, uint roomId, bool more, List<RoomMessage> messages)
    {
        var w = RoomHistoryPage.Begin(buffer, requestId, roomId, more, messages.Count);
        foreach (var m in messages)
            RoomHistoryPage.WriteEntry(ref w, m.Seq, m.TimeUnixMs, m.RoomId, m.From, m.Kind, m.Subject, m.MessageId, Encoding.UTF8.GetBytes(m.Text));
        w.End();
    }

    public override IEnumerable<(string, byte[])> Seeds() =>
        Frames().Select(f => (f.Name, (byte[])[.. f.Frame.AsSpan(4, 2), .. f.Frame.AsSpan(Frame.HeaderSize)]));

    /// <summary>A valid frame of every type, with the values the protocol tests use.</summary>
    public static IEnumerable<(string Name, byte[] Frame)> Frames()
    {
        byte[] id16 = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
        byte[] key32 = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7))];
        var card = new UserCard(123456, "Ada", true, true);
        var entry = new FileEntry(0x0102030405060708, 123456, 654321, "report.pdf", 1_000_000, 500_000, key32, 1_700_000_000_000, FileState.Uploading);
        (string, Action<ByteBuffer>)[] all =
        [
            ("hello", b => Hello.Write(b, 1, new Hello(1, 1, "oc/0.1.0"))),
            ("welcome", b => Welcome.Write(b, 1, new Welcome(1, Frame.DefaultMaxPayload, 90, 256, "Office Pi", "00112233445566778899aabbccddeeff", "oc-appliance 0.1.0"))),
            ("error", b => ErrorReply.Write(b, 3, new ErrorReply(ErrorCode.Throttled, 30, "too many attempts"))),
            ("ping", b => EmptyFrame.Write(b, T.Ping, 2)),
            ("whoami", b => EmptyFrame.Write(b, T.WhoAmI, 4)),
            ("register", b => Register.Write(b, 5, new Register("Ada", "ada@example.org", key32[..16], 4096, key32, key32))),
            ("registered", b => Registered.Write(b, 5, new Registered(123456))),
            ("login-start", b => ScramStep.Write(b, T.LoginStart, 6, "n,,n=123456,r=fyko+d2lbbFgONRv9qkxdawL")),
            ("login-challenge", b => ScramStep.Write(b, T.LoginChallenge, 6, "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")),
            ("login-finish", b => ScramStep.Write(b, T.LoginFinish, 6, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")),
            ("logged-in", b => LoggedIn.Write(b, 6, new LoggedIn("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", key32, 123456, "Ada"))),
            ("resume", b => Resume.Write(b, 7, new Resume(key32))),
            ("user-info", b => UserInfo.Write(b, 4, new UserInfo(123456, "Ada", "ada@example.org", 1_700_000_000))),
            ("find-user", b => UserNumber.Write(b, T.FindUser, 8, 654321)),
            ("user-card", b => UserCard.Write(b, T.UserCard, 8, card)),
            ("friends", b => UserList.Write(b, T.Friends, 9, [card, new UserCard(654321, "Grace", false, true)])),
            ("presence", b => PresenceEvent.Write(b, new PresenceEvent(654321, true))),
            ("send", b => SendMessage.Write(b, 10, new SendMessage(654321, id16, "hello, Grace"))),
            ("sent", b => Sent.Write(b, 10, new Sent(42, 1_700_000_000_000))),
            ("message", b => ChatMessage.Write(b, new ChatMessage(42, 1_700_000_000_000, 123456, 654321, id16, "hello, Grace"))),
            ("sync", b => SeqNumber.Write(b, T.Sync, 11, 41)),
            ("synced", b => Synced.Write(b, 11, new Synced(42, false))),
            ("history", b => HistoryRequest.Write(b, 12, new HistoryRequest(654321, 0, 50))),
            ("history-page", b => WriteHistoryPage(b, 12, true, [new ChatMessage(41, 1_700_000_000_000, 654321, 123456, id16, "hi"), new ChatMessage(42, 1_700_000_000_001, 123456, 654321, id16, "hello, Grace")])),
            ("room-send", b => RoomSend.Write(b, 17, new RoomSend(500001, id16, "hello, room"))),
            ("room-message", b => RoomMessage.Write(b, new RoomMessage(43, 1_700_000_000_002, 500001, 123456, RoomMessageKind.Text, 0, id16, "hello, room"))),
            ("room-history", b => RoomHistoryRequest.Write(b, 18, new RoomHistoryRequest(500001, 0, 50))),
            ("room-history-page", b => WriteRoomHistoryPage(b, 18, 500001, false, [
                new RoomMessage(40, 1_700_000_000_000, 500001, 123456, RoomMessageKind.Joined, 654321, [], "Grace"),
                new RoomMessage(43, 1_700_000_000_002, 500001, 123456, RoomMessageKind.Text, 0, id16, "hello, room")])),
            ("file-offer", b => FileOffer.Write(b, 13, new FileOffer(654321, "report.pdf", 1_000_000, key32))),
            ("file-offer-hash-at-end", b => FileOffer.Write(b, 13, new FileOffer(654321, "report.pdf", 1_000_000, key32, HashAtEnd: true))),
            ("file-offer-room", b => FileOffer.Write(b, 13, new FileOffer(234567, "report.pdf", 1_000_000, key32, HashAtEnd: true, ToRoom: true))),
            ("file-list", b => FileListRequest.Write(b, 17, new FileListRequest(654321))),
            ("file-list-room", b => FileListRequest.Write(b, 17, new FileListRequest(234567, Room: true))),
            ("file-accepted", b => FileAccepted.Write(b, 13, new FileAccepted(0x0102030405060708, 0, 8 * 1024 * 1024))),
            ("file-chunk", b => FileChunk.Write(b, T.FileChunk, 0x0102030405060708, 0, "%PDF-1.7\n"u8)),
            ("file-progress", b => FileProgress.Write(b, new FileProgress(0x0102030405060708, 500_000, 8 * 1024 * 1024, FileState.Uploading))),
            ("file-entries", b => FileEntry.WriteList(b, 14, [entry, entry with { FileId = 9, State = FileState.Complete, Stored = 1_000_000 }])),
            ("file-get", b => FilePosition.Write(b, T.FileGet, 15, 0x0102030405060708, 0)),
            ("file-ack", b => FilePosition.Write(b, T.FileAck, 0, 0x0102030405060708, 262_144)),
            ("file-received", b => FileEntry.WriteReceived(b, entry)),
            ("file-received-room", b => FileEntry.WriteReceived(b, entry with { To = 0, Room = 234567, State = FileState.Complete })),
            ("file-seal", b => FileSeal.Write(b, 16, new FileSeal(0x0102030405060708, key32))),
        ];
        foreach (var (name, write) in all)
        {
            var buffer = new ByteBuffer();
            write(buffer);
            yield return (name, buffer.Span.ToArray());
        }
    }
}
