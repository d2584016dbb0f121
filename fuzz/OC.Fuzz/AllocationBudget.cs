namespace OC.Fuzz;

/// <summary>
/// "No allocation larger than the input allows": what a parser allocates on this thread while it
/// reads one input must stay under <c>fixed + perInputByte × input length</c>. A hostile count or
/// length that makes the parser reserve room before the bytes that fill it have arrived (a list
/// sized by a u16 count in a 3-byte payload) breaks it at once; honest copies (strings, arrays,
/// records) stay far below. The figures are per target, each with its reason beside it.
/// </summary>
internal readonly struct AllocationBudget(string what, long fixedBytes, long perInputByte)
{
    /// <summary>Off while a target warms up: static constructors and first-call caches allocate once.</summary>
    public static bool Enabled { get; set; }

    public long Start() => GC.GetAllocatedBytesForCurrentThread();

    public void Stop(long start, int inputLength)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        long allowed = fixedBytes + (perInputByte * inputLength);
        if (Enabled && allocated > allowed)
            throw new InvariantException($"{what} allocated {allocated} bytes for a {inputLength}-byte input (allowed: {fixedBytes} + {perInputByte} × length = {allowed})");
    }
}
