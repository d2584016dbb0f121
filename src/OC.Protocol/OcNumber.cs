using System.Globalization;

namespace OC.Protocol;

/// <summary>
/// An OC number, the name an account logs in and is found by: six ASCII digits, 100000..999999,
/// so it never starts with 0 and always prints as six digits. The appliance draws each at random
/// from that range; on the wire it is a uint32 (docs/protocol.md).
/// </summary>
/// <remarks>
/// <c>default(OcNumber)</c> holds 0, which is not an OC number; the protocol uses 0 for "none"
/// where a number is optional. Every other value was checked on the way in.
/// </remarks>
public readonly record struct OcNumber
{
    /// <summary>The smallest OC number.</summary>
    public const int Min = 100_000;

    /// <summary>The largest OC number.</summary>
    public const int Max = 999_999;

    private const int Digits = 6;

    /// <summary>Wraps <paramref name="value"/>; throws <see cref="ArgumentOutOfRangeException"/> outside 100000..999999.</summary>
    public OcNumber(uint value)
    {
        if (!IsValid(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "an OC number is 100000..999999");
        Value = value;
    }

    /// <summary>The number, as the wire carries it.</summary>
    public uint Value { get; }

    /// <summary>True for 100000..999999 (an int, uint or long).</summary>
    public static bool IsValid(long value) => value is >= Min and <= Max;

    /// <summary>Wraps <paramref name="value"/> if it is an OC number.</summary>
    public static bool TryCreate(long value, out OcNumber number)
    {
        if (!IsValid(value))
        {
            number = default;
            return false;
        }
        number = new OcNumber((uint)value);
        return true;
    }

    /// <summary>
    /// Accepts exactly six ASCII digits, 100000..999999: no sign, no spaces, no leading zero,
    /// no other script's digits (char.IsDigit would take Arabic-Indic "١٢٣٤٥٦").
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out OcNumber number)
    {
        number = default;
        if (text.Length != Digits || text[0] == '0') return false;
        uint value = 0;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (uint)(c - '0');
        }
        number = new OcNumber(value);
        return true;
    }

    /// <summary>As the span overload; false for null.</summary>
    public static bool TryParse(string? text, out OcNumber number) => TryParse(text.AsSpan(), out number);

    /// <summary>Six digits, e.g. "123456".</summary>
    public override string ToString() => Value.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The wire value; every OC number fits.</summary>
    public static implicit operator uint(OcNumber number) => number.Value;

    /// <summary>Checks the range; throws <see cref="ArgumentOutOfRangeException"/> outside it.</summary>
    public static explicit operator OcNumber(uint value) => new(value);
}
