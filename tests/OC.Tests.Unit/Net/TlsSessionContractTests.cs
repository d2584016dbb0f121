using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using OC.Appliance.Net.Tls;
using OC.Appliance.Security;
using OC.Protocol.Framing;
using OC.Tests.Storage;

namespace OC.Tests.Net;

/// <summary>
/// The <see cref="ITlsSession"/> contract, for each engine (OpenSSL's memory BIOs, SslStream over
/// the loop's stream), with a real TLS client over memory and this test's own thread as the event
/// loop: Feed and Decrypt never block and never throw, the handshake and every record are worked
/// off inside the calls (nothing is left to another thread), ciphertext may come in any pieces and
/// plaintext may be taken in any pieces, and a failure is an Error and -1.
/// </summary>
public sealed class TlsSessionContractTests
{
    public static TheoryData<string> Engines { get; } = OpenSslServer.IsAvailable()
        ? new TheoryData<string> { TlsListener.OpenSsl, TlsListener.SslStream }
        : new TheoryData<string> { TlsListener.SslStream };

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_handshake_and_data_both_ways_complete_inside_the_calls_on_the_loop_thread(string engine) => OnLoopThread(engine, loop =>
    {
        Assert.Equal(engine, loop.Listener.Server.Engine);
        loop.Pump();

        // Nothing waited and no other thread ran: the pump found nothing more to move only once both sides were done.
        Assert.True(loop.Client.Handshake.IsCompletedSuccessfully, "the client's handshake did not complete");
        Assert.True(loop.Session.IsHandshakeDone);
        Assert.Equal(loop.Certificate, loop.Client.Certificate);

        var up = RandomNumberGenerator.GetBytes(100_000); // several records
        loop.Client.Ssl.Write(up);
        loop.Pump();
        Assert.Equal(up, loop.TakeReceived());

        var down = RandomNumberGenerator.GetBytes(150_000);
        Assert.True(loop.Session.Encrypt(down));
        Assert.Equal(down, loop.ClientReads(down.Length));
        loop.AssertIdle();
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void Ciphertext_fed_one_byte_at_a_time_gives_the_same_plaintext(string engine) => OnLoopThread(engine, loop =>
    {
        loop.Pump(chunk: 1);
        Assert.True(loop.Session.IsHandshakeDone);

        var up = RandomNumberGenerator.GetBytes(40_000);
        loop.Client.Ssl.Write(up);
        // While a record is incomplete nothing is decrypted, and the SslStream engine keeps the
        // partial record itself with no read of SslStream's waiting.
        loop.Pump(chunk: 1, afterEachFeed: loop.AssertIdle);
        Assert.Equal(up, loop.TakeReceived());
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_small_plaintext_buffer_gets_everything_in_order(string engine) => OnLoopThread(engine, loop =>
    {
        loop.Pump();
        var up = RandomNumberGenerator.GetBytes(20_000);
        loop.Client.Ssl.Write(up);

        loop.Pump(plainSize: 7);

        Assert.Equal(up, loop.TakeReceived());
        loop.AssertIdle();
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_corrupted_record_fails_the_session_with_an_error_and_nothing_is_thrown(string engine) => OnLoopThread(engine, loop =>
    {
        loop.Pump();
        loop.Client.Ssl.Write("a frame"u8);
        var record = loop.Client.TakeSent();
        record[^3] ^= 0x55; // in the authentication tag

        Assert.Equal(-1, loop.Feed(record));
        Assert.False(string.IsNullOrEmpty(loop.Session.Error));
        Assert.Equal(-1, loop.Session.Decrypt(new byte[100]));
        Assert.False(loop.Session.Encrypt("reply"u8));
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_handshake_record_that_is_no_ClientHello_fails_with_an_error(string engine) => OnLoopThread(engine, loop =>
    {
        byte[] garbage = [0x16, 0x03, 0x01, 0x00, 0x20, .. Enumerable.Repeat((byte)0x41, 32)];

        Assert.Equal(-1, loop.Feed(garbage));
        Assert.False(string.IsNullOrEmpty(loop.Session.Error));
        Assert.False(loop.Session.IsHandshakeDone);
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_record_longer_than_TLS_allows_fails_without_waiting_for_its_body(string engine) => OnLoopThread(engine, loop =>
    {
        loop.Pump();

        Assert.Equal(-1, loop.Feed([0x17, 0x03, 0x03, 0xff, 0xff, 0x00]));
        Assert.False(string.IsNullOrEmpty(loop.Session.Error));
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_peers_close_notify_ends_the_session(string engine) => OnLoopThread(engine, loop =>
    {
        loop.Pump();
        Assert.True(loop.Client.Ssl.ShutdownAsync().IsCompletedSuccessfully);

        Assert.Equal(-1, loop.Feed(loop.Client.TakeSent()));
        Assert.Contains("close_notify", loop.Session.Error, StringComparison.Ordinal);
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void Disposing_in_the_middle_of_the_handshake_is_quiet(string engine) => OnLoopThread(engine, loop =>
    {
        // The ClientHello only: the engine answered and waits for the client's Finished.
        Assert.Equal(0, loop.Feed(loop.Client.TakeSent()));
        Assert.False(loop.Wire.IsEmpty);
        Assert.False(loop.Session.IsHandshakeDone);

        loop.Session.Dispose();
        loop.Session.Dispose();
        Assert.Null(loop.Session.Error);
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void Disposing_with_a_partial_record_held_is_quiet(string engine) => OnLoopThread(engine, loop =>
    {
        loop.Pump();
        loop.Client.Ssl.Write(RandomNumberGenerator.GetBytes(5_000));
        var record = loop.Client.TakeSent();
        Assert.Equal(0, loop.Feed(record[..(record.Length / 2)]));

        loop.Session.Dispose();
        Assert.Null(loop.Session.Error);
    });

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_key_that_does_not_belong_to_the_certificate_stops_the_start(string engine)
    {
        using var folder = new TempDirectory();
        var identity = TlsIdentity.LoadOrCreate(folder.Path, "unit", "0123456789abcdef0123456789abcdef", DateTimeOffset.UtcNow);
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            File.WriteAllText(identity.KeyPath, other.ExportPkcs8PrivateKeyPem() + "\n");

        var e = Assert.Throws<TlsSetupException>(() => TlsListener.Create(identity.Files, engine));
        Assert.Contains(identity.KeyPath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_SslStream_engine_after_Dispose_answers_minus_one_and_false() => OnLoopThread(TlsListener.SslStream, loop =>
    {
        loop.Pump();
        loop.Session.Dispose();

        Assert.Equal(-1, loop.Feed([0x17, 0x03, 0x03, 0x00, 0x01, 0x00]));
        Assert.False(loop.Session.Encrypt("late"u8));
    });

    [Fact]
    public void The_SslStream_engine_stays_inline_on_a_thread_with_a_synchronization_context()
    {
        // A host's thread (a test runner's, a UI's) may have one; a Task would then queue SslStream's
        // continuations to it or the pool instead of running them inline.
        var context = new CountingContext();
        OnLoopThread(TlsListener.SslStream, loop =>
        {
            loop.Pump();
            Assert.True(loop.Session.IsHandshakeDone);
            loop.Client.Ssl.Write("a frame"u8);
            loop.Pump();
            Assert.Equal("a frame"u8.ToArray(), loop.TakeReceived());
            Assert.Same(context, SynchronizationContext.Current);
        }, context: context);
        Assert.Equal(0, context.Posted);
    }

    [Fact]
    public void The_SslStream_engine_counts_a_call_from_a_thread_other_than_the_loops()
    {
        // The check every SslStream-engine test relies on (OffLoopCalls stays 0) can see a violation.
        Loop? loop = null;
        OnLoopThread(TlsListener.SslStream, l =>
        {
            l.Pump();
            loop = l;
        }, dispose: false);
        using (loop)
        {
            var server = (SslStreamServer)loop!.Listener.Server;
            Assert.Equal(0, server.OffLoopCalls);

            loop.Session.Feed([0x17], 0, 1); // this test's thread is not the loop

            Assert.Equal(1, server.OffLoopCalls);
        }
    }

    /// <summary>Runs <paramref name="body"/> on a thread of its own (no synchronization context, as the appliance's loop), with a fresh engine, session and client.</summary>
    private static void OnLoopThread(string engine, Action<Loop> body, bool dispose = true, SynchronizationContext? context = null)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            Loop? loop = null;
            try
            {
                loop = new Loop(engine);
                body(loop);
                if (loop.Listener.Server is SslStreamServer server) Assert.Equal(0, server.OffLoopCalls);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                if (dispose) loop?.Dispose();
            }
        })
        { Name = "test-loop", IsBackground = true };
        thread.Start();
        // Everything runs inline on that thread: only a hang, a bug, takes long.
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the TLS engine hung");
        if (failure is not null) ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>Counts what is posted to it (and runs it on the pool, as a real one would run it somewhere).</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posted;

        public int Posted => Volatile.Read(ref _posted);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posted);
            base.Post(d, state);
        }
    }

    /// <summary>One engine's session and a client, with this thread as the event loop between them.</summary>
    private sealed class Loop : IDisposable
    {
        private readonly TempDirectory _folder = new();
        private readonly ByteBuffer _received = new();

        public Loop(string engine)
        {
            var identity = TlsIdentity.LoadOrCreate(_folder.Path, "unit", "0123456789abcdef0123456789abcdef", DateTimeOffset.UtcNow);
            Certificate = identity.LeafDer;
            Listener = TlsListener.Create(identity.Files, engine);
            Session = Listener.Server.CreateSession(Wire);
        }

        public TlsListener Listener { get; }
        public ITlsSession Session { get; }
        public ByteBuffer Wire { get; } = new();
        public MemoryTlsClient Client { get; } = new();
        public byte[] Certificate { get; }

        /// <summary>Moves bytes both ways until neither side has anything more to say.</summary>
        public void Pump(int chunk = int.MaxValue, int plainSize = 64 * 1024, Action? afterEachFeed = null)
        {
            bool moved = true;
            while (moved)
            {
                moved = false;
                if (Client.HasSent)
                {
                    var cipher = Client.TakeSent();
                    for (int offset = 0; offset < cipher.Length; offset += chunk)
                    {
                        int result = Feed(cipher.AsSpan(offset, Math.Min(chunk, cipher.Length - offset)).ToArray(), plainSize);
                        Assert.True(result == 0, $"Decrypt answered {result}: {Session.Error}");
                        if (Session.IsHandshakeDone) afterEachFeed?.Invoke();
                    }
                    moved = true;
                }
                if (!Wire.IsEmpty)
                {
                    var cipher = Wire.Span.ToArray();
                    Wire.Release();
                    Client.Deliver(cipher);
                    moved = true;
                }
            }
        }

        /// <summary>Feeds ciphertext and decrypts until the session has nothing more: 0, or -1 when it failed.</summary>
        public int Feed(byte[] cipher, int plainSize = 64 * 1024)
        {
            Session.Feed(cipher, 0, cipher.Length);
            var plain = new byte[plainSize];
            while (true)
            {
                int n = Session.Decrypt(plain);
                if (n <= 0) return n;
                _received.Write(plain.AsSpan(0, n));
            }
        }

        public byte[] TakeReceived()
        {
            var bytes = _received.Span.ToArray();
            _received.Release();
            return bytes;
        }

        /// <summary>Reads <paramref name="count"/> bytes on the client from what the session encrypted.</summary>
        public byte[] ClientReads(int count)
        {
            var into = new byte[count];
            int got = 0;
            while (got < count)
            {
                var read = Client.Ssl.ReadAsync(into.AsMemory(got));
                Pump();
                Assert.True(read.IsCompleted, $"the client waits for more after {got} of {count} bytes");
                got += read.Result;
            }
            return into;
        }

        /// <summary>The SslStream engine has no read of SslStream's outstanding: what an idle connection must cost.</summary>
        public void AssertIdle()
        {
            if (Session is SslStreamSession session) Assert.False(session.IsReadPending, "an SslStream read is left waiting");
        }

        public void Dispose()
        {
            Session.Dispose();
            Listener.Dispose();
            Client.Dispose();
            Wire.Release();
            _folder.Dispose();
        }
    }
}
