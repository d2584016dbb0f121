using OC.CliClient.Commands;
using OC.Protocol;

namespace OC.Tests.Unit;

public class OcNumberTests
{
    [Theory]
    [InlineData("100000", 100_000u)]
    [InlineData("123456", 123_456u)]
    [InlineData("999999", 999_999u)]
    public void Six_digits_from_100000_to_999999_parse_and_print_back(string text, uint value)
    {
        Assert.True(OcNumber.TryParse(text, out var number));
        Assert.Equal(value, number.Value);
        Assert.Equal(value, (uint)number);
        Assert.Equal(text, number.ToString());
        Assert.True(OcNumber.TryParse(text.AsSpan(), out var fromSpan));
        Assert.Equal(number, fromSpan);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("12345")] // five digits
    [InlineData("1234567")] // seven digits
    [InlineData("1000000")]
    [InlineData("012345")] // a leading zero
    [InlineData("099999")]
    [InlineData("000000")]
    [InlineData("+123456")]
    [InlineData("-123456")]
    [InlineData("+12345")] // six characters with the sign
    [InlineData("-12345")]
    [InlineData(" 123456")]
    [InlineData("123456 ")]
    [InlineData(" 12345")]
    [InlineData("12345 ")]
    [InlineData("123 56")]
    [InlineData("12345\n")]
    [InlineData("١٢٣٤٥٦")] // Arabic-Indic digits: char.IsDigit says yes
    [InlineData("۱۲۳۴۵۶")] // Extended Arabic-Indic
    [InlineData("１２３４５６")] // fullwidth
    [InlineData("12345a")]
    [InlineData("1e5000")]
    [InlineData("12345.")]
    [InlineData("12,345")]
    [InlineData("0x1234")]
    public void Anything_but_six_ascii_digits_without_a_leading_zero_is_refused(string text)
    {
        Assert.False(OcNumber.TryParse(text, out var number));
        Assert.Equal(default(OcNumber), number);
        Assert.False(OcNumber.TryParse(text.AsSpan(), out _));
    }

    [Fact]
    public void Null_is_not_an_OC_number()
    {
        string? text = null;
        Assert.False(OcNumber.TryParse(text, out var number));
        Assert.Equal(0u, number.Value);
    }

    [Theory]
    [InlineData(100_000L, true)]
    [InlineData(999_999L, true)]
    [InlineData(99_999L, false)]
    [InlineData(1_000_000L, false)]
    [InlineData(0L, false)]
    [InlineData(-1L, false)]
    [InlineData(-100_000L, false)]
    [InlineData(4_294_967_295L, false)] // uint.MaxValue
    [InlineData(uint.MaxValue + 100_000L, false)] // would wrap to 99999 as a uint
    [InlineData(long.MinValue, false)]
    [InlineData(long.MaxValue, false)]
    public void Only_100000_to_999999_are_valid(long value, bool valid)
    {
        Assert.Equal(valid, OcNumber.IsValid(value));
        Assert.Equal(valid, OcNumber.TryCreate(value, out var number));
        Assert.Equal(valid ? (uint)value : 0u, number.Value);
    }

    [Fact]
    public void The_bounds_are_the_first_and_last_six_digit_numbers()
    {
        Assert.Equal(100_000, OcNumber.Min);
        Assert.Equal(999_999, OcNumber.Max);
        Assert.Equal("100000", new OcNumber(OcNumber.Min).ToString());
        Assert.Equal("999999", new OcNumber(OcNumber.Max).ToString());
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(99_999u)]
    [InlineData(1_000_000u)]
    [InlineData(uint.MaxValue)]
    public void Constructing_or_converting_outside_the_range_throws(uint value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OcNumber(value));
        Assert.Throws<ArgumentOutOfRangeException>(() => (OcNumber)value);
    }

    [Fact]
    public void The_default_is_zero_and_not_an_OC_number()
    {
        OcNumber none = default;
        Assert.Equal(0u, (uint)none);
        Assert.False(OcNumber.IsValid(none));
        Assert.Equal("000000", none.ToString());
    }

    [Fact]
    public void Equal_numbers_are_equal_values()
    {
        Assert.Equal(new OcNumber(123_456), (OcNumber)123_456u);
        Assert.NotEqual(new OcNumber(123_456), new OcNumber(123_457));
        Assert.Equal(new OcNumber(123_456).GetHashCode(), ((OcNumber)123_456u).GetHashCode());
    }

    [Theory]
    [InlineData("123456")]
    [InlineData("100000")]
    [InlineData("012345")]
    [InlineData("+12345")]
    [InlineData("١٢٣٤٥٦")]
    [InlineData("")]
    public void The_cli_parses_as_OcNumber_does(string text)
    {
        bool expected = OcNumber.TryParse(text, out var number);

        Assert.Equal(expected, LoginCommand.TryParseNumber(text, out uint cli));
        Assert.Equal(number.Value, cli);
    }
}
