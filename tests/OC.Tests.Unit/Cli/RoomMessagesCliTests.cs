using System.Text.Json;
using OC.CliClient.Chat;
using OC.CliClient.Commands;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol.Messages;

namespace OC.Tests.Cli;

/// <summary>Issue 14, item 4: how oc shows room entries, finds mentions, reads TO / #ROOM / --room, and counts unread.</summary>
public sealed class RoomMessagesCliTests
{
    private const uint Alice = 123456, Bob = 654321, Carol = 345678, Dave = 456789, Erin = 567890;
    private const uint Room = 482913;
    private const string On = "\u001b[1;7m", Off = "\u001b[0m";

    private static readonly Dictionary<uint, string> s_nicks = new() { [Alice] = "alice", [Bob] = "bob", [Carol] = "carol", [Dave] = "dave", [Erin] = "erin" };

    // Bob reads: history names him "bob", listen and chat "you".
    private static readonly RoomNames s_history = new(Bob, "bob", You: false, n => s_nicks[n]);
    private static readonly RoomNames s_live = new(Bob, "bob", You: true, n => s_nicks[n]);
    private static readonly Mentions s_plain = Mentions.Plain("bob", Bob);
    private static readonly Mentions s_styled = new("bob", Bob, style: true);

    private static RoomMessage Entry(RoomMessageKind kind, uint from, uint subject = 0, string text = "", byte[]? id = null, ulong seq = 10) =>
        new(seq, 0, Room, from, kind, subject, id ?? [], text);

    // ---- Mentions ----

    [Theory]
    [InlineData("@bob are you coming?", true)]
    [InlineData("lunch, @BOB?", true)]
    [InlineData("ask @654321 first", true)]
    [InlineData("(@bob)", true)]
    [InlineData("@bob", true)]
    [InlineData("mail me@bob.example", false)]
    [InlineData("@bobby knows", false)]
    [InlineData("@bob_2 knows", false)]
    [InlineData("@6543210", false)]
    [InlineData("@65432", false)]
    [InlineData("bob without an at", false)]
    [InlineData("@alice and @123456", false)]
    [InlineData("@", false)]
    public void A_mention_is_at_nick_or_at_number_as_a_word_of_its_own(string text, bool mentions)
    {
        Assert.Equal(mentions, s_plain.Names(text));
    }

    [Fact]
    public void Mentions_are_highlighted_bold_and_reversed_each_one()
    {
        Assert.Equal($"{On}@bob{Off}, {On}@654321{Off}: lunch?", s_styled.Highlight("@bob, @654321: lunch?"));
        Assert.Equal("hi @alice", s_styled.Highlight("hi @alice"));
    }

    [Fact]
    public void Without_style_the_text_is_unchanged_but_the_mention_is_still_found()
    {
        Assert.Equal("@bob hi", s_plain.Highlight("@bob hi"));
        Assert.True(s_plain.Names("@bob hi"));
        Assert.False(s_plain.Styled);
    }

    [Fact]
    public void A_nick_in_another_script_is_found_and_its_letters_end_a_match()
    {
        var mentions = new Mentions("小明", 111111, style: true);
        Assert.Equal($"{On}@小明{Off} 你好", mentions.Highlight("@小明 你好"));
        Assert.False(mentions.Names("@小明白"));
    }

    [Fact]
    public void The_only_escape_sequences_in_a_highlighted_message_are_oc_s_own()
    {
        // The sender's escape is neutralised first (SafeText), then the highlight adds exactly one pair.
        string line = RoomLines.Live(Entry(RoomMessageKind.Text, Alice, text: "\u001b[2J @bob \u001b]0;pwned\u0007"), "Lunch", s_live, s_styled);
        Assert.Equal($"[{MessageLines.LocalTime(0)}] [#482913 Lunch] alice: \uFFFD[2J {On}@bob{Off} \uFFFD]0;pwned\uFFFD", line);
        Assert.Equal(2, line.Count(c => c == '\u001b'));
    }

