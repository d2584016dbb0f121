namespace OC.Tests.Support.Net;

internal static class Pipes
{
    /// <summary>Copies until either side ends, recording what passes; then closes both (the other direction ends too).</summary>
    public static async Task PumpAsync(Stream from, Stream to, ByteRecorder? recorder, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                recorder?.Add(buffer.AsSpan(0, n));
                await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException
            or System.Security.Authentication.AuthenticationException)
        {
            // One side went away: the other is closed below.
        }
        finally
        {
            await from.DisposeAsync().ConfigureAwait(false);
            await to.DisposeAsync().ConfigureAwait(false);
        }
    }
}
