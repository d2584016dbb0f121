using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Ui;

// The files panel: the conversation's files (FILE_LIST, then FILE_RECEIVED as they come), a
// download of the selected one into the current folder, a send from a path typed at a prompt.
// Transfers run on the session's connection (LiveSession.LendLinkAsync) through FileTransfers,
// the code of oc file and oc chat's /send and /get; a lost connection ends them (doing it again resumes).
internal sealed partial class UiApp
{
    private readonly CancellationTokenSource _stopTransfers = new();
    private bool _filesShown;
    private int _fileIndex;

    private void ToggleFiles()
    {
        _filesShown = !_filesShown;
        if (_filesShown && _current is { FilesLoaded: false } current) LoadFiles(current);
        if (!_filesShown && _focus == Pane.Files) _focus = Pane.Input;
    }

    private void LoadFiles(Conversation conversation)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var files = conversation.IsRoom
                    ? await _session.RoomFilesAsync(conversation.Number, _stopTransfers.Token).ConfigureAwait(false)
                    : await _session.FilesAsync(conversation.Number, _stopTransfers.Token).ConfigureAwait(false);
                Post(() =>
                {
                    foreach (var file in files) conversation.AddFile(file);
                    conversation.FilesLoaded = true;
                });
            }
#pragma warning disable CA1031 // Any failure is one line on the status row; the screen goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Post(() => _status = "files cannot be listed just now: " + ErrorReport.OneLine(ErrorReport.Describe(e).Message));
            }
        });
    }

    private void DownloadSelected()
    {
        if (_current is not { } conversation || _fileIndex >= conversation.Files.Count) return;
        var item = conversation.Files[_fileIndex];
        if (item.Progress >= 0) return;
        if (item.Entry.From == _session.Me)
        {
            _status = "that file is one you sent";
            return;
        }

        if (item.Entry.State != FileState.Complete)
        {
            _status = "that file is not complete yet";
            return;
        }

        item.Progress = 0;
        item.Note = null;
        var progress = new PanelProgress(this, item);
        Run(async token =>
        {
            var (entry, target) = await FileTransfers.GetAsync(_session.LendLinkAsync, item.Entry.FileId, null, force: false, progress, token,
                overwriteHint: "oc file get ID PATH saves it elsewhere").ConfigureAwait(false);
            Post(() =>
            {
                item.Progress = -1;
                item.Downloaded = true;
                item.Note = "saved to " + target;
                _status = $"saved {FileTransfers.Display(entry.Name)} to {target}; SHA-256 checked";
            });
        }, item);
    }

    private void BeginSendPrompt()
    {
        if (_current is null)
        {
            _status = "open a conversation first";
            return;
        }

        _overlay = Overlay.SendPath;
        _path.Set("");
    }

    private void StartSend(string argument)
    {
        if (_current is not { } conversation)
        {
            _status = "open a conversation first";
            return;
        }


        string path = argument == "~" || argument.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), argument.Length > 2 ? argument[2..] : "")
            : argument;
        long size;
        try
        {
            size = new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            _status = "cannot read " + path + ": " + ErrorReport.OneLine(e.Message);
            return;
        }

        if (!_filesShown) ToggleFiles();
        var item = new FileItem(new FileEntry(0, _session.Me, conversation.Number, Path.GetFileName(path), (ulong)size, 0, [], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), FileState.Uploading))
        {
            Progress = 0,
        };
        conversation.Files.Add(item);
        var progress = new PanelProgress(this, item);
        uint to = conversation.Number;
        bool room = conversation.IsRoom;
        Run(async token =>
        {
            var entry = room
                ? await FileTransfers.SendToRoomAsync(_session.LendLinkAsync, to, path, progress, token).ConfigureAwait(false)
                : await FileTransfers.SendAsync(_session.LendLinkAsync, to, path, progress, token).ConfigureAwait(false);
            Post(() =>
            {
                conversation.Files.Remove(item);
                var done = conversation.AddFile(entry);
                done.Note = "sent";
                _status = $"sent {FileTransfers.Display(entry.Name)} ({TransferProgress.Bytes((long)entry.Size)})";
            });
        }, item);
    }

    private void Run(Func<CancellationToken, Task> transfer, FileItem item)
    {
        var token = _stopTransfers.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await transfer(token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failed transfer is a note in the panel; the screen goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                string why = e is OperationCanceledException ? "stopped" : ErrorReport.OneLine(ErrorReport.Describe(e).Message);
                Post(() =>
                {
                    item.Progress = -1;
                    item.Note = "failed: " + why;
                    _status = FileTransfers.Display(item.Entry.Name) + ": " + why;
                });
            }
        }, CancellationToken.None);
    }

    /// <summary>Progress posted to the loop when the percentage changes (not for every chunk).</summary>
    private sealed class PanelProgress(UiApp app, FileItem item) : IProgress<FileTransferProgress>
    {
        private long _lastPercent = -1;

        public void Report(FileTransferProgress value)
        {
            long percent = value.Size == 0 ? 100 : 100 * value.Done / value.Size;
            if (Interlocked.Exchange(ref _lastPercent, percent) == percent) return;
            app.Post(() =>
            {
                if (item.Progress >= 0) item.Progress = value.Done;
            });
        }
    }
}
