namespace OC.Fuzz;

/// <summary>
/// One fuzz target: a name for fuzz/run.sh, the code that takes one input, and the seeds that start
/// its corpus (fuzz/corpus/NAME/, written by <c>OC.Fuzz seeds</c>).
/// </summary>
/// <remarks>
/// <see cref="Run"/> returns normally for any input the product must refuse or accept; only a bug
/// escapes it: an exception the product does not expect, or an <see cref="InvariantException"/>
/// from a check of the target (a round trip that differs, an allocation the input does not explain).
/// </remarks>
internal abstract class FuzzTarget
{
    public abstract string Name { get; }

    /// <summary>One line for <c>OC.Fuzz list</c> and docs/fuzzing.md.</summary>
    public abstract string Description { get; }

    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>Small valid inputs (named), built with the product's own writers as the tests build them.</summary>
    public abstract IEnumerable<(string Name, byte[] Bytes)> Seeds();
}

/// <summary>A check of a fuzz target failed: a bug, reported to the fuzzer as a crash.</summary>
internal sealed class InvariantException(string message) : Exception(message);

internal static class Check
{
    public static void That(bool condition, string what)
    {
        if (!condition) throw new InvariantException(what);
    }
}