    [Theory]
    [InlineData(true, null, "xterm-256color", true)]
    [InlineData(false, null, "xterm-256color", false)]
    [InlineData(true, "1", "xterm-256color", false)]
    [InlineData(true, "", "xterm-256color", true)]
    [InlineData(true, null, "dumb", false)]
    public void Styles_need_a_terminal_no_NO_COLOR_and_a_TERM_that_is_not_dumb(bool terminal, string? noColor, string term, bool styles)
    {
        var variables = new Dictionary<string, string?> { ["NO_COLOR"] = noColor, ["TERM"] = term };
        var environment = new CliEnvironment(v => variables.GetValueOrDefault(v), () => TextReader.Null, TextWriter.Null, TextWriter.Null, false, "/tmp", terminal);
        Assert.Equal(styles, environment.Styles);
    }

    // ---- Each kind of entry ----

    [Fact]
    public void Each_kind_of_entry_reads_as_a_line_of_history()
    {
        string T(RoomMessage e) => RoomLines.Body(e, s_history, s_plain);
        Assert.Equal("alice: hi", T(Entry(RoomMessageKind.Text, Alice, text: "hi")));
        Assert.Equal("bob: mine", T(Entry(RoomMessageKind.Text, Bob, text: "mine")));
        Assert.Equal("* carol joined (invited by bob)", T(Entry(RoomMessageKind.Joined, Bob, Carol, "carol")));
        Assert.Equal("* alice joined", T(Entry(RoomMessageKind.Joined, Alice, Alice, "alice")));
        Assert.Equal("* bob left", T(Entry(RoomMessageKind.Left, Bob, Bob, "bob")));
        Assert.Equal("* dave was kicked by alice", T(Entry(RoomMessageKind.Kicked, Alice, Dave, "dave")));
        Assert.Equal("* erin owns the room now", T(Entry(RoomMessageKind.OwnerChanged, Alice, Erin, "erin")));
        Assert.Equal("* alice sent file notes.pdf (0f3a9c2e11d04b7a)",
            T(Entry(RoomMessageKind.File, Alice, text: "notes.pdf", id: [0x0f, 0x3a, 0x9c, 0x2e, 0x11, 0xd0, 0x4b, 0x7a])));
        Assert.Equal("* something this oc cannot show happened (entry kind 9)", T(Entry((RoomMessageKind)9, Alice, text: "?")));
        Assert.Equal($"[{MessageLines.LocalTime(1_700_000_000_000)}] alice: hi",
            RoomLines.History(Entry(RoomMessageKind.Text, Alice, text: "hi") with { TimeUnixMs = 1_700_000_000_000 }, s_history, s_plain));
    }

    [Fact]
    public void Live_lines_carry_the_room_and_say_you_for_the_user()
    {
        string L(RoomMessage e, string? name = "Lunch") => RoomLines.Live(e, name, s_live, s_plain)[(MessageLines.LocalTime(0).Length + 3)..];
        Assert.Equal("[#482913 Lunch] alice: hi", L(Entry(RoomMessageKind.Text, Alice, text: "hi")));
        Assert.Equal("[#482913] alice: hi", L(Entry(RoomMessageKind.Text, Alice, text: "hi"), null));
        Assert.Equal("[#482913 Lunch] you: mine", L(Entry(RoomMessageKind.Text, Bob, text: "mine")));
        Assert.Equal("[#482913 Lunch] * you joined (invited by alice)", L(Entry(RoomMessageKind.Joined, Alice, Bob, "bob")));
        Assert.Equal("[#482913 Lunch] * carol joined (invited by you)", L(Entry(RoomMessageKind.Joined, Bob, Carol, "carol")));
        Assert.Equal("[#482913 Lunch] * you left", L(Entry(RoomMessageKind.Left, Bob, Bob, "bob")));
        Assert.Equal("[#482913 Lunch] * you were kicked by alice", L(Entry(RoomMessageKind.Kicked, Alice, Bob, "bob")));
        Assert.Equal("[#482913 Lunch] * you own the room now", L(Entry(RoomMessageKind.OwnerChanged, Alice, Bob, "bob")));
    }

