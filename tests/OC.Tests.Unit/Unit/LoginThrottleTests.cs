using System.Net;
using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Accounts;
using OC.Appliance.Net;

namespace OC.Tests.Unit;

/// <summary>
/// The login throttle's lockouts and their expiry, on a fake clock: the throttle is handed the
/// loop's time (<see cref="Clock.NowMs"/>) as AccountsHandler does, and the test moves it.
/// </summary>
public sealed class LoginThrottleTests
{
    private const int Account = 123456;
    private static readonly IPAddress Address = IPAddress.Parse("192.0.2.7");
    private static readonly IPAddress OtherAddress = IPAddress.Parse("192.0.2.8");

    private readonly FakeTimeProvider _time = new();
    private readonly LoginThrottle _throttle = new();

    private long Now => _time.NowMs();

    private void Fail(int times, int account = Account, IPAddress? address = null)
    {
        for (int i = 0; i < times; i++) _throttle.RecordFailure(account, address ?? Address, Now);
    }

    private uint? LockedFor(int account = Account, IPAddress? address = null) =>
        _throttle.IsLocked(account, address ?? Address, Now, out uint retryAfter) ? retryAfter : null;

    [Fact]
    public void Five_failures_are_free_and_the_sixth_locks_the_account_for_a_second()
    {
        Fail(LoginThrottle.FreeAccountFailures);
        Assert.Null(LockedFor());

        Fail(1);
        Assert.Equal(1u, LockedFor());
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1u, LockedFor()); // what is left, rounded up to a whole second
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(LockedFor());
    }

    [Fact]
    public void Each_further_failure_doubles_the_lock()
    {
        Fail(LoginThrottle.FreeAccountFailures + 1);
        foreach (uint seconds in new uint[] { 2, 4, 8, 16 })
        {
            Fail(1);
            Assert.Equal(seconds, LockedFor());
            _time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(1u, LockedFor());
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Null(LockedFor());
        }
    }

    [Fact]
    public void The_lock_stops_growing_at_fifteen_minutes()
    {
        Fail(LoginThrottle.FreeAccountFailures + 40);
        Assert.Equal(15u * 60, LockedFor());
        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Null(LockedFor());
    }

    [Fact]
    public void An_address_that_fails_on_many_accounts_is_locked_for_every_account_but_other_addresses_are_not()
    {
        // One failure on each of 21 accounts: no account is locked, the address is.
        for (int i = 0; i < LoginThrottle.FreeAddressFailures; i++) Fail(1, account: 200_000 + i);
        Assert.Null(LockedFor(account: 999_999));
        Fail(1, account: 300_000);
        Assert.Equal(1u, LockedFor(account: 999_999));
        Assert.Null(LockedFor(account: 999_999, address: OtherAddress));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(LockedFor(account: 999_999));
    }

    [Fact]
    public void A_success_clears_the_account()
    {
        Fail(LoginThrottle.FreeAccountFailures + 3);
        Assert.NotNull(LockedFor(address: OtherAddress));
        _throttle.RecordSuccess(Account);
        Assert.Null(LockedFor(address: OtherAddress));

        // Counting starts again: five more are free.
        Fail(LoginThrottle.FreeAccountFailures, address: OtherAddress);
        Assert.Null(LockedFor(address: OtherAddress));
    }

    [Fact]
    public void The_sweep_forgets_an_entry_an_hour_after_its_last_failure_or_its_lock_ended()
    {
        Fail(LoginThrottle.FreeAccountFailures + 1); // the account locked for 1 s; the address not locked
        Assert.Equal(2, _throttle.TrackedEntries);

        _time.Advance(TimeSpan.FromHours(1));
        _throttle.Sweep(Now);
        Assert.Equal(2, _throttle.TrackedEntries); // exactly an hour: kept

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _throttle.Sweep(Now);
        Assert.Equal(1, _throttle.TrackedEntries); // the address; the account's lock ended a second later

        _time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1));
        _throttle.Sweep(Now);
        Assert.Equal(1, _throttle.TrackedEntries);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _throttle.Sweep(Now);
        Assert.Equal(0, _throttle.TrackedEntries);

        // Forgotten: five failures are free again.
        Fail(LoginThrottle.FreeAccountFailures);
        Assert.Null(LockedFor());
    }
}
