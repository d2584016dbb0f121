using System.Collections.Concurrent;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;
using OC.Tests.Integration;

namespace OC.Tests.EndToEnd;

/// <summary>The appliance as a real process (AOT under ./test.sh): signals, crashes, restarts.</summary>
public class ApplianceProcessTests
{
    [Fact]
    public async Task Sigterm_finishes_and_exits_zero_and_the_data_stays()
    {
        var data = TempDirectory.Create("oc-proc");
        try
        {
            uint number;
            using (var appliance = new ApplianceProcess(data))
            {
                await using var connection = await appliance.ConnectAsync();
                number = await TestUsers.RegisterAsync(connection, "sigterm", "pw");
                Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
                Assert.Contains("appliance.stopped", appliance.Log, StringComparison.Ordinal);
            }

            using var again = new ApplianceProcess(data);
            await using var second = await again.ConnectAsync();
            Assert.Equal(number, (await TestUsers.LoginAsync(second, number, "pw")).OcNumber);
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task The_friends_flag_open_makes_adding_a_friend_mutual_at_once_and_a_bad_value_is_refused()
    {
        var data = TempDirectory.Create("oc-proc-friends");
        try
        {
            using (var appliance = new ApplianceProcess(data, "--friends", "open"))
            {
                appliance.WaitForLog("friends.open", TimeSpan.FromSeconds(30));
                await using var alice = await appliance.ConnectAsync();
                await using var bob = await appliance.ConnectAsync();
                uint a = await TestUsers.RegisterAsync(alice, "alice", "pw");
                uint b = await TestUsers.RegisterAsync(bob, "bob", "pw");
                await TestUsers.LoginAsync(alice, a, "pw");
                await TestUsers.LoginAsync(bob, b, "pw");
                Assert.True((await OcFriends.AddAsync(alice, b)).Friend);
                Assert.Equal([a], (await OcFriends.ListAsync(bob)).Select(f => f.OcNumber));
            }

            // The default is consent: the same data, a request this time.
            using (var appliance = new ApplianceProcess(data))
            {
                await using var carol = await appliance.ConnectAsync();
                uint c = await TestUsers.RegisterAsync(carol, "carol", "pw");
                await TestUsers.LoginAsync(carol, c, "pw");
                var someone = await appliance.ConnectAsync();
                await using var _ = someone;
                uint d = await TestUsers.RegisterAsync(someone, "dave", "pw");
                Assert.False((await OcFriends.AddAsync(carol, d)).Friend);
            }

            var start = ApplianceProcess.Command(["--data", data, "--friends", "bogus"]);
            start.RedirectStandardError = true;
            using var refused = System.Diagnostics.Process.Start(start)!;
            string error = await refused.StandardError.ReadToEndAsync();
            await refused.WaitForExitAsync();
            Assert.Equal(2, refused.ExitCode);
            Assert.Equal("oc-appliance: --friends must be consent or open, not 'bogus' (see oc-appliance --help)\n", error.ReplaceLineEndings("\n"));
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task Every_acknowledged_registration_survives_kill_9()
    {
        var data = TempDirectory.Create("oc-kill9");
        try
        {
            var acknowledged = new ConcurrentBag<uint>();
            var credentials = ScramCredentials.Derive("pw", ScramCredentials.NewSalt(), TestUsers.Iterations);
            using (var appliance = new ApplianceProcess(data))
            {
                var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var writers = Enumerable.Range(0, 4).Select(async w =>
                {
                    await using var connection = await appliance.ConnectAsync();
                    try
                    {
                        // Keep 32 registrations in flight per connection until the process dies.
                        var inFlight = new List<Task<ReceivedFrame>>();
                        for (int i = 0; i < 100_000; i++)
                        {
                            inFlight.Add(connection.RequestAsync((b, id) => Register.Write(b, id,
                                new Register($"k{w}-{i}", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey))));
                            if (inFlight.Count < 32) continue;
                            var done = await Task.WhenAny(inFlight);
                            inFlight.Remove(done);
                            var reply = await done;
                            Assert.True(Registered.TryRead(reply.Payload, out var registered));
                            acknowledged.Add(registered.OcNumber);
                            if (acknowledged.Count >= 2000) enough.TrySetResult();
                        }
                    }
                    catch (OcConnectionException)
                    {
                        // The appliance was killed under us: expected.
                    }
                }).ToArray();

                await enough.Task.WaitAsync(TimeSpan.FromSeconds(120));
                appliance.KillHard();
                await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
            }

            Assert.True(acknowledged.Count >= 2000);
            var numbers = acknowledged.ToList();
            Assert.Equal(numbers.Count, numbers.Distinct().Count());

            // Read the files the killed process left, exactly as they are: every acknowledged
            // account must be there (the log file holds the flushed commits).
            using (var db = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Path.Combine(data, "oc.db"), Connection = LiteDB.ConnectionType.Direct }))
            {
                var missing = numbers.Where(n => OC.Appliance.Storage.AccountStore.FindUser(db, (int)n) is null).ToList();
                Assert.True(missing.Count == 0, $"{missing.Count} of {numbers.Count} acknowledged accounts lost, e.g. {string.Join(", ", missing.Take(5))}");
            }

            // And the appliance starts on those files and logs them in.
            using var restarted = new ApplianceProcess(data);
            await using var check = await restarted.ConnectAsync();
            foreach (var number in numbers.Take(5))
            {
                Assert.Equal(number, (await TestUsers.LoginAsync(check, number, "pw")).OcNumber);
                await check.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id));
            }
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}
