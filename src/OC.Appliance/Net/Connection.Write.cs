using System.Net.Sockets;
using OC.Protocol.Framing;

namespace OC.Appliance.Net;

internal sealed partial class Connection
{
    /// <summary>
    /// The buffer to write frames into. Call <see cref="Commit"/> after writing: it schedules the
    /// flush (before the loop sleeps, as redis handleClientsWithPendingWrites) and enforces the bound.
    /// </summary>
    public ByteBuffer Output => _output;

    public void Commit()
    {
        if (IsClosed || _cutOff) return;
        if (_output.Length > _manager.Limits.MaxOutputBytes)
        {
            // Closed at the next flush, not here: Commit is called while pushing an event to many
            // sessions, and closing runs presence changes that push events of their own.
            _cutOff = true;
            _manager.OnSlowConsumer(this);
        }
        _manager.SchedulePendingWrite(this);
    }

    /// <summary>Writes what the socket takes now; asks for writable events only while output is left over.</summary>
    internal void Flush()
    {
        if (_cutOff)
        {
            Close($"slow consumer: {_output.Length} bytes of replies unread");
            return;
        }
        bool had = !_output.IsEmpty;
        while (!IsClosed && !_output.IsEmpty)
        {
            int n = _socket.Send(_output.Span, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) break;
            if (error != SocketError.Success)
            {
                Close(error is SocketError.ConnectionReset or SocketError.Shutdown ? "reset by peer" : $"send failed: {error}");
                return;
            }
            _manager.BytesSent += n;
            _output.Consume(n);
        }
        if (IsClosed) return;
        if (_output.IsEmpty) _output.Release();
        UpdateInterest();
        if (had && _output.IsEmpty) _manager.Sink.OnOutputDrained(this);
    }
}
