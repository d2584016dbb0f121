namespace OC.Appliance.Storage.Messages;

/// <summary>Work for the message log: runs on its worker, completes on the loop after the group's fsync.</summary>
internal abstract class MessageJob : WorkerJob
{
    /// <summary>On the message worker; appends are staged in the log and committed with the group.</summary>
    internal abstract void Execute(MessageLog log);
}