    [Fact]
    public void Names_and_text_from_the_network_are_made_safe_in_every_kind()
    {
        var names = new RoomNames(Bob, "bob", You: false, _ => "ev\u001b[31mil");
        Assert.Equal("ev\uFFFD[31mil: a\n    b", RoomLines.Body(Entry(RoomMessageKind.Text, Alice, text: "a\r\nb\r\n"), names, s_plain));
        Assert.Equal("* x<U+202E>y joined (invited by ev\uFFFD[31mil)", RoomLines.Body(Entry(RoomMessageKind.Joined, Alice, Carol, "x\u202Ey"), names, s_plain));
        Assert.Equal("* ev\uFFFD[31mil sent file a\uFFFDb (0000000000000000)", RoomLines.Body(Entry(RoomMessageKind.File, Alice, text: "a\u0007b"), names, s_plain));
        Assert.Equal("#482913 Lu\uFFFDnch", RoomLines.Label(Room, "Lu\u001bnch"));
    }

    [Fact]
    public void Listen_json_gives_every_room_entry_a_room_field_and_a_type()
    {
        JsonElement J(RoomMessage e)
        {
            using var document = JsonDocument.Parse(EventLines.RoomJson(e with { TimeUnixMs = 1_000 }, "Lunch", n => s_nicks[n], s_plain));
            return document.RootElement.Clone();
        }

        var text = J(Entry(RoomMessageKind.Text, Alice, text: "@bob hi", seq: 41));
        Assert.Equal(("roomMessage", Room, "Lunch", 41UL, "alice", "@bob hi", true),
            (text.GetProperty("type").GetString(), text.GetProperty("room").GetUInt32(), text.GetProperty("roomName").GetString(), text.GetProperty("seq").GetUInt64(),
             text.GetProperty("fromNick").GetString(), text.GetProperty("text").GetString(), text.GetProperty("mention").GetBoolean()));
        Assert.Equal("1970-01-01T00:00:01+00:00", text.GetProperty("time").GetString());

        var joined = J(Entry(RoomMessageKind.Joined, Alice, Carol, "carol"));
        Assert.Equal(("room", Room, "joined", Carol, "carol", Alice),
            (joined.GetProperty("type").GetString(), joined.GetProperty("room").GetUInt32(), joined.GetProperty("event").GetString(),
             joined.GetProperty("ocNumber").GetUInt32(), joined.GetProperty("nick").GetString(), joined.GetProperty("by").GetUInt32()));
        Assert.Equal("owner", J(Entry(RoomMessageKind.OwnerChanged, Alice, Erin, "erin")).GetProperty("event").GetString());

        var file = J(Entry(RoomMessageKind.File, Alice, text: "a.txt", id: [0, 0, 0, 0, 0, 0, 0, 0x2a]));
        Assert.Equal(("roomFile", Room, "000000000000002a", "a.txt"),
            (file.GetProperty("type").GetString(), file.GetProperty("room").GetUInt32(), file.GetProperty("fileId").GetString(), file.GetProperty("name").GetString()));

        var unknown = J(Entry((RoomMessageKind)9, Alice, text: "?"));
        Assert.Equal(("roomEntry", Room, 9), (unknown.GetProperty("type").GetString(), unknown.GetProperty("room").GetUInt32(), unknown.GetProperty("kind").GetInt32()));
    }

