using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OC.Protocol.IO;

/// <summary>
/// Appends a transferred file's bytes to a file on disk: the appliance's .part of an upload, the
/// client's .part of a download. Where the file system allows it (Linux), the file is written
/// with O_DIRECT from aligned staging buffers: a transferred file is written once, in order, and
/// through the page cache it would evict what the machine does use, cost a copy, and leave
/// gigabytes of dirty pages for an fsync to wait on (docs/performance.md, "files"). Elsewhere it
/// writes through the page cache and starts write-back as it goes. One thread at a time.
/// </summary>
/// <remarks>
/// Direct transfers must start and end on <see cref="DirectIo.Alignment"/>. The stage holds the
/// bytes from the last aligned offset at or below the end of the file: it is written out when
/// full, and <see cref="Flush"/> writes the partly filled stage rounded up to a whole block and
/// cuts the file back to its real length; the next full write of that stage overwrites the block.
/// Two stages of 4 MiB: one is written while the other fills. With 1 MiB stages the worker
/// waited for the previous write about 1 s per GiB on the benchmark machine, with 4 MiB 0.2 s
/// (docs/performance.md); <see cref="ReleaseBuffers"/> frees them while a transfer pauses.
/// </remarks>
public sealed unsafe class FileAppender : IDisposable
{
    private const int StageSize = 4 * 1024 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly bool _ownsHandle;
    private readonly string _path;
    private readonly bool _direct;
    private byte* _stage;
    private byte* _spare;
    private Task? _writing;
    private long _stageStart;
    private int _staged;

    /// <summary>Bytes at the start of the stage that are in the file already (flushed, or there when opened).</summary>
    private int _stageInFile;
    private long _length;

    private FileAppender(SafeFileHandle handle, bool ownsHandle, string path, bool direct)
    {
        _handle = handle;
        _ownsHandle = ownsHandle;
        _path = path;
        _direct = direct;
    }

    /// <summary>Bytes appended so far (in the file once <see cref="Flush"/> returned).</summary>
    public long Length => _length;

    /// <summary>Whether writes bypass the page cache (for the log and the tests).</summary>
    public bool IsDirect => _direct;

    /// <summary>Opens <paramref name="path"/> (created if missing) to append after its first <paramref name="length"/> bytes, which it must have.</summary>
    public static FileAppender Open(string path, long length, bool allowDirect)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            return Start(handle, ownsHandle: true, path, length, allowDirect);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends through the handle of a file the caller keeps open (and closes): a FileStream the
    /// caller no longer reads or writes itself until this appender is disposed, which turns
    /// O_DIRECT off again.
    /// </summary>
    public static FileAppender Attach(SafeFileHandle handle, string path, long length, bool allowDirect) =>
        Start(handle, ownsHandle: false, path, length, allowDirect);

    private static FileAppender Start(SafeFileHandle handle, bool ownsHandle, string path, long length, bool allowDirect)
    {
        if (RandomAccess.GetLength(handle) != length) RandomAccess.SetLength(handle, length);
        var appender = new FileAppender(handle, ownsHandle, path, allowDirect && DirectIo.TryEnable(handle)) { _length = length };
        if (appender._direct)
        {
            appender._stageStart = length - length % DirectIo.Alignment;
            appender._staged = appender._stageInFile = (int)(length - appender._stageStart);
        }
        return appender;
    }

    /// <summary>The stage being filled, allocated when first needed (after <see cref="Open"/> or <see cref="ReleaseBuffers"/>).</summary>
    private Span<byte> Stage
    {
        get
        {
            if (_stage is null)
            {
                _stage = Allocate();
                if (_staged > 0) ReadBackTail();
            }
            return new Span<byte>(_stage, StageSize);
        }
    }

    /// <summary>The last partial block goes back into a new stage, to be rewritten whole.</summary>
    private void ReadBackTail()
    {
        int whole = (_staged + DirectIo.Alignment - 1) / DirectIo.Alignment * DirectIo.Alignment;
        int n = RandomAccess.Read(_handle, new Span<byte>(_stage, whole), _stageStart);
        if (n < _staged) throw new IOException($"{_path}: could not read back its last {_staged} bytes");
    }

