using OC.Appliance.Storage.Messages;

namespace OC.Appliance.Backup;

/// <summary>
/// Where a backup cuts the message log: its committed length, count and last seq, read on the
/// message worker between two groups. The log is append-only and a failed group is cut back to
/// this length, never below, so its first <see cref="Bytes"/> bytes never change again (but for
/// --retention, which erases a prefix: see BackupRunner.RetainedPart): the backup copies them at
/// leisure, while the appliance appends behind them. Every message acknowledged before the point
/// (SENT goes out after the group's fsync) is inside it. <see cref="Messages"/>: the kept ones.
/// </summary>
internal readonly record struct MessagesPoint(long Bytes, long Messages, ulong LastSeq)
{
    /// <summary>On the message worker (or with the log otherwise unused).</summary>
    public static MessagesPoint Of(MessageLog log) => new(log.FileBytes, log.Count, log.LastSeq);
}
