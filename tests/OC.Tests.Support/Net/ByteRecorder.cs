namespace OC.Tests.Support.Net;

/// <summary>Everything a proxy saw, both directions in one thread-safe buffer, for searching.</summary>
public sealed class ByteRecorder
{
    private readonly MemoryStream _bytes = new();

    public void Add(ReadOnlySpan<byte> data)
    {
        lock (_bytes) _bytes.Write(data);
    }

    public byte[] ToArray()
    {
        lock (_bytes) return _bytes.ToArray();
    }

    public long Length
    {
        get { lock (_bytes) return _bytes.Length; }
    }

    /// <summary>True when <paramref name="needle"/> occurs anywhere in what was recorded.</summary>
    public bool Contains(ReadOnlySpan<byte> needle) => ToArray().AsSpan().IndexOf(needle) >= 0;

    public bool Contains(string text) => Contains(System.Text.Encoding.UTF8.GetBytes(text));
}