    [Fact]
    public void History_json_names_the_kind_and_gives_a_file_its_id_only()
    {
        string text = OutputJsonContext.Serialize(HistoryCommand.EntryOutput(Entry(RoomMessageKind.Text, Alice, text: "hi", seq: 7)), OutputJsonContext.Default.RoomEntryOutput);
        Assert.Equal("""{"seq":7,"time":"1970-01-01T00:00:00+00:00","room":482913,"kind":"text","from":123456,"subject":0,"text":"hi"}""", text);
        string file = OutputJsonContext.Serialize(HistoryCommand.EntryOutput(Entry(RoomMessageKind.File, Alice, text: "a", id: [0, 0, 0, 0, 0, 0, 1, 0])), OutputJsonContext.Default.RoomEntryOutput);
        Assert.Contains("\"kind\":\"file\"", file, StringComparison.Ordinal);
        Assert.Contains("\"fileId\":\"0000000000000100\"", file, StringComparison.Ordinal);
    }

    // ---- TO, #ROOM and --room ----

    [Theory]
    [InlineData("#482913", 482913u, null)]
    [InlineData("482913", 482913u, null)]
    [InlineData("#Lunch", 0u, "Lunch")]
    [InlineData("Lunch", 0u, "Lunch")]
    [InlineData("# Open plan ", 0u, "Open plan")]
    public void A_room_is_an_id_with_or_without_hash_or_a_name(string text, uint id, string? name)
    {
        Assert.True(RoomArgument.TryParseReference(text, out var room));
        Assert.Equal(new RoomReference(id, name), room);
    }

    [Theory]
    [InlineData("")]
    [InlineData("#")]
    [InlineData("#  ")]
    [InlineData(null)]
    public void Nothing_after_the_hash_is_no_room(string? text)
    {
        Assert.False(RoomArgument.TryParseReference(text, out _));
    }

    [Fact]
    public void Send_reads_a_friend_a_room_or_the_room_option()
    {
        Assert.Equal((new SendTarget(Bob, default), "hi|there", (string?)null), Unpack(SendCommand.Words("654321", ["hi", "there"], null)));
        Assert.Equal((new SendTarget(0, new RoomReference(Room, null)), "hi", (string?)null), Unpack(SendCommand.Words("#482913", ["hi"], null)));
        Assert.Equal((new SendTarget(0, new RoomReference(0, "Lunch")), "hi", (string?)null), Unpack(SendCommand.Words("#Lunch", ["hi"], null)));
        // With --room, TO is the first word of the text.
        Assert.Equal((new SendTarget(0, new RoomReference(Room, null)), "hi|there", (string?)null), Unpack(SendCommand.Words("hi", ["there"], "482913")));
        Assert.Equal((new SendTarget(0, new RoomReference(0, "Lunch")), "-", (string?)null), Unpack(SendCommand.Words("-", [], "Lunch")));

        Assert.Equal("the text of the message is missing", SendCommand.Words("#482913", [], null).Error);
        Assert.Equal("the text of the message is missing", SendCommand.Words(null, [], "#482913").Error);
        Assert.Equal("'bob' is not an OC number (six digits) nor a room (#123456)", SendCommand.Words("bob", ["hi"], null).Error);
        Assert.Equal("'#' is not a room (#123456, or # and the name of one of your rooms)", SendCommand.Words("#", ["hi"], null).Error);
        Assert.NotNull(SendCommand.Words(null, [], null).Error);
    }

    // Arrays compare by reference: the words as one string.
    [Theory]
    [InlineData("send", "#482913", "@bob", "lunch?")]
    [InlineData("send", "654321", "@bob")]
    [InlineData("send", "--room", "Lunch", "@654321", "hi")]
    public void A_mention_on_the_command_line_is_text_not_a_response_file(params string[] args)
    {
        var environment = new CliEnvironment(_ => null, () => TextReader.Null, TextWriter.Null, TextWriter.Null, false, "/tmp");
        var parse = OC.CliClient.OcCli.Parse(OC.CliClient.OcCli.Build(environment), args);
        Assert.Empty(parse.Errors);
        Assert.Contains(args.First(a => a.StartsWith('@')), parse.Tokens.Select(t => t.Value));
    }

