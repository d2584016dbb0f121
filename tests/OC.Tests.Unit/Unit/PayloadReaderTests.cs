using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Unit;

public class PayloadReaderTests
{
    private static byte[] PayloadOf(Action<ByteBuffer> write)
    {
        var buffer = new ByteBuffer();
        write(buffer);
        return buffer.Span[Frame.HeaderSize..].ToArray();
    }

    [Fact]
    public void Every_message_round_trips()
    {
        var register = new Register("小明 🙂", "a@b.c", new byte[16], 4096, new byte[32], Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        Assert.True(Register.TryRead(PayloadOf(b => Register.Write(b, 1, register)), out var r));
        Assert.Equal(register.Nick, r.Nick);
        Assert.Equal(register.ServerKey, r.ServerKey);
        Assert.Equal(4096u, r.Iterations);

        var welcome = new Welcome(1, 1 << 20, 90, 256, "pi", "0123", "oc-appliance 0.1.0");
        Assert.True(Welcome.TryRead(PayloadOf(b => Welcome.Write(b, 1, welcome)), out var w));
        Assert.Equal(welcome, w);

        var loggedIn = new LoggedIn("v=abc", new byte[32], 123456, "nick");
        Assert.True(LoggedIn.TryRead(PayloadOf(b => LoggedIn.Write(b, 1, loggedIn)), out var l));
        Assert.Equal(loggedIn.OcNumber, l.OcNumber);
        Assert.Equal(loggedIn.ServerFinal, l.ServerFinal);

        var info = new UserInfo(654321, "n", "", -5);
        Assert.True(UserInfo.TryRead(PayloadOf(b => UserInfo.Write(b, 1, info)), out var i));
        Assert.Equal(info, i);
    }

    [Fact]
    public void Truncated_payloads_are_rejected_at_every_length()
    {
        var payload = PayloadOf(b => Hello.Write(b, 1, new Hello(1, 1, "client")));
        for (int n = 0; n < payload.Length; n++)
        {
            Assert.False(Hello.TryRead(payload.AsSpan(0, n), out _), $"accepted a payload cut to {n} bytes");
        }
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var payload = PayloadOf(b => Hello.Write(b, 1, new Hello(1, 1, "client")));
        Assert.False(Hello.TryRead([.. payload, 0], out _));
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        // string "\xC3\x28": an invalid two-byte sequence.
        byte[] payload = [0, 1, 0, 1, 0, 2, 0xC3, 0x28];
        Assert.False(Hello.TryRead(payload, out _));
    }

    [Fact]
    public void Strings_over_their_limit_are_rejected()
    {
        var payload = PayloadOf(b => Hello.Write(b, 1, new Hello(1, 1, new string('x', 65))));
        Assert.False(Hello.TryRead(payload, out _));
    }

    [Fact]
    public void Byte_buffer_compacts_and_grows_without_losing_data()
    {
        var buffer = new ByteBuffer();
        var expected = new List<byte>();
        var random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            var chunk = new byte[random.Next(1, 3000)];
            random.NextBytes(chunk);
            buffer.Write(chunk);
            expected.AddRange(chunk);
            int consume = random.Next(0, buffer.Length + 1);
            buffer.Consume(consume);
            expected.RemoveRange(0, consume);
            Assert.Equal(expected.ToArray(), buffer.Span.ToArray());
        }
        buffer.Release();
        Assert.True(buffer.IsEmpty);
        Assert.Equal(0, buffer.Capacity);
    }
}
