using System.Runtime.InteropServices;
using OC.Protocol.IO;

namespace OC.Tests.Unit;

public unsafe class InterruptedTests
{
    private const int EIo = 5;
    private const int Success = 7;

    /// <summary>A stand-in native call: fails with each errno in turn (-1 and the last P/Invoke error, as [LibraryImport] leaves them), then succeeds.</summary>
    private sealed class Call(params int[] errnos)
    {
        public int Count { get; private set; }

        public int Invoke()
        {
            int i = Count++;
            if (i >= errnos.Length) return Success;
            Marshal.SetLastPInvokeError(errnos[i]);
            return -1;
        }
    }

    private static int One(Call call) => call.Invoke();

    private static int Two(Call call, int a) => call.Invoke() < 0 ? -1 : a;

    private static int Three(Call call, int a, int b) => call.Invoke() < 0 ? -1 : a + b;

    [Fact]
    public void A_call_interrupted_twice_is_made_again_until_it_succeeds()
    {
        var call = new Call(Interrupted.EIntr, Interrupted.EIntr);
        Assert.Equal(Success, Interrupted.Retry(&One, call));
        Assert.Equal(3, call.Count);
    }

    [Fact]
    public void A_failure_other_than_EINTR_is_returned_at_once_with_its_errno()
    {
        var call = new Call(EIo);
        Assert.Equal(-1, Interrupted.Retry(&One, call));
        Assert.Equal(1, call.Count);
        Assert.Equal(EIo, Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void An_interrupted_call_that_then_fails_returns_the_failure_and_its_errno()
    {
        var call = new Call(Interrupted.EIntr, EIo, Interrupted.EIntr);
        Assert.Equal(-1, Interrupted.Retry(&One, call));
        Assert.Equal(2, call.Count);
        Assert.Equal(EIo, Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void A_success_is_not_retried_whatever_errno_was_left_from_before()
    {
        Marshal.SetLastPInvokeError(Interrupted.EIntr);
        var call = new Call();
        Assert.Equal(Success, Interrupted.Retry(&One, call));
        Assert.Equal(1, call.Count);
    }

    [Fact]
    public void Calls_with_more_arguments_get_them_on_every_attempt()
    {
        var two = new Call(Interrupted.EIntr);
        Assert.Equal(40, Interrupted.Retry(&Two, two, 40));
        Assert.Equal(2, two.Count);

        var three = new Call(Interrupted.EIntr, Interrupted.EIntr);
        Assert.Equal(42, Interrupted.Retry(&Three, three, 40, 2));
        Assert.Equal(3, three.Count);
    }
}
