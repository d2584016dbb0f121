namespace OC.Appliance.Storage.Messages;

/// <summary>One message in a posting list: its seq and where its record starts in messages.log.</summary>
internal readonly record struct IndexEntry(ulong Seq, long Offset);

/// <summary>Where a block of a posting list is in the index file, and the seq of its first entry.</summary>
internal readonly record struct BlockPointer(long Offset, ulong FirstSeq);

/// <summary>
/// The index file or its checkpoint is not what the log says (torn, zeroed, a bad CRC, pointing
/// past the log): the index is rebuilt from the log, which is the source of truth.
/// </summary>
internal sealed class IndexDamagedException(string message) : Exception(message);