    private static (SendTarget, string, string?) Unpack((SendTarget Target, string[] Words, string? Error) r) => (r.Target, string.Join('|', r.Words), r.Error);

    [Fact]
    public void History_reads_a_user_a_room_or_the_room_option_but_not_both()
    {
        Assert.Equal(new SendTarget(Bob, default), HistoryCommand.Target("654321", null).Target);
        Assert.Equal(new SendTarget(0, new RoomReference(Room, null)), HistoryCommand.Target("#482913", null).Target);
        Assert.Equal(new SendTarget(0, new RoomReference(Room, null)), HistoryCommand.Target(null, "482913").Target);
        Assert.Equal(new SendTarget(0, new RoomReference(0, "Lunch")), HistoryCommand.Target(null, "#Lunch").Target);
        Assert.Equal("either 654321 or --room 482913, not both", HistoryCommand.Target("654321", "482913").Error);
        Assert.NotNull(HistoryCommand.Target(null, null).Error);
        Assert.NotNull(HistoryCommand.Target("12", null).Error);
    }

    [Fact]
    public void A_room_name_must_name_exactly_one_of_the_user_s_rooms()
    {
        List<RoomInfo> rooms = [new(100001, "Lunch", Alice, false, 3), new(100002, "lab", Alice, false, 2), new(100003, "Lab", Bob, true, 5)];
        Assert.Equal(100001u, RoomArgument.Find(rooms, "lunch", out string? none));
        Assert.Null(none);
        Assert.Null(RoomArgument.Find(rooms, "lab", out string? several));
        Assert.Equal("several rooms of yours are called 'lab': #100002, #100003; use the id", several);
        Assert.Null(RoomArgument.Find(rooms, "Dinner", out string? missing));
        Assert.StartsWith("no room of yours is called 'Dinner'", missing, StringComparison.Ordinal);
    }

    // ---- Unread ----

    [Fact]
    public void Unread_counts_others_messages_and_files_above_the_cursor_not_seen_there()
    {
        List<RoomMessage> newest =
        [
            Entry(RoomMessageKind.Text, Alice, text: "old", seq: 5),
            Entry(RoomMessageKind.Joined, Alice, Carol, "carol", seq: 11),
            Entry(RoomMessageKind.Text, Bob, text: "mine", seq: 12),
            Entry(RoomMessageKind.Text, Alice, text: "new", seq: 13),
            Entry(RoomMessageKind.Text, Carol, text: "seen in chat", seq: 14),
            Entry(RoomMessageKind.File, Carol, text: "f", seq: 15),
        ];
        var cursor = new Cursor(10, new HashSet<ulong> { 14 });
        Assert.Equal((2, false), RoomUnread.Count(newest, olderExist: true, cursor, Bob));
        Assert.Equal((0, false), RoomUnread.Count(newest, olderExist: false, new Cursor(15, new HashSet<ulong>()), Bob));
        // The whole page is above the cursor and older entries exist: there may be more.
        Assert.Equal((3, true), RoomUnread.Count(newest[1..], olderExist: true, new Cursor(4, new HashSet<ulong>()), Bob));
        Assert.Equal((0, false), RoomUnread.Count([], olderExist: false, Cursor.Zero, Bob));
    }

    [Theory]
    [InlineData(0, false, "")]
    [InlineData(3, false, "  3 unread")]
    [InlineData(99, false, "  99 unread")]
    [InlineData(100, false, "  99+ unread")]
    [InlineData(40, true, "  40+ unread")]
    [InlineData(99, true, "  99+ unread")]
    [InlineData(0, true, "")]
    public void Unread_is_shown_up_to_99_plus(int unread, bool more, string shown)
    {
        Assert.Equal(shown, RoomUnread.Text(unread, more));
    }
}
