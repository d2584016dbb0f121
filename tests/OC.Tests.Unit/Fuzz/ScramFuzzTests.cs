using System.Text;
using OC.Protocol.Security;

namespace OC.Tests.Fuzz;

/// <summary>What the fuzz campaign reported in SCRAM parsing, kept as tests.</summary>
public sealed class ScramFuzzTests
{
    [Fact]
    public void A_server_first_with_an_iteration_count_that_is_no_number_is_refused_with_a_ScramException()
    {
        // Reported by the fuzzer as an over-allocation: the refusal's exception (about 3 KB with its
        // stack trace) was above the scram target's budget. The parser was right and the budget was
        // raised; the input stays as a test of the refusal. The scram target's input is a step byte
        // (1: the client reads server-first) and the message.
        byte[] input = FuzzRegressions.Read("scram", "iteration-count-not-a-number");
        Assert.Equal(1, input[0]);
        string serverFirst = Encoding.UTF8.GetString(input.AsSpan(1));
        var client = new ScramClient("user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");

        var refusal = Assert.Throws<ScramException>(() => client.ProcessServerFirst(serverFirst));
        Assert.Contains("iteration count", refusal.Message, StringComparison.Ordinal);
    }
}
