using LiteDB;
using OC.Appliance.Storage;
using OC.Protocol.Messages;

namespace OC.Appliance.Admin;

/// <summary>
/// No appliance runs: a storage worker of this process opens the database, as the appliance's
/// would (the data folder's lock, group commit, fsync, private files), and runs the same
/// <see cref="AccountAdmin"/> operations. The lock keeps an appliance from starting meanwhile,
/// and this from running beside one.
/// </summary>
internal sealed class DirectUserAdmin : IUserAdmin
{
    private readonly StorageWorker _worker;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Opens the database; throws <see cref="DataFolderBusyException"/> when another process holds the folder.</summary>
    public DirectUserAdmin(string dataDirectory) => _worker = new StorageWorker(dataDirectory, () => _wake.Release());

    public string Where => "the data folder (no appliance is running)";

    public Task<List<AccountSummary>> ListAsync(CancellationToken cancellationToken) =>
        RunAsync(db =>
        {
            var all = new List<AccountSummary>();
            int after = 0;
            while (true)
            {
                var page = AccountAdmin.ListUsers(db, after, 1000, out bool more);
                all.AddRange(page);
                if (!more || page.Count == 0) return all;
                after = page[^1].Number;
            }
        }, writes: false, cancellationToken);

    public Task<bool> SetPasswordAsync(int number, PasswordVerifier verifier, CancellationToken cancellationToken) =>
        RunAsync(db => AccountAdmin.ResetPassword(db, number, verifier.Salt, (int)verifier.Iterations, verifier.StoredKey, verifier.ServerKey) is not null,
            writes: true, cancellationToken);

    public Task<bool> DeleteAsync(int number, CancellationToken cancellationToken) =>
        RunAsync(db => AccountAdmin.DeleteUser(db, number, DateTime.UtcNow) is not null, writes: true, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _worker.Dispose();
        _worker.DrainCompleted();
        _wake.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Posts one job and plays the loop's part: wait for the worker's wake-up, drain, until it is back.</summary>
    private async Task<T> RunAsync<T>(Func<LiteDatabase, T> work, bool writes, CancellationToken cancellationToken)
    {
        var job = new Job<T>(work, writes);
        _worker.Post(job);
        while (!job.Completed)
        {
            await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            _worker.DrainCompleted();
        }
        if (job.Error is not null) throw new IOException($"the database refused: {job.Error.Message}", job.Error);
        return job.Result!;
    }

    private sealed class Job<T>(Func<LiteDatabase, T> work, bool writes) : StorageJob
    {
        internal T? Result { get; private set; }
        internal bool Completed { get; private set; }

        internal override bool Writes => writes;

        internal override void Execute(LiteDatabase db) => Result = work(db);

        internal override void Complete() => Completed = true;
    }
}