    /// <summary>
    /// Writes out what is appended (as <see cref="Flush"/> without the fsync) and frees the stages
    /// until the next <see cref="Append"/>: for a transfer that pauses, maybe for days.
    /// </summary>
    public void ReleaseBuffers()
    {
        Flush(toDisk: false);
        NativeMemory.AlignedFree(_stage);
        NativeMemory.AlignedFree(_spare);
        _stage = _spare = null;
        if (_direct)
        {
            // Start the next stage at the last whole block: only its bytes are read back.
            _stageStart = _length - _length % DirectIo.Alignment;
            _staged = _stageInFile = (int)(_length - _stageStart);
        }
    }

    private static byte* Allocate() => (byte*)NativeMemory.AlignedAlloc(StageSize, DirectIo.Alignment);

    /// <summary>
    /// Appends <paramref name="data"/>. A full stage is written by a pool thread while the next one
    /// fills (the caller hashes meanwhile), so a write's error may surface at a later Append or at
    /// <see cref="Flush"/>: after any exception the writer is done for; dispose it and reopen at the
    /// length last flushed.
    /// </summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (!_direct)
        {
            RandomAccess.Write(_handle, data, _length);
            DataSync.StartWriteBack(_handle, _length, data.Length);
            _length += data.Length;
            return;
        }

        _length += data.Length;
        while (!data.IsEmpty)
        {
            int n = Math.Min(StageSize - _staged, data.Length);
            data[..n].CopyTo(Stage[_staged..]);
            _staged += n;
            data = data[n..];
            if (_staged == StageSize) WriteStageInBackground();
        }
    }

    private void WriteStageInBackground()
    {
        WaitForWrite();
        nint full = (nint)_stage;
        int from = AlignDown(_stageInFile);
        long at = _stageStart + from;
        _writing = Task.Run(() => RandomAccess.Write(_handle, new ReadOnlySpan<byte>((byte*)full + from, StageSize - from), at));
        _stage = _spare;
        _spare = (byte*)full;
        _stageStart += StageSize;
        _staged = _stageInFile = 0;
    }

    private static int AlignDown(int n) => n / DirectIo.Alignment * DirectIo.Alignment;

    /// <summary>Waits for the stage being written in the background; throws what that write threw.</summary>
    private void WaitForWrite()
    {
        var writing = _writing;
        if (writing is null) return;
        _writing = null;
        writing.GetAwaiter().GetResult();
    }

    /// <summary>Puts every appended byte in the file, and on the disk when <paramref name="toDisk"/> (fdatasync).</summary>
    public void Flush(bool toDisk)
    {
        if (_direct)
        {
            WaitForWrite();
            // Only what the file lacks, from the block the last flush ended in: flushing after every
            // chunk (a slow upload) must not write the whole stage again each time.
            if (_staged > _stageInFile)
            {
                int from = AlignDown(_stageInFile);
                int whole = AlignDown(_staged + DirectIo.Alignment - 1);
                RandomAccess.Write(_handle, Stage[from..whole], _stageStart + from);
                if (whole != _staged) RandomAccess.SetLength(_handle, _length);
                _stageInFile = _staged;
            }
        }
        if (toDisk) DataSync.Flush(_handle, _path);
    }

    public void Dispose()
    {
        // The kernel may still be reading a stage: it is freed only after its write ended.
        try
        {
            _writing?.Wait();
        }
        catch (AggregateException)
        {
            // Reported by the Append or Flush that the owner did not get to; nothing to confirm.
        }
        _writing = null;
        if (_ownsHandle) _handle.Dispose();
        else if (_direct && !_handle.IsClosed) DirectIo.Disable(_handle);
        NativeMemory.AlignedFree(_stage);
        NativeMemory.AlignedFree(_spare);
        _stage = _spare = null;
    }
}
